//! The SSEPOT — Medellín's POT monitoring system — in one folder: its layer-file section, its tables and
//! their rules, progress against targets, and the documents built from them (technical sheets, dashboards).
//! Beside the OGC features, which know nothing of it; the HTTP layer (`http::ssepot`) only routes and
//! negotiates.
//!
//! The folder is a vertical slice of the crate's layers, each file at the layer its role needs:
//!
//! | file | role | layer |
//! |---|---|---|
//! | [`config`] | the `[ssepot]` section of a layer file (serde, `deny_unknown_fields`) | config |
//! | `mod.rs`, [`commitments`], [`diagnosis`], [`pdd`], [`subsystems`] | the tables as read, and the rules that turn rows into the report's figures (shares, bands, roll-ups) | model |
//! | [`progress`] | progress against targets: the rule ([`progress`]), the `avance_` collections made at import ([`progress::collections`]), the progress of loaded indicators and roll-ups ([`progress::measure`]) | model / ingest / features |
//! | [`read`] | reading the tables; every problem names file, row and column | ingest |
//! | [`sheets`], [`dashboards`] | the documents: technical sheets and the report's four dashboards | features |
//! | [`texts`] | the report's texts published through the reporting store, as plain data | model |
//! | [`report`] | the publications built from the dashboards: the management report, bulletins, their charts as SVG | features (uses `render`) |
//!
//! No file reaches above its layer: the model-level files import only `config`, `read` only the model and
//! `ingest`'s table readers, the documents only the model and `features::download`. Every figure is computed
//! from table rows with rules declared in the layer file; no published figure is written in code.

pub mod commitments;
pub mod config;
pub mod dashboards;
pub mod diagnosis;
pub mod pdd;
pub mod progress;
pub mod read;
pub mod report;
pub mod sheets;
pub mod subsystems;
pub mod texts;

use serde::Serialize;

/// Everything the `[ssepot]` sections of the layer files declare, read and checked.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Ssepot {
    /// Synthetic sample tables: shown as *MUESTRA SINTÉTICA* everywhere.
    pub sample: bool,
    /// Source note.
    pub attribution: String,
    /// Diagnosis and concertation per indicator.
    pub diagnosis: Vec<diagnosis::Diagnosis>,
    /// Change-control log (DIES-058).
    pub changes: Vec<diagnosis::ChangeRecord>,
    /// Subsystems in their systems.
    pub subsystems: Vec<subsystems::Subsystem>,
    /// Progress rules.
    #[serde(skip)]
    pub progress: Option<crate::ssepot::config::ProgressConfig>,
    /// Commitments dashboard data.
    pub commitments: Option<commitments::Commitments>,
    /// POT–PDD dashboard data.
    pub pdd: Option<pdd::Pdd>,
    /// The report's texts published through the reporting store (laid over by `store::overlay`).
    #[serde(skip)]
    pub texts: Vec<texts::PublishedText>,
}

/// A count and its share of a total, in percent rounded to `decimals`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// What is counted (a state, a horizon, a band).
    pub label: String,
    pub count: usize,
    /// `count / total × 100`, rounded.
    pub percent: Option<f64>,
}

impl Share {
    pub fn new(label: &str, count: usize, total: usize, decimals: u32) -> Self {
        let percent = (total > 0).then(|| round(count as f64 / total as f64 * 100.0, decimals));
        Self {
            label: label.into(),
            count,
            percent,
        }
    }
}

/// Rounds half away from zero to `decimals` places, as a spreadsheet does.
pub fn round(v: f64, decimals: u32) -> f64 {
    let f = 10f64.powi(decimals as i32);
    // The nudge keeps 1.005 (stored as 1.00499…) rounding up to 1.01, as the spreadsheet that showed it does.
    (v * f + v.signum() * 1e-9).round() / f
}

/// Labels in first-seen order with their counts.
pub fn count_by<'a>(items: impl Iterator<Item = &'a str>) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for it in items {
        match out.iter_mut().find(|(l, _)| l == it) {
            Some((_, n)) => *n += 1,
            None => out.push((it.to_string(), 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn shares_round_half_away_from_zero() {
        assert_eq!(super::round(2.0 / 3.0 * 100.0, 1), 66.7);
        assert_eq!(super::round(0.125 * 100.0, 1), 12.5);
        assert_eq!(super::Share::new("x", 1, 8, 1).percent, Some(12.5));
        assert_eq!(super::Share::new("x", 1, 0, 1).percent, None);
    }
}
