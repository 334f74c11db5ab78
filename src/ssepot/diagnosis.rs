//! Each indicator's diagnosis, the concertation phase that settled it, and the change-control log of its
//! technical sheet (form DIES-058).

use serde::Serialize;

/// What the diagnosis found about an indicator.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    /// Indicator code, as in the battery (`EP-01`).
    pub code: String,
    /// Problems found, each a short Spanish label (`Sin meta`, `Solo resultado de ciudad`, …).
    pub findings: Vec<String>,
    /// Concertation phase (`Fase 1 — DAP`, `Fase 3 — 2022`, `Casos especiales — 2023`).
    pub phase: String,
    /// The diagnosis in words.
    pub notes: String,
}

/// One agreed change to a technical sheet.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRecord {
    /// Indicator code.
    pub code: String,
    /// Form number (`DIES-058`).
    pub form: String,
    /// Changed field (`Nombre`, `Unidad de medida`, `Variables`, …).
    pub field: String,
    pub before: String,
    pub after: String,
    /// Date as written in the form (`2022-08-16`).
    pub date: String,
    /// Office that agreed it.
    pub office: String,
    /// The reporting store's item, for a change published through ssepot (absent for the layer file's rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<i64>,
}

/// Findings the diagnosis table records, as (column, label) pairs; the column holds `sí` or `no`.
pub const FINDINGS: &[(&str, &str)] = &[
    ("Sin datos de línea base", "Sin datos de línea base"),
    ("Sin datos de avance", "Sin datos de avance anual"),
    ("Sin meta", "Sin meta"),
    (
        "Solo resultado de ciudad",
        "Solo resultado de ciudad, sin desagregación temática ni territorial",
    ),
    (
        "Sin información geográfica",
        "Sin información geográfica para mapearlo",
    ),
    ("Problemas de formulación", "Problemas en su formulación"),
];
