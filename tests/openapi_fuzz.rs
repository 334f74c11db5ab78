//! Schemathesis, an OpenAPI fuzzer, against the real server and its whole `/api`: thousands of generated
//! requests (valid, invalid and edge-case values for every documented parameter), and not one 5xx, timeout
//! or dropped connection.
//!
//! `scripts/setup` installs the pinned schemathesis in its own virtualenv; `SSEPOT_SCHEMATHESIS` points
//! elsewhere if needed. The run is bounded: at most 100 examples per operation and 150 s in all (schemathesis goes on generating until that budget is spent), with a
//! fixed seed so a failure reproduces. `POST /admin/reload` is left out: it re-reads every layer (seconds
//! each) and its security is tested on its own.

mod common;
#[path = "common/server.rs"]
mod server;

use std::path::PathBuf;
use std::process::Command;

/// Keep in step with `SCHEMATHESIS_VERSION` in `scripts/setup`.
const VERSION: &str = "4.32.5";

fn schemathesis() -> PathBuf {
    std::env::var_os("SSEPOT_SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            PathBuf::from(home).join(format!(
                ".cache/ssepot/schemathesis-{VERSION}/bin/schemathesis"
            ))
        })
}

#[test]
fn schemathesis_finds_no_server_error_anywhere_in_the_api() {
    let bin = schemathesis();
    assert!(
        bin.exists(),
        "{} is missing: run scripts/setup",
        bin.display()
    );
    let server = server::Server::start(&common::layers_dir());
    let reports = tempfile::tempdir().unwrap();
    let out = Command::new(&bin)
        .arg("run")
        .arg(format!("{}/api", server.url))
        .args(["--checks", "not_a_server_error"])
        .args(["--max-examples", "100", "--max-time", "150", "--seed", "7"])
        // One worker: with two, hypothesis (inside schemathesis) describes its filters with `ast.parse` from two
        // threads at once, which CPython 3.11 does not support ("AST constructor recursion depth mismatch", a
        // Python error of the fuzzer's own, reported on whichever operation it was generating for).
        .args(["--request-timeout", "60", "--workers", "1"])
        .args(["--exclude-path", "/admin/reload"])
        .arg("--report-dir")
        .arg(reports.path())
        .current_dir(reports.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "schemathesis found failures:\n{text}");
    let tested: usize = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Tested: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no summary in:\n{text}"));
    assert!(tested >= 25, "only {tested} operations tested:\n{text}");
    // "Authentication failed" is a warning about the reporting API answering 401 without a token, as it must.
    let failed = text.lines().any(|l| {
        l.contains(" failed") && !l.contains(", 0 failed") && !l.contains("Authentication failed")
    });
    assert!(!failed, "{text}");
    println!(
        "{}",
        text.lines().rev().take(12).collect::<Vec<_>>().join("\n")
    );
}
