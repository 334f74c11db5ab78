//! Writes every tile of every unit set (zooms 0..=max, all years and `?datetime=` of the latest year) as raw MVT
//! bytes under `OUT/{set}/{z}/{x}/{y}.mvt` and `OUT/{set}-year/…`: the byte-for-byte check of docs/benchmarks.md
//! (dump before a change, dump after, `diff -r`).
//! `cargo run --example dump_tiles -- OUT [LAYERS]`

use std::path::PathBuf;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: dump_tiles OUT [LAYERS]")?);
    let layers = PathBuf::from(args.next().unwrap_or_else(|| "layers".into()));
    let snapshot = ssepot::ingest::load(&layers, None)?;
    let tilesets = ssepot::tiles::TileSets::build(&snapshot);
    for t in &tilesets.sets {
        let mut written = 0;
        for (suffix, year) in [("", None), ("-2023", Some(2023))] {
            for c in ssepot::tiles::export::coverage(t, t.max_zoom) {
                let bytes = t.render(c, year);
                if bytes.is_empty() {
                    continue;
                }
                let dir = out.join(format!("{}{suffix}/{}/{}", t.id, c.z, c.x));
                std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
                std::fs::write(dir.join(format!("{}.mvt", c.y)), bytes)
                    .map_err(|e| e.to_string())?;
                written += 1;
            }
        }
        eprintln!("{}: {written} tiles", t.id);
    }
    Ok(())
}
