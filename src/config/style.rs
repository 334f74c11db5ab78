//! How maps of an indicator are classified: the settings a layer file gives, which `styles` applies.

use serde::{Deserialize, Serialize};

/// How class breaks are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClassMethod {
    /// Each class holds about the same number of values.
    #[default]
    Quantile,
    /// Classes of equal width between the minimum and the maximum.
    Equal,
    /// Fisher–Jenks natural breaks: the classes with the least variance within them.
    Jenks,
    /// Breaks given in the layer file.
    Manual,
}

impl ClassMethod {
    /// Reads a method name as a query parameter or layer file writes it.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "quantile" | "quantiles" => Some(Self::Quantile),
            "equal" | "equal_interval" => Some(Self::Equal),
            "jenks" | "natural" | "natural_breaks" => Some(Self::Jenks),
            "manual" => Some(Self::Manual),
            _ => None,
        }
    }

    /// The name used in layer files and URLs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Quantile => "quantile",
            Self::Equal => "equal",
            Self::Jenks => "jenks",
            Self::Manual => "manual",
        }
    }
}

/// How maps of an indicator are classified. Breaks come from the values of all years, so a colour means
/// the same value in every year of the map.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StyleConfig {
    /// `quantile` (default), `equal`, `jenks` (natural breaks) or `manual`.
    #[serde(default)]
    pub method: ClassMethod,
    /// Number of classes, 2 to 7 (default 5).
    #[serde(default = "default_classes")]
    pub classes: usize,
    /// Inner class limits for `manual`, ascending (e.g. `[50, 80, 95]`).
    #[serde(default)]
    pub breaks: Vec<f64>,
}

fn default_classes() -> usize {
    5
}

impl Default for StyleConfig {
    fn default() -> Self {
        Self {
            method: Default::default(),
            classes: default_classes(),
            breaks: vec![],
        }
    }
}
