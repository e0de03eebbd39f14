use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn healthz_answers_while_the_process_lives() {
    let t = TestApp::new();
    t.store.set_unavailable(true);
    assert_eq!(
        t.get("/healthz", None).await.ok(200),
        &json!({"status": "ok"})
    );
}

#[tokio::test]
async fn readyz_follows_the_store() {
    let t = TestApp::new();
    t.get("/readyz", None).await.ok(200);
    t.store.set_unavailable(true);
    assert_eq!(t.get("/readyz", None).await.status.as_u16(), 503);
    t.store.set_unavailable(false);
    t.get("/readyz", None).await.ok(200);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_jobs_and_cache() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = t
        .product(&staff, json!({"name": "X", "price": "1.00", "stock": 3}))
        .await;
    // Kept the second time it is asked, answered from the cache the third.
    for _ in 0..3 {
        t.get("/api/v1/products", None).await;
    }
    t.get("/api/v1/products/nope", None).await;
    let ada = t.customer("ada@example.com").await;
    t.post(
        "/api/v1/orders",
        Some(&ada),
        json!({"lines": [{"product_id": p["id"], "quantity": 1}]}),
    )
    .await
    .ok(201);
    // Jobs run by a worker that reports to the host's metrics.
    t.app
        .worker(ecolaura_core::jobs::WorkerConfig::default())
        .with_observer(t.host.job_observer())
        .drain()
        .await
        .unwrap();
    let m = t.get("/metrics", None).await;
    assert_eq!(m.status.as_u16(), 200);
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    let text = m.text;
    for needle in [
        r#"http_requests_total{method="GET",route="list_products",status="200"} 3"#,
        r#"http_requests_total{method="GET",route="get_product",status="400"} 1"#,
        r#"http_requests_total{method="POST",route="place_order",status="201"} 1"#,
        r#"http_request_duration_seconds_bucket{method="GET",route="list_products",status="200",le="+Inf"} 3"#,
        r#"ecolaura_jobs_total{kind="process_order",outcome="done"} 1"#,
        r#"ecolaura_response_cache_requests_total{result="hit"} 1"#,
        r#"ecolaura_response_cache_requests_total{result="miss"} 2"#,
        "ecolaura_cache_deferred_total",
        "ecolaura_cache_hits_total",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
}

#[tokio::test]
async fn metrics_show_the_queue_by_kind_and_state() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = t
        .product(&staff, json!({"name": "X", "price": "1.00", "stock": 3}))
        .await;
    let ada = t.customer("ada@example.com").await;
    for _ in 0..2 {
        t.post(
            "/api/v1/orders",
            Some(&ada),
            json!({"lines": [{"product_id": p["id"], "quantity": 1}]}),
        )
        .await
        .ok(201);
    }
    let text = t.get("/metrics", None).await.text;
    for needle in [
        r#"ecolaura_job_queue_depth{kind="process_order",state="ready"} 2"#,
        r#"ecolaura_job_queue_depth{kind="process_order",state="running"} 0"#,
        r#"ecolaura_job_queue_depth{kind="send_order_confirmation",state="ready"} 0"#,
        r#"ecolaura_job_queue_depth{kind="send_order_confirmation",state="dead"} 0"#,
        r#"ecolaura_job_oldest_ready_age_seconds{kind="send_order_confirmation"} 0"#,
    ] {
        assert!(
            text.lines().any(|l| l == needle),
            "missing {needle} in\n{text}"
        );
    }
    assert!(text.contains(r#"ecolaura_job_oldest_ready_age_seconds{kind="process_order"}"#));
}

#[tokio::test]
async fn docs_serve_an_explorer_page() {
    let t = TestApp::new();
    let a = t.get("/docs", None).await;
    assert_eq!(a.status.as_u16(), 200);
    assert!(a.text.to_lowercase().contains("swagger"));
    let policy = a.header("content-security-policy").unwrap();
    assert!(policy.contains("script-src 'sha256-"), "{policy}");
    assert!(!policy.contains("'unsafe-eval'"), "{policy}");
}

#[tokio::test]
async fn every_other_answer_lets_nothing_load_or_run() {
    let t = TestApp::new();
    let answers = [
        t.get("/api/v1/products", None).await,
        t.get("/api/v1/products/not-a-uuid", None).await,
        t.get("/api/v1/openapi.json", None).await,
        t.get("/healthz", None).await,
        t.get("/nowhere", None).await,
    ];
    for a in answers {
        assert_eq!(
            a.header("content-security-policy"),
            Some("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
            "{} {}",
            a.status,
            a.text
        );
    }
}

#[tokio::test]
async fn a_flood_of_invented_methods_leaves_one_metrics_label() {
    let t = TestApp::new();
    for i in 0..200 {
        let invented =
            poem::http::Method::from_bytes(format!("FLOOD{i:0>600}").as_bytes()).unwrap();
        let answer = t.send(invented, "/api/v1/products", None, None, &[]).await;
        assert_eq!(answer.status.as_u16(), 405);
    }
    let text = t.get("/metrics", None).await.text;
    let flood_series = text
        .lines()
        .filter(|l| l.starts_with("http_requests_total") && l.contains("status=\"405\""))
        .collect::<Vec<_>>();
    assert_eq!(flood_series.len(), 1, "{flood_series:#?}");
    assert!(flood_series[0].contains("method=\"other\""));
    assert!(flood_series[0].ends_with(" 200"));
    assert!(!text.contains("FLOOD"));
    assert!(
        text.len() < 200_000,
        "/metrics grew to {} bytes",
        text.len()
    );
}

#[tokio::test]
async fn staff_read_the_queue_health_and_nobody_else_does() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = t
        .product(&staff, json!({"name": "X", "price": "1.00", "stock": 3}))
        .await;
    let ada = t.customer("ada@example.com").await;
    t.order(&ada, json!([{"product_id": p["id"], "quantity": 1}]), None)
        .await
        .ok(201);

    let health = t.get("/api/v1/admin/queue", Some(&staff)).await;
    let kinds = health.ok(200)["kinds"].as_array().unwrap().clone();
    let names: Vec<&str> = kinds.iter().map(|k| k["kind"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "process_order",
            "send_order_confirmation",
            "send_password_reset",
            "rescore_catalog",
            "deliver_email"
        ]
    );
    // The order's first job waits for a worker.
    assert_eq!(kinds[0]["ready"], 1);
    assert_eq!(kinds[0]["dead"], 0);
    t.run_jobs().await;
    let after = t.get("/api/v1/admin/queue", Some(&staff)).await;
    assert!(
        after.ok(200)["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["ready"] == 0 && k["running"] == 0 && k["oldest_ready_age_seconds"] == 0)
    );

    t.get("/api/v1/admin/queue", Some(&ada)).await.problem(403);
    t.get("/api/v1/admin/queue", None).await.problem(401);
}

#[tokio::test]
async fn the_admin_page_loads_only_its_own_files() {
    let t = TestApp::new();
    for (path, kind) in [
        ("/admin", "text/html"),
        ("/admin/admin.js", "text/javascript"),
        ("/admin/admin.css", "text/css"),
    ] {
        let a = t.get(path, None).await;
        assert_eq!(a.status.as_u16(), 200, "{path}");
        assert!(
            a.header("content-type").unwrap().starts_with(kind),
            "{path}"
        );
        let policy = a.header("content-security-policy").unwrap();
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
    }
    let page = t.get("/admin", None).await;
    assert!(!page.text.contains("<script>"), "no inline script");
    assert!(!page.text.contains("style="), "no inline style");
    let post = t.post("/admin", None, json!({})).await;
    assert_eq!(post.status.as_u16(), 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
}
