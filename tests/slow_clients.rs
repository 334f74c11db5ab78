//! Slow and hostile clients against the real server binary on loopback: stalled half-sent requests, a cap on
//! connections, oversized headers, and clients that never read a large page. Every wait here is bounded; the
//! few time limits are liveness checks with generous margins, not measurements.

mod common;
#[path = "common/server.rs"]
mod server;

use server::Server;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

/// Room for a thousand client sockets in this test process.
fn raise_open_files() {
    rlimit::increase_nofile_limit(4096).unwrap();
}

/// Opens `n` connections that each send the start of a request and then nothing.
fn stalled_requests(server: &Server, n: usize) -> Vec<TcpStream> {
    (0..n)
        .map(|i| {
            let mut s = TcpStream::connect(server.addr()).unwrap();
            write!(
                s,
                "GET /collections?stalled={i} HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
            )
            .unwrap();
            s
        })
        .collect()
}

/// A normal request with curl, given `seconds` to answer; the HTTP status, or None when it did not answer.
fn normal_request(server: &Server, seconds: u32) -> Option<u16> {
    let out = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
        .args(["--max-time", &seconds.to_string()])
        .arg(format!("{}/collections/comunas/items?limit=1", server.url))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .parse()
        .ok()
        .filter(|c| *c != 0)
}

/// Waits (at most `limit`) until `done` holds.
fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    done()
}

#[test]
fn a_thousand_stalled_half_sent_requests_do_not_stop_a_normal_request() {
    raise_open_files();
    // A service's usual soft limit of open files is 1 024 (here 512, so a thousand clients clearly exceed it);
    // the server raises it towards the hard limit to fit its connection cap.
    let server = Server::start_with_open_files(&common::layers_dir(), 512, &[]);
    let base = server.open_files();
    let stalled = stalled_requests(&server, 1000);
    assert!(
        eventually(Duration::from_secs(20), || server.open_files()
            >= base + 1000),
        "the server holds {} descriptors; every stalled client should have been accepted",
        server.open_files()
    );
    assert_eq!(
        normal_request(&server, 5),
        Some(200),
        "a normal request answers while a thousand requests stall"
    );
    drop(stalled);
}

#[test]
fn stalled_requests_are_closed_after_the_header_read_timeout() {
    let server = Server::start_with(&common::layers_dir(), &["--header-read-timeout", "1"]);
    let mut stalled = stalled_requests(&server, 100);
    let idle: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(server.addr()).unwrap())
        .collect();
    for s in stalled.iter_mut().chain(
        idle.iter()
            .map(|s| s.try_clone().unwrap())
            .collect::<Vec<_>>()
            .iter_mut(),
    ) {
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut rest = Vec::new();
        match s.read_to_end(&mut rest) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
            Err(e) => panic!("the server kept a stalled connection open: {e}"),
        }
        let reply = String::from_utf8_lossy(&rest);
        assert!(
            reply.is_empty() || reply.starts_with("HTTP/1.1 408"),
            "{reply}"
        );
    }
    assert_eq!(normal_request(&server, 5), Some(200));
}

#[test]
fn the_connection_cap_bounds_open_sockets_and_normal_requests_answer_once_stalled_ones_time_out() {
    let server = Server::start_with(
        &common::layers_dir(),
        &["--max-connections", "50", "--header-read-timeout", "2"],
    );
    let base = server.open_files();
    let stalled = stalled_requests(&server, 200);
    let mut most = 0;
    eventually(Duration::from_secs(3), || {
        most = most.max(server.open_files());
        false
    });
    assert!(
        most >= base + 40,
        "the cap's connections were accepted ({most} descriptors, {base} at rest)"
    );
    assert!(
        most <= base + 50,
        "at most 50 connections are open ({most} descriptors, {base} at rest)"
    );
    assert_eq!(
        normal_request(&server, 60),
        Some(200),
        "a normal request is served once stalled connections time out"
    );
    drop(stalled);
}

#[test]
fn a_megabyte_of_headers_is_431() {
    let server = Server::start(&common::layers_dir());
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut writer = s.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let big = "a".repeat(1024 * 1024);
        // The server may close before reading it all; what matters is its answer.
        let _ = write!(
            writer,
            "GET /collections HTTP/1.1\r\nHost: localhost\r\nX-Big: {big}\r\n\r\n"
        );
    });
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    sender.join().unwrap();
    let reply = String::from_utf8_lossy(&reply);
    assert!(
        reply.starts_with("HTTP/1.1 431"),
        "expected 431 Request Header Fields Too Large, got {:?}",
        reply.lines().next()
    );
}

#[test]
fn fifty_slow_readers_of_the_largest_page_add_less_than_a_few_hundred_mb() {
    let server = Server::start(&common::layers_dir());
    let path = "/collections/homicidios/items?limit=1000";
    // One full read first, so whatever the first request prepares is in the baseline.
    let size = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{size_download}"])
        .arg(format!("{}{path}", server.url))
        .output()
        .unwrap();
    let size: u64 = String::from_utf8_lossy(&size.stdout).parse().unwrap();
    assert!(
        size > 20_000_000,
        "the largest page is large ({size} bytes)"
    );
    let before = server.rss_bytes();
    let readers: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut s = TcpStream::connect(server.addr()).unwrap();
            write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
            s
        })
        .collect();
    // The server writes what the sockets take, then waits; watch its memory meanwhile.
    let mut peak = before;
    eventually(Duration::from_secs(8), || {
        peak = peak.max(server.rss_bytes());
        false
    });
    let grown_mb = peak.saturating_sub(before) / 1_000_000;
    eprintln!(
        "RSS {} MB before, {} MB at most with 50 slow readers",
        before / 1_000_000,
        peak / 1_000_000
    );
    assert!(
        grown_mb < 300,
        "50 readers of a {} MB page that do not read grew the server by {grown_mb} MB",
        size / 1_000_000
    );
    // Each reader that does read gets the whole page.
    let mut first = readers.into_iter().next().unwrap();
    first
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut head = [0u8; 12];
    first.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
}
