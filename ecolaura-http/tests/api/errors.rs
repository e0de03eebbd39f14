//! The error contract: problem+json, and 400 versus 422.

use ecolaura_http::{HostConfig, PublicUrl};
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn unparsable_json_is_400() {
    let t = TestApp::new();
    let staff = t.staff().await;
    for raw in ["RAW:{", "RAW:not json", "RAW:", "RAW:[1,2"] {
        t.post("/api/v1/products", Some(&staff), json!(raw))
            .await
            .problem(400);
    }
}

#[tokio::test]
async fn a_body_that_is_not_declared_as_json_is_400() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let a = t
        .client
        .post("/api/v1/categories")
        .header("authorization", format!("Bearer {staff}"))
        .content_type("text/plain")
        .body(r#"{"slug": "x", "name": "X"}"#)
        .send()
        .await;
    assert_eq!(a.0.status().as_u16(), 400);
    assert_eq!(a.0.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn a_value_of_the_wrong_json_type_is_400_naming_the_field() {
    let t = TestApp::new();
    let staff = t.staff().await;
    for (body, field) in [
        (json!({"name": 5, "price": "1.00"}), "name"),
        (json!({"name": "X", "price": true}), "price"),
        (json!({"name": "X", "price": "1.00", "stock": "3"}), "stock"),
        (
            json!({"name": "X", "price": "1.00", "sustainability": {"carbon_footprint_kg": "1", "recyclable": true, "biodegradable": true}}),
            "sustainability.carbon_footprint_kg",
        ),
        (
            json!({"name": "X", "price": "1.00", "sustainability": {"carbon_footprint_kg": 1, "recyclable": "yes", "biodegradable": true}}),
            "sustainability.recyclable",
        ),
        (json!([1, 2]), "body"),
        (json!("RAW:\"a string\""), "body"),
    ] {
        let a = t.post("/api/v1/products", Some(&staff), body.clone()).await;
        assert!(
            a.problem(400)["errors"][field].is_array(),
            "{body}: {}",
            a.text
        );
    }
    let customer = t.customer("ada@example.com").await;
    let a = t
        .post(
            "/api/v1/orders",
            Some(&customer),
            json!({"lines": [{"product_id": 5, "quantity": 1}]}),
        )
        .await;
    assert!(a.problem(400)["errors"]["lines[0].product_id"].is_array());
    t.post(
        "/api/v1/orders",
        Some(&customer),
        json!({"lines": {"a": 1}}),
    )
    .await
    .problem(400);
}

#[tokio::test]
async fn a_missing_required_field_is_422() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let a = t
        .post("/api/v1/products", Some(&staff), json!({"name": "X"}))
        .await;
    assert_eq!(a.problem(422)["errors"]["price"][0], "is required");
    let a = t.post("/api/v1/auth/register", None, json!({})).await;
    let errors = &a.problem(422)["errors"];
    for f in ["email", "password", "name"] {
        assert!(errors[f].is_array());
    }
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413_and_nothing_is_made() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let huge = "x".repeat(1024 * 1024 + 1);
    let a = t
        .post(
            "/api/v1/products",
            Some(&staff),
            json!({"name": "X", "price": "1.00", "description": huge}),
        )
        .await;
    a.problem(413);
    assert_eq!(t.get("/api/v1/products", None).await.ok(200)["count"], 0);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_problems() {
    let t = TestApp::new();
    t.get("/api/v1/nothing-here", None).await.problem(404);
    let a = t.delete("/api/v1/categories", None).await;
    a.problem(405);
    assert_eq!(a.header("allow"), Some("GET, HEAD, POST"));
}

#[tokio::test]
async fn every_405_names_the_methods_that_the_document_lists_for_its_path() {
    let t = TestApp::new();
    let document: serde_json::Value = t.get("/api/v1/openapi.json", None).await.body;
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() > 10);
    for (template, operations) in paths {
        let path = template.replace("{id}", "0190a2b4-0000-7000-8000-000000000000");
        let listed: Vec<String> = operations
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_ascii_uppercase())
            .collect();
        let unlisted = ["GET", "POST", "PUT", "PATCH", "DELETE"]
            .into_iter()
            .find(|m| !listed.iter().any(|l| l == m));
        let Some(unlisted) = unlisted else { continue };
        let method = poem::http::Method::from_bytes(unlisted.as_bytes()).unwrap();
        let a = t.send(method, &path, None, None, &[]).await;
        a.problem(405);
        let allow = a
            .header("allow")
            .unwrap_or_else(|| panic!("no Allow on {path}"));
        let mut allowed: Vec<&str> = allow.split(", ").collect();
        allowed.retain(|m| *m != "HEAD");
        let mut expected: Vec<&str> = listed.iter().map(String::as_str).collect();
        allowed.sort_unstable();
        expected.sort_unstable();
        assert_eq!(allowed, expected, "{path}");
    }
}

#[tokio::test]
async fn a_store_outage_is_503_without_internals() {
    let t = TestApp::new();
    t.store.set_unavailable(true);
    let a = t.get("/api/v1/products", None).await;
    a.problem(503);
    assert!(!a.text.to_lowercase().contains("memory"));
    t.store.set_unavailable(false);
    t.get("/api/v1/products", None).await.ok(200);
}

#[tokio::test]
async fn every_answer_has_a_request_id_and_security_headers() {
    let t = TestApp::new();
    let a = t.get("/api/v1/products", None).await;
    assert!(a.header("x-request-id").is_some());
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(a.header("x-frame-options"), Some("DENY"));
    assert_eq!(a.header("cache-control"), Some("no-store"));
    let given = t.get_with("/healthz", &[("x-request-id", "abc-123")]).await;
    assert_eq!(given.header("x-request-id"), Some("abc-123"));
    // A client cannot turn HSTS on by claiming TLS; the configuration can.
    let claimed = t
        .get_with("/healthz", &[("x-forwarded-proto", "https")])
        .await;
    assert!(claimed.header("strict-transport-security").is_none());
    assert!(a.header("strict-transport-security").is_none());
    let behind_tls = TestApp::with_config(|config| HostConfig {
        public_url: PublicUrl::parse("https://shop.example").unwrap(),
        ..config
    });
    let a = behind_tls.get("/healthz", None).await;
    assert!(a.header("strict-transport-security").is_some());
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let t = TestApp::with_cors(vec!["https://shop.example".into()]);
    let allowed = t
        .get_with("/api/v1/products", &[("origin", "https://shop.example")])
        .await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    // The second read is answered from the cache: the same CORS headers.
    let cached = t
        .get_with("/api/v1/products", &[("origin", "https://shop.example")])
        .await;
    assert_eq!(
        cached.header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    for answer in [&allowed, &cached] {
        let vary: Vec<&str> = answer
            .headers
            .get_all("vary")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        assert!(vary.iter().any(|v| v.contains("Origin")), "{vary:?}");
    }
    let other = t
        .get_with("/api/v1/products", &[("origin", "https://evil.example")])
        .await;
    assert!(other.header("access-control-allow-origin").is_none());
    let none = TestApp::new();
    let a = none
        .get_with("/api/v1/products", &[("origin", "https://evil.example")])
        .await;
    assert!(a.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn an_over_long_target_or_header_block_or_a_query_that_is_not_utf8_is_a_problem() {
    let t = TestApp::new();
    let long = format!("/api/v1/products?search={}", "a".repeat(9000));
    t.get(&long, None).await.problem(414);
    let big = "b".repeat(8000);
    let headers: Vec<(String, String)> = (0..5)
        .map(|i| (format!("x-big-{i}"), big.clone()))
        .collect();
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    t.get_with("/api/v1/products", &headers).await.problem(431);
    // %FF is not UTF-8: refused, not read as U+FFFD.
    let a = t.get("/api/v1/products?search=%FF%FE", None).await;
    a.problem(400);
    assert!(a.text.contains("UTF-8"), "{}", a.text);
    // Valid UTF-8, percent-encoded, is fine.
    t.get("/api/v1/products?search=%C3%A9t%C3%A9", None)
        .await
        .ok(200);
}
