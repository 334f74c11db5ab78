//! `ssepot serve` with a reporting store, and a curl-based client that keeps status, headers and body.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The real server on the demo layers and `store`, on a free port; killed (SIGKILL) when dropped.
pub struct Serve {
    pub child: Child,
    pub addr: String,
}

impl Serve {
    pub fn start(store: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ssepot"))
            .arg("serve")
            .arg(crate::common::layers_dir())
            .args(["--addr", "127.0.0.1:0", "--store", store])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .spawn()
            .expect("ssepot starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the server says where it listens")
                .unwrap();
            if let Some(rest) = line.split("on http://").nth(1) {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Self { child, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `ssepot store --store STORE ARGS…`; returns what it printed.
pub fn store_cli(store: &str, args: &[&str]) -> String {
    crate::common::run(
        Command::new(env!("CARGO_BIN_EXE_ssepot"))
            .args(["store", "--store", store])
            .args(args),
    )
}

/// An office reporting homicides and a reviewer: (office token, reviewer token).
pub fn office_and_reviewer(store: &str) -> (String, String) {
    store_cli(
        store,
        &[
            "add-office",
            "seguridad",
            "--name",
            "Secretaría de Seguridad y Convivencia",
            "--indicator",
            "homicidios",
        ],
    );
    let token = |args: &[&str]| {
        store_cli(store, args)
            .lines()
            .find(|l| l.starts_with("ssepot_"))
            .unwrap()
            .trim()
            .to_string()
    };
    (
        token(&[
            "add-token",
            "--role",
            "office",
            "--office",
            "seguridad",
            "--label",
            "enlace",
        ]),
        token(&["add-token", "--role", "reviewer", "--label", "DAP"]),
    )
}

pub struct Answer {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// One request with curl: method, URL, bearer token, JSON body.
pub fn call(method: &str, url: &str, token: Option<&str>, body: Option<&str>) -> Answer {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-D", "-", "-X", method, url, "--max-time", "30"]);
    if let Some(t) = token {
        cmd.args(["-H", &format!("Authorization: Bearer {t}")]);
    }
    if let Some(b) = body {
        cmd.args(["-H", "Content-Type: application/json", "--data-binary", b]);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = headers
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Answer {
        status,
        headers: headers.to_string(),
        body: body.to_string(),
    }
}

/// Submits one homicide count and takes it through the workflow to publication; returns the item id.
pub fn publish_value(
    s: &Serve,
    office: &str,
    reviewer: &str,
    key: &str,
    territory: &str,
    year: i32,
    value: f64,
) -> i64 {
    let body = serde_json::json!({
        "idempotency_key": key,
        "values": [{"indicator": "homicidios", "territory": territory, "year": year, "value": value}]
    });
    let sent = call(
        "POST",
        &s.url("/reporting/values"),
        Some(office),
        Some(&body.to_string()),
    );
    assert_eq!(sent.status, 201, "{}", sent.body);
    let item = sent.json()["rows"][0]["item"].as_i64().unwrap();
    for to in ["verificado", "validado", "publicado"] {
        let b = serde_json::json!({"items": [item], "to": to}).to_string();
        let moved = call(
            "POST",
            &s.url("/reporting/transitions"),
            Some(reviewer),
            Some(&b),
        );
        assert_eq!(moved.status, 200, "{to}: {}", moved.body);
    }
    item
}

/// The public value of homicides for a territory code and year, as a replica serves it.
pub fn public_homicides(s: &Serve, code: &str, year: i32) -> Option<serde_json::Value> {
    let a = call(
        "GET",
        &s.url(&format!(
            "/collections/homicidios/items?year={year}&limit=100"
        )),
        None,
        None,
    );
    assert_eq!(a.status, 200, "{}", a.body);
    a.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["code"] == code)
        .map(|f| f["properties"]["value"].clone())
}
