//! The SSEPOT's own domain: what Medellín's POT monitoring system reports besides indicator values —
//! commitments, the POT–PDD relation, subsystems, each indicator's diagnosis and change log, and the rules
//! that turn their rows into the report's figures (shares, progress, bands, roll-ups).
//!
//! Plain data and rules only: nothing here reads files (see `ingest::ssepot`) or knows about HTTP. Every
//! figure is computed from table rows with rules declared in the layer file (`config::ssepot`); no published
//! figure is written in code.

pub mod commitments;
pub mod diagnosis;
pub mod pdd;
pub mod progress;
pub mod subsystems;

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
    pub progress: Option<crate::config::ssepot::ProgressConfig>,
    /// Commitments dashboard data.
    pub commitments: Option<commitments::Commitments>,
    /// POT–PDD dashboard data.
    pub pdd: Option<pdd::Pdd>,
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
