//! Reading the `[ssepot]` tables: technical sheets (merged into the indicators' sheets), diagnosis, change
//! log, subsystems, commitments and the PDD tables. Every problem names the file, row and column.

use crate::config::{Direction, Target, TechnicalSheet};
use crate::ingest::records::Records;
use crate::ssepot::commitments::{Commitment, Commitments};
use crate::ssepot::config::{RecordTable, SsepotConfig};
use crate::ssepot::diagnosis::{ChangeRecord, Diagnosis, FINDINGS};
use crate::ssepot::pdd::{Pdd, Plan, ProductIndicator, Programme, Project};
use crate::ssepot::subsystems::Subsystem;
use crate::ssepot::Ssepot;
use std::collections::BTreeMap;
use std::path::Path;

/// Column with the indicator code in sheets, diagnosis and change tables.
pub const CODE: &str = "Código indicador";

/// Reads every table of an `[ssepot]` section.
pub fn read(cfg: &SsepotConfig, file: &Path) -> Result<(Ssepot, SheetTable), String> {
    let sheets = cfg
        .sheets
        .as_ref()
        .map(|t| read_sheets(file, t))
        .transpose()?
        .unwrap_or_default();
    let ssepot = Ssepot {
        sample: cfg.sample,
        attribution: cfg.attribution.clone(),
        diagnosis: opt(file, &cfg.diagnosis, read_diagnosis)?.unwrap_or_default(),
        changes: opt(file, &cfg.changes, read_changes)?.unwrap_or_default(),
        subsystems: opt(file, &cfg.subsystems, read_subsystems)?.unwrap_or_default(),
        progress: cfg.progress.clone(),
        commitments: cfg
            .commitments
            .as_ref()
            .map(|c| {
                Ok::<_, String>(Commitments {
                    items: read_commitments(file, &c.table, c.years)?,
                    rules: c.clone(),
                })
            })
            .transpose()?,
        pdd: cfg.pdd.as_ref().map(|p| read_pdd(file, p)).transpose()?,
        texts: vec![],
    };
    Ok((ssepot, sheets))
}

fn opt<T>(
    file: &Path,
    table: &Option<RecordTable>,
    read: fn(&Records) -> Result<T, String>,
) -> Result<Option<T>, String> {
    table
        .as_ref()
        .map(|t| Records::read(file, t).and_then(|r| read(&r)))
        .transpose()
}

/// Technical sheets by indicator code (lower case).
pub type SheetTable = BTreeMap<String, TechnicalSheet>;

fn some(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn read_sheets(file: &Path, t: &RecordTable) -> Result<SheetTable, String> {
    let r = Records::read(file, t)?;
    let targets = r.year_columns("Meta ");
    let mut out = SheetTable::new();
    for &row in &r.rows {
        let direction = match r.text(row, "Sentido")?.to_lowercase().as_str() {
            "creciente" => Some(Direction::Higher),
            "decreciente" => Some(Direction::Lower),
            "" => None,
            other => {
                return Err(format!(
                    "{}, row {row}, column `Sentido`: `{other}` is neither `creciente` nor `decreciente`",
                    r.file.display()
                ))
            }
        };
        let mut sheet = TechnicalSheet {
            definition: some(r.text(row, "Definición")?),
            formula: some(r.text(row, "Fórmula")?),
            variables: some(r.text(row, "Variables")?),
            direction,
            territorial_level: some(r.text(row, "Nivel territorial")?),
            periodicity: some(r.text(row, "Periodicidad")?),
            sources: some(r.text(row, "Fuentes")?),
            ..Default::default()
        };
        for (year, col) in &targets {
            if let Some(value) = r.number(row, col)? {
                sheet.targets.push(Target { year: *year, value });
            }
        }
        out.insert(r.required(row, CODE)?.to_lowercase(), sheet);
    }
    Ok(out)
}

/// The sheet of an indicator with the sheet table's fields filled in (the table wins where both say).
pub fn merge_sheet(base: &TechnicalSheet, extra: &TechnicalSheet) -> TechnicalSheet {
    let mut s = base.clone();
    let pick = |a: &Option<String>, b: &Option<String>| b.clone().or_else(|| a.clone());
    s.definition = pick(&s.definition, &extra.definition);
    s.formula = pick(&s.formula, &extra.formula);
    s.variables = pick(&s.variables, &extra.variables);
    s.territorial_level = pick(&s.territorial_level, &extra.territorial_level);
    s.periodicity = pick(&s.periodicity, &extra.periodicity);
    s.sources = pick(&s.sources, &extra.sources);
    s.direction = extra.direction.or(s.direction);
    for t in &extra.targets {
        if !s.targets.iter().any(|x| x.year == t.year) {
            s.targets.push(*t);
        }
    }
    if let (Some(year), Some(value)) = (s.target_year, s.target) {
        if !s.targets.iter().any(|x| x.year == year) {
            s.targets.push(Target { year, value });
        }
    }
    s.targets.sort_by_key(|t| t.year);
    s
}

fn read_diagnosis(r: &Records) -> Result<Vec<Diagnosis>, String> {
    let mut out = Vec::new();
    for &row in &r.rows {
        let mut findings = Vec::new();
        for (col, label) in FINDINGS {
            if r.flag(row, col)? {
                findings.push(label.to_string());
            }
        }
        out.push(Diagnosis {
            code: r.required(row, CODE)?,
            findings,
            phase: r.required(row, "Fase de concertación")?,
            notes: r.text(row, "Diagnóstico")?,
        });
    }
    Ok(out)
}

fn read_changes(r: &Records) -> Result<Vec<ChangeRecord>, String> {
    r.rows
        .iter()
        .map(|&row| {
            Ok(ChangeRecord {
                code: r.required(row, CODE)?,
                form: r.required(row, "Formulario")?,
                field: r.required(row, "Campo")?,
                before: r.text(row, "Antes")?,
                after: r.text(row, "Después")?,
                date: r.required(row, "Fecha")?,
                office: r.required(row, "Dependencia")?,
                item: None,
            })
        })
        .collect()
}

fn read_subsystems(r: &Records) -> Result<Vec<Subsystem>, String> {
    r.rows
        .iter()
        .map(|&row| {
            Ok(Subsystem {
                system: r.required(row, "Sistema")?,
                name: r.required(row, "Subsistema")?,
                situation: r.text(row, "Situación")?,
                achievements: r.text(row, "Logros")?,
                challenges: r.text(row, "Retos")?,
            })
        })
        .collect()
}

fn read_commitments(
    file: &Path,
    t: &RecordTable,
    years: [i32; 2],
) -> Result<Vec<Commitment>, String> {
    let r = Records::read(file, t)?;
    let mut out = Vec::new();
    for &row in &r.rows {
        let progress = (years[0]..=years[1])
            .map(|y| Ok((y, r.number(row, &y.to_string())?)))
            .collect::<Result<_, String>>()?;
        out.push(Commitment {
            id: r.required(row, "Código")?,
            text: r.required(row, "Compromiso")?,
            article: r.text(row, "Artículo POT")?,
            horizon: r.required(row, "Horizonte")?,
            kind: r.required(row, "Tipología")?,
            office: r.required(row, "Dependencia responsable")?,
            state: r.required(row, "Estado")?,
            progress,
        });
    }
    Ok(out)
}

fn read_pdd(file: &Path, cfg: &crate::ssepot::config::PddConfig) -> Result<Pdd, String> {
    let plan = Records::read(file, &cfg.plan)?;
    let first = *plan
        .rows
        .first()
        .ok_or_else(|| format!("{}: the plan table has no row", plan.file.display()))?;
    let plan = Plan {
        name: plan.required(first, "Plan")?,
        investment: plan.required_number(first, "Inversión plan plurianual (millones)")?,
        progress: plan.required_number(first, "Avance físico proyectado (%)")?,
    };
    let r = Records::read(file, &cfg.programmes)?;
    let programmes = r
        .rows
        .iter()
        .map(|&row| {
            Ok(Programme {
                code: r.required(row, "Código programa")?,
                name: r.required(row, "Programa")?,
                line: r.required(row, "Línea estratégica")?,
                system: r.required(row, "Sistema POT")?,
                planned: r.required_number(row, "Inversión programada (millones)")?,
                projected: r.required_number(row, "Inversión proyectada (millones)")?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let r = Records::read(file, &cfg.indicators)?;
    let indicators = r
        .rows
        .iter()
        .map(|&row| {
            Ok(ProductIndicator {
                code: r.required(row, "Código indicador")?,
                name: r.required(row, "Indicador de producto")?,
                programme: r.required(row, "Código programa")?,
                weight: r.required_number(row, "Ponderación (%)")?,
                progress: r.required_number(row, "Avance proyectado (%)")?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let r = Records::read(file, &cfg.projects)?;
    let projects = r
        .rows
        .iter()
        .map(|&row| {
            Ok(Project {
                code: r.required(row, "Código proyecto")?,
                name: r.required(row, "Proyecto POT")?,
                system: r.required(row, "Sistema")?,
                subsystem: r.required(row, "Subsistema")?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let r = Records::read(file, &cfg.relation)?;
    let mut relation = Vec::new();
    for &row in &r.rows {
        let (i, p) = (
            r.required(row, "Código indicador")?,
            r.required(row, "Código proyecto")?,
        );
        if !indicators.iter().any(|x| x.code == i) {
            return Err(format!("{}, row {row}, column `Código indicador`: `{i}` is not in the product indicators table", r.file.display()));
        }
        if !projects.iter().any(|x| x.code == p) {
            return Err(format!(
                "{}, row {row}, column `Código proyecto`: `{p}` is not in the POT projects table",
                r.file.display()
            ));
        }
        relation.push((i, p));
    }
    for ind in &indicators {
        if !programmes.iter().any(|p| p.code == ind.programme) {
            return Err(format!(
                "product indicator `{}`: programme `{}` is not in the programmes table",
                ind.code, ind.programme
            ));
        }
    }
    Ok(Pdd {
        rules: cfg.clone(),
        plan,
        programmes,
        indicators,
        projects,
        relation,
    })
}
