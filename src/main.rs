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
