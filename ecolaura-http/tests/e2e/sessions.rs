//! Sessions and the login throttle across real hosts: two `ecolaura serve`
//! processes on one Postgres, and the client address behind a trusted proxy.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::{Server, postgres};

const PASSWORD: &str = "long enough";

async fn login_as(server: &Server, email: &str, password: &str, client: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(server.url("/api/v1/auth/token"))
        .header("x-forwarded-for", client)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_and_failed_logins_reach_the_other_host() {
    let Some(db) = postgres().await else { return };
    let env = [("ECOLAURA_SESSION_RECHECK", "1")];
    let a = Server::start_with(tempfile::tempdir().unwrap(), Some(db.url()), &env);
    let b = Server::start_with(tempfile::tempdir().unwrap(), Some(db.url()), &env);
    a.register_and_login("ada@example.com", PASSWORD).await;
    let (status, pair) = a
        .post(
            "/api/v1/auth/token",
            None,
            json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 200);
    let access = pair["access"].as_str().unwrap();
    assert_eq!(b.get("/api/v1/users/me", Some(access)).await.0, 200);
    let (status, _) = a
        .post(
            "/api/v1/auth/logout",
            None,
            json!({"refresh": pair["refresh"]}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(a.get("/api/v1/users/me", Some(access)).await.0, 401);
    // Host B reads the session again within its recheck interval (1 s here,
    // 30 s at most).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _) = b.get("/api/v1/users/me", Some(access)).await;
        if status == 401 {
            break;
        }
        assert_eq!(status, 200);
        assert!(Instant::now() < deadline, "host B still accepts the token");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Ten failures split over both hosts lock the address on both.
    for i in 0..10 {
        let host = if i % 2 == 0 { &a } else { &b };
        let (status, _) = login_as(host, "ada@example.com", "wrong password", "").await;
        assert_eq!(status, 401);
    }
    for host in [&a, &b] {
        let (status, _) = login_as(host, "ada@example.com", PASSWORD, "").await;
        assert_eq!(status, 429);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let server = Server::start_with(
        tempfile::tempdir().unwrap(),
        None,
        &[("ECOLAURA_TRUSTED_PROXIES", "127.0.0.1, ::1")],
    );
    server
        .register_and_login("victim@example.com", PASSWORD)
        .await;
    let attacker = "198.51.100.7";
    for i in 0..100 {
        let email = format!("guess{i}@example.com");
        let (status, _) = login_as(&server, &email, "wrong password", attacker).await;
        assert_eq!(status, 401);
    }
    let (status, _) = login_as(&server, "victim@example.com", PASSWORD, attacker).await;
    assert_eq!(status, 429, "the attacking client is locked");
    // A client the attacker cannot impersonate: the proxy appended the real
    // address after whatever the client claimed.
    let (status, _) = login_as(
        &server,
        "victim@example.com",
        PASSWORD,
        &format!("{attacker}, 203.0.113.5"),
    )
    .await;
    assert_eq!(status, 200, "another client still signs in");
}
