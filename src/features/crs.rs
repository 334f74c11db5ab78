//! Coordinate reference systems served by the features API (OGC API Features Part 2, CRS by reference): which
//! ones a collection offers, how they are named, their axis order and precision, and the PROJ transformations
//! to and from the snapshot's CRS84. One home for these rules: `/items`, `/items/{id}`, downloads, `bbox-crs` and
//! CQL2's `filter-crs` all use this module.
//!
//! 1. **The list.** Every collection offers CRS84 (the default), EPSG:4326, EPSG:3857, EPSG:9377
//!    (MAGNA-SIRGAS / Origen-Nacional, Colombia's official cartography since 2020) and its source's own CRS
//!    when it has an EPSG code ([`offered`]).
//! 2. **Names.** A CRS is written as its OGC URI (`http://www.opengis.net/def/crs/EPSG/0/9377`); requests may
//!    also use the `https` URI, a safe CURIE (`[EPSG:9377]`), `EPSG:9377` or the OGC URN ([`normalize`]).
//! 3. **Axis order** is the authority's, as the standard says, read from the CRS definition (GDAL/PROJ's
//!    database), not assumed: CRS84 is longitude, latitude; EPSG:4326 latitude, longitude; EPSG:3857 easting,
//!    northing; EPSG:9377 **northing, easting** (as EPSG defines it; GDAL ≥ 3.7 and QGIS read it so).
//! 4. **Precision.** Geographic CRSs are written to 1e-7° (about 1 cm), projected ones to the millimetre.
//! 5. **Transformations** run in PROJ from the snapshot's full-precision CRS84 geometry (itself PROJ's
//!    transformation of the source), never from rounded output. `proj::Proj` is neither `Send` nor `Sync`, so each
//!    thread keeps its own transformations ([`with_proj`]): a request transforms its page synchronously on the
//!    thread that serves it, and nothing per CRS is kept in memory for the 100 000- and million-unit sets.

use geo::{Coord, MapCoords, Polygon};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// PROJ's name of the snapshot's CRS.
pub const CRS84_CODE: &str = "OGC:CRS84";
/// The OGC URI of CRS84.
pub const CRS84_URI: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
/// The CRSs every collection offers besides CRS84, by code.
pub const ALWAYS: [&str; 3] = ["EPSG:4326", "EPSG:3857", "EPSG:9377"];

/// A CRS a collection offers, with what its coordinates need.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Crs {
    /// `OGC:CRS84` or `EPSG:{code}`.
    code: String,
    /// The authority's first axis is northing or latitude.
    north_first: bool,
    /// Coordinates are degrees.
    geographic: bool,
}

impl Crs {
    /// CRS84: longitude, latitude in degrees.
    pub fn crs84() -> Self {
        Self {
            code: CRS84_CODE.into(),
            north_first: false,
            geographic: true,
        }
    }

    /// The CRS with this code (`EPSG:9377`), its axes and kind read from GDAL's (PROJ's) database.
    pub fn from_code(code: &str) -> Result<Self, String> {
        if code == CRS84_CODE {
            return Ok(Self::crs84());
        }
        let srs = gdal::spatial_ref::SpatialRef::from_definition(code)
            .map_err(|e| format!("`{code}` is not a CRS GDAL knows: {e}"))?;
        let geographic = srs.is_geographic();
        let key = if geographic { "GEOGCS" } else { "PROJCS" };
        let first = srs
            .axis_orientation(key, 0)
            .map_err(|e| format!("`{code}`: no first axis: {e}"))?;
        // GDAL's `OGRAxisOrientation` (`OAO_North` = 1, `OAO_South` = 2), which the gdal crate does not re-export.
        const NORTH: u32 = 1;
        const SOUTH: u32 = 2;
        Ok(Self {
            code: code.to_string(),
            north_first: first == NORTH || first == SOUTH,
            geographic,
        })
    }

    /// Its WKT, from GDAL's (PROJ's) database, for documents that define a CRS in full (a QGIS project).
    pub fn wkt(&self) -> Result<String, String> {
        gdal::spatial_ref::SpatialRef::from_definition(&self.code)
            .and_then(|s| s.to_wkt())
            .map_err(|e| format!("no WKT for {}: {e}", self.code))
    }

    /// `OGC:CRS84` or `EPSG:{code}`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The OGC URI (`http://www.opengis.net/def/crs/EPSG/0/9377`).
    pub fn uri(&self) -> String {
        match self.code.split_once(':') {
            Some(("EPSG", n)) => format!("http://www.opengis.net/def/crs/EPSG/0/{n}"),
            _ => CRS84_URI.to_string(),
        }
    }

    /// The `Content-Crs` header value: the URI in angle brackets.
    pub fn content_crs(&self) -> String {
        format!("<{}>", self.uri())
    }

    pub fn is_crs84(&self) -> bool {
        self.code == CRS84_CODE
    }

    /// Whether the first coordinate is northing or latitude.
    pub fn north_first(&self) -> bool {
        self.north_first
    }

    pub fn is_geographic(&self) -> bool {
        self.geographic
    }

    /// Decimal places written: 7 in degrees (about 1 cm), 3 in metres (1 mm).
    pub fn decimals(&self) -> i32 {
        if self.geographic {
            7
        } else {
            3
        }
    }

    /// Coordinates on WGS 84 / CRS84 itself (no transformation, at most an axis swap).
    fn same_datum_as_crs84(&self) -> bool {
        self.code == CRS84_CODE || self.code == "EPSG:4326"
    }

    /// A CRS84 geometry in this CRS, in its axis order (not rounded).
    pub fn from_crs84<G>(&self, geometry: &G) -> Result<G, String>
    where
        G: MapCoords<f64, f64, Output = G> + proj::Transform<f64> + Clone,
    {
        Ok(self.to_axis_order(self.from_crs84_gis_order(geometry)?))
    }

    /// A CRS84 geometry in this CRS with x = easting or longitude, as formats that fix the order write it
    /// (GeoPackage, WKT in GDAL's traditional GIS order).
    pub fn from_crs84_gis_order<G>(&self, geometry: &G) -> Result<G, String>
    where
        G: proj::Transform<f64> + Clone,
    {
        let mut g = geometry.clone();
        if !self.same_datum_as_crs84() {
            with_proj(CRS84_CODE, &self.code, |p| g.transform(p))?
                .map_err(|e| format!("PROJ cannot transform to {}: {e}", self.code))?;
        }
        Ok(g)
    }

    /// A geometry written in this CRS's axis order, in CRS84.
    pub fn to_crs84<G>(&self, geometry: &G) -> Result<G, String>
    where
        G: MapCoords<f64, f64, Output = G> + proj::Transform<f64> + Clone,
    {
        let mut g = self.to_axis_order(geometry.clone());
        if !self.same_datum_as_crs84() {
            with_proj(&self.code, CRS84_CODE, |p| g.transform(p))?
                .map_err(|e| format!("PROJ cannot transform from {}: {e}", self.code))?;
        }
        Ok(g)
    }

    /// Swaps the axes when the authority's order is northing first (the swap is its own inverse).
    fn to_axis_order<G: MapCoords<f64, f64, Output = G>>(&self, g: G) -> G {
        if self.north_first {
            g.map_coords(|c| Coord { x: c.y, y: c.x })
        } else {
            g
        }
    }

    /// Checks a box written in this CRS: degrees within ±180 (longitude) and ±90 (latitude), in its axis order.
    pub fn check_bbox(&self, b: [f64; 4]) -> Result<(), String> {
        if !self.geographic {
            return Ok(());
        }
        let (lon, lat) = if self.north_first {
            ([b[1], b[3]], [b[0], b[2]])
        } else {
            ([b[0], b[2]], [b[1], b[3]])
        };
        let inside = |v: [f64; 2], max: f64| v.iter().all(|x| (-max..=max).contains(x));
        if inside(lon, 180.0) && inside(lat, 90.0) {
            Ok(())
        } else {
            let order = if self.north_first {
                "lat, lon"
            } else {
                "lon, lat"
            };
            Err(format!(
                "{:?} is outside ±180° of longitude or ±90° of latitude ({} is {order})",
                b, self.code
            ))
        }
    }

    /// A box `[min 1st axis, min 2nd axis, max 1st axis, max 2nd axis]` in this CRS, as the CRS84 polygon it
    /// covers: its edges are densified (a straight edge in metres is a curve in degrees).
    pub fn bbox_to_crs84(&self, b: [f64; 4]) -> Result<Polygon<f64>, String> {
        const STEPS: usize = 16;
        let corner = |i: usize, j: usize| Coord {
            x: if i == 0 { b[0] } else { b[2] },
            y: if j == 0 { b[1] } else { b[3] },
        };
        let (c00, c10, c11, c01) = (corner(0, 0), corner(1, 0), corner(1, 1), corner(0, 1));
        let mut ring = Vec::with_capacity(4 * STEPS + 1);
        for (a, z) in [(c00, c10), (c10, c11), (c11, c01), (c01, c00)] {
            for s in 0..STEPS {
                let t = s as f64 / STEPS as f64;
                ring.push(Coord {
                    x: a.x + (z.x - a.x) * t,
                    y: a.y + (z.y - a.y) * t,
                });
            }
        }
        ring.push(c00);
        self.to_crs84(&Polygon::new(ring.into(), vec![]))
    }
}

/// The CRSs a collection whose source is in `source_crs` offers: CRS84 first (the default), the standard list,
/// then the source's own when it has an EPSG code and is not already listed.
pub fn offered(source_crs: &str) -> Vec<Crs> {
    let mut codes: Vec<&str> = vec![CRS84_CODE];
    codes.extend(ALWAYS);
    if source_crs.starts_with("EPSG:") && !codes.contains(&source_crs) {
        codes.push(source_crs);
    }
    codes
        .into_iter()
        .filter_map(|c| match Crs::from_code(c) {
            Ok(crs) => Some(crs),
            Err(e) => {
                tracing::warn!("CRS {c} not offered: {e}");
                None
            }
        })
        .collect()
}

/// The code (`EPSG:9377`, `OGC:CRS84`) of a CRS as a client writes it: an OGC URI (`http` or `https`), a safe
/// CURIE (`[EPSG:9377]`), a CURIE (`EPSG:9377`, `OGC:CRS84`) or an OGC URN. Whether a collection offers it is
/// [`find`]'s question.
pub fn normalize(text: &str) -> Result<String, String> {
    let t = text.trim();
    let t = t
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(t);
    let path = t
        .strip_prefix("http://www.opengis.net/def/crs/")
        .or_else(|| t.strip_prefix("https://www.opengis.net/def/crs/"));
    let (authority, code) = if let Some(path) = path {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            [a, _version, c] => (*a, *c),
            _ => return Err(not_a_crs(text)),
        }
    } else if let Some(urn) = t.strip_prefix("urn:ogc:def:crs:") {
        let parts: Vec<&str> = urn.split(':').collect();
        match parts.as_slice() {
            [a, _version, c] => (*a, *c),
            _ => return Err(not_a_crs(text)),
        }
    } else if let Some((a, c)) = t.split_once(':') {
        (a, c)
    } else if t.eq_ignore_ascii_case("CRS84") {
        ("OGC", "CRS84")
    } else {
        return Err(not_a_crs(text));
    };
    match (authority.to_ascii_uppercase().as_str(), code) {
        ("OGC", c) if c.eq_ignore_ascii_case("CRS84") => Ok(CRS84_CODE.into()),
        ("EPSG", c) if !c.is_empty() && c.len() <= 6 && c.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(format!("EPSG:{}", c.trim_start_matches('0')))
        }
        _ => Err(not_a_crs(text)),
    }
}

fn not_a_crs(text: &str) -> String {
    let shown: String = text.chars().take(80).collect();
    format!("`{shown}` is not a CRS URI; write e.g. http://www.opengis.net/def/crs/EPSG/0/9377 or EPSG:9377")
}

/// The offered CRS with this code, or the error a 400 carries: it names the CRS and lists what is offered.
pub fn find<'a>(offered: &'a [Crs], code: &str) -> Result<&'a Crs, String> {
    offered.iter().find(|c| c.code == code).ok_or_else(|| {
        let list: Vec<String> = offered.iter().map(Crs::uri).collect();
        format!(
            "{code} is not offered by this collection; it offers {}",
            list.join(", ")
        )
    })
}

thread_local! {
    /// This thread's PROJ transformations, by (from, to): created once per thread, reused by every request.
    static PROJS: RefCell<HashMap<(String, String), Rc<proj::Proj>>> = RefCell::new(HashMap::new());
}

/// Runs `f` with this thread's PROJ transformation from `from` to `to` (lon/lat, easting/northing order).
pub fn with_proj<R>(from: &str, to: &str, f: impl FnOnce(&proj::Proj) -> R) -> Result<R, String> {
    let key = (from.to_string(), to.to_string());
    let existing = PROJS.with(|m| m.borrow().get(&key).cloned());
    let p = match existing {
        Some(p) => p,
        None => {
            let p = Rc::new(
                proj::Proj::new_known_crs(from, to, None)
                    .map_err(|e| format!("PROJ cannot transform {from} to {to}: {e}"))?,
            );
            PROJS.with(|m| m.borrow_mut().insert(key, p.clone()));
            p
        }
    };
    Ok(f(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_order_is_the_authoritys() {
        let by = |c: &str| Crs::from_code(c).unwrap();
        assert!(!Crs::crs84().north_first());
        assert!(by("EPSG:4326").north_first(), "EPSG:4326 is latitude first");
        assert!(
            !by("EPSG:3857").north_first(),
            "Web Mercator is easting first"
        );
        assert!(
            by("EPSG:9377").north_first(),
            "EPSG defines 9377 as northing, easting"
        );
        assert!(by("EPSG:4326").is_geographic() && !by("EPSG:9377").is_geographic());
    }

    #[test]
    fn uris_curies_and_urns_name_the_same_crs() {
        for s in [
            "http://www.opengis.net/def/crs/EPSG/0/9377",
            "https://www.opengis.net/def/crs/EPSG/0/9377",
            "[EPSG:9377]",
            "EPSG:9377",
            "epsg:9377",
            "urn:ogc:def:crs:EPSG::9377",
        ] {
            assert_eq!(normalize(s).as_deref(), Ok("EPSG:9377"), "{s}");
        }
        for s in [
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            "http://www.opengis.net/def/crs/OGC/0/CRS84",
            "OGC:CRS84",
            "CRS84",
            "urn:ogc:def:crs:OGC:1.3:CRS84",
        ] {
            assert_eq!(normalize(s).as_deref(), Ok(CRS84_CODE), "{s}");
        }
        for s in [
            "",
            "EPSG:",
            "EPSG:abc",
            "EPSG:12345678",
            "ESRI:102100",
            "9377",
            "http://example.com/crs/EPSG/0/1",
        ] {
            assert!(normalize(s).is_err(), "{s:?} was accepted");
        }
    }

    #[test]
    fn a_point_goes_to_9377_northing_first_and_back() {
        let crs = Crs::from_code("EPSG:9377").unwrap();
        let p = geo::Point::new(-75.5636, 6.2518);
        let out = crs.from_crs84(&p).unwrap();
        // Medellín is about 2.25 million metres north and 4.72 million east of the origin's false values.
        assert!((2_240_000.0..2_270_000.0).contains(&out.x()), "{out:?}");
        assert!((4_700_000.0..4_730_000.0).contains(&out.y()), "{out:?}");
        let back = crs.to_crs84(&out).unwrap();
        assert!((back.x() - p.x()).abs() < 1e-10 && (back.y() - p.y()).abs() < 1e-10);
    }

    #[test]
    fn an_unoffered_crs_is_named_with_the_list() {
        let list = offered("EPSG:9377");
        assert_eq!(list.len(), 4, "9377 is already in the list");
        let e = find(&list, "EPSG:2000").unwrap_err();
        assert!(
            e.starts_with("EPSG:2000 is not offered") && e.contains("EPSG/0/9377"),
            "{e}"
        );
        assert_eq!(
            offered("EPSG:3116").len(),
            5,
            "a source in MAGNA-SIRGAS / Bogotá adds it"
        );
    }
}
