//! The POT's subsystems in their systems, with the report's texts.

use serde::Serialize;

/// A subsystem of the POT.
#[derive(Debug, Clone, Serialize)]
pub struct Subsystem {
    /// System it belongs to (`Físico-Espaciales`, `Institucionales y de Gestión`).
    pub system: String,
    /// Subsystem name, as indicators' sheets write it.
    pub name: String,
    /// Situation, achievements and challenges, as the report words them.
    pub situation: String,
    pub achievements: String,
    pub challenges: String,
}
