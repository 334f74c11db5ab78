//! The POT–PDD dashboard: related indicators, programmes and projects, bands, contribution and investment.

use super::filter::{control, keeps, resolve, Control, FilterError, Filters};
use super::{count, figure, slug, table, Chart, Dashboard, FigureKind, Series};
use crate::features::download::{Kind, Value as Cell};
use crate::ssepot::pdd::{Pdd, Programme};
use crate::ssepot::Ssepot;
use std::collections::BTreeSet;

/// The filters this dashboard takes: the programme's strategic line and POT system (those its investment is
/// grouped by), the subsystem of a related POT project, and the indicator's progress band.
pub const FILTERS: &[&str] = &["linea", "sistema", "subsistema", "banda"];

/// The band labels the layer file declares, in its order.
fn band_labels(p: &Pdd) -> impl Iterator<Item = &str> {
    p.rules.bands.iter().map(|b| b.label())
}

/// The PDD tables narrowed to what the filters keep: the programmes of the line and system; their indicators
/// in the band, related to a project of the subsystem; the relation rows between those and the subsystem's
/// projects. The figures are then the same rules over fewer rows.
fn filtered(all: &Pdd, f: &Filters) -> Result<(Pdd, Filters), FilterError> {
    f.only("pdd", FILTERS)?;
    let progs = || all.programmes.iter();
    let resolved = Filters {
        linea: resolve("linea", &f.linea, progs().map(|p| p.line.as_str()))?,
        sistema: resolve("sistema", &f.sistema, progs().map(|p| p.system.as_str()))?,
        subsistema: resolve(
            "subsistema",
            &f.subsistema,
            all.projects.iter().map(|p| p.subsystem.as_str()),
        )?,
        banda: resolve("banda", &f.banda, band_labels(all))?,
        ..Default::default()
    };
    let programmes: Vec<Programme> = progs()
        .filter(|p| keeps(&resolved.linea, &p.line) && keeps(&resolved.sistema, &p.system))
        .cloned()
        .collect();
    let of_subsystem: BTreeSet<&str> = all
        .projects
        .iter()
        .filter(|p| keeps(&resolved.subsistema, &p.subsystem))
        .map(|p| p.code.as_str())
        .collect();
    let in_subsystem = |pr: &str| resolved.subsistema.is_none() || of_subsystem.contains(pr);
    let linked: BTreeSet<&str> = all
        .relation
        .iter()
        .filter(|(_, pr)| in_subsystem(pr))
        .map(|(i, _)| i.as_str())
        .collect();
    let indicators: Vec<_> = all
        .indicators
        .iter()
        .filter(|i| programmes.iter().any(|p| p.code == i.programme))
        .filter(|i| keeps(&resolved.banda, all.band_label(i)))
        .filter(|i| resolved.subsistema.is_none() || linked.contains(i.code.as_str()))
        .cloned()
        .collect();
    let kept: BTreeSet<&str> = indicators.iter().map(|i| i.code.as_str()).collect();
    let relation = all
        .relation
        .iter()
        .filter(|(i, pr)| kept.contains(i.as_str()) && in_subsystem(pr))
        .cloned()
        .collect();
    let pdd = Pdd {
        rules: all.rules.clone(),
        plan: all.plan.clone(),
        programmes,
        indicators,
        projects: all.projects.clone(),
        relation,
    };
    Ok((pdd, resolved))
}

/// The filter controls: every value of the whole tables, the selected one marked.
fn controls(all: &Pdd, f: &Filters) -> Vec<Control> {
    let progs = || all.programmes.iter();
    vec![
        control(
            "linea",
            "Línea estratégica",
            progs().map(|p| p.line.as_str()),
            f.linea.clone(),
        ),
        control(
            "sistema",
            "Sistema del POT (del programa)",
            progs().map(|p| p.system.as_str()),
            f.sistema.clone(),
        ),
        control(
            "subsistema",
            "Subsistema (de un proyecto relacionado)",
            all.projects.iter().map(|p| p.subsystem.as_str()),
            f.subsistema.clone(),
        ),
        // In the layer file's order (high to low), not the alphabet's.
        Control {
            parameter: "banda",
            label: "Banda de avance",
            options: band_labels(all).map(String::from).collect(),
            selected: f.banda.clone(),
        },
    ]
}

pub fn build(s: &Ssepot, filters: &Filters) -> Result<Option<Dashboard>, FilterError> {
    let Some(all) = s.pdd.as_ref() else {
        return Ok(None);
    };
    let (p, resolved) = filtered(all, filters)?;
    let mut d = build_from(s, &p);
    d.controls = controls(all, &resolved);
    d.filters = resolved;
    d.rows.title = d.table_title("indicadores de producto");
    Ok(Some(d))
}

fn build_from(s: &Ssepot, p: &Pdd) -> Dashboard {
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
    for (b, rule) in sum.bands.iter().zip(&p.rules.bands) {
        figures.push(
            figure(
                &format!("banda_{}_pct", slug(&rule.name)),
                &format!("Indicadores con avance {} (%)", b.label),
                b.percent,
                pct,
                sd,
            )
            .drilled(&[("banda", &b.label)]),
        );
    }
    figures.extend([
        figure(
            "aporte_puntos",
            "Puntos que aportan al avance físico del plan",
            Some(sum.contribution),
            FigureKind::Points,
            pd,
        )
        .ruled(
            "Σ ponderación × avance proyectado / 100 de los indicadores de producto relacionados con el POT: puntos porcentuales del avance físico del plan; su avance conjunto es Σ ponderación × avance / Σ ponderación".into(),
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
        drill: Some("banda"),
    };
    let invest = |id: &str,
                  drill: &'static str,
                  title: &str,
                  groups: &[crate::ssepot::pdd::Investment]| Chart {
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
        drill: Some(drill),
    };
    let charts = vec![
        bands,
        invest(
            "inversion_linea",
            "linea",
            "Inversión programada y proyectada por línea estratégica (millones de pesos)",
            &sum.by_line,
        ),
        invest(
            "inversion_sistema",
            "sistema",
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
            let mut subsystems: Vec<&str> = p
                .projects
                .iter()
                .filter(|pr| projects.contains(&pr.code.as_str()))
                .map(|pr| pr.subsystem.as_str())
                .collect();
            subsystems.sort_unstable();
            subsystems.dedup();
            vec![
                Cell::Text(i.code.clone()),
                Cell::Text(i.name.clone()),
                Cell::Text(i.programme.clone()),
                Cell::Text(prog.map(|x| x.line.clone()).unwrap_or_default()),
                Cell::Text(prog.map(|x| x.system.clone()).unwrap_or_default()),
                Cell::Num(Some(i.weight)),
                Cell::Num(Some(i.progress)),
                Cell::Text(p.band_label(i).to_string()),
                Cell::Text(projects.join(", ")),
                Cell::Text(subsystems.join("; ")),
            ]
        })
        .collect();
    Dashboard {
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
                ("sistema_pot", Kind::Text),
                ("ponderacion", Kind::Num),
                ("avance_proyectado", Kind::Num),
                ("banda", Kind::Text),
                ("proyectos_pot", Kind::Text),
                ("subsistemas_pot", Kind::Text),
            ],
            rows,
        ),
        filters: Default::default(),
        controls: vec![],
    }
}
