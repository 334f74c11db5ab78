//! The POT–PDD dashboard: related indicators, programmes and projects, bands, contribution and investment.

use super::{count, figure, slug, table, Chart, Dashboard, FigureKind, Series};
use crate::features::download::{Kind, Value as Cell};
use crate::ssepot::Ssepot;

pub fn build(s: &Ssepot) -> Option<Dashboard> {
    let p = s.pdd.as_ref()?;
    let sum = p.summary();
    let (sd, pd) = (p.rules.share_decimals, p.rules.progress_decimals);
    let pct = FigureKind::Percent;
    let mut figures = vec![
        count(
            "indicadores_producto",
            "Indicadores de producto del PDD relacionados con el POT",
            sum.indicators,
        ),
        count(
            "programas",
            "Programas del PDD a los que pertenecen",
            sum.programmes,
        ),
        count(
            "proyectos_pot",
            "Proyectos del POT relacionados",
            sum.projects,
        ),
    ];
    for b in &sum.bands {
        figures.push(figure(
            &format!("banda_{}_pct", slug(&b.label)),
            &format!("Indicadores con avance {} (%)", b.label),
            b.percent,
            pct,
            sd,
        ));
    }
    figures.extend([
        figure(
            "aporte_puntos",
            "Puntos que aportan al avance físico del plan",
            Some(sum.contribution),
            FigureKind::Points,
            pd,
        ),
        figure(
            "avance_fisico_plan",
            "Avance físico proyectado del plan al final del periodo",
            Some(sum.plan_progress),
            pct,
            0,
        ),
        figure(
            "avance_conjunto",
            "Avance proyectado de los indicadores relacionados, en conjunto",
            sum.together,
            pct,
            pd,
        ),
        figure(
            "inversion_programada",
            "Inversión programada de los programas relacionados",
            Some(sum.planned),
            FigureKind::Money,
            0,
        ),
        figure(
            "inversion_proyectada",
            "Inversión proyectada al final del periodo",
            Some(sum.projected),
            FigureKind::Money,
            0,
        ),
        figure(
            "ejecucion_inversion",
            "Inversión proyectada sobre programada",
            sum.execution,
            pct,
            pd,
        ),
        figure(
            "participacion_plan_plurianual",
            "Participación en el plan plurianual de inversiones",
            sum.share_of_plan,
            pct,
            sd,
        ),
    ]);
    let bands = Chart {
        id: "bandas".into(),
        title: "Indicadores de producto por banda de avance".into(),
        kind: "bar".into(),
        unit: "indicadores".into(),
        labels: sum.bands.iter().map(|b| b.label.clone()).collect(),
        series: vec![Series {
            name: "Indicadores".into(),
            values: sum.bands.iter().map(|b| Some(b.count as f64)).collect(),
        }],
    };
    let invest = |id: &str, title: &str, groups: &[crate::ssepot::pdd::Investment]| Chart {
        id: id.into(),
        title: title.into(),
        kind: "bar".into(),
        unit: "millones de pesos".into(),
        labels: groups.iter().map(|g| g.label.clone()).collect(),
        series: vec![
            Series {
                name: "Programada".into(),
                values: groups.iter().map(|g| Some(g.planned)).collect(),
            },
            Series {
                name: "Proyectada".into(),
                values: groups.iter().map(|g| Some(g.projected)).collect(),
            },
        ],
    };
    let charts = vec![
        bands,
        invest(
            "inversion_linea",
            "Inversión programada y proyectada por línea estratégica (millones de pesos)",
            &sum.by_line,
        ),
        invest(
            "inversion_sistema",
            "Inversión programada y proyectada por sistema del POT (millones de pesos)",
            &sum.by_system,
        ),
    ];
    let rows = p
        .indicators
        .iter()
        .map(|i| {
            let projects: Vec<&str> = p
                .relation
                .iter()
                .filter(|(c, _)| c == &i.code)
                .map(|(_, pr)| pr.as_str())
                .collect();
            let prog = p.programmes.iter().find(|x| x.code == i.programme);
            vec![
                Cell::Text(i.code.clone()),
                Cell::Text(i.name.clone()),
                Cell::Text(i.programme.clone()),
                Cell::Text(prog.map(|x| x.line.clone()).unwrap_or_default()),
                Cell::Num(Some(i.weight)),
                Cell::Num(Some(i.progress)),
                Cell::Text(p.band(i).to_string()),
                Cell::Text(projects.join(", ")),
            ]
        })
        .collect();
    let mut d = Dashboard {
        id: "pdd",
        title: "Relación POT–PDD".into(),
        intro: format!(
            "Indicadores de producto del plan de desarrollo {} relacionados con proyectos del POT (relación de muchos a muchos), su banda de avance y la inversión de sus programas.",
            sum.plan
        ),
        sample: s.sample,
        attribution: s.attribution.clone(),
        figures,
        charts,
        summary: serde_json::to_value(&sum).unwrap_or_default(),
        rows: table(
            "pdd_indicadores",
            String::new(),
            &[
                ("codigo", Kind::Text),
                ("indicador_producto", Kind::Text),
                ("programa", Kind::Text),
                ("linea_estrategica", Kind::Text),
                ("ponderacion", Kind::Num),
                ("avance_proyectado", Kind::Num),
                ("banda", Kind::Text),
                ("proyectos_pot", Kind::Text),
            ],
            rows,
        ),
    };
    d.rows.title = d.table_title("indicadores de producto");
    Some(d)
}
