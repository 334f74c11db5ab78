//! The commitments dashboard: shares by horizon and state, overall progress by the declared rule.

use super::filter::{
    control, keeps, resolve, year_control, year_within, Control, FilterError, Filters,
};
use super::{
    count, figure, no_geometry, rollup_words, share_of, slug, Chart, Dashboard, FigureKind, Series,
};
use crate::features::download::{Kind, Table, Value as Cell};
use crate::ssepot::commitments::{Commitment, Commitments};
use crate::ssepot::count_by;
use crate::ssepot::Ssepot;

/// The filters this dashboard takes.
pub const FILTERS: &[&str] = &["anio", "horizonte", "tipologia", "dependencia", "estado"];

/// The commitments the filters keep, with the report year the filter names.
fn filtered(all: &Commitments, f: &Filters) -> Result<(Commitments, Filters), FilterError> {
    f.only("compromisos", FILTERS)?;
    let values = |of: fn(&Commitment) -> &str| all.items.iter().map(of);
    let resolved = Filters {
        anio: year_within(f.anio, all.rules.years)?,
        horizonte: resolve("horizonte", &f.horizonte, values(|c| &c.horizon))?,
        tipologia: resolve("tipologia", &f.tipologia, values(|c| &c.kind))?,
        dependencia: resolve("dependencia", &f.dependencia, values(|c| &c.office))?,
        estado: resolve("estado", &f.estado, values(|c| &c.state))?,
        ..Default::default()
    };
    let mut rules = all.rules.clone();
    if let Some(y) = resolved.anio {
        rules.years[1] = y;
    }
    let items = all
        .items
        .iter()
        .filter(|c| {
            keeps(&resolved.horizonte, &c.horizon)
                && keeps(&resolved.tipologia, &c.kind)
                && keeps(&resolved.dependencia, &c.office)
                && keeps(&resolved.estado, &c.state)
        })
        .cloned()
        .collect();
    Ok((Commitments { rules, items }, resolved))
}

/// The filter controls of the page: every value of the whole table, the selected one marked.
fn controls(all: &Commitments, f: &Filters) -> Vec<Control> {
    let it = || all.items.iter();
    vec![
        year_control(all.rules.years, f.anio),
        control(
            "horizonte",
            "Horizonte",
            it().map(|c| c.horizon.as_str()),
            f.horizonte.clone(),
        ),
        control(
            "tipologia",
            "Tipología",
            it().map(|c| c.kind.as_str()),
            f.tipologia.clone(),
        ),
        control(
            "dependencia",
            "Dependencia",
            it().map(|c| c.office.as_str()),
            f.dependencia.clone(),
        ),
        control(
            "estado",
            "Estado",
            it().map(|c| c.state.as_str()),
            f.estado.clone(),
        ),
    ]
}

pub fn build(s: &Ssepot, filters: &Filters) -> Result<Option<Dashboard>, FilterError> {
    let Some(all) = s.commitments.as_ref() else {
        return Ok(None);
    };
    let (c, resolved) = filtered(all, filters)?;
    let mut d = build_from(s, &c);
    d.controls = controls(all, &resolved);
    d.filters = resolved;
    Ok(Some(d))
}

fn build_from(s: &Ssepot, c: &Commitments) -> Dashboard {
    let r = &c.rules;
    let sum = c.summary();
    let (sd, pd) = (r.share_decimals, r.progress_decimals);
    let pct = FigureKind::Percent;
    let short_state = |state: &str| share_of(&sum.short_term_states, state);
    let mut figures = vec![
        count("compromisos", "Compromisos del POT", sum.total),
        figure(
            "corto_plazo_pct",
            &format!("Compromisos de {}", r.short_horizon.to_lowercase()),
            sum.short_term.percent,
            pct,
            sd,
        )
        .drilled(&[("horizonte", &r.short_horizon)]),
        figure(
            "resto_plan_pct",
            "Compromisos del resto de la vigencia del plan",
            sum.rest_of_plan.percent,
            pct,
            sd,
        ),
    ];
    for (key, state) in [
        ("corto_plazo_cumplidos", r.fulfilled_state.as_str()),
        ("corto_plazo_en_avance", r.in_progress_state.as_str()),
    ] {
        let sh = short_state(state);
        figures.push(
            count(
                key,
                &format!(
                    "De {}: {}",
                    r.short_horizon.to_lowercase(),
                    state.to_lowercase()
                ),
                sh.map_or(0, |s| s.count),
            )
            .drilled(&[("horizonte", &r.short_horizon), ("estado", state)]),
        );
        figures.push(figure(
            &format!("{key}_pct"),
            &format!(
                "De {}: {} (%)",
                r.short_horizon.to_lowercase(),
                state.to_lowercase()
            ),
            sh.and_then(|s| s.percent),
            pct,
            sd,
        ));
    }
    for sh in &sum.short_term_states {
        if sh.label != r.fulfilled_state && sh.label != r.in_progress_state {
            let key = format!("corto_plazo_{}_pct", slug(&sh.label));
            figures.push(
                figure(
                    &key,
                    &format!(
                        "De {}: {} (%)",
                        r.short_horizon.to_lowercase(),
                        sh.label.to_lowercase()
                    ),
                    sh.percent,
                    pct,
                    sd,
                )
                .drilled(&[("horizonte", &r.short_horizon), ("estado", &sh.label)]),
            );
        }
    }
    figures.extend([
        figure(
            "avance_general",
            &format!("Avance general de los compromisos a {}", sum.year),
            sum.overall,
            pct,
            pd,
        )
        .ruled(overall_rule(c, sum.reported)),
        count("cumplidos", "Compromisos cumplidos al 100 %", sum.fulfilled)
            .drilled(&[("estado", &r.fulfilled_state)]),
        count(
            "en_avance",
            &format!("Compromisos {}", r.in_progress_state.to_lowercase()),
            sum.in_progress,
        )
        .drilled(&[("estado", &r.in_progress_state)]),
    ]);
    let states: Vec<String> = sum.states.iter().map(|s| s.label.clone()).collect();
    let stacked = Chart {
        id: "estados_por_horizonte".into(),
        title: "Compromisos por horizonte y estado".into(),
        kind: "stacked".into(),
        unit: "compromisos".into(),
        labels: sum
            .states_by_horizon
            .iter()
            .map(|h| h.horizon.clone())
            .collect(),
        series: states
            .iter()
            .map(|st| Series {
                name: st.clone(),
                values: sum
                    .states_by_horizon
                    .iter()
                    .map(|h| Some(share_of(&h.states, st).map_or(0, |s| s.count) as f64))
                    .collect(),
            })
            .collect(),
        drill: Some("horizonte"),
    };
    let line = Chart {
        id: "avance_por_anio".into(),
        title: "Avance general acumulado por año (%)".into(),
        kind: "line".into(),
        unit: "%".into(),
        labels: sum
            .overall_by_year
            .iter()
            .map(|(y, _)| y.to_string())
            .collect(),
        series: vec![Series {
            name: "Avance general".into(),
            values: sum.overall_by_year.iter().map(|(_, v)| *v).collect(),
        }],
        drill: None,
    };
    let years: Vec<i32> = (r.years[0]..=r.years[1]).collect();
    let mut cols: Vec<(String, Kind)> = [
        ("codigo", Kind::Text),
        ("compromiso", Kind::Text),
        ("articulo_pot", Kind::Text),
        ("horizonte", Kind::Text),
        ("tipologia", Kind::Text),
        ("dependencia", Kind::Text),
        ("estado", Kind::Text),
    ]
    .map(|(n, k)| (n.to_string(), k))
    .to_vec();
    cols.extend(years.iter().map(|y| (format!("avance_{y}"), Kind::Num)));
    let rows = c
        .items
        .iter()
        .map(|it| {
            let mut row = vec![
                Cell::Text(it.id.clone()),
                Cell::Text(it.text.clone()),
                Cell::Text(it.article.clone()),
                Cell::Text(it.horizon.clone()),
                Cell::Text(it.kind.clone()),
                Cell::Text(it.office.clone()),
                Cell::Text(it.state.clone()),
            ];
            row.extend(years.iter().map(|y| Cell::Num(it.progress_in(*y))));
            (row, no_geometry())
        })
        .collect();
    let title = "Compromisos del POT".to_string();
    let mut d = Dashboard {
        id: "compromisos",
        intro: format!(
            "Compromisos del POT por horizonte, estado y tipología, con su avance acumulado {}–{}. El avance general es {} del avance {} de cada compromiso.",
            r.years[0],
            r.years[1],
            rollup_words(r.overall),
            r.years[1]
        ),
        title,
        sample: s.sample,
        attribution: s.attribution.clone(),
        figures,
        charts: vec![
            stacked,
            crosstab(
                c,
                ("estados_por_tipologia", "tipologia"),
                "Compromisos por tipología y estado",
                |x| &x.kind,
            ),
            crosstab(
                c,
                ("estados_por_dependencia", "dependencia"),
                "Compromisos por dependencia responsable y estado",
                |x| &x.office,
            ),
            line,
            by_horizon_and_year(c),
        ],
        summary: serde_json::to_value(&sum).unwrap_or_default(),
        rows: Table {
            name: "compromisos".into(),
            title: String::new(),
            columns: cols,
            rows,
        },
        filters: Filters::default(),
        controls: vec![],
    };
    d.rows.title = d.table_title("compromisos");
    d
}

/// The overall-progress rule in words, with the commitments it averages (`overall` and `overall_of` in the
/// layer file).
fn overall_rule(c: &Commitments, reported: usize) -> String {
    let r = &c.rules;
    let which = if r.overall_of.is_empty() {
        "todos los compromisos".to_string()
    } else {
        format!(
            "los compromisos de {}",
            r.overall_of.join(", ").to_lowercase()
        )
    };
    format!(
        "regla del archivo de capas: {} avance acumulado a {} de {which}; {reported} lo reportan",
        rollup_words(r.overall),
        r.years[1]
    )
}

/// Commitments counted by a column (rows) and state (series): state × typology, the per-office view.
/// `(id, drill)`: the chart's id and the filter its labels are values of.
fn crosstab(
    c: &Commitments,
    (id, drill): (&str, &'static str),
    title: &str,
    by: fn(&Commitment) -> &String,
) -> Chart {
    let labels: Vec<String> = count_by(c.items.iter().map(|x| by(x).as_str()))
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    let states = count_by(c.items.iter().map(|x| x.state.as_str()));
    Chart {
        id: id.into(),
        title: title.into(),
        kind: "stacked".into(),
        unit: "compromisos".into(),
        series: states
            .iter()
            .map(|(st, _)| Series {
                name: st.clone(),
                values: labels
                    .iter()
                    .map(|l| {
                        Some(
                            c.items
                                .iter()
                                .filter(|x| by(x) == l && &x.state == st)
                                .count() as f64,
                        )
                    })
                    .collect(),
            })
            .collect(),
        labels,
        drill: Some(drill),
    }
}

/// The overall progress of each horizon's commitments, year on year, by the declared rule.
fn by_horizon_and_year(c: &Commitments) -> Chart {
    let r = &c.rules;
    let years: Vec<i32> = (r.years[0]..=r.years[1]).collect();
    Chart {
        id: "avance_por_horizonte_y_anio".into(),
        title: "Avance acumulado por horizonte y año (%)".into(),
        kind: "line".into(),
        unit: "%".into(),
        labels: years.iter().map(|y| y.to_string()).collect(),
        series: count_by(c.items.iter().map(|x| x.horizon.as_str()))
            .into_iter()
            .map(|(h, _)| Series {
                values: years
                    .iter()
                    .map(|y| {
                        let values: Vec<Option<f64>> = c
                            .items
                            .iter()
                            .filter(|x| x.horizon == h)
                            .map(|x| x.progress_in(*y))
                            .collect();
                        crate::ssepot::progress::rollup(r.overall, &values)
                            .map(|v| crate::ssepot::round(v, r.progress_decimals))
                    })
                    .collect(),
                name: h,
            })
            .collect(),
        drill: None,
    }
}
