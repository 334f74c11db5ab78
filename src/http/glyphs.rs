//! `GET /map/glyphs/{fontstack}/{range}.pbf`: the label glyphs of the web map (MapLibre glyph PBFs generated
//! from the shipped font by `scripts/glyphs.mjs`, see `web/glyphs/README.md`), embedded in the binary.

use super::error::{ApiError, PathParams};
use super::params::{NoParams, Params};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The one font stack shipped.
pub const STACK: &str = "DejaVu Sans Bold";

const RANGES: &[(&str, &[u8])] = &[
    (
        "0-255.pbf",
        include_bytes!("../../web/glyphs/DejaVu Sans Bold/0-255.pbf"),
    ),
    (
        "256-511.pbf",
        include_bytes!("../../web/glyphs/DejaVu Sans Bold/256-511.pbf"),
    ),
    (
        "8192-8447.pbf",
        include_bytes!("../../web/glyphs/DejaVu Sans Bold/8192-8447.pbf"),
    ),
];

pub async fn glyphs(
    PathParams((stack, range)): PathParams<(String, String)>,
    Params(_): Params<NoParams>,
) -> Result<Response, ApiError> {
    // A stack of several fonts asks for each in turn; ours is the only one served.
    if !stack.split(',').any(|s| s.trim() == STACK) {
        return Err(ApiError::NotFound(format!(
            "no font stack `{stack}`; the one served is `{STACK}`"
        )));
    }
    let (_, bytes) = RANGES
        .iter()
        .find(|(name, _)| *name == range)
        .ok_or_else(|| ApiError::NotFound(format!("no glyph range `{range}` of `{STACK}`")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-protobuf"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        *bytes,
    )
        .into_response())
}
