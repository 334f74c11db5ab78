//! The commitments dashboard: shares by horizon and state, overall progress by the declared rule.

use super::{
    count, figure, no_geometry, rollup_words, share_of, slug, Chart, Dashboard, FigureKind, Series,
};
use crate::features::download::{Kind, Table, Value as Cell};
use crate::ssepot::Ssepot;

pub fn build(s: &Ssepot) -> Option<Dashboard> {
    let c = s.commitments.as_ref()?;
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
        ),
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
        figures.push(count(
            key,
            &format!(
                "De {}: {}",
                r.short_horizon.to_lowercase(),
                state.to_lowercase()
            ),
            sh.map_or(0, |s| s.count),
        ));
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
            figures.push(figure(
                &key,
                &format!(
                    "De {}: {} (%)",
                    r.short_horizon.to_lowercase(),
                    sh.label.to_lowercase()
                ),
                sh.percent,
                pct,
                sd,
            ));
        }
    }
    figures.extend([
        figure(
            "avance_general",
            &format!("Avance general de los compromisos a {}", sum.year),
            sum.overall,
            pct,
            pd,
        ),
        count("cumplidos", "Compromisos cumplidos al 100 %", sum.fulfilled),
        count("en_avance", "Compromisos en avance", sum.in_progress),
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
        charts: vec![stacked, line],
        summary: serde_json::to_value(&sum).unwrap_or_default(),
        rows: Table {
            name: "compromisos".into(),
            title: String::new(),
            columns: cols,
            rows,
        },
    };
    d.rows.title = d.table_title("compromisos");
    Some(d)
}
