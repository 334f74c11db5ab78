//! Where each unit of a set sits in its parent set: a unit has one parent, or several when a table splits it
//! (the DAP's `SN01` under three comunas), each with the share of the unit's area inside it.

use crate::config::PlaceRule;
use serde::Serialize;

/// How a unit was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacedBy {
    /// The layer file's exceptions table.
    Exception,
    /// One of the declared rules.
    Rule(PlaceRule),
}

/// One parent of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ParentLink {
    /// Index of the parent in the parent set's units.
    pub parent: usize,
    /// Share of the unit's area (EPSG:9377) inside this parent, 0–1.
    pub area_share: f64,
    pub by: PlacedBy,
}

/// The placement of every unit of a set in its parent set.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    /// Id of the parent unit set.
    pub parent_set: String,
    /// Per unit (in set order), its parents; empty for a unit that could not be placed.
    pub links: Vec<Vec<ParentLink>>,
    /// The parent set's units as `(code, normalised key)`, in its order: what `links` point to.
    pub parents: Vec<(String, String)>,
}

impl Placement {
    /// Indices of the units whose parents include `parent`, in set order.
    pub fn children_of(&self, parent: usize) -> Vec<usize> {
        self.links
            .iter()
            .enumerate()
            .filter(|(_, l)| l.iter().any(|p| p.parent == parent))
            .map(|(i, _)| i)
            .collect()
    }

    /// The index of the parent unit with this normalised key.
    pub fn parent_index(&self, key: &str) -> Option<usize> {
        self.parents.iter().position(|(_, k)| k == key)
    }

    /// The codes of a unit's parents.
    pub fn parent_codes(&self, child: usize) -> Vec<&str> {
        self.links
            .get(child)
            .map(|l| {
                l.iter()
                    .map(|p| self.parents[p.parent].0.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether unit `child` has `parent` among its parents.
    pub fn is_child_of(&self, child: usize, parent: usize) -> bool {
        self.links
            .get(child)
            .is_some_and(|l| l.iter().any(|p| p.parent == parent))
    }
}

/// The edition a unit set is, as the model keeps it.
pub use crate::config::EditionConfig as Edition;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_unit_is_a_child_of_each_of_its_parents() {
        let link = |parent| ParentLink {
            parent,
            area_share: 0.5,
            by: PlacedBy::Exception,
        };
        let p = Placement {
            parent_set: "comunas".into(),
            links: vec![vec![link(0)], vec![link(0), link(1)], vec![]],
            parents: vec![("01".into(), "1".into()), ("02".into(), "2".into())],
        };
        assert_eq!(p.children_of(0), vec![0, 1]);
        assert_eq!(p.children_of(1), vec![1]);
        assert!(!p.is_child_of(2, 0));
    }
}
