//! OGC API Features Part 3: `filter` in CQL2 (text or JSON), and `sortby`.
//!
//! The text is parsed by the `cql2` crate (which follows the OGC test suite); what it means is decided
//! here, against the collection's queryables ([`queryables`]): [`compile`] checks every name and type and
//! turns the expression into a [`Filter`] whose spatial predicates are already answered for every unit
//! (once per unit, not per territory-year, and only for the units whose box the R-tree finds near the
//! literal), so testing a feature is a few comparisons. Logic is CQL2's three-valued one: a comparison
//! with a null (`ND`) is unknown, and a feature is returned only when the filter is true.
//!
//! What a filter may cost is bounded ([`limits`]): length, nesting and literal vertices, each checked
//! before the work it bounds.

mod compile;
mod eval;
pub mod limits;
mod parse;
pub mod queryables;
mod sortby;
mod spatial;
mod temporal;
mod text;

pub use compile::compile;
pub use sortby::{check as check_sortby, parse_sortby, SortKey};

use crate::features::crs::Crs;
use crate::features::Collection;

/// The language of a `filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Cql2Text,
    Cql2Json,
}

/// A filter as the client sent it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilterRequest {
    pub text: String,
    pub lang: Lang,
    /// The CRS of the geometry literals (`filter-crs`), in its authority's axis order; CRS84 when `None`.
    pub crs: Option<Crs>,
}

/// Why a filter or a sort was refused: a 400 naming `parameter`.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterError {
    /// `filter` or `sortby`.
    pub parameter: &'static str,
    pub reason: String,
    /// Character offset (0-based) in the text where the problem is, when it is known.
    pub position: Option<usize>,
}

impl FilterError {
    fn new(reason: impl Into<String>) -> Self {
        Self {
            parameter: "filter",
            reason: reason.into(),
            position: None,
        }
    }

    fn at(mut self, position: Option<usize>) -> Self {
        self.position = position;
        self
    }

    fn limit(reason: String) -> Self {
        Self::new(reason)
    }

    /// The message of the 400.
    pub fn message(&self) -> String {
        match self.position {
            Some(p) => format!("at character {}: {}", p + 1, self.reason),
            None => self.reason.clone(),
        }
    }
}

/// A compiled filter, valid for the collection it was compiled for.
pub struct Filter {
    root: compile::Node,
}

impl Filter {
    /// Whether feature `i` of the collection passes (true; unknown and false do not).
    pub fn matches(&self, c: &Collection, i: usize) -> bool {
        let row = queryables::Row::at(c, i);
        eval::truth(&self.root, &row) == Some(true)
    }
}

/// Sorts feature positions by the keys; equal keys keep collection order (year, then territory).
pub fn sort(c: &Collection, positions: &mut [usize], keys: &[SortKey]) {
    sortby::sort(c, positions, keys)
}
