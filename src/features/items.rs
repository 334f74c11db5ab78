//! Selecting a page of features and writing it as GeoJSON.

use super::collection::{Collection, Feature};
use super::query::ItemsQuery;
use bytes::Bytes;
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
        let page = super::Page::select(c, &q);
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
