//! OGC API Features: collections and their features, rendered once per snapshot.
//!
//! Each unit set is a collection of its territories; each indicator is a collection of
//! territory-years. Geometries are rendered to GeoJSON once per unit ([`geojson::geometry_json`]) and
//! shared by every feature and every request; a page of `/items` is a concatenation of prepared bytes.

pub mod change;
pub mod collection;
pub mod download;
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
            collections.push(Collection::of_unit_set(set, &geometries));
            for indicator in snapshot.indicators_of(&set.id) {
                collections.push(Collection::of_indicator(indicator, &geometries));
            }
        }
        Self { collections }
    }

    pub fn get(&self, id: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.id == id)
    }
}
