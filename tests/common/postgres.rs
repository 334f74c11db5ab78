//! A private PostgreSQL 15 cluster for one test binary: initdb in a temporary folder, a free port, trust
//! authentication on loopback. Tests can stop and start it without touching any other database.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct Pg {
    dir: PathBuf,
    pub port: u16,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL program, as the `postgres` user when the tests run as root (initdb refuses root).
fn pg_command(program: &str, args: &[&str]) -> std::process::Output {
    let exe = Path::new(BIN).join(program);
    assert!(
        exe.exists(),
        "{} is missing: PostgreSQL 15 is installed by scripts/setup (postgresql-15)",
        exe.display()
    );
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    let out = cmd.args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

impl Pg {
    /// Creates and starts a new cluster.
    pub fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("ssepot-pg-")
            .tempdir()
            .unwrap()
            .keep();
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(ok.success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let data = dir.join("data");
        pg_command(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "ssepot",
                "-A",
                "trust",
                "-E",
                "UTF8",
            ],
        );
        let pg = Self { dir, port };
        pg.resume();
        pg
    }

    pub fn url(&self) -> String {
        format!("postgres://ssepot@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (fast shutdown: open connections are closed).
    pub fn stop(&self) {
        pg_command(
            "pg_ctl",
            &["-D", self.data().as_str(), "-m", "fast", "-w", "stop"],
        );
    }

    /// Starts it again on the same port.
    pub fn resume(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log");
        pg_command(
            "pg_ctl",
            &[
                "-D",
                self.data().as_str(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &opts,
                "-w",
                "start",
            ],
        );
    }

    fn data(&self) -> String {
        self.dir.join("data").to_string_lossy().into_owned()
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(Path::new(BIN).join("pg_ctl"))
            .args(["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
