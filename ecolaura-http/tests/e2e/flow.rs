use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::{Running, Server, free_address, postgres};

/// Register, sign in, make a catalog, order, let the workers confirm and
/// mail, cancel, summarise; then stop with SIGTERM and exit 0.
async fn whole_flow(mut server: Server) {
    let (status, health) = server.get("/readyz", None).await;
    assert_eq!((status, health), (200, json!({"status": "ok"})));

    let staff = server.staff().await;
    let ada = server
        .register_and_login("ada@example.com", "ada's password")
        .await;
    let (status, me) = server.get("/api/v1/users/me", Some(&ada)).await;
    assert_eq!((status, me["role"].clone()), (200, json!("customer")));

    let bottle = server.a_bottle(&staff, 10, true).await;
    let (status, list) = server.get("/api/v1/products?category=bottles", None).await;
    assert_eq!((status, list["count"].clone()), (200, json!(1)));

    let (status, order) = server
        .post(
            "/api/v1/orders",
            Some(&ada),
            json!({"lines": [{"product_id": bottle["id"], "quantity": 2}]}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["total"], "39.98");
    let path = format!("/api/v1/orders/{}", order["id"].as_str().unwrap());

    // The workers in `serve` confirm the order and send its e-mail.
    let deadline = Instant::now() + Duration::from_secs(20);
    let confirmed: Value = loop {
        let (_, now) = server.get(&path, Some(&ada)).await;
        if now["status"] == "confirmed" && now["confirmation_sent_at"].is_string() {
            break now;
        }
        assert!(Instant::now() < deadline, "not confirmed in time: {now}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(confirmed["total"], "39.98");

    let (status, summary) = server
        .get("/api/v1/sustainability/summary", Some(&ada))
        .await;
    assert_eq!(status, 200);
    assert_eq!(summary["orders_count"], 1);
    assert_eq!(summary["items_count"], 2);
    assert_eq!(summary["total_carbon_footprint_kg"], 2.4);

    let (status, cancelled) = server
        .post(&format!("{path}/cancel"), Some(&ada), json!(null))
        .await;
    assert_eq!(
        (status, cancelled["status"].clone()),
        (200, json!("cancelled"))
    );
    let (_, product) = server
        .get(
            &format!("/api/v1/products/{}", bottle["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(product["stock"], 10);
    let (_, summary) = server
        .get("/api/v1/sustainability/summary", Some(&ada))
        .await;
    assert_eq!(summary["orders_count"], 0);

    let metrics = server.text("/metrics").await;
    assert!(
        metrics.contains(r#"ecolaura_jobs_total{kind="process_order",outcome="done"}"#),
        "{metrics}"
    );

    let exit = server.terminate();
    assert!(exit.success(), "exit status {exit:?}");
}

/// 40 concurrent buyers over HTTP for the last 5 units: exactly 5 get 201.
async fn forty_buyers_for_five_units(server: Server) {
    let staff = server.staff().await;
    let (_, scarce) = server
        .post(
            "/api/v1/products",
            Some(&staff),
            json!({"name": "Last ones", "price": "5.00", "stock": 5}),
        )
        .await;
    let tokens =
        futures_util::future::join_all((0..40).map(|i| server.register_and_login_owned(i))).await;
    let body = json!({"lines": [{"product_id": scarce["id"], "quantity": 1}]});
    let statuses = futures_util::future::join_all(
        tokens
            .iter()
            .map(|t| server.post("/api/v1/orders", Some(t), body.clone())),
    )
    .await;
    let created = statuses.iter().filter(|(s, _)| *s == 201).count();
    let conflict = statuses.iter().filter(|(s, _)| *s == 409).count();
    assert_eq!(
        (created, conflict),
        (5, 35),
        "{:?}",
        statuses.iter().map(|s| s.0).collect::<Vec<_>>()
    );
    let (_, product) = server
        .get(
            &format!("/api/v1/products/{}", scarce["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(product["stock"], 0);
}

impl Server {
    async fn register_and_login_owned(&self, i: usize) -> String {
        self.register_and_login(&format!("buyer{i}@example.com"), "buyer password")
            .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_flow_runs_on_the_embedded_default() {
    whole_flow(Server::start(None)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_flow_runs_on_postgres() {
    let Some(db) = postgres().await else { return };
    whole_flow(Server::start(Some(db.url()))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_http_buyers_get_exactly_the_five_units_on_sqlite() {
    forty_buyers_for_five_units(Server::start(None)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_http_buyers_get_exactly_the_five_units_on_postgres() {
    let Some(db) = postgres().await else { return };
    forty_buyers_for_five_units(Server::start(Some(db.url()))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_a_restart_of_the_embedded_default() {
    let mut server = Server::start(None);
    let staff = server.staff().await;
    let (status, _) = server
        .post(
            "/api/v1/categories",
            Some(&staff),
            json!({"slug": "kept", "name": "Kept"}),
        )
        .await;
    assert_eq!(status, 201);
    assert!(server.terminate().success());
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    drop(server);
    let again = Server::start_in(dir, None);
    let (_, list) = again.get("/api/v1/categories", None).await;
    assert_eq!(list["results"][0]["slug"], "kept");
}

/// `serve` with `ECOLAURA_WORKERS=0` leaves orders pending; a separate
/// `ecolaura worker` process confirms them, shows its work and the queue on
/// a metrics endpoint of its own, and stops cleanly on SIGTERM.
async fn a_separate_worker_process_confirms_orders(server: Server) {
    let staff = server.staff().await;
    let ada = server
        .register_and_login("ada@example.com", "ada's password")
        .await;
    let (_, product) = server
        .post(
            "/api/v1/products",
            Some(&staff),
            json!({"name": "Mug", "price": "7.00", "stock": 3}),
        )
        .await;
    let (status, order) = server
        .post(
            "/api/v1/orders",
            Some(&ada),
            json!({"lines": [{"product_id": product["id"], "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201);
    let path = format!("/api/v1/orders/{}", order["id"].as_str().unwrap());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, still) = server.get(&path, Some(&ada)).await;
    assert_eq!(still["status"], "pending", "no workers run in serve");

    let metrics_at = free_address();
    let worker = Running::new(server.spawn_cli_with(
        &["worker"],
        &[("ECOLAURA_WORKER_METRICS_BIND", metrics_at.as_str())],
    ));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, now) = server.get(&path, Some(&ada)).await;
        if now["status"] == "confirmed" && now["confirmation_sent_at"].is_string() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the worker did not confirm: {now}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The confirmation's effects commit before the worker marks its job done
    // and counts it, so the counters may trail the order by a moment.
    let expected = [
        r#"ecolaura_jobs_total{kind="process_order",outcome="done"} 1"#,
        r#"ecolaura_jobs_total{kind="send_order_confirmation",outcome="done"} 1"#,
        r#"ecolaura_job_queue_depth{kind="process_order",state="ready"} 0"#,
        r#"ecolaura_job_queue_depth{kind="send_order_confirmation",state="dead"} 0"#,
        r#"ecolaura_job_oldest_ready_age_seconds{kind="process_order"} 0"#,
    ];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let metrics = reqwest::get(format!("http://{metrics_at}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let missing: Vec<_> = expected
            .iter()
            .filter(|line| !metrics.lines().any(|l| l == **line))
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{missing:?} missing from\n{metrics}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(worker.stop().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_separate_worker_process_confirms_orders_on_sqlite() {
    let server = Server::start_with(
        tempfile::tempdir().unwrap(),
        None,
        &[("ECOLAURA_WORKERS", "0")],
    );
    a_separate_worker_process_confirms_orders(server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_separate_worker_process_confirms_orders_on_postgres() {
    let Some(db) = postgres().await else { return };
    let server = Server::start_with(
        tempfile::tempdir().unwrap(),
        Some(db.url()),
        &[("ECOLAURA_WORKERS", "0")],
    );
    a_separate_worker_process_confirms_orders(server).await;
}
