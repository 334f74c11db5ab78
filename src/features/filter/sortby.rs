//! `sortby`: features ordered by queryables (`sortby=-poblacion_2023,name`).
//!
//! Each key is a queryable, ascending unless it starts with `-` (`+` may be written, and arrives as a
//! space when the client did not encode it). Nulls (`ND`) come last in both directions, so a ranking
//! starts with values. Equal keys keep the collection's order (year, then territory), so pages of one
//! sort never overlap or skip a feature.

use super::eval::order;
use super::queryables::{self, Kind, Prop, Row, Scalar};
use super::FilterError;
use crate::features::Collection;
use std::cmp::Ordering;

/// Most keys of one `sortby`.
pub const MAX_KEYS: usize = 8;

/// One sort key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub name: String,
    pub descending: bool,
}

/// A resolved key: what to read and which way.
struct Resolved {
    prop: Prop,
    descending: bool,
}

fn bad(reason: impl Into<String>) -> FilterError {
    FilterError {
        parameter: "sortby",
        reason: reason.into(),
        position: None,
    }
}

/// Splits a `sortby` value into keys (names are checked against a collection by [`sort`]'s caller).
pub fn parse_sortby(s: &str) -> Result<Vec<SortKey>, FilterError> {
    let keys: Vec<SortKey> = s
        .split(',')
        .map(|k| {
            let (descending, name) = match k.chars().next() {
                Some('-') => (true, &k[1..]),
                Some('+') | Some(' ') => (false, &k[1..]),
                _ => (false, k),
            };
            SortKey {
                name: name.trim().to_string(),
                descending,
            }
        })
        .collect();
    if keys.iter().any(|k| k.name.is_empty()) {
        return Err(bad(
            "has an empty key; give queryables separated by commas, `-` before a descending one",
        ));
    }
    if keys.len() > MAX_KEYS {
        return Err(bad(format!(
            "has {} keys; the limit is {MAX_KEYS}",
            keys.len()
        )));
    }
    Ok(keys)
}

/// Checks the keys against the collection's queryables.
pub fn check(c: &Collection, keys: &[SortKey]) -> Result<(), FilterError> {
    resolve(c, keys).map(|_| ())
}

fn resolve(c: &Collection, keys: &[SortKey]) -> Result<Vec<Resolved>, FilterError> {
    let qs = queryables::of(c);
    keys.iter()
        .map(|k| {
            let q = queryables::find(&qs, &k.name).ok_or_else(|| {
                bad(format!(
                    "`{}` is not a queryable of this collection; /collections/{}/queryables lists them",
                    k.name, c.id
                ))
            })?;
            // The year of a territory-year sorts by `year`, its geometry not at all.
            let prop = match q.kind {
                Kind::Geometry => return Err(bad(format!("`{}` is a geometry and cannot be sorted", k.name))),
                Kind::Time => Prop::Year,
                _ => q.prop,
            };
            Ok(Resolved {
                prop,
                descending: k.descending,
            })
        })
        .collect()
}

/// Sorts positions by the keys, stably. Each feature's keys are read once, not at every comparison.
pub fn sort(c: &Collection, positions: &mut [usize], keys: &[SortKey]) {
    let Ok(keys) = resolve(c, keys) else {
        return;
    };
    let mut keyed: Vec<(Vec<Option<Scalar>>, usize)> = positions
        .iter()
        .map(|&i| {
            let row = Row::at(c, i);
            (keys.iter().map(|k| row.get(k.prop)).collect(), i)
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        for ((x, y), k) in a.iter().zip(b).zip(&keys) {
            let ord = match (x, y) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(x), Some(y)) => {
                    let o = order(x, y).unwrap_or(Ordering::Equal);
                    if k.descending {
                        o.reverse()
                    } else {
                        o
                    }
                }
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
    for (slot, (_, i)) in positions.iter_mut().zip(keyed) {
        *slot = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_ascending_unless_minus_and_plus_may_arrive_as_a_space() {
        let k = parse_sortby("-poblacion_2023, name,+code").unwrap();
        assert_eq!(
            k.iter()
                .map(|k| (k.name.as_str(), k.descending))
                .collect::<Vec<_>>(),
            [("poblacion_2023", true), ("name", false), ("code", false)]
        );
        assert!(parse_sortby("name,,code").is_err());
        assert!(parse_sortby(&["a"; 9].join(",")).is_err());
    }
}
