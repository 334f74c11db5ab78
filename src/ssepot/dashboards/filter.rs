//! The filters the report's readers use (Power BI's slicers), as URL parameters: year, horizon, typology,
//! office, system, subsystem, strategic line and state, and for the dashboards whose figures need them to
//! drill through, progress band, diagnosis finding and concertation phase. A dashboard takes the filters that
//! apply to its rows (its `FILTERS`);
//! a value its rows do not have, or a filter that does not apply, is an error naming the parameter and what
//! it takes, never an empty dashboard that looks like data.

use serde::Serialize;

/// The filters of one request. `None` is "all".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Filters {
    /// `anio`: the report year (the last year of the progress columns).
    pub anio: Option<i32>,
    /// `horizonte`: `Corto plazo`, …
    pub horizonte: Option<String>,
    /// `tipologia`: the commitment's typological class.
    pub tipologia: Option<String>,
    /// `dependencia`: the responsible office.
    pub dependencia: Option<String>,
    /// `sistema`: the POT system.
    pub sistema: Option<String>,
    /// `subsistema`: the POT subsystem.
    pub subsistema: Option<String>,
    /// `linea`: the development plan's strategic line.
    pub linea: Option<String>,
    /// `estado`: the commitment's state.
    pub estado: Option<String>,
    /// `banda`: the progress band (`alto o superior`).
    pub banda: Option<String>,
    /// `hallazgo`: a finding of the indicators' diagnosis.
    pub hallazgo: Option<String>,
    /// `fase`: the concertation phase.
    pub fase: Option<String>,
}

/// A filter that cannot be applied: the parameter and why.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterError {
    pub parameter: &'static str,
    pub message: String,
}

impl Filters {
    /// The filters given, as (parameter, value) pairs, in URL order.
    pub fn given(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(y) = self.anio {
            out.push(("anio", y.to_string()));
        }
        for (name, v) in self.texts() {
            if let Some(v) = v {
                out.push((name, v.clone()));
            }
        }
        out
    }

    fn texts(&self) -> [(&'static str, &Option<String>); 10] {
        [
            ("horizonte", &self.horizonte),
            ("tipologia", &self.tipologia),
            ("dependencia", &self.dependencia),
            ("sistema", &self.sistema),
            ("subsistema", &self.subsistema),
            ("linea", &self.linea),
            ("estado", &self.estado),
            ("banda", &self.banda),
            ("hallazgo", &self.hallazgo),
            ("fase", &self.fase),
        ]
    }

    /// The first filter given, if any (for resources that take none).
    pub fn first(&self) -> Option<&'static str> {
        self.given().first().map(|(p, _)| *p)
    }

    /// Refuses every filter given that is not in `applies` (the dashboard's own).
    pub fn only(&self, dashboard: &str, applies: &[&str]) -> Result<(), FilterError> {
        match self.given().into_iter().find(|(p, _)| !applies.contains(p)) {
            Some((p, _)) => Err(FilterError {
                parameter: p,
                message: format!(
                    "the dashboard `{dashboard}` is not filtered by `{p}`; it takes {applies:?}"
                ),
            }),
            None => Ok(()),
        }
    }

    /// The URL query of the filters (`horizonte=Corto%20plazo&dependencia=…`), for links that keep them.
    pub fn query(&self) -> String {
        serde_urlencoded::to_string(self.given()).unwrap_or_default()
    }

    /// These filters with `drill` laid over them (a figure's rows within the page's filters).
    pub fn with(&self, drill: &[(&'static str, String)]) -> Filters {
        let mut f = self.clone();
        for (p, v) in drill {
            let v = Some(v.clone());
            match *p {
                "horizonte" => f.horizonte = v,
                "tipologia" => f.tipologia = v,
                "dependencia" => f.dependencia = v,
                "sistema" => f.sistema = v,
                "subsistema" => f.subsistema = v,
                "linea" => f.linea = v,
                "estado" => f.estado = v,
                "banda" => f.banda = v,
                "hallazgo" => f.hallazgo = v,
                "fase" => f.fase = v,
                _ => {}
            }
        }
        f
    }

    /// The filters in words, for titles and downloads (`horizonte: Corto plazo; dependencia: DAP`).
    pub fn words(&self) -> String {
        self.given()
            .iter()
            .map(|(p, v)| format!("{p}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The value `wanted` among `values` (compared without case), or an error listing them.
pub fn matching<'a>(
    parameter: &'static str,
    wanted: &str,
    values: impl Iterator<Item = &'a str>,
) -> Result<String, FilterError> {
    let mut known: Vec<&str> = values.collect();
    known.sort_unstable();
    known.dedup();
    known
        .iter()
        .find(|v| v.to_lowercase() == wanted.trim().to_lowercase())
        .map(|v| v.to_string())
        .ok_or_else(|| FilterError {
            parameter,
            message: format!("`{wanted}` is not a value of the rows; the values are {known:?}"),
        })
}

/// The value of a text filter matched among `values` (`None` when the filter is not given).
pub fn resolve<'a>(
    parameter: &'static str,
    wanted: &Option<String>,
    values: impl Iterator<Item = &'a str>,
) -> Result<Option<String>, FilterError> {
    wanted
        .as_deref()
        .map(|w| matching(parameter, w, values))
        .transpose()
}

/// The year filter, if given, checked to lie within `years` (first, last).
pub fn year_within(anio: Option<i32>, years: [i32; 2]) -> Result<Option<i32>, FilterError> {
    match anio {
        Some(y) if !(years[0]..=years[1]).contains(&y) => Err(FilterError {
            parameter: "anio",
            message: format!(
                "`{y}` is outside the years of the table, {}–{}",
                years[0], years[1]
            ),
        }),
        y => Ok(y),
    }
}

/// The year control: every year of `years` (first, last), the selected one marked.
pub fn year_control(years: [i32; 2], selected: Option<i32>) -> Control {
    let all: Vec<String> = (years[0]..=years[1]).map(|y| y.to_string()).collect();
    control(
        "anio",
        "Año",
        all.iter().map(String::as_str),
        selected.map(|y| y.to_string()),
    )
}

/// Whether a row's value passes a filter already matched to a known value.
pub fn keeps(filter: &Option<String>, value: &str) -> bool {
    filter.as_deref().is_none_or(|f| f == value)
}

/// The options of a filter: its values, and which is selected.
#[derive(Debug, Clone, Serialize)]
pub struct Control {
    pub parameter: &'static str,
    pub label: &'static str,
    pub options: Vec<String>,
    pub selected: Option<String>,
}

/// A control listing `values` (sorted, distinct).
pub fn control<'a>(
    parameter: &'static str,
    label: &'static str,
    values: impl Iterator<Item = &'a str>,
    selected: Option<String>,
) -> Control {
    let mut options: Vec<String> = values.map(str::to_string).collect();
    options.sort_unstable();
    options.dedup();
    Control {
        parameter,
        label,
        options,
        selected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_the_rows_do_not_have_is_refused_listing_the_values() {
        let err = matching(
            "horizonte",
            "Muy largo",
            ["Corto plazo", "Largo plazo"].into_iter(),
        )
        .unwrap_err();
        assert_eq!(err.parameter, "horizonte");
        assert!(err.message.contains("Corto plazo"), "{}", err.message);
        assert_eq!(
            matching("horizonte", "corto PLAZO", ["Corto plazo"].into_iter()).unwrap(),
            "Corto plazo"
        );
    }

    #[test]
    fn a_year_outside_the_table_is_refused_and_one_inside_kept() {
        assert_eq!(year_within(Some(2020), [2017, 2023]), Ok(Some(2020)));
        assert_eq!(year_within(None, [2017, 2023]), Ok(None));
        let err = year_within(Some(2031), [2017, 2023]).unwrap_err();
        assert_eq!(err.parameter, "anio");
        assert!(err.message.contains("2017–2023"), "{}", err.message);
    }

    #[test]
    fn a_drill_lays_its_values_over_the_page_filters_and_keeps_the_rest() {
        let page = Filters {
            linea: Some("Ecociudad".into()),
            banda: Some("bajo".into()),
            ..Default::default()
        };
        let drilled = page.with(&[("banda", "alto o superior".into())]);
        assert_eq!(drilled.query(), "linea=Ecociudad&banda=alto+o+superior");
        assert_eq!(page.first(), Some("linea"));
    }

    #[test]
    fn a_filter_that_does_not_apply_is_refused_naming_it() {
        let f = Filters {
            linea: Some("Ecociudad".into()),
            ..Default::default()
        };
        assert_eq!(
            f.only("compromisos", &["horizonte"]).unwrap_err().parameter,
            "linea"
        );
        assert!(f.only("pdd", &["linea"]).is_ok());
    }
}
