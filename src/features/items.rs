//! Selecting a page of features and writing it as GeoJSON.

use super::collection::{Collection, Feature};
use super::query::ItemsQuery;
use geo::{Intersects, Rect};

/// The features of one `/items` response.
pub struct Page<'c> {
    pub number_matched: usize,
    pub offset: usize,
    pub limit: usize,
    pub features: Vec<&'c Feature>,
}

impl<'c> Page<'c> {
    /// Applies the filters, then `offset` and `limit`.
    pub fn select(collection: &'c Collection, q: &ItemsQuery) -> Self {
        let bbox = q.bbox.map(|[a, b, c, d]| {
            // A bbox crossing the antimeridian has min lon > max lon; no unit set here spans it.
            Rect::new(
                geo::coord! { x: a.min(c), y: b },
                geo::coord! { x: a.max(c), y: d },
            )
        });
        let matching = collection.features.iter().filter(|f| {
            q.code.as_deref().is_none_or(|k| f.key == k)
                && q.matches_year(f.year)
                && bbox.is_none_or(|r| r.intersects(&f.bbox) && r.intersects(&*f.geometry))
        });
        let mut number_matched = 0;
        let mut features = Vec::new();
        for (i, f) in matching.enumerate() {
            number_matched += 1;
            if i >= q.offset && features.len() < q.limit {
                features.push(f);
            }
        }
        Self {
            number_matched,
            offset: q.offset,
            limit: q.limit,
            features,
        }
    }

    pub fn has_next(&self) -> bool {
        self.offset.saturating_add(self.features.len()) < self.number_matched
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
