//! Selecting a page of features and writing it as GeoJSON.
//!
//! Filters go through indexes, never a scan of every feature: `code` is a key lookup, `bbox` an R-tree query
//! ([`super::index`]), and years are ranges of the year-ordered features, so a query on a million-unit set
//! costs what it costs on the comunas, plus the matches themselves.

use super::collection::{Collection, Feature};
use super::query::ItemsQuery;
use crate::model::UnitRef;
use geo::Rect;

/// The features of one `/items` response.
pub struct Page<'c> {
    pub number_matched: usize,
    pub offset: usize,
    pub limit: usize,
    pub features: Vec<Feature>,
    collection: std::marker::PhantomData<&'c Collection>,
}

impl<'c> Page<'c> {
    /// Applies the filters, then `offset` and `limit`.
    pub fn select(collection: &'c Collection, q: &ItemsQuery) -> Self {
        let positions = matching(collection, q);
        let number_matched = positions.len();
        let features = positions
            .iter(q.offset)
            .take(q.limit)
            .map(|i| collection.feature_at(i))
            .collect();
        Self {
            number_matched,
            offset: q.offset,
            limit: q.limit,
            features,
            collection: std::marker::PhantomData,
        }
    }

    pub fn has_next(&self) -> bool {
        self.offset + self.features.len() < self.number_matched
    }

    pub fn has_prev(&self) -> bool {
        self.offset > 0
    }

    /// The page as a GeoJSON FeatureCollection with OGC API members; `links` is a JSON array.
    pub fn to_geojson(&self, links: &str, time_stamp: &str) -> Vec<u8> {
        let size: usize =
            self.features.iter().map(|f| f.len() + 1).sum::<usize>() + links.len() + 256;
        let mut out = Vec::with_capacity(size);
        out.extend_from_slice(br#"{"type":"FeatureCollection","features":["#);
        for (i, f) in self.features.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(f.head.as_bytes());
            out.extend_from_slice(f.geometry_json.as_bytes());
            out.extend_from_slice(f.tail.as_bytes());
        }
        let tail = format!(
            r#"],"numberMatched":{},"numberReturned":{},"timeStamp":"{time_stamp}","links":{links}}}"#,
            self.number_matched,
            self.features.len()
        );
        out.extend_from_slice(tail.as_bytes());
        out
    }
}

/// The positions of the features that pass the filters, in collection order (year, then territory).
enum Positions {
    /// Ranges of consecutive features (no territory filter).
    Ranges(Vec<std::ops::Range<usize>>),
    /// Single features (a territory filter).
    List(Vec<usize>),
}

impl Positions {
    fn len(&self) -> usize {
        match self {
            Self::Ranges(r) => r.iter().map(|r| r.len()).sum(),
            Self::List(l) => l.len(),
        }
    }

    fn iter(&self, skip: usize) -> Box<dyn Iterator<Item = usize> + '_> {
        match self {
            Self::Ranges(ranges) => {
                // Whole ranges before the offset are stepped over, not walked.
                let mut skip = skip;
                Box::new(ranges.iter().flat_map(move |r| {
                    let from = r.start + skip.min(r.len());
                    skip -= skip.min(r.len());
                    from..r.end
                }))
            }
            Self::List(l) => Box::new(l.iter().copied().skip(skip)),
        }
    }
}

fn matching(c: &Collection, q: &ItemsQuery) -> Positions {
    let years: Vec<Option<i32>> = c
        .feature_years()
        .into_iter()
        .filter(|y| q.matches_year(*y))
        .collect();
    let mut units: Option<Vec<UnitRef>> = None;
    if let Some(code) = q.code.as_deref() {
        units = Some(c.unit_by_key(code).into_iter().collect());
    }
    if let Some([a, b, cx, d]) = q.bbox {
        // A bbox crossing the antimeridian has min lon > max lon; no unit set here spans it.
        let r = Rect::new(
            geo::coord! { x: a.min(cx), y: b },
            geo::coord! { x: a.max(cx), y: d },
        );
        let near = c.geometries().meeting(r);
        units = Some(match units {
            Some(u) => u.into_iter().filter(|x| near.contains(x)).collect(),
            None => near,
        });
    }
    match units {
        None => Positions::Ranges(years.into_iter().map(|y| c.year_range(y)).collect()),
        Some(units) => Positions::List(
            years
                .into_iter()
                .flat_map(|y| units.iter().filter_map(move |u| c.position(*u, y)))
                .collect(),
        ),
    }
}

/// One feature as a GeoJSON document with its links.
pub fn feature_geojson(f: &Feature, links: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(f.len() + links.len() + 16);
    out.extend_from_slice(f.head.as_bytes());
    out.extend_from_slice(f.geometry_json.as_bytes());
    // `tail` closes the feature object; reopen it to add the links member.
    out.extend_from_slice(&f.tail.as_bytes()[..f.tail.len() - 1]);
    out.extend_from_slice(br#","links":"#);
    out.extend_from_slice(links.as_bytes());
    out.push(b'}');
    out
}
