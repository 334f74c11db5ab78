//! The `ssepot` command: `serve` and `check`.

use clap::{Parser, Subcommand};
use ssepot::access::{Access, IpNet, PublicUrl};
use ssepot::server::{Limits, Options};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

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
        /// Public base URL (e.g. https://datos.example.org/ssepot): every link uses it, whatever the
        /// Host and X-Forwarded-* headers say.
        #[arg(long, env = "SSEPOT_PUBLIC_URL", value_name = "URL")]
        public_url: Option<PublicUrl>,
        /// A reverse proxy (IP address or network, e.g. 127.0.0.1 or 10.0.0.0/8) whose X-Forwarded-Host,
        /// -Proto and -Prefix are honoured; repeatable. Other clients' forwarded headers are ignored.
        #[arg(
            long = "trusted-proxy",
            env = "SSEPOT_TRUSTED_PROXIES",
            value_delimiter = ',',
            value_name = "ADDR"
        )]
        trusted_proxies: Vec<IpNet>,
        /// Let POST /admin/reload answer without the token to clients on this machine (loopback) that do not
        /// come through a proxy. Without it, reload needs `Authorization: Bearer $SSEPOT_ADMIN_TOKEN`.
        #[arg(long, env = "SSEPOT_LOCAL_ADMIN")]
        local_admin: bool,
        /// An origin (e.g. https://www.medellin.gov.co) whose pages may frame the embeddable maps, charts and
        /// figures; repeatable. Other sites are refused (Content-Security-Policy: frame-ancestors).
        #[arg(
            long = "embed-origin",
            env = "SSEPOT_EMBED_ORIGINS",
            value_delimiter = ',',
            value_name = "ORIGIN"
        )]
        embed_origins: Vec<ssepot::access::Origin>,
        /// Connections open at once; more clients wait until one closes.
        #[arg(long, env = "SSEPOT_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections)]
        max_connections: usize,
        /// Seconds a client has to send a request's headers (also the idle time of a kept-alive connection).
        #[arg(
            long,
            env = "SSEPOT_HEADER_READ_TIMEOUT",
            value_name = "SECONDS",
            default_value_t = 10
        )]
        header_read_timeout: u64,
        /// Largest request head (request line and headers) in bytes; larger ones get 431.
        #[arg(long, env = "SSEPOT_MAX_HEADER_BYTES", value_name = "BYTES", default_value_t = Limits::default().max_header_bytes)]
        max_header_bytes: usize,
        /// Seconds a response may wait for a client that reads nothing; the connection is then closed.
        #[arg(
            long,
            env = "SSEPOT_WRITE_TIMEOUT",
            value_name = "SECONDS",
            default_value_t = 60
        )]
        write_timeout: u64,
        /// Reporting store: a SQLite file, `postgres://…`, or `none` (default: LAYERS/reporting.sqlite).
        #[arg(long, env = "SSEPOT_STORE")]
        store: Option<String>,
        /// Largest upload accepted by the reporting API, in MB.
        #[arg(long, default_value_t = 10)]
        upload_limit_mb: usize,
    },
    /// Offices and tokens of the reporting store.
    Store {
        /// Reporting store: a SQLite file or `postgres://…` (default: LAYERS/reporting.sqlite).
        #[arg(long, global = true, env = "SSEPOT_STORE")]
        store: Option<String>,
        /// Folder of layer files (locates the default store).
        #[arg(long, global = true, default_value = "layers")]
        layers: PathBuf,
        #[command(subcommand)]
        command: StoreCommand,
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
enum StoreCommand {
    /// Create an office, or change its name and indicators.
    AddOffice {
        /// Office id (lower case, digits, `-`, `_`), e.g. `seguridad`.
        id: String,
        /// Office name, e.g. `Secretaría de Seguridad y Convivencia`.
        #[arg(long)]
        name: String,
        /// An indicator id the office reports (repeat the flag for several).
        #[arg(long = "indicator", required = true)]
        indicators: Vec<String>,
    },
    /// Create a token and print it (the only time it is shown; only its hash is stored).
    AddToken {
        /// `office`, `reviewer` (DAP) or `admin`.
        #[arg(long)]
        role: String,
        /// The office of an office token.
        #[arg(long)]
        office: Option<String>,
        /// Who holds it, as the change log will name them.
        #[arg(long)]
        label: String,
    },
    /// Revoke a token by its id (the 12 hex digits after `ssepot_`).
    RevokeToken { id: String },
}

fn store_command(
    spec: Option<String>,
    layers: PathBuf,
    command: StoreCommand,
) -> Result<(), String> {
    use ssepot::store::Role;
    let spec = spec.unwrap_or_else(|| {
        ssepot::store::default_path(&layers)
            .to_string_lossy()
            .into_owned()
    });
    let store = ssepot::store::open(&spec).map_err(|e| e.to_string())?;
    match command {
        StoreCommand::AddOffice {
            id,
            name,
            indicators,
        } => {
            store
                .add_office(&id, &name, &indicators)
                .map_err(|e| e.to_string())?;
            eprintln!("office `{id}` reports {indicators:?}");
        }
        StoreCommand::AddToken {
            role,
            office,
            label,
        } => {
            let role = Role::parse(&role)
                .ok_or_else(|| format!("--role: `{role}` is not office, reviewer or admin"))?;
            let token = store
                .add_token(role, office.as_deref(), &label)
                .map_err(|e| e.to_string())?;
            println!("{token}");
        }
        StoreCommand::RevokeToken { id } => {
            if !store.revoke_token(&id).map_err(|e| e.to_string())? {
                return Err(format!("no active token `{id}`"));
            }
            eprintln!("token `{id}` revoked");
        }
    }
    Ok(())
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
        Command::Serve {
            layers,
            addr,
            public_url,
            trusted_proxies,
            local_admin,
            embed_origins,
            max_connections,
            header_read_timeout,
            max_header_bytes,
            write_timeout,
            store,
            upload_limit_mb,
        } => {
            use ssepot::server::StoreChoice;
            let store = match store.as_deref() {
                None => StoreChoice::Default,
                Some("none") => StoreChoice::None,
                Some(s) => StoreChoice::Given(s.to_string()),
            };
            let options = Options {
                store,
                upload_limit: upload_limit_mb * 1024 * 1024,
                addr,
                access: Access {
                    public_url,
                    trusted_proxies,
                    local_admin,
                    embed_origins,
                },
                limits: Limits {
                    max_connections: max_connections.max(1),
                    header_read_timeout: Duration::from_secs(header_read_timeout.max(1)),
                    max_header_bytes: max_header_bytes.max(1024),
                    write_timeout: Duration::from_secs(write_timeout.max(1)),
                },
            };
            let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
            match rt.block_on(ssepot::server::serve(layers, options)) {
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
        Command::Store {
            store,
            layers,
            command,
        } => match store_command(store, layers, command) {
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
