//! Progress against targets: physical (the value reached) and percentage (the share of the way from the
//! baseline to the target), in the indicator's direction; bands; roll-ups of groups.

use crate::config::Direction;
use crate::ssepot::config::{band_of, Band, Rollup};
use serde::Serialize;

pub mod collections;
pub mod measure;

/// Id prefix of the progress collections made from each territorial indicator (`avance_ep-01`).
pub const PREFIX: &str = "avance_";

/// Path of an indicator's technical sheet; a progress collection has its indicator's.
pub fn sheet_path(id: &str) -> String {
    format!("/indicators/{}", id.strip_prefix(PREFIX).unwrap_or(id))
}

/// An indicator's progress for a territory and year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// Physical progress: the value reached; `None` is `ND`.
    pub value: Option<f64>,
    /// Percentage progress from baseline to target; `None` when the value is `ND` or the sheet lacks a
    /// baseline or target.
    pub percent: Option<f64>,
    /// Status band of `percent`.
    pub band: Option<String>,
}

/// Percentage of the way from `baseline` to `target` that `value` has gone. The sign of `target − baseline`
/// carries the direction; when target and baseline are equal (keep a level), reaching it on the right side
/// is 100 % and falling short 0 %. Kept within `[0, cap]` when a cap is declared.
pub fn percent(
    baseline: f64,
    target: f64,
    value: f64,
    direction: Direction,
    cap: Option<f64>,
) -> f64 {
    let pct = if target == baseline {
        let reached = match direction {
            Direction::Higher => value >= target,
            Direction::Lower => value <= target,
        };
        if reached {
            100.0
        } else {
            0.0
        }
    } else {
        (value - baseline) / (target - baseline) * 100.0
    };
    match cap {
        Some(c) => pct.clamp(0.0, c),
        None => pct,
    }
}

/// Progress of one value against a sheet's baseline and target.
pub fn progress(
    baseline: Option<f64>,
    target: Option<f64>,
    direction: Direction,
    value: Option<f64>,
    bands: &[Band],
    cap: Option<f64>,
) -> Progress {
    let percent = match (baseline, target, value) {
        (Some(b), Some(t), Some(v)) => Some(percent(b, t, v, direction, cap)),
        _ => None,
    };
    Progress {
        value,
        percent,
        band: percent.and_then(|p| band_of(bands, p).map(String::from)),
    }
}

/// A group's progress from its members' (`None` members are `ND`): see [`Rollup`].
pub fn rollup(rule: Rollup, members: &[Option<f64>]) -> Option<f64> {
    let (sum, n) = match rule {
        Rollup::MeanReported => members
            .iter()
            .flatten()
            .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1)),
        Rollup::MeanAll => (members.iter().flatten().sum(), members.len()),
    };
    (n > 0).then(|| sum / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_goes_from_baseline_to_target_in_either_direction() {
        // Higher is better: 3.4 → 7.0, at 5.2 half the way.
        assert!((percent(3.4, 7.0, 5.2, Direction::Higher, None) - 50.0).abs() < 1e-9);
        // Lower is better: 437 → 150 homes at risk, at 293.5 half the way.
        assert!((percent(437.0, 150.0, 293.5, Direction::Lower, None) - 50.0).abs() < 1e-9);
        // Going the wrong way is negative, or 0 with a cap.
        assert!(percent(437.0, 150.0, 500.0, Direction::Lower, None) < 0.0);
        assert_eq!(
            percent(437.0, 150.0, 500.0, Direction::Lower, Some(100.0)),
            0.0
        );
        assert_eq!(percent(10.0, 10.0, 9.0, Direction::Lower, None), 100.0);
    }

    #[test]
    fn bands_follow_the_declared_thresholds_and_nd_has_none() {
        let bands = vec![
            Band {
                name: "alto".into(),
                min: 80.0,
            },
            Band {
                name: "medio".into(),
                min: 50.0,
            },
            Band {
                name: "bajo".into(),
                min: 0.0,
            },
        ];
        let p = progress(
            Some(0.0),
            Some(100.0),
            Direction::Higher,
            Some(80.0),
            &bands,
            Some(100.0),
        );
        assert_eq!(p.band.as_deref(), Some("alto"));
        let p = progress(
            Some(0.0),
            Some(100.0),
            Direction::Higher,
            Some(79.9),
            &bands,
            Some(100.0),
        );
        assert_eq!(p.band.as_deref(), Some("medio"));
        let p = progress(
            Some(0.0),
            Some(100.0),
            Direction::Higher,
            None,
            &bands,
            None,
        );
        assert_eq!((p.percent, p.band), (None, None));
    }

    #[test]
    fn roll_ups_leave_nd_out_or_count_it_as_zero() {
        let m = [Some(100.0), None, Some(50.0)];
        assert_eq!(rollup(Rollup::MeanReported, &m), Some(75.0));
        assert_eq!(rollup(Rollup::MeanAll, &m), Some(50.0));
        assert_eq!(rollup(Rollup::MeanReported, &[None]), None);
    }
}
