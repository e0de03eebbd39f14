//! What a slow or hostile client can make `serve` hold: connections and
//! time. Each bound is proved by behaviour against the real binary.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::server::Server;

/// Whether the server closed `stream` (EOF or reset) within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // A response (408, say) before the close: keep reading.
            Ok(Ok(_)) => continue,
        }
    }
}

async fn connect(server: &Server) -> TcpStream {
    let addr = server.base.trim_start_matches("http://").to_owned();
    TcpStream::connect(addr).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_trickles_its_headers_is_cut_and_an_idle_one_too() {
    let server = Server::start_with(
        tempfile::tempdir().unwrap(),
        None,
        &[
            ("ECOLAURA_HEADER_READ_TIMEOUT", "1"),
            ("ECOLAURA_IDLE_TIMEOUT", "2"),
        ],
    );
    // Slowloris: a header line every 300 ms, never the blank line.
    let mut slow = connect(&server).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let trickle = async {
        for i in 0..20 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if slow
                .write_all(format!("X-Slow-{i}: y\r\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
    };
    let started = Instant::now();
    trickle.await;
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0) | Err(_))),
        "the slow client was not cut"
    );
    assert!(started.elapsed() < Duration::from_secs(7));

    // A connection that sends nothing at all is closed after the idle timeout.
    let mut silent = connect(&server).await;
    assert!(closed_within(&mut silent, Duration::from_secs(5)).await);

    // A keep-alive client that is quick keeps working throughout.
    let (status, _) = server.get("/healthz", None).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_connection_cap_an_honest_client_still_gets_in() {
    let server = Server::start_with(
        tempfile::tempdir().unwrap(),
        None,
        &[
            ("ECOLAURA_MAX_CONNECTIONS", "16"),
            ("ECOLAURA_HEADER_READ_TIMEOUT", "60"),
        ],
    );
    // Sixteen connections, each holding a half-sent request head.
    let mut held = Vec::new();
    for _ in 0..16 {
        let mut s = connect(&server).await;
        s.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A fresh client gets its answer at once, each time: it evicts the
    // connection that has waited longest without a request in progress.
    // (Each keeps its connection open, so each needs a slot of its own.)
    let mut honest = Vec::new();
    for _ in 0..8 {
        let started = Instant::now();
        let fresh = reqwest::Client::new();
        honest.push(fresh.clone());
        let status = fresh
            .get(server.url("/healthz"))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    // The evicted slow connections were closed.
    let mut closed = 0;
    for s in &mut held {
        if closed_within(s, Duration::from_millis(200)).await {
            closed += 1;
        }
    }
    assert!(closed >= 8, "only {closed} held connections were closed");
    // The honest clients, idle now, were not the ones evicted.
    for client in &honest {
        let status = client
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_cap_trickled_bodies_make_room_for_an_honest_client() {
    let server = Server::start_with(
        tempfile::tempdir().unwrap(),
        None,
        &[
            ("ECOLAURA_MAX_CONNECTIONS", "16"),
            ("ECOLAURA_BODY_READ_TIMEOUT", "60"),
        ],
    );
    // Sixteen requests in progress, each waiting for the rest of its body.
    let mut held = Vec::new();
    for _ in 0..16 {
        let mut s = connect(&server).await;
        s.write_all(
            b"POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":",
        )
        .await
        .unwrap();
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Each fresh client (keeping its connection) gets in at once: it evicts
    // the request whose body has been awaited longest.
    let mut honest = Vec::new();
    for _ in 0..8 {
        let fresh = reqwest::Client::new();
        honest.push(fresh.clone());
        let status = fresh
            .get(server.url("/healthz"))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
    let mut closed = 0;
    for s in &mut held {
        if closed_within(s, Duration::from_millis(200)).await {
            closed += 1;
        }
    }
    assert!(
        closed >= 8,
        "only {closed} trickling connections were closed"
    );
    // The evicted requests changed nothing, and the honest clients, idle
    // now, still have their connections.
    for client in &honest {
        let status = client
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_does_not_arrive_in_time_is_a_408() {
    let server = Server::start_with(
        tempfile::tempdir().unwrap(),
        None,
        &[("ECOLAURA_BODY_READ_TIMEOUT", "1")],
    );
    let mut s = connect(&server).await;
    s.write_all(
        b"POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":",
    )
    .await
    .unwrap();
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut response)).await;
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("application/problem+json"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_long_target_or_header_block_is_answered_as_a_problem() {
    let server = Server::start(None);
    let http = reqwest::Client::new();
    let long = server.url(&format!("/api/v1/products?search={}", "a".repeat(9000)));
    let resp = http.get(long).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 414);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let mut req = http.get(server.url("/api/v1/products"));
    for i in 0..5 {
        req = req.header(format!("x-big-{i}"), "b".repeat(8000));
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 431);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], 431);
}
