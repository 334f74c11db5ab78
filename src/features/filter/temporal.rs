//! The `T_` functions over the years of territory-years.
//!
//! Time is counted in days. A territory-year is the closed interval of its year's days (2023 is
//! 2023-01-01 to 2023-12-31); a `DATE` is its day; a `TIMESTAMP` is the day it names as written (the rule
//! `datetime=` follows: an instant selects the year it is written in); an `INTERVAL` runs from its start's
//! day to its end's, `..` being open. The relations are CQL2's, on those closed intervals.

use regex::Regex;
use std::sync::LazyLock;

/// A closed interval of days (days since 1970-01-01); open ends are `i64::MIN` / `i64::MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub start: i64,
    pub end: i64,
}

impl Days {
    pub fn year(y: i32) -> Self {
        Self {
            start: days_from_civil(y, 1, 1),
            end: days_from_civil(y, 12, 31),
        }
    }

    pub fn day(d: i64) -> Self {
        Self { start: d, end: d }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// `YYYY-MM-DD`, a date the calendar has.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (y, m, d) = (num(0..4)? as i32, num(5..7)?, num(8..10)?);
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap(y) => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days_in_month)
        .contains(&d)
        .then(|| days_from_civil(y, m, d))
}

/// An RFC 3339 timestamp (`2023-06-30T12:00:00Z`, offsets and fractions allowed), read as the day it names.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let (date, time) = s.split_once(['T', 't'])?;
    let day = parse_date(date)?;
    static TIME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([zZ]|[+-]([01]\d|2[0-3]):[0-5]\d)$",
        )
        .expect("a valid regular expression")
    });
    TIME.is_match(time).then_some(day)
}

/// A CQL2 temporal relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    After,
    Before,
    Contains,
    Disjoint,
    During,
    Equals,
    FinishedBy,
    Finishes,
    Intersects,
    Meets,
    MetBy,
    OverlappedBy,
    Overlaps,
    StartedBy,
    Starts,
}

impl Relation {
    /// The relation of a CQL2 operator name (`t_intersects`).
    pub fn by_name(op: &str) -> Option<Self> {
        use Relation::*;
        Some(match op {
            "t_after" => After,
            "t_before" => Before,
            "t_contains" => Contains,
            "t_disjoint" => Disjoint,
            "t_during" => During,
            "t_equals" => Equals,
            "t_finishedby" => FinishedBy,
            "t_finishes" => Finishes,
            "t_intersects" => Intersects,
            "t_meets" => Meets,
            "t_metby" => MetBy,
            "t_overlappedby" => OverlappedBy,
            "t_overlaps" => Overlaps,
            "t_startedby" => StartedBy,
            "t_starts" => Starts,
            _ => return None,
        })
    }

    /// Whether `a` stands in this relation to `b`.
    pub fn holds(self, a: Days, b: Days) -> bool {
        use Relation::*;
        let (s1, e1, s2, e2) = (a.start, a.end, b.start, b.end);
        match self {
            After => s1 > e2,
            Before => e1 < s2,
            Contains => s1 < s2 && e1 > e2,
            Disjoint => !(s1 <= e2 && e1 >= s2),
            During => s1 > s2 && e1 < e2,
            Equals => s1 == s2 && e1 == e2,
            FinishedBy => s1 < s2 && e1 == e2,
            Finishes => s1 > s2 && e1 == e2,
            Intersects => s1 <= e2 && e1 >= s2,
            Meets => e1 == s2,
            MetBy => s1 == e2,
            OverlappedBy => s2 < s1 && e2 > s1 && e2 < e1,
            Overlaps => s1 < s2 && e1 > s2 && e1 < e2,
            StartedBy => s1 == s2 && e1 > e2,
            Starts => s1 == s2 && e1 < e2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_from_the_unix_epoch_and_refuse_impossible_dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(
            parse_date("2024-02-29").map(|d| d + 1),
            parse_date("2024-03-01")
        );
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-1-01",
            "20230101",
            "2023-04-31",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(
            parse_timestamp("2023-06-30T23:59:60.5-05:00"),
            parse_date("2023-06-30")
        );
        assert_eq!(parse_timestamp("2023-06-30T24:00:00Z"), None);
    }

    #[test]
    fn a_year_is_before_the_first_day_of_the_next() {
        let y2019 = Days::year(2019);
        let jan1 = Days::day(parse_date("2020-01-01").unwrap());
        assert!(Relation::Before.holds(y2019, jan1));
        assert!(!Relation::Intersects.holds(y2019, jan1));
        assert!(Relation::Contains.holds(Days::year(2020), Days::day(jan1.start + 40)));
        assert!(Relation::StartedBy.holds(Days::year(2020), jan1));
        assert!(Relation::During.holds(
            y2019,
            Days {
                start: i64::MIN,
                end: i64::MAX
            }
        ));
    }
}
