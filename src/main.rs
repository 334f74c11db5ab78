//! The `ssepot` command: `serve` and `check`.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "ssepot",
    version,
    about = "Territorial indicators as OGC API Features"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the layers of a folder.
    Serve {
        /// Folder of layer files.
        #[arg(default_value = "layers")]
        layers: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
    /// Load every layer, print the import report, and exit non-zero on errors.
    Check {
        /// Folder of layer files.
        #[arg(default_value = "layers")]
        layers: PathBuf,
    },
    /// Vector tiles without a server.
    Tiles {
        #[command(subcommand)]
        command: TilesCommand,
    },
}

#[derive(Subcommand)]
enum TilesCommand {
    /// Write a tileset as a PMTiles v3 archive (OUT.pmtiles) or MBTiles (OUT.mbtiles).
    Export {
        /// Output file; the extension picks the format.
        out: PathBuf,
        /// Folder of layer files.
        #[arg(default_value = "layers")]
        layers: PathBuf,
        /// Unit set to export (the first one by default).
        #[arg(long)]
        set: Option<String>,
        /// Highest zoom (the tileset's maximum by default).
        #[arg(long)]
        max_zoom: Option<u8>,
    },
}

/// Tiles above this size (uncompressed) are slow for a web map; the export says so.
const LARGE_TILE: usize = 500 * 1024;

fn export(
    out: PathBuf,
    layers: PathBuf,
    set: Option<String>,
    max_zoom: Option<u8>,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    let cache = ssepot::prepared::cache_dir(&layers);
    let (snapshot, mut shapes) = ssepot::prepared::load(&layers, None, cache.as_deref())?;
    if snapshot.report.error_count() > 0 {
        eprintln!("{}", snapshot.report);
    }
    let tilesets = ssepot::tiles::TileSets::with_shapes(&snapshot, |set| shapes.remove(&set.id));
    let tileset = match &set {
        Some(id) => tilesets
            .get(id)
            .map(|(_, t)| t)
            .ok_or_else(|| format!("--set: no unit set `{id}`"))?,
        None => tilesets
            .sets
            .first()
            .ok_or("the layers declare no unit set")?,
    };
    let max_zoom = max_zoom
        .unwrap_or(tileset.max_zoom)
        .clamp(tileset.min_zoom, tileset.max_zoom);
    let total = ssepot::tiles::export::coverage(tileset, max_zoom).len();
    let bar = indicatif::ProgressBar::new(total as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} tiles, {elapsed_precise}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar.set_message(format!("{} z{}–{max_zoom}", tileset.id, tileset.min_zoom));
    let summary = ssepot::tiles::export::export(tileset, max_zoom, &out, || bar.inc(1))?;
    bar.finish();
    eprintln!(
        "{}: {} tiles written ({} empty left out), {} bytes, in {:.2?}",
        out.display(),
        summary.tiles_written,
        summary.tiles_rendered - summary.tiles_written,
        summary.bytes,
        started.elapsed()
    );
    for (c, size) in &summary.largest {
        let warn = if *size > LARGE_TILE {
            " (over 500 KB: consider a higher min_zoom)"
        } else {
            ""
        };
        eprintln!("  largest: {}/{}/{}: {size} bytes{warn}", c.z, c.x, c.y);
    }
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve { layers, addr } => {
            let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
            match rt.block_on(ssepot::server::serve(layers, addr)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Tiles {
            command:
                TilesCommand::Export {
                    out,
                    layers,
                    set,
                    max_zoom,
                },
        } => match export(out, layers, set, max_zoom) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Check { layers } => match ssepot::ingest::load(&layers, None) {
            Ok(snapshot) => {
                println!("{}", snapshot.report);
                if snapshot.report.error_count() > 0 {
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
