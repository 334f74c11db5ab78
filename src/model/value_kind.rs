//! Whether a value was measured or projected (medido / proyectado), where the data says so.
//!
//! The rule, in one place: an indicator whose layer file declares `projected_from` in its sheet (the first year
//! its source gives as a projection — DANE's population and household projections start in 2018, the census
//! year) has its values of that year and later marked `proyectado`, and earlier ones `medido`. An indicator that
//! declares nothing has no mark: ssepot does not guess (a value of a future year in a source that does not say
//! so is still unmarked). A computed indicator declares it too when an input is projected (a rate over the
//! projected population). Values published through the reporting store follow the same rule: the declaration is
//! about the indicator's source.

use crate::config::TechnicalSheet;

/// How a value came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Medido,
    Proyectado,
}

impl ValueKind {
    /// The word pages, features and downloads show.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::Medido => "medido",
            ValueKind::Proyectado => "proyectado",
        }
    }
}

/// The kind of a value of `year` of an indicator with this sheet; `None` when the layer file does not say.
pub fn of(sheet: &TechnicalSheet, year: i32) -> Option<ValueKind> {
    sheet.projected_from.map(|from| {
        if year >= from {
            ValueKind::Proyectado
        } else {
            ValueKind::Medido
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_from_the_declared_year_are_projected_and_undeclared_ones_unmarked() {
        let declared = TechnicalSheet {
            projected_from: Some(2018),
            ..Default::default()
        };
        assert_eq!(of(&declared, 2017), Some(ValueKind::Medido));
        assert_eq!(of(&declared, 2018), Some(ValueKind::Proyectado));
        assert_eq!(of(&TechnicalSheet::default(), 2030), None);
    }
}
