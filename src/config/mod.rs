//! Layer files: the declarative description of territorial unit sets and indicator tables.
//!
//! A layer file is TOML. It may hold any number of `[[unit_set]]`, `[[indicator]]` and `[[battery]]`
//! entries; paths inside it are relative to the file's own folder. Unknown fields are errors, so a
//! typo is reported with the file, line and field name instead of being silently ignored.
//! `docs/layers.md` is the reference with a complete example.

pub mod computed;
pub mod formula;
mod style;
mod table;
pub mod territory;
pub mod web_map;

pub use computed::{CityRule, ComputedConfig};
pub use style::{ClassMethod, StyleConfig};
pub use table::{Duplicates, Layout, PercentStyle, TableSource, Unmatched, ValueFormat};
pub use territory::{
    CrosswalkConfig, EditionConfig, ParentConfig, PlaceRule, RollupConfig, RollupRule,
};
pub use web_map::WebMapConfig;

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One parsed layer file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LayerFile {
    /// Sets of territorial units (comunas, barrios, ...), each a collection of its own.
    #[serde(default)]
    pub unit_set: Vec<UnitSetConfig>,
    /// Indicators read from a table that holds one indicator.
    #[serde(default)]
    pub indicator: Vec<IndicatorConfig>,
    /// Tables that hold many indicators, one row per indicator and territory (an SSEPOT battery).
    #[serde(default)]
    pub battery: Vec<BatteryConfig>,
    /// Indicators computed from other indicators and geometry.
    #[serde(default)]
    pub computed: Vec<ComputedConfig>,
    /// The SSEPOT's own tables: technical sheets, progress rules and the report dashboards.
    #[serde(default)]
    pub ssepot: Option<crate::ssepot::config::SsepotConfig>,
    /// What the web map calls itself (its title); one file of the folder declares it.
    #[serde(default)]
    pub web_map: Option<WebMapConfig>,
    /// Crosswalks between boundary editions (`docs/territory.md`).
    #[serde(default)]
    pub crosswalk: Vec<CrosswalkConfig>,
}

/// A set of territorial units: one geometry source with a key and a name per feature.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSetConfig {
    /// Collection id, used in URLs (`/collections/{id}`). Lower case letters, digits, `-` and `_`.
    pub id: String,
    /// Human title, shown in QGIS and on the web map.
    pub title: String,
    /// Longer description.
    #[serde(default)]
    pub description: String,
    /// Any vector source GDAL opens (GeoJSON, GeoPackage, Shapefile, ...), relative to the layer file.
    pub source: PathBuf,
    /// Layer name inside the source; the first layer when omitted.
    #[serde(default)]
    pub layer: Option<String>,
    /// Field that holds each unit's code (the key indicator tables use).
    pub key_field: String,
    /// Field that holds each unit's name.
    pub name_field: String,
    /// CRS of the source when it lacks or misstates one (`EPSG:9377`, a WKT or PROJ string).
    #[serde(default)]
    pub crs: Option<String>,
    /// Better names than the geometry source has (accents, official spelling), from a table.
    #[serde(default)]
    pub names: Option<NamesTable>,
    /// Code of the feature that stands for the whole municipality (the union of all units).
    #[serde(default = "default_city_code")]
    pub city_code: String,
    /// Name of that feature.
    #[serde(default = "default_city_name")]
    pub city_name: String,
    /// Attribution / source note, shown with the data.
    #[serde(default)]
    pub attribution: String,
    /// Lowest zoom at which the unit set's vector tiles are served (and exported), 0 to `max_zoom`; default 0. A
    /// dense set (census blocks) may start at 12, where its tiles stay small.
    #[serde(default)]
    pub min_zoom: u8,
    /// Highest zoom of the unit set's vector tiles (and of `ssepot tiles export`), 0 to 22; default 15.
    #[serde(default = "default_max_zoom")]
    pub max_zoom: u8,
    /// Whether the vector tiles carry the municipality's outline layer (`{id}_ciudad`, the union of the units,
    /// with the city-level values); default true. A dense set whose units do not touch (census blocks between
    /// streets) has no useful outline — its union is a lace of thousands of parts that costs half the tile
    /// time — so it may turn it off; city-level values stay in the API.
    #[serde(default = "default_true")]
    pub outline: bool,
    /// What a feature whose code an earlier feature already has does: `reject` (default; a rejected-feature line
    /// in the import report) or `merge` (its polygons join the earlier feature's, one unit of several parts, a
    /// note in the report) for a source that writes a unit of separate parts as separate features.
    #[serde(default)]
    pub duplicate_codes: DuplicateCodes,
    /// Licence terms of the boundaries, shown with the collection and on the map
    /// (`CC BY-SA 4.0 — no puede ser comercializada o transferida`).
    #[serde(default)]
    pub license: Option<String>,
    /// The level of the division the units are (`comuna`, `barrio`), shown by collections and the web map.
    #[serde(default)]
    pub level: Option<String>,
    /// The unit set this one nests in, and how its units find their parents (`docs/territory.md`).
    #[serde(default)]
    pub parent: Option<ParentConfig>,
    /// The boundary edition this unit set is, with its validity years (`docs/territory.md`).
    #[serde(default)]
    pub edition: Option<EditionConfig>,
}

/// What a unit set does with a feature whose code an earlier feature has (`duplicate_codes`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DuplicateCodes {
    /// The later feature is rejected (named in the import report).
    #[default]
    Reject,
    /// The later feature's polygons join the earlier one's: one unit of several parts.
    Merge,
}

fn default_true() -> bool {
    true
}

/// Highest zoom of a unit set's tiles unless its layer file says otherwise.
pub const DEFAULT_MAX_ZOOM: u8 = 15;

fn default_max_zoom() -> u8 {
    DEFAULT_MAX_ZOOM
}

fn default_city_code() -> String {
    "ciudad".into()
}
fn default_city_name() -> String {
    "Municipio".into()
}

/// A table that maps unit codes to display names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamesTable {
    /// Table file (CSV, XLSX, ODS or anything GDAL reads), relative to the layer file.
    pub path: PathBuf,
    /// Column with the unit code.
    pub key_column: String,
    /// Column with the display name.
    pub name_column: String,
}

/// Technical-sheet fields of an indicator (ficha técnica), all optional.
#[derive(Debug, Clone, Deserialize, Default, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TechnicalSheet {
    /// POT system (e.g. `Físico-Espaciales`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// POT subsystem (e.g. `Movilidad`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsystem: Option<String>,
    /// Responsible office (dependencia responsable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    /// Indicator type (e.g. `Resultado`, `Producto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Baseline year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_year: Option<i32>,
    /// Baseline value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_value: Option<f64>,
    /// Target value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Year the target refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_year: Option<i32>,
    /// What the indicator measures (definición).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// How it is computed, in words or as the formula of a computed indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// The variables of the formula and where each comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<String>,
    /// Whether higher or lower values are better; progress towards the target follows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Territorial level of the values (`comuna`, `ciudad`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territorial_level: Option<String>,
    /// How often it is measured (`anual`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periodicity: Option<String>,
    /// Sources of the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<String>,
    /// Where the plan asks for the indicator: `Programa de Ejecución`, `articulado` or `DTS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Intermediate and final targets, by year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    /// The first year whose values the source gives as projections (DANE's population projections: 2018);
    /// values of earlier years are measured. Left out, values are not marked (`model::value_kind`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projected_from: Option<i32>,
}

/// A target of an indicator for a year.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Year the target is due.
    pub year: i32,
    /// Value to reach.
    pub value: f64,
}

/// Which way an indicator improves.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher values are better (`creciente`).
    Higher,
    /// Lower values are better (`decreciente`).
    Lower,
}

/// One indicator read from a table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorConfig {
    /// Collection id, used in URLs.
    pub id: String,
    /// Indicator name.
    pub name: String,
    /// Unit of measure (`habitantes`, `%`, `m²/habitante`).
    pub unit: String,
    /// What the indicator measures and how.
    #[serde(default)]
    pub description: String,
    /// Id of the unit set the table's keys refer to.
    pub unit_set: String,
    /// Attribution / source note.
    #[serde(default)]
    pub attribution: String,
    /// True when the values are synthetic sample data; they are labelled as such everywhere.
    #[serde(default)]
    pub sample: bool,
    /// Where the values are and how they are written.
    pub table: TableSource,
    /// Technical-sheet fields.
    #[serde(default)]
    pub sheet: TechnicalSheet,
    /// How maps classify the values.
    #[serde(default)]
    pub style: StyleConfig,
    /// How the values roll up to the parent unit set (`docs/territory.md`).
    #[serde(default)]
    pub rollup: Option<RollupConfig>,
}

/// A table holding many indicators: metadata comes from its columns.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatteryConfig {
    /// Id of the unit set the table's keys refer to.
    pub unit_set: String,
    /// Attribution / source note for every indicator of the table.
    #[serde(default)]
    pub attribution: String,
    /// True when the values are synthetic sample data.
    #[serde(default)]
    pub sample: bool,
    /// Where the values are and how they are written (`key_column` is the territory code).
    pub table: TableSource,
    /// Which columns hold each indicator's metadata.
    pub columns: BatteryColumns,
    /// How maps classify the values of every indicator of the table.
    #[serde(default)]
    pub style: StyleConfig,
}

/// Column names of a battery table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatteryColumns {
    /// Indicator code (becomes the collection id, lower-cased).
    pub id: String,
    /// Indicator name.
    pub name: String,
    /// Unit of measure.
    pub unit: String,
    /// POT system.
    #[serde(default)]
    pub system: Option<String>,
    /// POT subsystem.
    #[serde(default)]
    pub subsystem: Option<String>,
    /// Responsible office.
    #[serde(default)]
    pub office: Option<String>,
    /// Indicator type.
    #[serde(default)]
    pub kind: Option<String>,
    /// Baseline year.
    #[serde(default)]
    pub baseline_year: Option<String>,
    /// Baseline value.
    #[serde(default)]
    pub baseline_value: Option<String>,
    /// Target value.
    #[serde(default)]
    pub target: Option<String>,
    /// Year the target column refers to (e.g. 2027 for `Meta 2027`).
    #[serde(default)]
    pub target_year: Option<i32>,
}

/// A layer-file problem, with the file and (when known) the line and field.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read: {source}")]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}:{line}: {message}")]
    Parse {
        file: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{file}: field `{field}`: {message}")]
    Invalid {
        file: PathBuf,
        field: String,
        message: String,
    },
}

impl LayerFile {
    /// Reads and checks one layer file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: path.to_owned(),
            source,
        })?;
        let parsed: LayerFile = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            file: path.to_owned(),
            line: e
                .span()
                .map(|s| text[..s.start].lines().count().max(1))
                .unwrap_or(0),
            message: e.message().to_string(),
        })?;
        parsed.check(path)?;
        Ok(parsed)
    }

    fn check(&self, file: &Path) -> Result<(), ConfigError> {
        let invalid = |field: &str, message: String| ConfigError::Invalid {
            file: file.to_owned(),
            field: field.into(),
            message,
        };
        let ids = self.unit_set.iter().map(|u| ("unit_set.id", &u.id));
        let ids = ids.chain(self.indicator.iter().map(|i| ("indicator.id", &i.id)));
        let ids = ids.chain(self.computed.iter().map(|i| ("computed.id", &i.id)));
        for (field, id) in ids {
            if !is_valid_id(id) {
                return Err(invalid(
                    field,
                    format!(
                        "`{id}` is not a valid id: use lower-case letters, digits, `-` and `_`"
                    ),
                ));
            }
        }
        if let Some(u) = self.unit_set.iter().find(|u| u.max_zoom > 22) {
            return Err(invalid(
                "unit_set.max_zoom",
                format!("{} is above 22", u.max_zoom),
            ));
        }
        if let Some(u) = self.unit_set.iter().find(|u| u.min_zoom > u.max_zoom) {
            return Err(invalid(
                "unit_set.min_zoom",
                format!(
                    "{} is above max_zoom ({}) of unit set `{}`",
                    u.min_zoom, u.max_zoom, u.id
                ),
            ));
        }
        let tables = self.indicator.iter().map(|i| ("indicator.table", &i.table));
        for (field, table) in tables.chain(self.battery.iter().map(|b| ("battery.table", &b.table)))
        {
            table
                .check()
                .map_err(|(f, m)| invalid(&format!("{field}.{f}"), m))?;
        }
        for c in &self.computed {
            c.check()
                .map_err(|(f, m)| invalid(&format!("computed.{f}"), format!("`{}`: {m}", c.id)))?;
        }
        self.check_territory(file)?;
        if let Some(s) = &self.ssepot {
            s.check()
                .map_err(|(f, m)| invalid(&format!("ssepot.{f}"), m))?;
        }
        if let Some(w) = &self.web_map {
            w.check()
                .map_err(|(f, m)| invalid(&format!("web_map.{f}"), m))?;
        }
        Ok(())
    }
}

impl LayerFile {
    /// Hierarchies, roll-ups and crosswalks.
    fn check_territory(&self, file: &Path) -> Result<(), ConfigError> {
        let invalid = |field: String, message: String| ConfigError::Invalid {
            file: file.to_owned(),
            field,
            message,
        };
        for u in &self.unit_set {
            if let Some(p) = &u.parent {
                p.check().map_err(|(f, m)| {
                    invalid(format!("unit_set.parent.{f}"), format!("`{}`: {m}", u.id))
                })?;
            }
        }
        let rollups = self
            .indicator
            .iter()
            .filter_map(|i| i.rollup.as_ref().map(|r| ("indicator", r)));
        let rollups = rollups.chain(
            self.computed
                .iter()
                .filter_map(|c| c.rollup.as_ref().map(|r| ("computed", r))),
        );
        for (kind, r) in rollups {
            r.check()
                .map_err(|(f, m)| invalid(format!("{kind}.rollup.{f}"), m))?;
        }
        for c in &self.crosswalk {
            if !is_valid_id(&c.id) {
                return Err(invalid(
                    "crosswalk.id".into(),
                    format!("`{}` is not a valid id", c.id),
                ));
            }
            if !(0.0..0.5).contains(&c.min_share) {
                return Err(invalid(
                    "crosswalk.min_share".into(),
                    format!("{} is not a share in [0, 0.5)", c.min_share),
                ));
            }
        }
        Ok(())
    }
}

/// Collection ids appear in URLs and tile property names.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The layer files of a folder, sorted by name so loading order is stable.
pub fn layer_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    Ok(files)
}
