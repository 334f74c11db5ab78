//! Selecting a page of features and writing it as GeoJSON.
//!
//! Filters go through indexes, never a scan of every feature: `code` is a key lookup, `bbox` an R-tree query
//! ([`super::index`]), and years are ranges of the year-ordered features, so a query on a million-unit set
//! costs what it costs on the comunas, plus the matches themselves.

use super::collection::{Collection, Feature};
use super::crs::Crs;
use super::filter::{self, FilterError};
use super::query::ItemsQuery;
use crate::model::UnitRef;
use bytes::Bytes;
use geo::{Intersects, Rect};

/// The features of one `/items` response.
pub struct Page<'c> {
    pub number_matched: usize,
    pub offset: usize,
    pub limit: usize,
    pub features: Vec<Feature>,
    collection: std::marker::PhantomData<&'c Collection>,
}

impl<'c> Page<'c> {
    /// Applies the filters, the CQL2 filter and the sort, then `offset` and `limit`. A filter or sort the
    /// collection cannot answer (an unknown queryable, a type mismatch…) is an error naming its parameter.
    pub fn select(collection: &'c Collection, q: &ItemsQuery) -> Result<Self, FilterError> {
        let mut positions = matching(collection, q);
        let compiled = q
            .filter
            .as_ref()
            .map(|f| filter::compile(f, collection))
            .transpose()?;
        if !q.sortby.is_empty() {
            filter::check_sortby(collection, &q.sortby)?;
        }
        if compiled.is_some() || !q.sortby.is_empty() {
            let mut list: Vec<usize> = positions
                .iter(0)
                .filter(|&i| compiled.as_ref().is_none_or(|f| f.matches(collection, i)))
                .collect();
            filter::sort(collection, &mut list, &q.sortby);
            positions = Positions::List(list);
        }
        let number_matched = positions.len();
        let features = positions
            .iter(q.offset)
            .take(q.limit)
            .map(|i| collection.feature_at(i))
            .collect();
        Ok(Self {
            number_matched,
            offset: q.offset,
            limit: q.limit,
            features,
            collection: std::marker::PhantomData,
        })
    }

    pub fn has_next(&self) -> bool {
        self.offset.saturating_add(self.features.len()) < self.number_matched
    }

    pub fn has_prev(&self) -> bool {
        self.offset > 0
    }
}

/// A geometry's prepared JSON, shared with the catalogue by a streamed body instead of copied into it.
struct SharedJson(std::sync::Arc<str>);

impl AsRef<[u8]> for SharedJson {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl Page<'_> {
    /// The page as a GeoJSON FeatureCollection with OGC API members (`links` is a JSON array), in pieces for a
    /// streamed body. Geometries (nearly all of the bytes) are the catalogue's own, not copies, so a client that
    /// reads slowly holds little memory.
    pub fn geojson_chunks(&self, links: &str, time_stamp: &str) -> Vec<Bytes> {
        let mut chunks = Vec::with_capacity(2 * self.features.len() + 2);
        let mut text = String::from(r#"{"type":"FeatureCollection","features":["#);
        for (i, f) in self.features.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&f.head);
            chunks.push(Bytes::from(std::mem::take(&mut text)));
            chunks.push(Bytes::from_owner(SharedJson(f.geometry_json.clone())));
            text.push_str(&f.tail);
        }
        text.push_str(&format!(
            r#"],"numberMatched":{},"numberReturned":{},"timeStamp":"{time_stamp}","links":{links}}}"#,
            self.number_matched,
            self.features.len()
        ));
        chunks.push(Bytes::from(text));
        chunks
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
    if let Some(parent) = q.parent.as_deref() {
        let children = c.children_of(parent);
        units = Some(match units {
            Some(u) => u.into_iter().filter(|x| children.contains(x)).collect(),
            None => children,
        });
    }
    if let Some(text) = q.q.as_deref() {
        let named = c.named(text);
        units = Some(match units {
            Some(u) => u.into_iter().filter(|x| named.contains(x)).collect(),
            None => named,
        });
    }
    if let Some([a, b, cx, d]) = q.bbox {
        // A bbox crossing the antimeridian has min lon > max lon; no unit set here spans it.
        let r = Rect::new(
            geo::coord! { x: a.min(cx), y: b },
            geo::coord! { x: a.max(cx), y: d },
        );
        let mut near = c.geometries().meeting(r);
        if let Some(shape) = &q.bbox_shape {
            near.retain(|u| shape.intersects(&*c.geometries().get(*u).geometry));
        }
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

/// Features with their geometries in `crs`, transformed by PROJ from the full-precision CRS84 geometry; each
/// unit's geometry once, however many of its years are in the page. CPU work: callers run it off the async
/// workers.
pub fn features_in_crs(features: Vec<Feature>, crs: &Crs) -> Result<Vec<Feature>, String> {
    let mut memo = std::collections::HashMap::new();
    features
        .into_iter()
        .map(|f| f.in_crs(crs, &mut memo))
        .collect()
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

#[cfg(test)]
mod tests {
    use crate::features::{Catalog, ItemsQuery};

    #[test]
    fn the_streamed_pieces_make_one_feature_collection() {
        let snapshot = crate::ingest::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("layers"),
            None,
        )
        .unwrap();
        let catalog = Catalog::build(&snapshot);
        let c = catalog.get("homicidios").unwrap();
        let q = ItemsQuery {
            limit: 30,
            ..ItemsQuery::default()
        };
        let page = super::Page::select(c, &q).unwrap();
        let pieces: Vec<u8> = page.geojson_chunks("[]", "2024-01-01T00:00:00Z").concat();
        let parsed: serde_json::Value = serde_json::from_slice(&pieces).unwrap();
        let features = parsed["features"].as_array().unwrap();
        assert_eq!(features.len(), 30);
        assert_eq!(
            parsed["numberMatched"], 441,
            "the rows of the homicides CSV"
        );
        assert_eq!(features[0]["geometry"]["type"], "MultiPolygon");
        assert_eq!(parsed["links"], serde_json::json!([]));
    }
}
