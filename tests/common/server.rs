//! The real `ssepot serve` process on a free loopback port, stopped when dropped.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Server {
    child: Child,
    pub url: String,
    /// The server's own reporting store (a fresh SQLite file), unless the test chose one with `--store`.
    _store: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts `ssepot serve DIR --addr 127.0.0.1:0` and waits until it listens. Without `--store` in the
    /// arguments the server gets a fresh store of its own, so nothing published by hand in
    /// `layers/reporting.sqlite` (the default store) is laid over what the test reads.
    pub fn start(layers: &Path) -> Self {
        Self::start_with(layers, &[])
    }

    /// The same with more arguments of `ssepot serve`.
    pub fn start_with(layers: &Path, args: &[&str]) -> Self {
        Self::spawn(Command::new(env!("CARGO_BIN_EXE_ssepot")), layers, args)
    }

    /// The same under a soft limit of `files` open files (the hard limit unchanged), as Debian sets for services.
    pub fn start_with_open_files(layers: &Path, files: u32, args: &[&str]) -> Self {
        let mut prlimit = Command::new("prlimit");
        prlimit
            .arg(format!("--nofile={files}:"))
            .arg("--")
            .arg(env!("CARGO_BIN_EXE_ssepot"));
        Self::spawn(prlimit, layers, args)
    }

    fn spawn(mut command: Command, layers: &Path, args: &[&str]) -> Self {
        command
            .arg("serve")
            .arg(layers)
            .args(["--addr", "127.0.0.1:0"])
            .args(args);
        let store = (!args.contains(&"--store")).then(|| {
            let dir = tempfile::tempdir().unwrap();
            command
                .arg("--store")
                .arg(dir.path().join("reporting.sqlite"));
            dir
        });
        let mut child = command
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .spawn()
            .expect("ssepot starts");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the server says where it listens")
                .unwrap();
            if let Some(rest) = line.split("on http://").nth(1) {
                break format!("http://{}", rest.split_whitespace().next().unwrap());
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            child,
            url,
            _store: store,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `host:port` the server listens on.
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Resident memory of the server process, in bytes (`VmRSS` of /proc/PID/status).
    pub fn rss_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/PID/status");
        kb * 1024
    }

    /// Open file descriptors of the server process (sockets included).
    pub fn open_files(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// GET a path and parse the JSON answer.
    pub fn json(&self, path: &str) -> serde_json::Value {
        let out = Command::new("curl")
            .args(["-sf", &format!("{}{path}", self.url)])
            .output()
            .unwrap();
        assert!(out.status.success(), "GET {path} failed");
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
