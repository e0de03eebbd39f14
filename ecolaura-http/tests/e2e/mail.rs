//! Mail through a real SMTP server: the test starts aiosmtpd
//! (`smtp_sink.py`, run by the Python in `ECOLAURA_AIOSMTPD_PYTHON`, which
//! `.ci/run` provides), points `ECOLAURA_SMTP_URL` at it, and reads what it
//! received.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::{Running, Server, free_address, postgres};

const FROM: &str = "Ecolaura Test Shop <shop@shop.example>";

/// A running `smtp_sink.py`: what it received is in `dir`.
struct SmtpSink {
    _process: Running,
    address: String,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    /// Start the sink, refusing the first `refuse` messages with a 451, or
    /// `None` (loudly) without a Python that has aiosmtpd.
    fn start(refuse: u32) -> Option<SmtpSink> {
        let Some(python) = std::env::var_os("ECOLAURA_AIOSMTPD_PYTHON") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "ECOLAURA_AIOSMTPD_PYTHON must be set in CI"
            );
            eprintln!("SKIPPED: set ECOLAURA_AIOSMTPD_PYTHON to a python with aiosmtpd");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let address = free_address();
        let port = address.rsplit(':').next().unwrap().to_owned();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/smtp_sink.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(&port)
            .arg(dir.path())
            .arg(refuse.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut ready)
            .unwrap();
        assert_eq!(ready.trim(), "ready", "the SMTP sink did not start");
        Some(SmtpSink {
            _process: Running::new(child),
            address,
            dir,
        })
    }

    fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    /// The messages received so far, in order.
    fn received(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap())
            .collect()
    }

    /// Wait until `n` messages came (up to a minute), then a moment more to
    /// see that no further copy follows.
    async fn wait_for(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.received().len() < n {
            assert!(
                Instant::now() < deadline,
                "only {} of {n} messages arrived: {:#?}",
                self.received().len(),
                self.received()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
        self.received()
    }
}

fn mail_env(sink: &SmtpSink) -> Vec<(&'static str, String)> {
    vec![
        ("ECOLAURA_SMTP_URL", sink.url()),
        ("ECOLAURA_MAIL_FROM", FROM.to_owned()),
    ]
}

/// A product to order, made by staff.
async fn a_product(server: &Server, staff: &str) -> String {
    let bottle = server.a_bottle(staff, 100, true).await;
    bottle["id"].as_str().unwrap().to_owned()
}

/// Three orders and a password reset (plus one for an address without an
/// account) arrive at the relay exactly once each, though the relay refuses
/// the first two attempts; the reset's token works.
async fn every_message_arrives_once(server: &Server, sink: &SmtpSink) {
    let staff = server.staff().await;
    let product = a_product(server, &staff).await;
    let ada = server
        .register_and_login("ada@example.com", "ada's password")
        .await;
    let mut orders = BTreeSet::new();
    for quantity in 1..=3 {
        let (status, order) = server
            .post(
                "/api/v1/orders",
                Some(&ada),
                json!({"lines": [{"product_id": product, "quantity": quantity}]}),
            )
            .await;
        assert_eq!(status, 201, "{order}");
        orders.insert(order["id"].as_str().unwrap().to_owned());
    }
    for email in ["ada@example.com", "nobody@example.com"] {
        let (status, _) = server
            .post(
                "/api/v1/auth/password-reset",
                None,
                json!({ "email": email }),
            )
            .await;
        assert_eq!(status, 202);
    }

    let received = sink.wait_for(4).await;
    assert_eq!(
        received.len(),
        4,
        "one message each, no copy: {received:#?}"
    );
    let ids: BTreeSet<&str> = received
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 4, "each message has its own Message-ID");
    for m in &received {
        assert_eq!(m["rcpt_tos"], json!(["ada@example.com"]));
        assert_eq!(m["to"], "ada@example.com");
        assert_eq!(m["from"], FROM);
        assert_eq!(m["content_type"], "text/plain");
    }

    let confirmations: Vec<&Value> = received
        .iter()
        .filter(|m| m["subject"].as_str().unwrap().contains("is confirmed"))
        .collect();
    assert_eq!(confirmations.len(), 3);
    for order in &orders {
        let m = confirmations
            .iter()
            .find(|m| m["body"].as_str().unwrap().contains(order.as_str()))
            .unwrap_or_else(|| panic!("no confirmation of {order}"));
        assert_eq!(
            m["message_id"],
            format!("<order-confirmation=2F{order}@shop.example>")
        );
        assert!(m["body"].as_str().unwrap().contains("× Eco Bottle"), "{m}");
        let (_, now) = server
            .get(&format!("/api/v1/orders/{order}"), Some(&ada))
            .await;
        assert_eq!(now["status"], "confirmed");
        assert!(now["confirmation_sent_at"].is_string());
    }

    let reset = received
        .iter()
        .find(|m| {
            m["subject"]
                .as_str()
                .unwrap()
                .contains("reset your password")
        })
        .expect("the reset e-mail");
    let token = reset["body"]
        .as_str()
        .unwrap()
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 43 && !l.contains(' '))
        .expect("a token in the e-mail")
        .to_owned();
    let (status, _) = server
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "new_password": "a new password"}),
        )
        .await;
    assert_eq!(status, 204);
    server.login("ada@example.com", "a new password").await;
}

#[tokio::test]
async fn mail_reaches_a_real_smtp_server_once_per_message_on_sqlite() {
    let Some(sink) = SmtpSink::start(2) else {
        return;
    };
    let env = mail_env(&sink);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start_with(tempfile::tempdir().unwrap(), None, &env);
    every_message_arrives_once(&server, &sink).await;
}

/// On Postgres, a host's workers and two `ecolaura worker` processes all
/// take delivery jobs: still one copy of each message.
#[tokio::test]
async fn mail_reaches_a_real_smtp_server_once_per_message_across_workers_on_postgres() {
    let Some(sink) = SmtpSink::start(2) else {
        return;
    };
    let Some(db) = postgres().await else { return };
    let env = mail_env(&sink);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start_with(tempfile::tempdir().unwrap(), Some(db.url()), &env);
    let mut worker_env = env.clone();
    worker_env.push(("ECOLAURA_WORKERS", "4"));
    let workers: Vec<Running> = (0..2)
        .map(|_| Running::new(server.spawn_cli_with(&["worker"], &worker_env)))
        .collect();
    every_message_arrives_once(&server, &sink).await;
    for worker in workers {
        assert!(worker.stop().success());
    }
}

/// With the relay down, messages wait in the outbox (their jobs retry);
/// once it is up they arrive, once each.
#[tokio::test]
async fn mail_waits_for_a_relay_that_is_down() {
    let Some(sink) = SmtpSink::start(0) else {
        return;
    };
    // A port where nothing listens: the relay is down.
    let down = format!("smtp://{}", free_address());
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("ECOLAURA_SMTP_URL", down.as_str()),
        ("ECOLAURA_MAIL_FROM", FROM),
    ];
    let mut server = Server::start_with(dir, None, &env);
    let staff = server.staff().await;
    let product = a_product(&server, &staff).await;
    let ada = server
        .register_and_login("ada@example.com", "ada's password")
        .await;
    let (status, order) = server
        .post(
            "/api/v1/orders",
            Some(&ada),
            json!({"lines": [{"product_id": product, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let path = format!("/api/v1/orders/{}", order["id"].as_str().unwrap());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, now) = server.get(&path, Some(&ada)).await;
        if now["confirmation_sent_at"].is_string() {
            break;
        }
        assert!(Instant::now() < deadline, "not confirmed in time: {now}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let a delivery attempt or two fail against the closed port.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(server.terminate().success());

    // The same shop, now with its relay up.
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    drop(server);
    let env = mail_env(&sink);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let _server = Server::start_with(dir, None, &env);
    let received = sink.wait_for(1).await;
    assert_eq!(received.len(), 1, "{received:#?}");
    assert!(
        received[0]["body"]
            .as_str()
            .unwrap()
            .contains(order["id"].as_str().unwrap())
    );
}
