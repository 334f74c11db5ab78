//! The SSEPOT report's dashboards as documents: headline figures, charts (each with the table it draws) and
//! the rows behind them. One [`Dashboard`] feeds the JSON, the HTML page and the downloads, so the numbers in
//! all three are the same. Every figure comes from `crate::ssepot`'s rules over the layer files' tables.

use super::download::{Kind, Table, Value as Cell};
use super::progress::subsystem_progress;
use crate::model::Snapshot;
use crate::ssepot::{Share, Ssepot};
use geo::MultiPolygon;
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// How a figure is written.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    /// A count (`132`).
    Count,
    /// A percentage (`45,67 %`).
    Percent,
    /// Percentage points (`23,0 puntos`).
    Points,
    /// Millions of pesos (`$1.234.567 millones`).
    Money,
}

/// A headline figure.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// Stable key (`avance_general`).
    pub key: String,
    /// What it is, in Spanish.
    pub label: String,
    /// `None` is `ND`.
    pub value: Option<f64>,
    pub kind: FigureKind,
    /// Decimals it is written with.
    pub decimals: u32,
}

fn figure(key: &str, label: &str, value: Option<f64>, kind: FigureKind, decimals: u32) -> Figure {
    Figure {
        key: key.into(),
        label: label.into(),
        value,
        kind,
        decimals,
    }
}

fn count(key: &str, label: &str, n: usize) -> Figure {
    figure(key, label, Some(n as f64), FigureKind::Count, 0)
}

/// A chart and, in `labels` × `series`, the table it draws (its text alternative).
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    /// `bar`, `stacked`, `horizontal` or `line`.
    pub kind: String,
    /// Unit of the values (`compromisos`, `%`, `millones de pesos`).
    pub unit: String,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
}

/// One series of a chart.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A dashboard: its figures, charts and the rows behind them.
pub struct Dashboard {
    pub id: &'static str,
    pub title: String,
    pub intro: String,
    pub sample: bool,
    pub attribution: String,
    pub figures: Vec<Figure>,
    pub charts: Vec<Chart>,
    /// The whole computed summary, for JSON clients.
    pub summary: Value,
    /// The rows behind the dashboard.
    pub rows: Table,
}

/// The dashboards there are, in the order the report has them: (id, title).
pub const DASHBOARDS: &[(&str, &str)] = &[
    ("compromisos", "Compromisos del POT"),
    ("pdd", "Relación POT–PDD"),
    ("subsistemas", "Avance de los subsistemas"),
    ("diagnostico", "Diagnóstico de indicadores"),
];

impl Dashboard {
    /// The dashboard with this id, if the layer files declare its tables.
    pub fn build(id: &str, snapshot: &Snapshot) -> Option<Self> {
        let s = &snapshot.ssepot;
        match id {
            "compromisos" => commitments(s),
            "pdd" => pdd(s),
            "subsistemas" => subsystems(s, snapshot),
            "diagnostico" => diagnosis(s, snapshot),
            _ => None,
        }
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        let (head, rows) = plain_rows(&self.rows);
        json!({
            "id": self.id,
            "title": self.title,
            "sample": self.sample,
            "attribution": self.attribution,
            "figures": self.figures,
            "charts": self.charts,
            "summary": self.summary,
            "columns": head,
            "rows": rows,
        })
    }

    /// The figures as a download table: one row per figure.
    pub fn figures_table(&self) -> Table {
        let columns = [
            ("cifra", Kind::Text),
            ("descripcion", Kind::Text),
            ("valor", Kind::Num),
            ("unidad", Kind::Text),
        ]
        .map(|(n, k)| (n.to_string(), k))
        .to_vec();
        let rows = self
            .figures
            .iter()
            .map(|f| {
                let unit = match f.kind {
                    FigureKind::Count => "número",
                    FigureKind::Percent => "%",
                    FigureKind::Points => "puntos porcentuales",
                    FigureKind::Money => "millones de pesos",
                };
                let row = vec![
                    Cell::Text(f.key.clone()),
                    Cell::Text(f.label.clone()),
                    Cell::Num(f.value),
                    Cell::Text(unit.into()),
                ];
                (row, no_geometry())
            })
            .collect();
        Table {
            name: format!("{}_cifras", self.id),
            title: self.table_title("cifras"),
            columns,
            rows,
        }
    }

    /// The title written above a download.
    pub fn table_title(&self, what: &str) -> String {
        let sample = if self.sample {
            format!(" — {}", super::collection::SAMPLE_LABEL)
        } else {
            String::new()
        };
        format!(
            "{} ({what}){sample}. Fuente: {}. Descargado de ssepot.",
            self.title, self.attribution
        )
    }
}

/// Rows without geometry (downloads of tables that are not maps).
pub fn no_geometry() -> Arc<MultiPolygon<f64>> {
    static EMPTY: std::sync::OnceLock<Arc<MultiPolygon<f64>>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::new(MultiPolygon(vec![]))).clone()
}

/// A table's columns and rows as JSON (`ND` is null).
pub fn plain_rows(t: &Table) -> (Vec<String>, Vec<Vec<Value>>) {
    let head = t.columns.iter().map(|(n, _)| n.clone()).collect();
    let rows = t
        .rows
        .iter()
        .map(|(r, _)| {
            r.iter()
                .map(|c| match c {
                    Cell::Text(s) => json!(s),
                    Cell::Int(i) => json!(i),
                    Cell::Num(n) => json!(n),
                    Cell::Bool(b) => json!(b),
                })
                .collect()
        })
        .collect();
    (head, rows)
}

fn table(name: &str, title: String, columns: &[(&str, Kind)], rows: Vec<Vec<Cell>>) -> Table {
    Table {
        name: name.into(),
        title,
        columns: columns.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
        rows: rows.into_iter().map(|r| (r, no_geometry())).collect(),
    }
}

fn share_of<'a>(shares: &'a [Share], label: &str) -> Option<&'a Share> {
    shares.iter().find(|s| s.label == label)
}

fn commitments(s: &Ssepot) -> Option<Dashboard> {
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

fn rollup_words(r: crate::config::ssepot::Rollup) -> &'static str {
    match r {
        crate::config::ssepot::Rollup::MeanReported => {
            "el promedio, entre los que lo reportan (los ND no cuentan),"
        }
        crate::config::ssepot::Rollup::MeanAll => "el promedio, contando ND como 0,",
    }
}

/// `Sin avance` → `sin_avance`.
fn slug(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            c if c.is_alphanumeric() => c,
            _ => '_',
        })
        .collect()
}

fn pdd(s: &Ssepot) -> Option<Dashboard> {
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

fn subsystems(s: &Ssepot, snapshot: &Snapshot) -> Option<Dashboard> {
    if s.subsystems.is_empty() {
        return None;
    }
    let progress = subsystem_progress(snapshot);
    let systems = crate::ssepot::count_by(s.subsystems.iter().map(|x| x.system.as_str()));
    let mut figures = vec![
        count("subsistemas", "Subsistemas", s.subsystems.len()),
        count("sistemas", "Sistemas", systems.len()),
    ];
    for (sys, _) in &systems {
        let v = progress
            .systems
            .iter()
            .find(|(n, _)| n == sys)
            .and_then(|(_, v)| *v);
        figures.push(figure(
            &format!("avance_{}", slug(sys)),
            &format!("Avance del sistema {sys} ({})", progress.year),
            v.map(|v| crate::ssepot::round(v, 1)),
            FigureKind::Percent,
            1,
        ));
    }
    let value_of = |name: &str| {
        progress
            .subsystems
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.percent)
            .map(|v| crate::ssepot::round(v, 1))
    };
    let chart = Chart {
        id: "avance_subsistemas".into(),
        title: format!(
            "Avance de los subsistemas frente a sus metas, {} (%)",
            progress.year
        ),
        kind: "horizontal".into(),
        unit: "%".into(),
        labels: s.subsystems.iter().map(|x| x.name.clone()).collect(),
        series: vec![Series {
            name: "Avance".into(),
            values: s.subsystems.iter().map(|x| value_of(&x.name)).collect(),
        }],
    };
    let rows = s
        .subsystems
        .iter()
        .map(|x| {
            let p = progress.subsystems.iter().find(|p| p.name == x.name);
            vec![
                Cell::Text(x.system.clone()),
                Cell::Text(x.name.clone()),
                Cell::Int(p.map_or(0, |p| p.indicators.len() as i64)),
                Cell::Text(p.map(|p| p.indicators.join(", ")).unwrap_or_default()),
                Cell::Num(value_of(&x.name)),
                Cell::Text(x.situation.clone()),
                Cell::Text(x.achievements.clone()),
                Cell::Text(x.challenges.clone()),
            ]
        })
        .collect();
    let mut d = Dashboard {
        id: "subsistemas",
        title: "Avance de los subsistemas".into(),
        intro: format!(
            "Los {} subsistemas del POT en sus {} sistemas, con su situación, logros y retos, y el avance de sus indicadores frente a la meta ({}).",
            s.subsystems.len(),
            systems.len(),
            progress.rule
        ),
        sample: s.sample,
        attribution: s.attribution.clone(),
        figures,
        charts: vec![chart],
        summary: serde_json::to_value(&progress).unwrap_or_default(),
        rows: table(
            "subsistemas",
            String::new(),
            &[
                ("sistema", Kind::Text),
                ("subsistema", Kind::Text),
                ("indicadores", Kind::Int),
                ("codigos", Kind::Text),
                ("avance_pct", Kind::Num),
                ("situacion", Kind::Text),
                ("logros", Kind::Text),
                ("retos", Kind::Text),
            ],
            rows,
        ),
    };
    d.rows.title = d.table_title("subsistemas");
    Some(d)
}

fn diagnosis(s: &Ssepot, snapshot: &Snapshot) -> Option<Dashboard> {
    if s.diagnosis.is_empty() {
        return None;
    }
    let mut figures = vec![
        count(
            "indicadores_diagnosticados",
            "Indicadores diagnosticados",
            s.diagnosis.len(),
        ),
        count(
            "cambios_dies058",
            "Cambios a fichas técnicas registrados (DIES-058)",
            s.changes.len(),
        ),
    ];
    let findings: Vec<(String, usize)> = crate::ssepot::diagnosis::FINDINGS
        .iter()
        .map(|(_, label)| {
            let n = s
                .diagnosis
                .iter()
                .filter(|d| d.findings.iter().any(|f| f == label))
                .count();
            (label.to_string(), n)
        })
        .collect();
    for (i, (label, n)) in findings.iter().enumerate() {
        figures.push(count(&format!("hallazgo_{}", i + 1), label, *n));
    }
    let phases = crate::ssepot::count_by(s.diagnosis.iter().map(|d| d.phase.as_str()));
    let bar = |id: &str, title: &str, data: &[(String, usize)]| Chart {
        id: id.into(),
        title: title.into(),
        kind: "horizontal".into(),
        unit: "indicadores".into(),
        labels: data.iter().map(|(l, _)| l.clone()).collect(),
        series: vec![Series {
            name: "Indicadores".into(),
            values: data.iter().map(|(_, n)| Some(*n as f64)).collect(),
        }],
    };
    let charts = vec![
        bar(
            "hallazgos",
            "Indicadores por hallazgo del diagnóstico",
            &findings,
        ),
        bar("fases", "Indicadores por fase de concertación", &phases),
    ];
    let rows = s
        .diagnosis
        .iter()
        .map(|d| {
            let ind = snapshot.indicators.iter().find(|i| {
                i.code
                    .as_deref()
                    .unwrap_or(&i.id)
                    .eq_ignore_ascii_case(&d.code)
            });
            let changes = s.changes.iter().filter(|c| c.code == d.code).count();
            vec![
                Cell::Text(d.code.clone()),
                Cell::Text(ind.map(|i| i.name.clone()).unwrap_or_default()),
                Cell::Text(d.findings.join("; ")),
                Cell::Text(d.phase.clone()),
                Cell::Text(d.notes.clone()),
                Cell::Int(changes as i64),
            ]
        })
        .collect();
    let changes_table = s
        .changes
        .iter()
        .map(|c| json!({"code": c.code, "form": c.form, "field": c.field, "before": c.before, "after": c.after, "date": c.date, "office": c.office}))
        .collect::<Vec<_>>();
    let mut d = Dashboard {
        id: "diagnostico",
        title: "Diagnóstico de indicadores".into(),
        intro: "El diagnóstico de cada indicador (datos de línea base y avance, meta, desagregación, información geográfica, formulación), la fase de concertación que lo definió y los cambios acordados a su ficha técnica en el formulario DIES-058.".into(),
        sample: s.sample,
        attribution: s.attribution.clone(),
        figures,
        charts,
        summary: json!({"diagnosis": s.diagnosis, "changes": changes_table}),
        rows: table(
            "diagnostico",
            String::new(),
            &[
                ("codigo", Kind::Text),
                ("indicador", Kind::Text),
                ("hallazgos", Kind::Text),
                ("fase_concertacion", Kind::Text),
                ("diagnostico", Kind::Text),
                ("cambios_dies058", Kind::Int),
            ],
            rows,
        ),
    };
    d.rows.title = d.table_title("diagnóstico");
    Some(d)
}
