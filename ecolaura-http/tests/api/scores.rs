//! Scores carry their method and time (API-SUSTAINABILITY.md, section 3).

use serde_json::json;

use crate::helpers::{TestApp, id};

#[tokio::test]
async fn every_score_names_its_method_and_time_and_order_lines_keep_it() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let manual = t
        .product(
            &staff,
            json!({"name": "Hand-rated", "price": "3.00", "stock": 5, "sustainability_score": 40}),
        )
        .await;
    assert_eq!(manual["score_method"], "manual");
    assert_eq!(manual["score_computed_at"], manual["updated_at"]);

    let scored = t
        .product(
            &staff,
            json!({"name": "Bottle", "price": "9.00", "stock": 5,
                   "sustainability": {"carbon_footprint_kg": 1.2, "recyclable": true,
                                      "biodegradable": false}}),
        )
        .await;
    assert_eq!(scored["score_method"], "ecolaura-default@1");
    let p = id(&scored);

    // A later write computes the score again, at its own time.
    t.clock.advance(std::time::Duration::from_secs(60));
    let metrics = format!("/api/v1/products/{p}/sustainability");
    let set = t
        .put(
            &metrics,
            Some(&staff),
            json!({"carbon_footprint_kg": 0.4, "recyclable": true, "biodegradable": false}),
        )
        .await;
    let set = set.ok(200).clone();
    assert_eq!(set["score"], 80);
    assert_eq!(set["score_method"], "ecolaura-default@1");
    assert_ne!(set["score_computed_at"], scored["score_computed_at"]);
    let read = t.get(&metrics, None).await;
    assert_eq!(read.ok(200), &set, "the stored score, as it was written");
    let points: i64 = set["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["points"].as_i64().unwrap())
        .sum();
    assert_eq!(points, 80, "explained by the policy it names");
    let product = t.get(&format!("/api/v1/products/{p}"), None).await;
    assert_eq!(
        product.ok(200)["score_computed_at"],
        set["score_computed_at"]
    );

    let buyer = t.customer("ada@example.com").await;
    let order = t
        .order(
            &buyer,
            json!([{"product_id": p, "quantity": 1}, {"product_id": id(&manual), "quantity": 1}]),
            None,
        )
        .await;
    let lines = order.ok(201)["lines"].clone();
    assert_eq!(lines[0]["score_method"], "ecolaura-default@1");
    assert_eq!(lines[1]["score_method"], "manual");
}

/// The rules a shop publishes in these tests: steeper bands, and points
/// for certified claims.
fn new_rules(certified_claim: i64) -> serde_json::Value {
    json!({"rules": {
        "footprint_bands": [{"up_to_kg": "0.5", "points": 70}, {"up_to_kg": "2", "points": 40},
                            {"up_to_kg": "10.25", "points": 10}],
        "beyond_bands": 0, "recyclable": 15, "biodegradable": 10,
        "certified_claim": certified_claim, "certified_claims_counted": 2}})
}

fn metrics(kg: f64, recyclable: bool) -> serde_json::Value {
    json!({"carbon_footprint_kg": kg, "recyclable": recyclable, "biodegradable": false})
}

fn certified_claim(t: &TestApp, certificate: Option<&str>) -> serde_json::Value {
    use ecolaura_core::ports::Clock;
    let today = t.clock.now().date_naive();
    json!({
        "type": "recycled_content", "statement": "Made with 80% recycled PET", "markets": ["EU"],
        "evidence": {"scheme": "Global Recycled Standard", "certificate_id": certificate,
                     "issuer": "Control Union",
                     "valid_from": (today - chrono::Duration::days(30)).to_string(),
                     "valid_until": (today + chrono::Duration::days(365)).to_string(),
                     "ecolabel_type_i": false, "url": null}
    })
}

fn history(answer: &crate::helpers::Answer) -> Vec<(i64, String, String)> {
    answer
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["score"].as_i64().unwrap(),
                e["method"].as_str().unwrap().to_owned(),
                e["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn anyone_reads_the_policy_and_only_staff_publish_each_time_a_new_version() {
    let t = TestApp::new();
    let first = t.get("/api/v1/score-policy", None).await;
    let first = first.ok(200).clone();
    assert_eq!(first["method"], "ecolaura-default");
    assert_eq!(first["version"], 1);
    assert_eq!(first["published_at"], "2026-11-24T00:00:00+00:00");
    assert_eq!(
        first["rules"]["footprint_bands"][0],
        json!({"up_to_kg": "0.5", "points": 60})
    );
    assert_eq!(first["rules"]["recyclable"], 20);
    assert_eq!(first["rules"]["certified_claim"], 0);

    t.put("/api/v1/score-policy", None, new_rules(5))
        .await
        .problem(401);
    let buyer = t.customer("ada@example.com").await;
    t.put("/api/v1/score-policy", Some(&buyer), new_rules(5))
        .await
        .problem(403);

    let staff = t.staff().await;
    let second = t
        .put("/api/v1/score-policy", Some(&staff), new_rules(5))
        .await;
    let second = second.ok(200).clone();
    assert_eq!(second["version"], 2);
    assert_eq!(second["rules"], new_rules(5)["rules"], "the rules as sent");
    let third = t
        .put("/api/v1/score-policy", Some(&staff), new_rules(5))
        .await;
    assert_eq!(
        third.ok(200)["version"],
        3,
        "raised even for the same rules"
    );

    // Another host on the same store reads it and scores with it at once.
    let other = t.beside();
    let read = other.get("/api/v1/score-policy", None).await;
    assert_eq!(read.ok(200)["version"], 3);
    let made = other
        .product(
            &staff,
            json!({"name": "Cup", "price": "4.00", "stock": 1, "sustainability": metrics(0.4, true)}),
        )
        .await;
    assert_eq!(made["score_method"], "ecolaura-default@3");
    assert_eq!(made["sustainability_score"], 85);
}

#[tokio::test]
async fn rules_that_break_their_shape_are_422_by_field_and_publish_nothing() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let mut rising = new_rules(5);
    rising["rules"]["footprint_bands"][1]["points"] = json!(75);
    rising["rules"]["footprint_bands"][2]["up_to_kg"] = json!("1.5");
    let refused = t.put("/api/v1/score-policy", Some(&staff), rising).await;
    let errors = &refused.problem(422)["errors"];
    assert!(
        errors["rules.footprint_bands[1].points"].is_array(),
        "{errors}"
    );
    assert!(
        errors["rules.footprint_bands[2].up_to_kg"].is_array(),
        "{errors}"
    );

    let mut malformed = new_rules(5);
    malformed["rules"]["footprint_bands"][0]["up_to_kg"] = json!("1e3");
    let refused = t.put("/api/v1/score-policy", Some(&staff), malformed).await;
    assert!(refused.problem(422)["errors"]["rules.footprint_bands[0].up_to_kg"].is_array());

    for (field, value) in [
        ("recyclable", json!(101)),
        ("certified_claims_counted", json!(11)),
        ("beyond_bands", json!(-1)),
        ("footprint_bands", json!([])),
    ] {
        let mut bad = new_rules(5);
        bad["rules"][field] = value;
        let answer = t.put("/api/v1/score-policy", Some(&staff), bad).await;
        assert_eq!(answer.status, 422, "{field}: {:?}", answer.body);
    }
    let mut missing = new_rules(5);
    missing["rules"]
        .as_object_mut()
        .unwrap()
        .remove("certified_claim");
    assert_eq!(
        t.put("/api/v1/score-policy", Some(&staff), missing)
            .await
            .status,
        422
    );

    let read = t.get("/api/v1/score-policy", None).await;
    assert_eq!(read.ok(200)["version"], 1, "nothing was published");
}

#[tokio::test]
async fn a_publication_rescores_the_catalog_in_the_background_and_keeps_each_score() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let mut ids = Vec::new();
    for (i, kg) in [0.3, 1.5, 20.0].into_iter().enumerate() {
        let made = t
            .product(
                &staff,
                json!({"name": format!("P{i}"), "price": "2.00", "stock": 3,
                       "sustainability": metrics(kg, true)}),
            )
            .await;
        ids.push(id(&made));
    }
    let manual = t
        .product(
            &staff,
            json!({"name": "Hand-rated", "price": "3.00", "stock": 5, "sustainability_score": 40}),
        )
        .await;
    let claim_path = format!("/api/v1/products/{}/claims", ids[0]);
    t.post(
        &claim_path,
        Some(&staff),
        certified_claim(&t, Some("GRS-1")),
    )
    .await
    .ok(201);
    let buyer = t.customer("ada@example.com").await;
    let order = t
        .order(&buyer, json!([{"product_id": ids[1], "quantity": 1}]), None)
        .await;
    let order = order.ok(201).clone();
    let product_path = |p: &str| format!("/api/v1/products/{p}");
    let before = t.get(&product_path(&ids[0]), None).await.ok(200).clone();
    assert_eq!(before["sustainability_score"], 80);

    t.clock.advance(std::time::Duration::from_secs(60));
    t.put("/api/v1/score-policy", Some(&staff), new_rules(5))
        .await
        .ok(200);
    // The job has not run: reads (cached ones included) show the scores as
    // they are stored, by version 1.
    let cached = t.get(&product_path(&ids[0]), None).await;
    assert_eq!(cached.ok(200)["score_method"], "ecolaura-default@1");

    t.run_jobs().await;
    let expected = [
        (ids[0].clone(), 70 + 15 + 5),
        (ids[1].clone(), 40 + 15),
        (ids[2].clone(), 15),
    ];
    for (p, score) in &expected {
        let read = t.get(&product_path(p), None).await;
        let read = read.ok(200);
        assert_eq!(read["score_method"], "ecolaura-default@2", "{p}");
        assert_eq!(read["sustainability_score"], *score, "{p}");
    }
    let list = t
        .get("/api/v1/products?ordering=-sustainability_score", None)
        .await;
    let listed: Vec<&str> = list.ok(200)["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["score_method"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            "ecolaura-default@2",
            "ecolaura-default@2",
            "manual",
            "ecolaura-default@2"
        ]
    );

    // The sustainability view shows the stored points, claims included.
    let explained = t
        .get(&format!("/api/v1/products/{}/sustainability", ids[0]), None)
        .await;
    let explained = explained.ok(200);
    assert_eq!(explained["score"], 90);
    assert_eq!(
        explained["breakdown"],
        json!([{"factor": "carbon_footprint", "points": 70}, {"factor": "recyclable", "points": 15},
               {"factor": "biodegradable", "points": 0}, {"factor": "certified_claims", "points": 5}])
    );

    // Each product keeps its scores, newest first.
    let h = t
        .get(&format!("/api/v1/products/{}/score-history", ids[0]), None)
        .await;
    assert_eq!(
        history(&h),
        [
            (90, "ecolaura-default@2".into(), "policy_changed".into()),
            (80, "ecolaura-default@1".into(), "metrics_changed".into()),
        ],
        "a claim that the policy did not count added no score"
    );
    let h = t
        .get(
            &format!("/api/v1/products/{}/score-history", id(&manual)),
            None,
        )
        .await;
    assert_eq!(history(&h), [(40, "manual".into(), "manual".into())]);

    // The order line keeps the score it was ordered with.
    let read = t
        .get(&format!("/api/v1/orders/{}", id(&order)), Some(&buyer))
        .await;
    let line = &read.ok(200)["lines"][0];
    assert_eq!(line["score_method"], "ecolaura-default@1");
    assert_eq!(
        line["sustainability_score"],
        order["lines"][0]["sustainability_score"]
    );

    t.get(
        "/api/v1/products/0190d5f0-0000-7000-8000-000000000000/score-history",
        None,
    )
    .await
    .problem(404);
}

async fn score_of(t: &TestApp, p: &str) -> serde_json::Value {
    let read = t.get(&format!("/api/v1/products/{p}"), None).await;
    read.ok(200)["sustainability_score"].clone()
}

#[tokio::test]
async fn certified_claims_move_the_score_when_the_policy_counts_them() {
    let t = TestApp::new();
    let staff = t.staff().await;
    t.put("/api/v1/score-policy", Some(&staff), new_rules(4))
        .await
        .ok(200);
    let p = id(&t
        .product(
            &staff,
            json!({"name": "Bottle", "price": "9.00", "stock": 5,
                   "sustainability": metrics(1.0, true)}),
        )
        .await);
    let claims = format!("/api/v1/products/{p}/claims");
    assert_eq!(score_of(&t, &p).await, 55);

    // A declared claim (no certificate) counts for nothing.
    t.post(&claims, Some(&staff), certified_claim(&t, None))
        .await
        .ok(201);
    assert_eq!(score_of(&t, &p).await, 55);
    let first = t
        .post(&claims, Some(&staff), certified_claim(&t, Some("GRS-1")))
        .await;
    let first = id(first.ok(201));
    assert_eq!(score_of(&t, &p).await, 59);
    for n in 2..=3 {
        t.post(
            &claims,
            Some(&staff),
            certified_claim(&t, Some(&format!("GRS-{n}"))),
        )
        .await
        .ok(201);
    }
    assert_eq!(score_of(&t, &p).await, 63, "at most two count");
    t.delete(&format!("{claims}/{first}"), Some(&staff))
        .await
        .ok(204);
    assert_eq!(score_of(&t, &p).await, 63, "two still count");

    let h = t
        .get(&format!("/api/v1/products/{p}/score-history"), None)
        .await;
    assert_eq!(
        history(&h),
        [
            (63, "ecolaura-default@2".into(), "claim_changed".into()),
            (59, "ecolaura-default@2".into(), "claim_changed".into()),
            (55, "ecolaura-default@2".into(), "metrics_changed".into()),
        ]
    );
}
