use poem::http::Method;
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, id};

async fn shop(t: &TestApp) -> (String, Value, Value) {
    let staff = t.staff().await;
    let bottle = t
        .product(
            &staff,
            json!({"name": "Eco Bottle", "price": "19.99", "stock": 10,
                   "sustainability": {"carbon_footprint_kg": 1.2, "recyclable": true, "biodegradable": false}}),
        )
        .await;
    let plain = t
        .product(
            &staff,
            json!({"name": "Plain", "price": "3.00", "stock": 5, "sustainability_score": 50}),
        )
        .await;
    (staff, bottle, plain)
}

fn line(product: &Value, quantity: i64) -> Value {
    json!({"product_id": product["id"], "quantity": quantity})
}

/// Place an order for `quantity` of `product`, which must succeed.
async fn placed(t: &TestApp, token: &str, product: &Value, quantity: i64) -> Value {
    let lines = json!([line(product, quantity)]);
    t.order(token, lines, None).await.ok(201).clone()
}

async fn stock(t: &TestApp, product: &Value) -> i64 {
    t.get(&format!("/api/v1/products/{}", id(product)), None)
        .await
        .ok(200)["stock"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn an_order_snapshots_its_lines_and_sums_what_is_known() {
    let t = TestApp::new();
    let (_, bottle, plain) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let a = t
        .order(&ada, json!([line(&bottle, 2), line(&plain, 1)]), None)
        .await;
    let order = a.ok(201).clone();
    assert_eq!(order["status"], "pending");
    assert_eq!(order["currency"], "EUR");
    assert_eq!(order["total"], "42.98");
    assert_eq!(order["carbon_footprint_kg"], 2.4);
    assert_eq!(order["footprint_complete"], false);
    assert_eq!(order["confirmation_sent_at"], json!(null));
    let first = &order["lines"][0];
    assert_eq!(first["name"], "Eco Bottle");
    assert_eq!(first["unit_price"], "19.99");
    assert_eq!(first["quantity"], 2);
    assert_eq!(first["line_total"], "39.98");
    assert_eq!(first["carbon_footprint_kg"], 2.4);
    assert_eq!(order["lines"][1]["carbon_footprint_kg"], json!(null));
    assert_eq!(order["lines"][1]["sustainability_score"], 50);
    assert_eq!(stock(&t, &bottle).await, 8);
    assert_eq!(stock(&t, &plain).await, 4);
}

#[tokio::test]
async fn an_order_keeps_its_currency_when_the_shop_changes_currency() {
    let t = TestApp::new();
    let (_, bottle, _) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let lines = json!([line(&bottle, 1)]);
    let first = t.order(&ada, lines.clone(), Some("euro-order")).await;
    let euro = first.ok(201).clone();
    assert_eq!(euro["currency"], "EUR");

    // The same store, served again with the shop now in dollars.
    let t = t.restarted_with_currency("USD");
    let path = format!("/api/v1/orders/{}", id(&euro));
    assert_eq!(t.get(&path, Some(&ada)).await.ok(200)["currency"], "EUR");
    let product = t
        .get(&format!("/api/v1/products/{}", id(&bottle)), None)
        .await;
    assert_eq!(product.ok(200)["currency"], "USD");
    let dollars = placed(&t, &ada, &bottle, 1).await;
    assert_eq!(dollars["currency"], "USD");
    let listed = t.get("/api/v1/orders", Some(&ada)).await;
    let currencies: Vec<(&Value, &Value)> = listed.ok(200)["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (&o["id"], &o["currency"]))
        .collect();
    assert_eq!(
        currencies,
        [
            (&dollars["id"], &json!("USD")),
            (&euro["id"], &json!("EUR"))
        ]
    );
    // A repeat of the first request replays it as it was, in euros.
    let again = t.order(&ada, lines, Some("euro-order")).await;
    assert_eq!(again.ok(201), &euro);

    // Cancelling, a status change, keeps it too.
    let cancelled = t
        .post(&format!("{path}/cancel"), Some(&ada), json!(null))
        .await;
    assert_eq!(cancelled.ok(200)["currency"], "EUR");
}

#[tokio::test]
async fn the_workers_confirm_the_order_and_record_its_email() {
    let t = TestApp::new();
    let (_, bottle, _) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let order = placed(&t, &ada, &bottle, 1).await;
    t.run_jobs().await;
    let path = format!("/api/v1/orders/{}", id(&order));
    let now = t.get(&path, Some(&ada)).await;
    assert_eq!(now.ok(200)["status"], "confirmed");
    assert!(now.body["confirmation_sent_at"].is_string());
    let sent = t.store.sent_emails();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].email.to.as_str(), "ada@example.com");
}

#[tokio::test]
async fn not_enough_stock_is_409_naming_the_product_and_takes_nothing() {
    let t = TestApp::new();
    let (_, bottle, plain) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let a = t
        .order(&ada, json!([line(&bottle, 1), line(&plain, 6)]), None)
        .await;
    let p = a.problem(409);
    assert_eq!(p["product_id"], plain["id"]);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains(plain["id"].as_str().unwrap())
    );
    assert_eq!(stock(&t, &bottle).await, 10);
    assert_eq!(stock(&t, &plain).await, 5);
}

#[tokio::test]
async fn order_rules_are_422() {
    let t = TestApp::new();
    let (staff, bottle, _) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let archived = t
        .product(&staff, json!({"name": "Gone", "price": "1.00", "stock": 3}))
        .await;
    t.delete(&format!("/api/v1/products/{}", id(&archived)), Some(&staff))
        .await;
    let many: Vec<Value> = (0..101).map(|_| line(&bottle, 1)).collect();
    for (body, field) in [
        (json!({"lines": []}), "lines"),
        (json!({"lines": many}), "lines"),
        (json!({"lines": [line(&bottle, 0)]}), "lines[0].quantity"),
        (json!({"lines": [line(&bottle, 1001)]}), "lines[0].quantity"),
        (
            json!({"lines": [line(&bottle, 1), line(&bottle, 2)]}),
            "lines",
        ),
        (
            json!({"lines": [{"product_id": uuid::Uuid::now_v7(), "quantity": 1}]}),
            "lines",
        ),
        (json!({"lines": [line(&archived, 1)]}), "lines"),
        (
            json!({"lines": [{"product_id": "not-a-uuid", "quantity": 1}]}),
            "lines[0].product_id",
        ),
        (json!({"lines": [{"quantity": 1}]}), "lines[0].product_id"),
        (json!({}), "lines"),
    ] {
        let a = t.post("/api/v1/orders", Some(&ada), body.clone()).await;
        assert!(
            a.problem(422)["errors"][field].is_array(),
            "{body}: {}",
            a.text
        );
    }
    assert_eq!(stock(&t, &bottle).await, 10);
}

#[tokio::test]
async fn orders_need_a_signed_in_user() {
    let t = TestApp::new();
    let (_, bottle, _) = shop(&t).await;
    t.post("/api/v1/orders", None, json!({"lines": [line(&bottle, 1)]}))
        .await
        .problem(401);
    t.get("/api/v1/orders", None).await.problem(401);
    t.get("/api/v1/sustainability/summary", None)
        .await
        .problem(401);
}

#[tokio::test]
async fn another_customers_order_is_404_and_staff_see_everything() {
    let t = TestApp::new();
    let (staff, bottle, _) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let bob = t.customer("bob@example.com").await;
    let order = placed(&t, &ada, &bottle, 1).await;
    t.order(&bob, json!([line(&bottle, 1)]), None).await.ok(201);
    let path = format!("/api/v1/orders/{}", id(&order));
    t.get(&path, Some(&bob)).await.problem(404);
    t.post(&format!("{path}/cancel"), Some(&bob), json!(null))
        .await
        .problem(404);
    t.get(&path, Some(&staff)).await.ok(200);
    assert_eq!(
        t.get("/api/v1/orders", Some(&ada)).await.ok(200)["count"],
        1
    );
    assert_eq!(
        t.get("/api/v1/orders", Some(&bob)).await.ok(200)["count"],
        1
    );
    assert_eq!(
        t.get("/api/v1/orders", Some(&staff)).await.ok(200)["count"],
        2
    );
    t.get(
        &format!("/api/v1/orders/{}", uuid::Uuid::now_v7()),
        Some(&ada),
    )
    .await
    .problem(404);
    t.get("/api/v1/orders/42", Some(&ada)).await.problem(400);
}

#[tokio::test]
async fn cancelling_gives_stock_back_and_only_pending_or_confirmed_can_be_cancelled() {
    let t = TestApp::new();
    let (staff, bottle, _) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let order = placed(&t, &ada, &bottle, 3).await;
    let cancel = format!("/api/v1/orders/{}/cancel", id(&order));
    let a = t.post(&cancel, Some(&ada), json!(null)).await;
    assert_eq!(a.ok(200)["status"], "cancelled");
    assert_eq!(stock(&t, &bottle).await, 10);
    t.post(&cancel, Some(&ada), json!(null)).await.problem(409);

    let shipped = placed(&t, &ada, &bottle, 1).await;
    t.run_jobs().await;
    let status = format!("/api/v1/orders/{}/status", id(&shipped));
    t.post(&status, Some(&staff), json!({"status": "shipped"}))
        .await
        .ok(200);
    t.post(
        &format!("/api/v1/orders/{}/cancel", id(&shipped)),
        Some(&staff),
        json!(null),
    )
    .await
    .problem(409);
}

#[tokio::test]
async fn staff_move_orders_confirmed_shipped_delivered_and_nothing_else() {
    let t = TestApp::new();
    let (staff, bottle, _) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let order = placed(&t, &ada, &bottle, 1).await;
    let status = format!("/api/v1/orders/{}/status", id(&order));
    // Still pending: shipping it is an illegal move.
    t.post(&status, Some(&staff), json!({"status": "shipped"}))
        .await
        .problem(409);
    t.run_jobs().await;
    t.post(&status, Some(&ada), json!({"status": "shipped"}))
        .await
        .problem(403);
    let bad = t
        .post(&status, Some(&staff), json!({"status": "teleported"}))
        .await;
    assert!(bad.problem(422)["errors"]["status"].is_array());
    t.post(&status, Some(&staff), json!({"status": 3}))
        .await
        .problem(400);
    t.post(&status, Some(&staff), json!({"status": "pending"}))
        .await
        .problem(409);
    let shipped = t
        .post(&status, Some(&staff), json!({"status": "shipped"}))
        .await;
    assert_eq!(shipped.ok(200)["status"], "shipped");
    let delivered = t
        .post(&status, Some(&staff), json!({"status": "delivered"}))
        .await;
    assert_eq!(delivered.ok(200)["status"], "delivered");
    t.post(&status, Some(&staff), json!({"status": "shipped"}))
        .await
        .problem(409);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_stored_response_and_creates_nothing() {
    let t = TestApp::new();
    let (_, bottle, plain) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let body = json!([line(&bottle, 2)]);
    let post = |lines: Value, key: &'static str| t.order(&ada, lines, Some(key));
    let first = post(body.clone(), "order-1").await;
    let again = post(body.clone(), "order-1").await;
    assert_eq!(again.ok(201), first.ok(201));
    assert_eq!(stock(&t, &bottle).await, 8);
    assert_eq!(
        t.get("/api/v1/orders", Some(&ada)).await.ok(200)["count"],
        1
    );
    post(json!([line(&bottle, 3)]), "order-1")
        .await
        .problem(409);

    // A rejected request's outcome is stored too.
    let too_many = json!([line(&plain, 50)]);
    let refused = post(too_many.clone(), "order-2").await;
    refused.problem(409);
    assert_eq!(
        post(too_many, "order-2").await.problem(409),
        refused.problem(409)
    );

    // Keys are per user.
    let bob = t.customer("bob@example.com").await;
    let theirs = t.order(&bob, body, Some("order-1")).await;
    assert_ne!(theirs.ok(201)["id"], first.body["id"]);
}

/// POST `body` (JSON, or raw text after `RAW:`) to /orders under `key`.
async fn order_body(t: &TestApp, token: &str, body: Value, key: &str) -> Answer {
    let headers = [("idempotency-key", key)];
    t.send(
        Method::POST,
        "/api/v1/orders",
        Some(token),
        Some(body),
        &headers,
    )
    .await
}

/// Everything a client sees of a response but its headers' order.
fn seen(a: &Answer) -> (u16, Option<&str>, &str) {
    (a.status.as_u16(), a.header("content-type"), a.text.as_str())
}

async fn order_count(t: &TestApp, token: &str) -> u64 {
    t.get("/api/v1/orders", Some(token)).await.ok(200)["count"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_malformed_order_under_a_key_gets_its_first_422_again_and_spends_the_key() {
    let t = TestApp::new();
    let (_, bottle, _) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let many: Vec<Value> = (0..101).map(|_| line(&bottle, 1)).collect();
    for (key, body, field) in [
        (
            "not-a-uuid",
            json!({"lines": [{"product_id": "not-a-uuid", "quantity": 1}]}),
            "lines[0].product_id",
        ),
        (
            "none",
            json!({"lines": [line(&bottle, 0)]}),
            "lines[0].quantity",
        ),
        (
            "too-many-units",
            json!({"lines": [line(&bottle, 1001)]}),
            "lines[0].quantity",
        ),
        ("no-lines", json!({"lines": []}), "lines"),
        ("too-many-lines", json!({ "lines": many }), "lines"),
        (
            "twice",
            json!({"lines": [line(&bottle, 1), line(&bottle, 2)]}),
            "lines",
        ),
        ("nothing", json!({}), "lines"),
    ] {
        let first = order_body(&t, &ada, body.clone(), key).await;
        assert!(
            first.problem(422)["errors"][field].is_array(),
            "{key}: {}",
            first.text
        );
        let again = order_body(&t, &ada, body, key).await;
        assert_eq!(seen(&again), seen(&first), "{key}: the stored response");

        let other = json!({"lines": [{"product_id": "another-bad-id", "quantity": 1}]});
        let reused = order_body(&t, &ada, other, key).await;
        assert_eq!(
            reused.problem(409)["type"],
            "/problems/idempotency-key-reused",
            "{key}"
        );
        let valid = t.order(&ada, json!([line(&bottle, 1)]), Some(key)).await;
        assert_eq!(
            valid.problem(409)["type"],
            "/problems/idempotency-key-reused",
            "{key}"
        );
    }
    assert_eq!(order_count(&t, &ada).await, 0);
    assert_eq!(stock(&t, &bottle).await, 10);
}

#[tokio::test]
async fn the_same_body_laid_out_otherwise_is_the_same_request() {
    let t = TestApp::new();
    let (_, bottle, _) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let product = bottle["id"].as_str().unwrap();
    let compact = format!(r#"RAW:{{"lines":[{{"product_id":"{product}","quantity":0}}]}}"#);
    let spread = format!(
        "RAW:{{ \"lines\" : [ {{ \"quantity\" : 0,\n  \"product_id\" : \"{product}\" }} ] }}"
    );
    let first = order_body(&t, &ada, json!(compact), "layout").await;
    first.problem(422);
    let again = order_body(&t, &ada, json!(spread), "layout").await;
    assert_eq!(seen(&again), seen(&first));
}

#[tokio::test]
async fn a_refusal_for_stock_is_replayed_even_once_the_stock_is_back() {
    let t = TestApp::new();
    let (staff, _, plain) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let six = json!([line(&plain, 6)]);
    let refused = t.order(&ada, six.clone(), Some("six")).await;
    assert_eq!(refused.problem(409)["type"], "/problems/insufficient-stock");

    let restock = t
        .patch(
            &format!("/api/v1/products/{}", id(&plain)),
            Some(&staff),
            json!({"stock": 50}),
        )
        .await;
    assert_eq!(restock.ok(200)["stock"], 50);
    let again = t.order(&ada, six, Some("six")).await;
    assert_eq!(
        seen(&again),
        seen(&refused),
        "the stored 409, not a new order"
    );
    assert_eq!(order_count(&t, &ada).await, 0);
    assert_eq!(stock(&t, &plain).await, 50);
    // Without the key the same request is a new one, and now succeeds.
    t.order(&ada, json!([line(&plain, 6)]), None).await.ok(201);
}

#[tokio::test]
async fn a_body_that_is_not_json_of_the_right_types_is_400_and_leaves_the_key_unused() {
    let t = TestApp::new();
    let (_, bottle, _) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let wrong_type = json!({"lines": [{"product_id": bottle["id"], "quantity": "2"}]});
    order_body(&t, &ada, wrong_type, "k").await.problem(400);
    order_body(&t, &ada, json!("RAW:{\"lines\": ["), "k")
        .await
        .problem(400);
    let placed = t.order(&ada, json!([line(&bottle, 2)]), Some("k")).await;
    assert_eq!(placed.ok(201)["status"], "pending");
}

#[tokio::test]
async fn a_bad_idempotency_key_is_400() {
    let t = TestApp::new();
    let (_, bottle, _) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let long = "k".repeat(256);
    for key in ["", long.as_str()] {
        t.order(&ada, json!([line(&bottle, 1)]), Some(key))
            .await
            .problem(400);
    }
    assert_eq!(stock(&t, &bottle).await, 10);
}

#[tokio::test]
async fn forty_concurrent_buyers_for_five_units_get_exactly_five_orders() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let scarce = t
        .product(
            &staff,
            json!({"name": "Last ones", "price": "1.00", "stock": 5}),
        )
        .await;
    let mut tokens = Vec::new();
    for i in 0..40 {
        tokens.push(t.customer(&format!("buyer{i}@example.com")).await);
    }
    let lines = json!([line(&scarce, 1)]);
    let answers =
        futures_util::future::join_all(tokens.iter().map(|tok| t.order(tok, lines.clone(), None)))
            .await;
    let created = answers.iter().filter(|a| a.status.as_u16() == 201).count();
    let conflicts = answers.iter().filter(|a| a.status.as_u16() == 409).count();
    assert_eq!((created, conflicts), (5, 35));
    assert_eq!(stock(&t, &scarce).await, 0);
}

#[tokio::test]
async fn the_summary_covers_the_callers_orders_that_are_not_cancelled() {
    let t = TestApp::new();
    let (_, bottle, plain) = shop(&t).await;
    let ada = t.customer("ada@example.com").await;
    let empty = t.get("/api/v1/sustainability/summary", Some(&ada)).await;
    assert_eq!(
        empty.ok(200),
        &json!({"orders_count": 0, "items_count": 0, "total_carbon_footprint_kg": 0.0, "average_score": null})
    );
    t.order(&ada, json!([line(&bottle, 2), line(&plain, 2)]), None)
        .await
        .ok(201);
    let cancelled = placed(&t, &ada, &bottle, 1).await;
    t.post(
        &format!("/api/v1/orders/{}/cancel", id(&cancelled)),
        Some(&ada),
        json!(null),
    )
    .await
    .ok(200);
    let s = t.get("/api/v1/sustainability/summary", Some(&ada)).await;
    let s = s.ok(200);
    assert_eq!(s["orders_count"], 1);
    assert_eq!(s["items_count"], 4);
    assert_eq!(s["total_carbon_footprint_kg"], 2.4);
    let bottle_score = bottle["sustainability_score"].as_f64().unwrap();
    assert_eq!(
        s["average_score"].as_f64().unwrap(),
        (bottle_score * 2.0 + 50.0 * 2.0) / 4.0
    );
}
