//! OGC API Features: collections and their features, rendered once per snapshot.
//!
//! Each unit set is a collection of its territories; each indicator is a collection of
//! territory-years. Geometries are rendered to GeoJSON once per unit ([`geojson::geometry_json`]) and
//! shared by every feature and every request; a page of `/items` is a concatenation of prepared bytes.

pub mod change;
pub mod collection;
pub mod crosswalk;
pub mod crs;
pub mod download;
pub mod filter;
pub mod geojson;
pub mod index;
pub mod items;
pub mod query;
pub mod series;

pub use collection::{Collection, CollectionKind};
pub use items::Page;
pub use query::ItemsQuery;

use crate::model::Snapshot;

/// The feature collections of one snapshot.
pub struct Catalog {
    pub collections: Vec<Collection>,
}

impl Catalog {
    pub fn build(snapshot: &Snapshot) -> Self {
        let mut collections = Vec::new();
        for set in &snapshot.unit_sets {
            let geometries = std::sync::Arc::new(collection::Geometries::render(set));
            let indicators: std::sync::Arc<[_]> =
                snapshot.indicators_of(&set.id).cloned().collect();
            collections.push(
                Collection::of_unit_set(set, &geometries).with_set_indicators(indicators.clone()),
            );
            for indicator in snapshot.indicators_of(&set.id) {
                collections.push(
                    Collection::of_indicator(indicator, &geometries)
                        .with_set_indicators(indicators.clone()),
                );
            }
        }
        link_levels(&mut collections, snapshot);
        Self { collections }
    }

    pub fn get(&self, id: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.id == id)
    }
}

/// From this zoom the web map shows an indicator's lower level (barrios) instead of its roll-up (comunas), when
/// it has both. The rule lives here; the page reads it from the collections (`ssepot.territory.child_zoom`).
pub const CHILD_ZOOM: f64 = 13.0;

/// Ties each roll-up to the indicator it rolls up (`ssepot.territory.rollup` and `rollup_of`), so clients can
/// switch between the two levels of one quantity.
fn link_levels(collections: &mut [Collection], snapshot: &Snapshot) {
    for r in snapshot
        .report
        .territory
        .rollups
        .iter()
        .filter(|r| r.error.is_none())
    {
        for c in collections.iter_mut() {
            let t = &mut c.metadata["territory"];
            if c.id == r.from {
                t["rollup"] = r.id.clone().into();
                t["child_zoom"] = CHILD_ZOOM.into();
            } else if c.id == r.id {
                t["rollup_of"] = r.from.clone().into();
                t["rule"] = r.rule.clone().into();
                t["child_zoom"] = CHILD_ZOOM.into();
            }
        }
    }
}
