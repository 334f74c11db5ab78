//! The POT's commitments (compromisos) and the figures of their dashboard.

use super::{count_by, round, Share};
use crate::ssepot::config::CommitmentsConfig;
use serde::Serialize;

/// One commitment of the POT with its cumulative progress per year.
#[derive(Debug, Clone, Serialize)]
pub struct Commitment {
    pub id: String,
    pub text: String,
    /// POT article (`Artículo 615`).
    pub article: String,
    /// Time horizon (`Corto plazo`).
    pub horizon: String,
    /// Typological class (`Normativo`, `Proyecto`, …).
    pub kind: String,
    /// Responsible office.
    pub office: String,
    /// State at the last year (`Cumplido`, `En avance`, …).
    pub state: String,
    /// Cumulative % progress per year; `None` is `ND` (not reported).
    pub progress: Vec<(i32, Option<f64>)>,
}

impl Commitment {
    /// Progress in a year (`None` when `ND` or outside the table).
    pub fn progress_in(&self, year: i32) -> Option<f64> {
        self.progress
            .iter()
            .find(|(y, _)| *y == year)
            .and_then(|(_, v)| *v)
    }
}

/// The commitments table with the rules that aggregate it.
#[derive(Debug, Clone, Serialize)]
pub struct Commitments {
    #[serde(skip)]
    pub rules: CommitmentsConfig,
    pub items: Vec<Commitment>,
}

/// The figures of the commitments dashboard, every one computed from the rows.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub total: usize,
    /// Commitments per horizon, with their share of all.
    pub horizons: Vec<Share>,
    /// The first-stage horizon and the rest of the plan.
    pub short_term: Share,
    pub rest_of_plan: Share,
    /// States of the short-term commitments, with shares of the short-term total.
    pub short_term_states: Vec<Share>,
    /// States of all commitments, with shares of the total.
    pub states: Vec<Share>,
    /// Commitments per state and horizon (the stacked chart).
    pub states_by_horizon: Vec<HorizonStates>,
    /// Commitments per typological class.
    pub kinds: Vec<Share>,
    /// Fulfilled at 100 % and in progress, counted over all commitments.
    pub fulfilled: usize,
    pub in_progress: usize,
    /// The report's last year.
    pub year: i32,
    /// Overall progress at the last year, by the declared rule, rounded.
    pub overall: Option<f64>,
    /// The same rule applied to every year of the table.
    pub overall_by_year: Vec<(i32, Option<f64>)>,
    /// Commitments that report progress at the last year (the rule's denominator for `mean_reported`).
    pub reported: usize,
}

/// One horizon's states.
#[derive(Debug, Clone, Serialize)]
pub struct HorizonStates {
    pub horizon: String,
    pub states: Vec<Share>,
}

impl Commitments {
    pub fn summary(&self) -> Summary {
        let r = &self.rules;
        let total = self.items.len();
        let shares = |counts: Vec<(String, usize)>, of: usize| -> Vec<Share> {
            counts
                .iter()
                .map(|(l, n)| Share::new(l, *n, of, r.share_decimals))
                .collect()
        };
        let short: Vec<&Commitment> = self
            .items
            .iter()
            .filter(|c| c.horizon == r.short_horizon)
            .collect();
        let states = count_by(self.items.iter().map(|c| c.state.as_str()));
        let horizons = count_by(self.items.iter().map(|c| c.horizon.as_str()));
        let states_by_horizon = horizons
            .iter()
            .map(|(h, n)| HorizonStates {
                horizon: h.clone(),
                states: shares(
                    count_by(
                        self.items
                            .iter()
                            .filter(|c| &c.horizon == h)
                            .map(|c| c.state.as_str()),
                    ),
                    *n,
                ),
            })
            .collect();
        let count_state = |s: &str| self.items.iter().filter(|c| c.state == s).count();
        let last = r.years[1];
        let overall_in = |year: i32| {
            let values: Vec<Option<f64>> = self.items.iter().map(|c| c.progress_in(year)).collect();
            super::progress::rollup(r.overall, &values).map(|v| round(v, r.progress_decimals))
        };
        Summary {
            total,
            short_term: Share::new(&r.short_horizon, short.len(), total, r.share_decimals),
            rest_of_plan: Share::new(
                "Resto del plan",
                total - short.len(),
                total,
                r.share_decimals,
            ),
            horizons: shares(horizons, total),
            short_term_states: shares(
                count_by(short.iter().map(|c| c.state.as_str())),
                short.len(),
            ),
            states: shares(states, total),
            states_by_horizon,
            kinds: shares(count_by(self.items.iter().map(|c| c.kind.as_str())), total),
            fulfilled: count_state(&r.fulfilled_state),
            in_progress: count_state(&r.in_progress_state),
            year: last,
            overall: overall_in(last),
            overall_by_year: (r.years[0]..=last).map(|y| (y, overall_in(y))).collect(),
            reported: self
                .items
                .iter()
                .filter(|c| c.progress_in(last).is_some())
                .count(),
        }
    }
}
