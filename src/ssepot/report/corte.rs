//! The cut-off date of a publication ("corte a 31 de diciembre de 2023") and what it makes projected.

use serde::Serialize;

const MONTHS: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// A cut-off date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Corte {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Corte {
    /// `2023-12-31`; anything else (another shape, a day that does not exist) is an error that says why.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a date written YYYY-MM-DD (e.g. 2023-12-31)");
        let parts: Vec<&str> = s.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (year, month, day) = (
            y.parse::<i32>().map_err(|_| bad())?,
            m.parse::<u8>().map_err(|_| bad())?,
            d.parse::<u8>().map_err(|_| bad())?,
        );
        if !(1..=12).contains(&month) || day == 0 || day > days_in(year, month) {
            return Err(format!("`{s}` is not a day of the calendar"));
        }
        Ok(Self { year, month, day })
    }

    /// The last day of a year.
    pub fn year_end(year: i32) -> Self {
        Self {
            year,
            month: 12,
            day: 31,
        }
    }

    /// `2023-12-31`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `corte a 31 de diciembre de 2023`.
    pub fn text(&self) -> String {
        format!(
            "corte a {} de {} de {}",
            self.day,
            MONTHS[usize::from(self.month) - 1],
            self.year
        )
    }

    /// Is a yearly value of `year` a projection at this cut-off? It is when its year has not ended by then.
    pub fn projects(&self, year: i32) -> bool {
        Self::year_end(year) > *self
    }
}

fn days_in(year: i32, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::Corte;

    #[test]
    fn a_cut_off_reads_as_the_report_writes_it_and_projects_the_years_not_yet_ended() {
        let c = Corte::parse("2023-12-31").unwrap();
        assert_eq!(c.text(), "corte a 31 de diciembre de 2023");
        assert!(!c.projects(2023) && c.projects(2024));
        let june = Corte::parse("2023-06-30").unwrap();
        assert_eq!(june.text(), "corte a 30 de junio de 2023");
        assert!(june.projects(2023) && !june.projects(2022));
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-1-01",
            "31/12/2023",
            "2023-12-31x",
            "",
        ] {
            assert!(Corte::parse(bad).is_err(), "{bad}");
        }
        assert!(Corte::parse("2024-02-29").is_ok());
    }
}
