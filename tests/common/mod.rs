//! Helpers shared by the integration tests: the real router on the real demo layers.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use ssepot::state::AppState;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

/// The demo layers shipped in the repository.
pub fn layers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("layers")
}

/// One state of the demo layers, shared by the tests of a binary (loading takes a moment).
pub fn demo() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| Arc::new(AppState::load(layers_dir(), None).expect("the demo layers load")))
        .clone()
}

/// A copy of the demo layers in a temporary folder, for tests that change files.
pub fn layers_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&layers_dir(), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            let mut perms = std::fs::metadata(&target).unwrap().permissions();
            #[allow(
                clippy::permissions_set_readonly_false,
                reason = "test copies must be writable"
            )]
            perms.set_readonly(false);
            std::fs::set_permissions(&target, perms).unwrap();
        }
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub async fn request(state: &Arc<AppState>, req: Request<Body>) -> Reply {
    let res = ssepot::app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        content_type,
        headers,
        body,
    }
}

pub async fn get(state: &Arc<AppState>, uri: &str) -> Reply {
    get_with_headers(state, uri, &[]).await
}

pub async fn get_with(state: &Arc<AppState>, uri: &str, header: (&str, &str)) -> Reply {
    get_with_headers(state, uri, &[header]).await
}

pub async fn get_with_headers(state: &Arc<AppState>, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = Request::get(uri).header("host", "test.local");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    request(state, req.body(Body::empty()).unwrap()).await
}

/// Runs a command and returns what it printed; fails the test, with the output, if it fails.
pub fn run(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// Prefixes Belén's 2023 homicide count with a 9 in a copy of the layers (a data change a reload must pick up).
pub fn bump_belen_homicides_2023(layers: &Path) {
    let csv = layers.join("data/medellin/homicidios_comuna_anual_2003_2023.csv");
    let text = std::fs::read_to_string(&csv)
        .unwrap()
        .replace("16,2023,", "16,2023,9");
    std::fs::write(&csv, text).unwrap();
}
