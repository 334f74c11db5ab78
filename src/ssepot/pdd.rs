//! The district development plan (PDD) and its relation to the POT: programmes, product indicators, POT
//! projects, the many-to-many relation between indicators and projects, bands and investment.

use super::{count_by, round, Share};
use crate::ssepot::config::{band_of, PddConfig};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A programme of the PDD.
#[derive(Debug, Clone, Serialize)]
pub struct Programme {
    pub code: String,
    pub name: String,
    /// Strategic line (`Ecociudad`).
    pub line: String,
    /// POT system its investment goes to.
    pub system: String,
    /// Investment planned for the term and projected by its end, in millions of pesos.
    pub planned: f64,
    pub projected: f64,
}

/// A product indicator of the PDD.
#[derive(Debug, Clone, Serialize)]
pub struct ProductIndicator {
    pub code: String,
    pub name: String,
    pub programme: String,
    /// Weight in the plan's physical progress, in percentage points.
    pub weight: f64,
    /// Progress projected at the end of the term, %.
    pub progress: f64,
}

/// A POT project.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    pub code: String,
    pub name: String,
    pub system: String,
    pub subsystem: String,
}

/// The plan as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub name: String,
    /// Total of the multi-year investment plan, millions of pesos.
    pub investment: f64,
    /// The plan's projected physical progress at the end of the term, %.
    pub progress: f64,
}

/// The PDD tables with the rules of their dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Pdd {
    #[serde(skip)]
    pub rules: PddConfig,
    pub plan: Plan,
    pub programmes: Vec<Programme>,
    pub indicators: Vec<ProductIndicator>,
    pub projects: Vec<Project>,
    /// (indicator code, project code).
    pub relation: Vec<(String, String)>,
}

/// Investment of a group (strategic line or POT system).
#[derive(Debug, Clone, Serialize)]
pub struct Investment {
    pub label: String,
    pub planned: f64,
    pub projected: f64,
    /// projected / planned × 100, rounded.
    pub execution: Option<f64>,
}

/// The figures of the POT–PDD dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub plan: String,
    /// Product indicators related to at least one POT project.
    pub indicators: usize,
    /// Programmes those indicators belong to.
    pub programmes: usize,
    /// POT projects related to at least one of them.
    pub projects: usize,
    /// Relation rows (indicator–project pairs).
    pub links: usize,
    /// Related indicators per band, with shares.
    pub bands: Vec<Share>,
    /// Points the related indicators add to the plan's physical progress: Σ weight × progress / 100.
    pub contribution: f64,
    /// The plan's projected physical progress (from the plan table).
    pub plan_progress: f64,
    /// Projected progress of the related indicators together: Σ weight × progress / Σ weight.
    pub together: Option<f64>,
    /// Investment of the related programmes.
    pub planned: f64,
    pub projected: f64,
    pub execution: Option<f64>,
    /// Related programmes' planned investment as a share of the whole plan's.
    pub share_of_plan: Option<f64>,
    pub by_line: Vec<Investment>,
    pub by_system: Vec<Investment>,
}

fn investment(label: &str, progs: &[&Programme], decimals: u32) -> Investment {
    let planned: f64 = progs.iter().map(|p| p.planned).sum();
    let projected: f64 = progs.iter().map(|p| p.projected).sum();
    Investment {
        label: label.into(),
        planned,
        projected,
        execution: (planned > 0.0).then(|| round(projected / planned * 100.0, decimals)),
    }
}

impl Pdd {
    /// The band of each product indicator, by the declared thresholds.
    pub fn band(&self, ind: &ProductIndicator) -> &str {
        band_of(&self.rules.bands, ind.progress).unwrap_or_default()
    }

    /// Codes of the product indicators related to POT projects.
    fn related(&self) -> BTreeSet<&str> {
        self.relation.iter().map(|(i, _)| i.as_str()).collect()
    }

    pub fn summary(&self) -> Summary {
        let d = self.rules.progress_decimals;
        let related = self.related();
        let inds: Vec<&ProductIndicator> = self
            .indicators
            .iter()
            .filter(|i| related.contains(i.code.as_str()))
            .collect();
        let prog_codes: BTreeSet<&str> = inds.iter().map(|i| i.programme.as_str()).collect();
        let progs: Vec<&Programme> = self
            .programmes
            .iter()
            .filter(|p| prog_codes.contains(p.code.as_str()))
            .collect();
        let projects: BTreeSet<&str> = self.relation.iter().map(|(_, p)| p.as_str()).collect();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for i in &inds {
            *counts.entry(self.band(i)).or_default() += 1;
        }
        let bands = self
            .rules
            .bands
            .iter()
            .map(|b| {
                let n = counts.get(b.name.as_str()).copied().unwrap_or(0);
                Share::new(&b.name, n, inds.len(), self.rules.share_decimals)
            })
            .collect();
        let weighted: f64 = inds.iter().map(|i| i.weight * i.progress).sum();
        let weights: f64 = inds.iter().map(|i| i.weight).sum();
        let all = investment("", &progs, d);
        let group = |key: fn(&Programme) -> &str| -> Vec<Investment> {
            count_by(progs.iter().map(|p| key(p)))
                .into_iter()
                .map(|(label, _)| {
                    let members: Vec<&Programme> =
                        progs.iter().copied().filter(|p| key(p) == label).collect();
                    investment(&label, &members, d)
                })
                .collect()
        };
        Summary {
            plan: self.plan.name.clone(),
            indicators: inds.len(),
            programmes: progs.len(),
            projects: projects.len(),
            links: self.relation.len(),
            bands,
            contribution: round(weighted / 100.0, d),
            plan_progress: self.plan.progress,
            together: (weights > 0.0).then(|| round(weighted / weights, d)),
            planned: all.planned,
            projected: all.projected,
            execution: all.execution,
            share_of_plan: (self.plan.investment > 0.0).then(|| {
                round(
                    all.planned / self.plan.investment * 100.0,
                    self.rules.share_decimals,
                )
            }),
            by_line: group(|p| p.line.as_str()),
            by_system: group(|p| p.system.as_str()),
        }
    }
}
