//! A product's carbon footprint record (API-SUSTAINABILITY.md, section 1).

use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

fn record() -> Value {
    json!({
        "declared_unit": "kilogram", "unitary_product_amount": "0.350",
        "pcf_excluding_biogenic_kg": "4.100", "pcf_including_biogenic_kg": "3.900",
        "boundary": "cradle-to-gate", "reference_period_start": "2025-01-01",
        "reference_period_end": "2025-12-31", "geography": "FR", "primary_data_share": 62.5,
        "standards": ["ISO 14067:2018", "PACT 3.0"],
        "verification": {"verified": true, "provider": "Bureau Veritas", "date": "2026-03-01"}
    })
}

async fn bare_product(t: &TestApp, staff: &str) -> String {
    id(&t
        .product(staff, json!({"name": "Tote", "price": "9.00", "stock": 5}))
        .await)
}

#[tokio::test]
async fn a_record_feeds_the_product_figure_and_score_until_it_is_removed() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let product = bare_product(&t, &staff).await;
    let path = format!("/api/v1/products/{product}/footprint");
    t.get(&path, None).await.problem(404);
    let before = t.get(&format!("/api/v1/products/{product}"), None).await;
    assert_eq!(before.ok(200)["sustainability"], Value::Null);
    assert_eq!(before.body["score_source"], "manual");

    let set = t.put(&path, Some(&staff), record()).await;
    let body = set.ok(200);
    assert_eq!(body["per_item_kg"], "1.435");
    assert_eq!(body["unitary_product_amount"], "0.350");
    assert_eq!(body["pcf_excluding_biogenic_kg"], "4.100");
    assert_eq!(body["pcf_including_biogenic_kg"], "3.900");
    assert_eq!(body["valid_until"], "2028-12-31", "PACT's default validity");
    assert_eq!(body["expired"], false);
    assert_eq!(body["geography"], "FR");
    assert_eq!(body["primary_data_share"], 62.5);
    assert_eq!(body["verification"]["provider"], "Bureau Veritas");
    assert_eq!(t.get(&path, None).await.ok(200), body, "anyone reads it");

    // The product's metrics were made from the record; the score follows.
    let p = t.get(&format!("/api/v1/products/{product}"), None).await;
    let p = p.ok(200);
    assert_eq!(
        p["sustainability"],
        json!({"carbon_footprint_kg": 1.435, "recyclable": false, "biodegradable": false,
               "footprint_source": "record"})
    );
    assert_eq!(p["score_source"], "metrics");
    let sustainability = t
        .get(&format!("/api/v1/products/{product}/sustainability"), None)
        .await;
    assert_eq!(sustainability.ok(200)["carbon_footprint_kg"], 1.435);
    assert_eq!(sustainability.body["score"], p["sustainability_score"]);

    // Removing it keeps the last figure, now declared.
    t.delete(&path, Some(&staff)).await.ok(204);
    t.get(&path, None).await.problem(404);
    t.delete(&path, Some(&staff)).await.problem(404);
    let after = t.get(&format!("/api/v1/products/{product}"), None).await;
    assert_eq!(
        after.ok(200)["sustainability"]["carbon_footprint_kg"],
        1.435
    );
    assert_eq!(after.body["sustainability"]["footprint_source"], "declared");
}

#[tokio::test]
async fn while_a_record_exists_another_figure_is_a_409_and_the_same_one_is_fine() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = t
        .product(
            &staff,
            json!({"name": "Jar", "price": "3.00", "stock": 2,
                   "sustainability": {"carbon_footprint_kg": 9.0, "recyclable": true, "biodegradable": true}}),
        )
        .await;
    let product = id(&p);
    t.put(
        &format!("/api/v1/products/{product}/footprint"),
        Some(&staff),
        record(),
    )
    .await
    .ok(200);
    let kept = t.get(&format!("/api/v1/products/{product}"), None).await;
    assert_eq!(
        kept.ok(200)["sustainability"],
        json!({"carbon_footprint_kg": 1.435, "recyclable": true, "biodegradable": true,
               "footprint_source": "record"}),
        "recyclable and biodegradable stay as they were"
    );

    let metrics = format!("/api/v1/products/{product}/sustainability");
    let other = json!({"carbon_footprint_kg": 2.0, "recyclable": true, "biodegradable": true});
    let refused = t.put(&metrics, Some(&staff), other.clone()).await;
    assert!(
        refused.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains("footprint")
    );
    let item = format!("/api/v1/products/{product}");
    t.patch(&item, Some(&staff), json!({"sustainability": other}))
        .await
        .problem(409);
    t.patch(&item, Some(&staff), json!({"sustainability": null}))
        .await
        .problem(409);
    let unchanged = t.get(&item, None).await;
    assert_eq!(
        unchanged.ok(200)["sustainability"]["carbon_footprint_kg"],
        1.435
    );

    // The same figure with other flags, or a write that leaves metrics out, is fine.
    let same = json!({"carbon_footprint_kg": 1.435, "recyclable": false, "biodegradable": true});
    t.put(&metrics, Some(&staff), same).await.ok(200);
    let renamed = t
        .patch(&item, Some(&staff), json!({"name": "Big Jar"}))
        .await;
    assert_eq!(renamed.ok(200)["sustainability"]["recyclable"], false);
}

#[tokio::test]
async fn each_broken_rule_is_a_422_naming_its_field_and_nothing_changes() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let product = bare_product(&t, &staff).await;
    let path = format!("/api/v1/products/{product}/footprint");
    let cases: [(&str, Value, &str); 12] = [
        ("declared_unit", json!("gram"), "declared_unit"),
        (
            "unitary_product_amount",
            json!("0"),
            "unitary_product_amount",
        ),
        (
            "unitary_product_amount",
            json!("0.1234567"),
            "unitary_product_amount",
        ),
        (
            "pcf_excluding_biogenic_kg",
            json!("-1.000"),
            "pcf_excluding_biogenic_kg",
        ),
        (
            "pcf_excluding_biogenic_kg",
            json!("1.0001"),
            "pcf_excluding_biogenic_kg",
        ),
        ("boundary", json!("cradle-to-cradle"), "boundary"),
        (
            "reference_period_end",
            json!("2024-12-31"),
            "reference_period_end",
        ),
        (
            "reference_period_end",
            json!("2025-02-30"),
            "reference_period_end",
        ),
        ("valid_until", json!("2029-01-01"), "valid_until"),
        ("geography", json!("XX"), "geography"),
        ("primary_data_share", json!(100.5), "primary_data_share"),
        (
            "verification",
            json!({"verified": true, "date": "2026-03-01"}),
            "verification.provider",
        ),
    ];
    for (field, value, named) in cases {
        let mut body = record();
        body[field] = value;
        let r = t.put(&path, Some(&staff), body).await;
        assert!(
            r.problem(422)["errors"][named].is_array(),
            "{field}: {}",
            r.text
        );
    }
    // A verification dated after today (the host's clock).
    let mut body = record();
    let tomorrow =
        (ecolaura_core::ports::Clock::now(&*t.clock) + chrono::Duration::days(1)).date_naive();
    body["verification"]["date"] = json!(tomorrow.to_string());
    let r = t.put(&path, Some(&staff), body).await;
    assert!(r.problem(422)["errors"]["verification.date"].is_array());
    // The per-item figure would be over a billion kg.
    let mut body = record();
    body["pcf_excluding_biogenic_kg"] = json!("1000000000");
    body["unitary_product_amount"] = json!("2");
    let r = t.put(&path, Some(&staff), body).await;
    assert!(r.problem(422)["errors"]["unitary_product_amount"].is_array());

    t.get(&path, None).await.problem(404);
    let p = t.get(&format!("/api/v1/products/{product}"), None).await;
    assert_eq!(
        p.ok(200)["sustainability"],
        Value::Null,
        "nothing was written"
    );
}

#[tokio::test]
async fn a_record_reads_as_expired_after_its_last_valid_day() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let product = bare_product(&t, &staff).await;
    let path = format!("/api/v1/products/{product}/footprint");
    let mut body = record();
    body["reference_period_start"] = json!("2024-01-01");
    body["reference_period_end"] = json!("2024-12-31");
    let now = ecolaura_core::ports::Clock::now(&*t.clock);
    body["valid_until"] = json!(now.date_naive().to_string());
    t.put(&path, Some(&staff), body).await.ok(200);
    assert_eq!(t.get(&path, None).await.ok(200)["expired"], false);
    t.clock.advance(std::time::Duration::from_secs(24 * 3600));
    let read = t.get(&path, None).await;
    assert_eq!(read.ok(200)["expired"], true);
    assert_eq!(
        read.body["per_item_kg"], "1.435",
        "an expired record is still shown"
    );
}

#[tokio::test]
async fn only_staff_write_records_and_an_archived_product_has_none() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let customer = t.customer("c@example.com").await;
    let product = bare_product(&t, &staff).await;
    let path = format!("/api/v1/products/{product}/footprint");
    t.put(&path, None, record()).await.problem(401);
    t.put(&path, Some(&customer), record()).await.problem(403);
    t.put(&path, Some(&staff), record()).await.ok(200);
    t.delete(&path, Some(&customer)).await.problem(403);
    t.delete(&format!("/api/v1/products/{product}"), Some(&staff))
        .await
        .ok(204);
    t.get(&path, None).await.problem(404);
    t.put(&path, Some(&staff), record()).await.problem(404);
    let missing = format!("/api/v1/products/{}/footprint", uuid::Uuid::now_v7());
    t.put(&missing, Some(&staff), record()).await.problem(404);
}
