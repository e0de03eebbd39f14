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
