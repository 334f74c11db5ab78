//! Tile generation without the HTTP stack: the demo's 709 benchmark tiles (zooms 10–15) rendered from a
//! prepared tileset, and the preparation itself (projection, topology, simplification for every zoom).
//! `cargo bench --bench tiles`

use criterion::{criterion_group, criterion_main, Criterion};
use ssepot::tiles::{TileCoord, Tileset};
use std::path::Path;

fn tile_list() -> Vec<TileCoord> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/tiles_z10-15.txt"),
    )
    .unwrap_or_else(|_| "12/1188/1976\n14/4751/7907\n10/297/494\n".into());
    text.lines()
        .filter_map(|l| {
            let mut it = l.split('/').map(|v| v.trim().parse::<u32>());
            match (it.next(), it.next(), it.next()) {
                (Some(Ok(z)), Some(Ok(x)), Some(Ok(y))) => Some(TileCoord { z: z as u8, x, y }),
                _ => None,
            }
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let snapshot =
        ssepot::ingest::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("layers"), None)
            .expect("demo layers");
    let set = snapshot.unit_set("comunas").expect("comunas").clone();
    let tileset = Tileset::build(&snapshot, &set);
    let tiles = tile_list();
    c.bench_function(
        &format!("render the {} benchmark tiles of the comunas", tiles.len()),
        |b| {
            b.iter(|| {
                tiles
                    .iter()
                    .map(|t| tileset.render(*t, None).len())
                    .sum::<usize>()
            })
        },
    );
    c.bench_function("render tile 12/1188/1976 (central Medellín)", |b| {
        b.iter(|| {
            tileset.render(
                TileCoord {
                    z: 12,
                    x: 1188,
                    y: 1976,
                },
                None,
            )
        })
    });
    c.bench_function(
        "prepare the comunas tileset (project, topology, 16 zooms)",
        |b| b.iter(|| Tileset::build(&snapshot, &set)),
    );
}

criterion_group! {
    name = tiles;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(tiles);
