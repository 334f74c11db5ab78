//! `ssepot tiles export`: PMTiles read back by an independent reader, MBTiles opened by QGIS.

mod common;
#[path = "common/server.rs"]
mod server;

use common::run;
use std::process::Command;

fn export(path: &std::path::Path) -> String {
    run(Command::new(env!("CARGO_BIN_EXE_ssepot"))
        .args(["tiles", "export"])
        .arg(path)
        .arg(common::layers_dir()))
}

#[test]
fn the_pmtiles_archive_holds_the_tiles_the_server_serves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("comunas.pmtiles");
    let out = export(&path);
    assert!(out.contains("tiles written"), "{out}");
    let server = server::Server::start(&common::layers_dir());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(Command::new("python3")
        .arg(root.join("tests/python/pmtiles_read.py"))
        .arg(&server.url)
        .arg(&path));
    assert!(out.contains("0 failed"), "{out}");
    // Keep a copy for the browser test, which draws it through the pmtiles protocol.
    std::fs::create_dir_all(root.join("tests/artifacts")).unwrap();
    std::fs::copy(&path, root.join("tests/artifacts/comunas.pmtiles")).unwrap();
}

#[test]
fn qgis_opens_the_mbtiles_file_and_draws_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("comunas.mbtiles");
    export(&path);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(Command::new("/usr/bin/python3")
        .arg(root.join("tests/qgis/mbtiles.py"))
        .arg(&path)
        .arg(root.join("tests/artifacts"))
        .env("QT_QPA_PLATFORM", "offscreen"));
    assert!(out.contains("0 failed"), "{out}");
}

#[test]
fn an_unknown_extension_is_refused_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_ssepot"))
        .args(["tiles", "export", "/tmp/x.zip"])
        .arg(common::layers_dir())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be .pmtiles or .mbtiles"));
}

#[tokio::test]
async fn the_export_lists_its_largest_tiles_with_the_sizes_the_server_sends() {
    let dir = tempfile::tempdir().unwrap();
    let out = export(&dir.path().join("comunas.pmtiles"));
    let largest: Vec<(String, usize)> = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("largest: "))
        .map(|l| {
            let (tile, rest) = l.split_once(": ").unwrap();
            (
                tile.to_string(),
                rest.split(' ').next().unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(largest.len(), 5, "{out}");
    assert!(largest.windows(2).all(|w| w[0].1 >= w[1].1), "{largest:?}");
    let state = common::demo();
    for (tile, size) in &largest {
        let r = common::get(&state, &format!("/tiles/comunas/{tile}.mvt")).await;
        assert_eq!(r.body.len(), *size, "{tile}");
    }
}
