//! The review workflow: which state an item may move to, and what a move needs.
//!
//! ```text
//!  reportado ──▶ verificado ──▶ validado ──▶ publicado
//!      │              │             │
//!      └──────────────┴─────────────┴──▶ devuelto (with a reason; the office submits a corrected value)
//!  reportado / verificado / validado ──▶ reemplazado (a newer submission for the same value)
//! ```

use serde::{Deserialize, Serialize};

/// The state of a submitted item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Received from the office.
    Reportado,
    /// Checked by the DAP (complete, plausible).
    Verificado,
    /// Analysed and consolidated: ready to publish.
    Validado,
    /// Served publicly.
    Publicado,
    /// Sent back to the office with a reason.
    Devuelto,
    /// Superseded by a newer submission of the same value before it was published.
    Reemplazado,
}

impl State {
    pub const ALL: [State; 6] = [
        State::Reportado,
        State::Verificado,
        State::Validado,
        State::Publicado,
        State::Devuelto,
        State::Reemplazado,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Reportado => "reportado",
            State::Verificado => "verificado",
            State::Validado => "validado",
            State::Publicado => "publicado",
            State::Devuelto => "devuelto",
            State::Reemplazado => "reemplazado",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Still waiting for a decision of the DAP.
    pub fn is_pending(self) -> bool {
        matches!(self, State::Reportado | State::Verificado | State::Validado)
    }
}

/// Whether `from → to` is a transition a reviewer may make; the error says why not.
///
/// ```
/// use ssepot::store::workflow::{check, State};
/// assert!(check(State::Reportado, State::Verificado, None).is_ok());
/// assert!(check(State::Reportado, State::Publicado, None).is_err());
/// assert!(check(State::Validado, State::Devuelto, Some("cifra sin soporte")).is_ok());
/// assert!(check(State::Validado, State::Devuelto, Some("  ")).is_err());
/// ```
pub fn check(from: State, to: State, reason: Option<&str>) -> Result<(), String> {
    let ok = match to {
        State::Verificado => from == State::Reportado,
        State::Validado => from == State::Verificado,
        State::Publicado => from == State::Validado,
        State::Devuelto => from.is_pending(),
        State::Reportado | State::Reemplazado => false,
    };
    if !ok {
        let need = match to {
            State::Verificado => "reportado",
            State::Validado => "verificado",
            State::Publicado => "validado",
            State::Devuelto => "reportado, verificado or validado",
            _ => "no state (it is set by submissions only)",
        };
        return Err(format!(
            "cannot go from `{}` to `{}`: it must be {need}",
            from.as_str(),
            to.as_str()
        ));
    }
    if to == State::Devuelto && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err("returning an item needs a reason".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_only_way_to_publication_is_one_step_at_a_time() {
        let path = [
            State::Reportado,
            State::Verificado,
            State::Validado,
            State::Publicado,
        ];
        for from in State::ALL {
            for to in State::ALL {
                let expected = path.windows(2).any(|w| w == [from, to])
                    || (to == State::Devuelto && from.is_pending());
                assert_eq!(
                    check(from, to, Some("motivo")).is_ok(),
                    expected,
                    "{from:?} → {to:?}"
                );
            }
        }
    }

    #[test]
    fn published_and_returned_items_are_final() {
        for to in State::ALL {
            assert!(check(State::Publicado, to, Some("x")).is_err());
            assert!(check(State::Devuelto, to, Some("x")).is_err());
        }
    }

    #[test]
    fn a_return_without_a_reason_is_refused() {
        assert!(check(State::Reportado, State::Devuelto, None)
            .unwrap_err()
            .contains("reason"));
    }
}
