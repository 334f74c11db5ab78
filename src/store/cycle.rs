//! The reporting cycle's rules, once, above the two SQL backends: reporting periods (a call for one year's
//! values, with a deadline and a cut-off), the refusal of values after the cut-off, each office's completeness
//! in a period, the cause of an ND, and the concertation agreements a reviewer records.
//!
//! Dates are calendar days in Medellín (America/Bogota, UTC−5 all year: Colombia has no daylight saving time),
//! written `YYYY-MM-DD`, and both ends are inclusive: a value sent on the deadline day is on time, one sent on
//! the cut-off day is still received, one sent the day after is refused.

use super::{Item, Principal, State, StoreError};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// A reporting period: the DAP's call for the values of one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub id: i64,
    /// The year whose values are called for (the vigencia).
    pub year: i32,
    pub title: String,
    /// Last day to report on time (`YYYY-MM-DD`, inclusive).
    pub deadline: String,
    /// Last day values of `year` are received at all (inclusive); after it, submissions are refused.
    pub cutoff: String,
    /// Who opened it (token label and id).
    pub opened_by: String,
    pub opened_at: String,
}

/// What a reviewer sends to open a period.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPeriod {
    pub year: i32,
    /// `Reporte de la vigencia 2023` when left out.
    #[serde(default)]
    pub title: Option<String>,
    pub deadline: String,
    pub cutoff: String,
}

/// Medellín's offset from UTC (America/Bogota has had no daylight saving time since 1993).
fn bogota() -> FixedOffset {
    FixedOffset::west_opt(5 * 3600).expect("a valid offset")
}

/// Today in Medellín, `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    DateTime::from_timestamp(secs, 0)
        .expect("now is representable")
        .with_timezone(&bogota())
        .date_naive()
        .to_string()
}

/// The Medellín day of a stored UTC timestamp (`2024-02-16T03:00:00.000Z` is `2024-02-15`).
pub fn day_of(timestamp: &str) -> String {
    DateTime::parse_from_rfc3339(timestamp)
        .map(|t| t.with_timezone(&bogota()).date_naive().to_string())
        // A timestamp that does not read keeps its date part: never later than the real day by more than one.
        .unwrap_or_else(|_| timestamp.chars().take(10).collect())
}

/// A `YYYY-MM-DD` date of the request, checked.
pub fn date(field: &str, s: &str) -> Result<String, StoreError> {
    let s = s.trim();
    match s.parse::<NaiveDate>() {
        Ok(d) if d.to_string() == s => Ok(s.to_string()),
        _ => Err(StoreError::invalid(
            field,
            format!("`{s}` is not a date written YYYY-MM-DD (e.g. 2024-02-15)"),
        )),
    }
}

impl NewPeriod {
    /// Checks the request; the checked period has its dates normalised and its title.
    pub fn checked(&self) -> Result<NewPeriod, StoreError> {
        if !(1900..=2200).contains(&self.year) {
            return Err(StoreError::invalid(
                "year",
                format!("{} is not a year between 1900 and 2200", self.year),
            ));
        }
        let deadline = date("deadline", &self.deadline)?;
        let cutoff = date("cutoff", &self.cutoff)?;
        if cutoff < deadline {
            return Err(StoreError::invalid(
                "cutoff",
                format!("the cut-off ({cutoff}) is before the deadline ({deadline}); it is the same day or later"),
            ));
        }
        let title = match self.title.as_deref().map(str::trim) {
            Some("") => return Err(StoreError::invalid("title", "is empty")),
            Some(t) if t.chars().count() > 200 => {
                return Err(StoreError::invalid(
                    "title",
                    "is longer than 200 characters",
                ))
            }
            Some(t) => t.to_string(),
            None => format!("Reporte de la vigencia {}", self.year),
        };
        Ok(NewPeriod {
            year: self.year,
            title: Some(title),
            deadline,
            cutoff,
        })
    }
}

/// A concertation agreement: what the DAP and an office agreed, on a date, about some indicators, with each
/// indicator's state and the action proposed for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    pub id: i64,
    /// The day of the concertation meeting (`YYYY-MM-DD`).
    pub date: String,
    /// The office (store id) that agreed.
    pub office: String,
    /// Indicator ids the agreement is about.
    pub indicators: Vec<String>,
    /// What was agreed, in words.
    pub agreed: String,
    /// The indicators' state after the meeting (`concertado`, `en concertación`, `sin concertar`, …).
    pub state: String,
    /// The action proposed (`ajustar la ficha técnica`, `reformular`, `mantener`, …).
    pub action: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// What a reviewer sends to record an agreement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgreement {
    pub date: String,
    pub office: String,
    pub indicators: Vec<String>,
    pub agreed: String,
    pub state: String,
    pub action: String,
}

impl NewAgreement {
    /// Checks the request's shape (the indicators against the served snapshot are the caller's check).
    pub fn checked(&self) -> Result<NewAgreement, StoreError> {
        let text = |field: &str, v: &str| {
            let v = v.trim();
            if v.is_empty() {
                Err(StoreError::invalid(field, "is empty"))
            } else if v.chars().count() > 4000 {
                Err(StoreError::invalid(field, "is longer than 4000 characters"))
            } else {
                Ok(v.to_string())
            }
        };
        if self.indicators.is_empty() {
            return Err(StoreError::invalid("indicators", "no indicator given"));
        }
        let mut indicators: Vec<String> = self.indicators.iter().map(|i| i.trim().into()).collect();
        indicators.sort();
        indicators.dedup();
        Ok(NewAgreement {
            date: date("date", &self.date)?,
            office: text("office", &self.office)?,
            indicators,
            agreed: text("agreed", &self.agreed)?,
            state: text("state", &self.state)?,
            action: text("action", &self.action)?,
        })
    }
}

/// What a backend does for the cycle inside one transaction.
pub trait CycleTx {
    fn period_of_year(&mut self, year: i32) -> Result<Option<Period>, StoreError>;
    /// Inserts a checked period; returns its id.
    fn insert_period(&mut self, p: &NewPeriod, opened_by: &str) -> Result<i64, StoreError>;
    fn office_exists(&mut self, office: &str) -> Result<bool, StoreError>;
    /// Inserts a checked agreement; returns its id.
    fn insert_agreement(&mut self, a: &NewAgreement, recorded_by: &str) -> Result<i64, StoreError>;
}

fn reviewer(who: &Principal, what: &str) -> Result<(), StoreError> {
    if who.role.reviews() {
        Ok(())
    } else {
        Err(StoreError::Forbidden(format!(
            "only reviewer (DAP) and admin tokens {what}"
        )))
    }
}

/// Opens a period: one per year.
pub fn open_period(
    tx: &mut impl CycleTx,
    who: &Principal,
    new: &NewPeriod,
) -> Result<Period, StoreError> {
    reviewer(who, "open reporting periods")?;
    let new = new.checked()?;
    if let Some(p) = tx.period_of_year(new.year)? {
        return Err(StoreError::conflict(
            "year",
            format!(
                "the year {} already has the reporting period {} («{}»)",
                new.year, p.id, p.title
            ),
        ));
    }
    tx.insert_period(&new, &who.actor())?;
    tx.period_of_year(new.year)?
        .ok_or_else(|| StoreError::Internal("the period just opened is not there".into()))
}

/// Records an agreement of an existing office.
pub fn record_agreement(
    tx: &mut impl CycleTx,
    who: &Principal,
    new: &NewAgreement,
) -> Result<i64, StoreError> {
    reviewer(who, "record concertation agreements")?;
    let new = new.checked()?;
    if !tx.office_exists(&new.office)? {
        return Err(StoreError::invalid(
            "office",
            format!("no office `{}` in the store", new.office),
        ));
    }
    tx.insert_agreement(&new, &who.actor())
}

/// Refuses values of a year whose period's cut-off has passed, naming the period.
pub fn refuse_after_cutoff(
    tx: &mut impl CycleTx,
    years: impl IntoIterator<Item = i32>,
    today: &str,
) -> Result<(), StoreError> {
    let mut years: Vec<i32> = years.into_iter().collect();
    years.sort();
    years.dedup();
    for year in years {
        if let Some(p) = tx.period_of_year(year)? {
            if today > p.cutoff.as_str() {
                return Err(StoreError::conflict(
                    "year",
                    format!(
                        "the reporting period {} «{}» (values of {}) closed on its cut-off date {} \
                         (deadline {}); values of {} are no longer received — ask the DAP",
                        p.id, p.title, p.year, p.cutoff, p.deadline, p.year
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Why a value is ND (not available).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NdCause {
    /// Nothing was submitted by the period's deadline.
    NoReportado,
    /// Submitted by the deadline, but not validated (reported, verified, or returned to the office).
    ReportadoSinValidar,
    /// Validated by the DAP, not yet published.
    ValidadoSinPublicar,
    /// The office reported ND and the DAP published it: the source has no value.
    ReportadoComoNd,
    /// ND in the layer file's table, with no reporting period for its year: the store knows no cause.
    SinRegistro,
}

impl NdCause {
    /// The cause in Spanish, as pages and downloads show it.
    pub fn text(self) -> &'static str {
        match self {
            NdCause::NoReportado => "no reportado",
            NdCause::ReportadoSinValidar => "reportado sin validar",
            NdCause::ValidadoSinPublicar => "validado sin publicar",
            NdCause::ReportadoComoNd => "reportado como ND por la dependencia",
            NdCause::SinRegistro => "sin causa registrada (ND en la tabla de origen)",
        }
    }
}

/// The item that stands for each territory (the latest one not superseded), from value items of one
/// indicator and year.
fn current(items: &[&Item]) -> Vec<(String, Item)> {
    let mut by_key: Vec<(String, Item)> = Vec::new();
    for it in items.iter().filter(|i| i.state != State::Reemplazado) {
        let key = it.territory.clone().unwrap_or_default();
        match by_key.iter_mut().find(|(k, _)| *k == key) {
            Some((_, old)) if old.id < it.id => *old = (*it).clone(),
            Some(_) => {}
            None => by_key.push((key, (*it).clone())),
        }
    }
    by_key.sort_by(|a, b| a.0.cmp(&b.0));
    by_key
}

/// Reported on time: an item (any state, superseded ones too) sent on or before the deadline.
fn sent_by(items: &[&Item], deadline: &str) -> bool {
    items
        .iter()
        .any(|i| day_of(&i.created_at).as_str() <= deadline)
}

/// The cause of an ND served for one indicator, territory and year, from that key's items and the year's
/// period (if any). `None` when the store has a published number for it (the ND is not the store's).
pub fn nd_cause(items: &[&Item], period: Option<&Period>) -> Option<NdCause> {
    let now = current(items);
    let latest = now.first().map(|(_, i)| i);
    match latest.map(|i| (i.state, i.value)) {
        Some((State::Publicado, Some(_))) => None,
        Some((State::Publicado, None)) => Some(NdCause::ReportadoComoNd),
        Some((State::Validado, _)) => Some(NdCause::ValidadoSinPublicar),
        _ => match period {
            Some(p) if !sent_by(items, &p.deadline) => Some(NdCause::NoReportado),
            Some(_) => Some(NdCause::ReportadoSinValidar),
            None if latest.is_some() => Some(NdCause::ReportadoSinValidar),
            None => Some(NdCause::SinRegistro),
        },
    }
}

/// An office of the store and the indicators it reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficeInfo {
    pub id: String,
    pub name: String,
    pub indicators: Vec<String>,
}

/// Offices from rows of (id, name, indicator or none), sorted by id.
pub fn group_offices(rows: Vec<(String, String, Option<String>)>) -> Vec<OfficeInfo> {
    let mut out: Vec<OfficeInfo> = Vec::new();
    for (id, name, indicator) in rows {
        if out.last().is_none_or(|o| o.id != id) {
            out.push(OfficeInfo {
                id,
                name,
                indicators: vec![],
            });
        }
        if let Some(i) = indicator {
            out.last_mut().expect("just pushed").indicators.push(i);
        }
    }
    out
}

/// One indicator of one office in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorStatus {
    pub office: String,
    pub indicator: String,
    /// Territories with a value sent (the latest not superseded item of each).
    pub territories: usize,
    /// Something was sent for the period's year.
    pub reported: bool,
    /// Something was sent on or before the deadline.
    pub on_time: bool,
    /// Every territory sent is verified or further (validated, published).
    pub verified: bool,
    /// Every territory sent is validated or published.
    pub validated: bool,
    /// Every territory sent is published.
    pub published: bool,
    /// Territories whose latest item was returned to the office.
    pub returned: usize,
    /// No number published through the store for the period's year (values the layer file had do not count).
    pub nd: bool,
    pub nd_cause: Option<NdCause>,
    /// The cause in Spanish.
    pub nd_cause_text: Option<&'static str>,
}

/// One office in a period: counts of its indicators.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficeStatus {
    pub office: String,
    pub name: String,
    pub indicators: usize,
    pub reported: usize,
    pub on_time: usize,
    pub verified: usize,
    pub validated: usize,
    pub published: usize,
    pub nd: usize,
    pub nd_no_reportado: usize,
    pub nd_reportado_sin_validar: usize,
    pub nd_validado_sin_publicar: usize,
    pub nd_reportado_como_nd: usize,
    /// After the deadline: an indicator was not reported on time, or is reported and not validated.
    pub pending: bool,
}

/// The completeness of every office in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Completeness {
    pub period: Period,
    /// The day it was computed (Medellín).
    pub today: String,
    pub deadline_passed: bool,
    /// The cut-off passed: no more values of the year are received.
    pub closed: bool,
    pub offices: Vec<OfficeStatus>,
    pub indicators: Vec<IndicatorStatus>,
    /// Offices pending after the deadline (empty before it).
    pub pending_offices: Vec<String>,
}

fn indicator_status(
    office: &str,
    indicator: &str,
    items: &[&Item],
    period: &Period,
) -> IndicatorStatus {
    let now = current(items);
    let all = |ok: &[State]| !now.is_empty() && now.iter().all(|(_, i)| ok.contains(&i.state));
    let published_number = now
        .iter()
        .any(|(_, i)| i.state == State::Publicado && i.value.is_some());
    let nd_cause = if published_number {
        None
    } else {
        // The indicator's cause is the most advanced of its territories'.
        let causes: Vec<NdCause> = now
            .iter()
            .filter_map(|(k, _)| {
                let key: Vec<&Item> = items
                    .iter()
                    .copied()
                    .filter(|i| i.territory.as_deref().unwrap_or_default() == k)
                    .collect();
                nd_cause(&key, Some(period))
            })
            .collect();
        [
            NdCause::ReportadoComoNd,
            NdCause::ValidadoSinPublicar,
            NdCause::ReportadoSinValidar,
        ]
        .into_iter()
        .find(|c| causes.contains(c))
        .or(Some(if sent_by(items, &period.deadline) {
            NdCause::ReportadoSinValidar
        } else {
            NdCause::NoReportado
        }))
    };
    IndicatorStatus {
        office: office.into(),
        indicator: indicator.into(),
        territories: now.len(),
        reported: !now.is_empty(),
        on_time: sent_by(items, &period.deadline),
        verified: all(&[State::Verificado, State::Validado, State::Publicado]),
        validated: all(&[State::Validado, State::Publicado]),
        published: all(&[State::Publicado]),
        returned: now
            .iter()
            .filter(|(_, i)| i.state == State::Devuelto)
            .count(),
        nd: nd_cause.is_some(),
        nd_cause,
        nd_cause_text: nd_cause.map(NdCause::text),
    }
}

/// Every office's completeness in `period`, from the store's value items (of any year: those of the period's
/// year are kept here).
pub fn completeness(
    period: &Period,
    offices: &[OfficeInfo],
    items: &[Item],
    today: &str,
) -> Completeness {
    let deadline_passed = today > period.deadline.as_str();
    let mut statuses = Vec::new();
    let mut indicators = Vec::new();
    for o in offices {
        let mine: Vec<IndicatorStatus> = o
            .indicators
            .iter()
            .map(|ind| {
                let of: Vec<&Item> = items
                    .iter()
                    .filter(|i| {
                        i.kind == "value"
                            && i.office == o.id
                            && i.indicator == *ind
                            && i.year == Some(period.year)
                    })
                    .collect();
                indicator_status(&o.id, ind, &of, period)
            })
            .collect();
        let count = |f: &dyn Fn(&IndicatorStatus) -> bool| mine.iter().filter(|s| f(s)).count();
        let cause = |c: NdCause| count(&|s| s.nd_cause == Some(c));
        let pending = deadline_passed
            && mine
                .iter()
                .any(|s| !s.on_time || (s.reported && !s.validated));
        statuses.push(OfficeStatus {
            office: o.id.clone(),
            name: o.name.clone(),
            indicators: mine.len(),
            reported: count(&|s| s.reported),
            on_time: count(&|s| s.on_time),
            verified: count(&|s| s.verified),
            validated: count(&|s| s.validated),
            published: count(&|s| s.published),
            nd: count(&|s| s.nd),
            nd_no_reportado: cause(NdCause::NoReportado),
            nd_reportado_sin_validar: cause(NdCause::ReportadoSinValidar),
            nd_validado_sin_publicar: cause(NdCause::ValidadoSinPublicar),
            nd_reportado_como_nd: cause(NdCause::ReportadoComoNd),
            pending,
        });
        indicators.extend(mine);
    }
    Completeness {
        period: period.clone(),
        today: today.into(),
        deadline_passed,
        closed: today > period.cutoff.as_str(),
        pending_offices: statuses
            .iter()
            .filter(|s| s.pending)
            .map(|s| s.office.clone())
            .collect(),
        offices: statuses,
        indicators,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamp_after_midnight_utc_is_the_previous_day_in_medellin() {
        assert_eq!(day_of("2024-02-16T03:00:00.000Z"), "2024-02-15");
        assert_eq!(day_of("2024-02-16T05:00:00.000Z"), "2024-02-16");
        assert_eq!(day_of("2024-01-01T04:59:59.999Z"), "2023-12-31");
    }

    fn item(id: i64, territory: &str, state: State, value: Option<f64>, at: &str) -> Item {
        Item {
            id,
            submission: id,
            office: "o".into(),
            source: "json".into(),
            row: 1,
            kind: "value".into(),
            indicator: "i".into(),
            territory: Some(territory.into()),
            year: Some(2023),
            value,
            field: None,
            before: None,
            after: None,
            why: None,
            state,
            reason: None,
            created_at: at.into(),
            updated_at: at.into(),
        }
    }

    fn period() -> Period {
        Period {
            id: 1,
            year: 2023,
            title: "Reporte de la vigencia 2023".into(),
            deadline: "2024-02-15".into(),
            cutoff: "2024-03-15".into(),
            opened_by: "DAP".into(),
            opened_at: "2024-01-01T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn an_nd_cause_follows_the_latest_item_of_its_territory() {
        let on_time = "2024-02-10T15:00:00.000Z";
        let late = "2024-03-01T15:00:00.000Z";
        let p = period();
        let cause = |items: &[Item]| nd_cause(&items.iter().collect::<Vec<_>>(), Some(&p));
        assert_eq!(cause(&[]), Some(NdCause::NoReportado));
        assert_eq!(
            cause(&[item(1, "1", State::Reportado, Some(1.0), late)]),
            Some(NdCause::NoReportado),
            "sent after the deadline"
        );
        assert_eq!(
            cause(&[item(1, "1", State::Devuelto, Some(1.0), on_time)]),
            Some(NdCause::ReportadoSinValidar)
        );
        assert_eq!(
            cause(&[item(1, "1", State::Validado, Some(1.0), on_time)]),
            Some(NdCause::ValidadoSinPublicar)
        );
        assert_eq!(
            cause(&[item(1, "1", State::Publicado, None, on_time)]),
            Some(NdCause::ReportadoComoNd)
        );
        // A published number, then a newer pending one: the public sees the number (no cause) until it moves.
        let superseded = [
            item(1, "1", State::Reemplazado, Some(1.0), on_time),
            item(2, "1", State::Publicado, Some(2.0), on_time),
        ];
        assert_eq!(cause(&superseded), None);
        assert_eq!(nd_cause(&[], None), Some(NdCause::SinRegistro));
    }

    #[test]
    fn an_office_is_pending_after_the_deadline_only() {
        let offices = [OfficeInfo {
            id: "o".into(),
            name: "Oficina".into(),
            indicators: vec!["i".into(), "j".into()],
        }];
        let items = [item(
            1,
            "1",
            State::Publicado,
            Some(3.0),
            "2024-02-10T15:00:00.000Z",
        )];
        let before = completeness(&period(), &offices, &items, "2024-02-15");
        assert!(before.pending_offices.is_empty() && !before.deadline_passed);
        let after = completeness(&period(), &offices, &items, "2024-02-16");
        assert_eq!(after.pending_offices, ["o"]);
        let o = &after.offices[0];
        assert_eq!(
            (o.indicators, o.published, o.nd, o.nd_no_reportado),
            (2, 1, 1, 1)
        );
        assert!(!after.closed && completeness(&period(), &offices, &items, "2024-03-16").closed);
    }

    #[test]
    fn dates_are_checked_and_a_cutoff_before_the_deadline_is_refused() {
        assert!(date("deadline", "2024-02-30").is_err());
        assert!(date("deadline", "2024-2-3").is_err());
        assert_eq!(date("deadline", " 2024-02-29 ").unwrap(), "2024-02-29");
        let p = NewPeriod {
            year: 2023,
            title: None,
            deadline: "2024-02-15".into(),
            cutoff: "2024-02-14".into(),
        };
        let e = p.checked().unwrap_err().to_string();
        assert!(e.contains("cutoff"), "{e}");
    }
}
