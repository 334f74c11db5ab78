//! The typed `/items` query: which features, which page. The HTTP layer reads it from the query string
//! (`http::params`), with one rule per kind of parameter.

use super::filter::{FilterRequest, SortKey};

/// Default page size when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page size; larger `limit` values are reduced to it (as OGC API Features requires).
pub const MAX_LIMIT: usize = 1000;
/// Largest `offset`: far beyond any collection served, and small enough that `offset + limit` never
/// overflows.
pub const MAX_OFFSET: usize = u32::MAX as usize;

/// A year interval; `None` ends are open.
pub type YearRange = (Option<i32>, Option<i32>);

/// What a client asked of `/items`.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemsQuery {
    /// Features per page, 1 to [`MAX_LIMIT`].
    pub limit: usize,
    /// Features skipped, 0 to [`MAX_OFFSET`].
    pub offset: usize,
    /// `[min lon, min lat, max lon, max lat]`, CRS84, min ≤ max.
    pub bbox: Option<[f64; 4]>,
    /// A `bbox` given in another CRS (`bbox-crs`), as the CRS84 polygon it covers; `bbox` is then its envelope.
    pub bbox_shape: Option<geo::Polygon<f64>>,
    /// Only features of these years.
    pub datetime: Option<YearRange>,
    /// Normalised territory code.
    pub code: Option<String>,
    /// Only features of this year.
    pub year: Option<i32>,
    /// Only the territories whose parent (in the unit set's parent set) has this normalised key.
    pub parent: Option<String>,
    /// Only the territories whose name holds this text, folded ([`crate::model::fold_name`]).
    pub q: Option<String>,
    /// Only features the CQL2 filter is true for.
    pub filter: Option<FilterRequest>,
    /// The order of the features (collection order when empty).
    pub sortby: Vec<SortKey>,
}

impl Default for ItemsQuery {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            offset: 0,
            bbox: None,
            bbox_shape: None,
            datetime: None,
            code: None,
            year: None,
            parent: None,
            q: None,
            filter: None,
            sortby: Vec::new(),
        }
    }
}

impl ItemsQuery {
    /// Whether a feature of this year passes the year filters (`datetime`, `year`).
    pub fn matches_year(&self, year: Option<i32>) -> bool {
        let Some(y) = year else {
            return self.datetime.is_none() && self.year.is_none();
        };
        self.year.is_none_or(|want| want == y)
            && self
                .datetime
                .is_none_or(|(a, b)| a.is_none_or(|a| y >= a) && b.is_none_or(|b| y <= b))
    }

    /// The offset of the next page (saturating: offsets are bounded, but the sum is never trusted).
    pub fn next_offset(&self) -> usize {
        self.offset.saturating_add(self.limit)
    }

    /// The offset of the previous page.
    pub fn prev_offset(&self) -> usize {
        self.offset.saturating_sub(self.limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_interval_keeps_the_years_on_its_side() {
        let q = ItemsQuery {
            datetime: Some((None, Some(2020))),
            ..Default::default()
        };
        assert!(q.matches_year(Some(2020)) && q.matches_year(Some(2003)));
        assert!(!q.matches_year(Some(2021)) && !q.matches_year(None));
    }

    #[test]
    fn page_offsets_never_overflow() {
        let q = ItemsQuery {
            offset: usize::MAX,
            limit: MAX_LIMIT,
            ..Default::default()
        };
        assert_eq!(q.next_offset(), usize::MAX);
        assert_eq!(q.prev_offset(), usize::MAX - MAX_LIMIT);
    }
}
