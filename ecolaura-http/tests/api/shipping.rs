//! Shipping emissions (API-SUSTAINABILITY.md, section 5).

use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

fn method(code: &str, mode: &str, km: i64, factor: &str, price: &str) -> Value {
    json!({"code": code, "name": format!("Ship by {mode}"), "mode": mode,
           "distance_km": km, "emission_factor_g_per_tkm": factor, "price": price})
}

/// Three methods: rail (17 g/t·km), road (62) and air (602), 850 km each;
/// and an inactive barge.
async fn methods(t: &TestApp, staff: &str) {
    for m in [
        method("air", "air", 850, "602.0", "19.00"),
        method("rail-eu", "rail", 850, "17.0", "6.90"),
        method("road", "road", 850, "62", "4.90"),
    ] {
        t.post("/api/v1/shipping-methods", Some(staff), m)
            .await
            .ok(201);
    }
    let mut barge = method("barge", "inland_water", 850, "31", "3.00");
    barge["active"] = json!(false);
    t.post("/api/v1/shipping-methods", Some(staff), barge)
        .await
        .ok(201);
}

/// A product of `weight` kg (or none) with a 1.2 kg footprint.
async fn product(t: &TestApp, staff: &str, weight: Value) -> String {
    id(&t
        .product(
            staff,
            json!({"name": "Bottle", "price": "19.99", "stock": 50, "weight_kg": weight,
                   "sustainability": {"carbon_footprint_kg": 1.2, "recyclable": true,
                                      "biodegradable": false}}),
        )
        .await)
}

async fn place(t: &TestApp, token: &str, body: Value) -> crate::helpers::Answer {
    t.post("/api/v1/orders", Some(token), body).await
}

#[tokio::test]
async fn staff_keep_methods_and_customers_see_the_active_ones() {
    let t = TestApp::new();
    let staff = t.staff().await;
    methods(&t, &staff).await;
    let made = t
        .post(
            "/api/v1/shipping-methods",
            Some(&staff),
            method("rail-eu", "rail", 1, "1", "1.00"),
        )
        .await;
    assert_eq!(made.problem(409)["type"], "/problems/duplicate");

    let public = t.get("/api/v1/shipping-methods", None).await;
    let public = public.ok(200);
    assert_eq!(public["count"], 3);
    let codes: Vec<&str> = public["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["air", "rail-eu", "road"]);
    let rail = &public["results"][1];
    assert_eq!(rail["mode"], "rail");
    assert_eq!(rail["distance_km"], 850);
    assert_eq!(rail["emission_factor_g_per_tkm"], "17.0");
    assert_eq!(rail["price"], "6.90");
    assert_eq!(rail["active"], true);
    let all = t.get("/api/v1/shipping-methods", Some(&staff)).await;
    assert_eq!(all.ok(200)["count"], 4);
    let page = t
        .get("/api/v1/shipping-methods?page=2&page_size=2", Some(&staff))
        .await;
    assert_eq!(page.ok(200)["results"][0]["code"], "rail-eu");

    let changed = t
        .patch(
            "/api/v1/shipping-methods/barge",
            Some(&staff),
            json!({"active": true, "emission_factor_g_per_tkm": "30.5"}),
        )
        .await;
    let changed = changed.ok(200);
    assert_eq!(
        (
            changed["active"].clone(),
            changed["emission_factor_g_per_tkm"].clone()
        ),
        (json!(true), json!("30.5"))
    );
    assert_eq!(changed["price"], "3.00", "fields left out stay");
    assert_eq!(
        t.get("/api/v1/shipping-methods", None).await.ok(200)["count"],
        4
    );
    t.patch(
        "/api/v1/shipping-methods/nowhere",
        Some(&staff),
        json!({"active": false}),
    )
    .await
    .problem(404);
    t.patch(
        "/api/v1/shipping-methods/Not%20A%20Slug",
        Some(&staff),
        json!({"active": false}),
    )
    .await
    .problem(404);

    let customer = t.customer("c@example.com").await;
    t.post(
        "/api/v1/shipping-methods",
        Some(&customer),
        method("mine", "van", 5, "300", "1.00"),
    )
    .await
    .problem(403);
    t.post(
        "/api/v1/shipping-methods",
        None,
        method("mine", "van", 5, "300", "1.00"),
    )
    .await
    .problem(401);
    t.patch(
        "/api/v1/shipping-methods/road",
        Some(&customer),
        json!({"active": false}),
    )
    .await
    .problem(403);
}

#[tokio::test]
async fn bad_methods_are_422_naming_each_field() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let bad = t
        .post(
            "/api/v1/shipping-methods",
            Some(&staff),
            json!({"code": "Rail EU", "name": "  ", "mode": "rail", "distance_km": 850,
                   "emission_factor_g_per_tkm": "100000.5", "price": "-1"}),
        )
        .await;
    let errors = &bad.problem(422)["errors"];
    for field in ["code", "name", "emission_factor_g_per_tkm", "price"] {
        assert!(errors[field].is_array(), "{field}: {errors}");
    }
    let unknown_mode = t
        .post(
            "/api/v1/shipping-methods",
            Some(&staff),
            method("x", "teleport", 1, "1", "1.00"),
        )
        .await;
    assert!(unknown_mode.problem(422)["errors"]["mode"].is_array());
    let far = t
        .post(
            "/api/v1/shipping-methods",
            Some(&staff),
            method("x", "sea", 50_001, "1", "1.00"),
        )
        .await;
    assert!(far.problem(422)["errors"]["distance_km"].is_array());
    let big = t
        .post(
            "/api/v1/shipping-methods",
            Some(&staff),
            method("x", "air", 1, "100001", "1.00"),
        )
        .await;
    assert!(big.problem(422)["errors"]["emission_factor_g_per_tkm"].is_array());
    assert_eq!(
        t.get("/api/v1/shipping-methods", Some(&staff))
            .await
            .ok(200)["count"],
        0,
        "nothing was written"
    );
}

#[tokio::test]
async fn a_quote_ranks_the_active_methods_by_emissions() {
    let t = TestApp::new();
    let staff = t.staff().await;
    methods(&t, &staff).await;
    let bottle = product(&t, &staff, json!("0.500")).await;
    let quote = t
        .post(
            "/api/v1/shipping/quote",
            None,
            json!({"lines": [{"product_id": bottle, "quantity": 4}]}),
        )
        .await;
    let options = quote.ok(200)["options"].as_array().unwrap().clone();
    let codes: Vec<&str> = options
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["rail-eu", "road", "air"], "the barge is inactive");
    // 2 kg × 850 km: rail 17 g/t·km → 28.9 g; road 62 → 105.4 g; air 602 → 1023.4 g.
    let kg: Vec<f64> = options
        .iter()
        .map(|o| o["carbon_footprint_kg"].as_f64().unwrap())
        .collect();
    assert_eq!(kg, [0.0289, 0.1054, 1.0234]);
    assert_eq!(options[0]["lowest_carbon"], true);
    assert_eq!(options[1]["lowest_carbon"], false);
    assert_eq!(options[0]["price"], "6.90");
    assert_eq!(options[0]["name"], "Ship by rail");
    assert_eq!(options[0]["mode"], "rail");

    let weightless = product(&t, &staff, Value::Null).await;
    let unknown = t
        .post(
            "/api/v1/shipping/quote",
            None,
            json!({"lines": [{"product_id": bottle, "quantity": 1},
                             {"product_id": weightless, "quantity": 1}]}),
        )
        .await;
    let options = unknown.ok(200)["options"].as_array().unwrap().clone();
    assert!(options.iter().all(|o| o["carbon_footprint_kg"].is_null()));
    assert_eq!(options[0]["code"], "rail-eu", "still ranked by intensity");

    let missing = t
        .post(
            "/api/v1/shipping/quote",
            None,
            json!({"lines": [{"product_id": "019ab5c0-0000-7000-8000-000000000009", "quantity": 1}]}),
        )
        .await;
    assert!(missing.problem(422)["errors"]["lines"].is_array());
    let empty = t
        .post("/api/v1/shipping/quote", None, json!({"lines": []}))
        .await;
    empty.problem(422);
    let twice = t
        .post(
            "/api/v1/shipping/quote",
            None,
            json!({"lines": [{"product_id": bottle, "quantity": 1},
                             {"product_id": bottle, "quantity": 2}]}),
        )
        .await;
    assert!(twice.problem(422)["errors"]["lines"].is_array());
}

#[tokio::test]
async fn an_order_carries_its_shipping_in_its_total_and_footprint() {
    let t = TestApp::new();
    let staff = t.staff().await;
    methods(&t, &staff).await;
    let bottle = product(&t, &staff, json!("0.500")).await;
    let ada = t.customer("ada@example.com").await;
    let placed = place(
        &t,
        &ada,
        json!({"lines": [{"product_id": bottle, "quantity": 4}], "shipping_method": "rail-eu"}),
    )
    .await;
    let order = placed.ok(201).clone();
    // 4 × 19.99 + 6.90
    assert_eq!(order["total"], "86.86");
    assert_eq!(
        order["shipping"],
        json!({"code": "rail-eu", "name": "Ship by rail", "price": "6.90",
               "carbon_footprint_kg": 0.0289})
    );
    assert_eq!(order["products_carbon_footprint_kg"], 4.8);
    assert_eq!(order["shipping_carbon_footprint_kg"], 0.0289);
    assert_eq!(order["carbon_footprint_kg"], 4.8289);
    assert_eq!(order["footprint_complete"], true);

    // The method changes; the order keeps it as it was.
    t.patch(
        "/api/v1/shipping-methods/rail-eu",
        Some(&staff),
        json!({"price": "9.00", "name": "Night train"}),
    )
    .await
    .ok(200);
    let read = t
        .get(&format!("/api/v1/orders/{}", id(&order)), Some(&ada))
        .await;
    assert_eq!(read.ok(200)["shipping"], order["shipping"]);
    assert_eq!(read.ok(200)["total"], "86.86");

    // Without a method, the order has no shipping and no shipping footprint.
    let plain = place(
        &t,
        &ada,
        json!({"lines": [{"product_id": bottle, "quantity": 1}]}),
    )
    .await;
    let plain = plain.ok(201);
    assert_eq!(plain["shipping"], Value::Null);
    assert_eq!(plain["shipping_carbon_footprint_kg"], Value::Null);
    assert_eq!(plain["total"], "19.99");
    assert_eq!(plain["footprint_complete"], true);

    // A product without weight: the shipment's footprint is unknown.
    let weightless = product(&t, &staff, Value::Null).await;
    let unknown = place(
        &t,
        &ada,
        json!({"lines": [{"product_id": weightless, "quantity": 1}], "shipping_method": "road"}),
    )
    .await;
    let unknown = unknown.ok(201);
    assert_eq!(unknown["shipping"]["carbon_footprint_kg"], Value::Null);
    assert_eq!(unknown["carbon_footprint_kg"], 1.2);
    assert_eq!(unknown["footprint_complete"], false);

    // The summary counts products and the known shipping: 4.8 + 0.0289
    // + 1.2 + 1.2 kg.
    let summary = t.get("/api/v1/sustainability/summary", Some(&ada)).await;
    assert_eq!(summary.ok(200)["total_carbon_footprint_kg"], 7.2289);
}

#[tokio::test]
async fn an_unknown_or_inactive_method_is_422_and_takes_no_stock() {
    let t = TestApp::new();
    let staff = t.staff().await;
    methods(&t, &staff).await;
    let bottle = product(&t, &staff, json!("0.500")).await;
    let ada = t.customer("ada@example.com").await;
    for code in ["barge", "nowhere"] {
        let refused = place(
            &t,
            &ada,
            json!({"lines": [{"product_id": bottle, "quantity": 2}], "shipping_method": code}),
        )
        .await;
        let problem = refused.problem(422);
        assert!(problem["errors"]["shipping_method"].is_array(), "{problem}");
    }
    let malformed = place(
        &t,
        &ada,
        json!({"lines": [{"product_id": bottle, "quantity": 2}], "shipping_method": "Rail EU"}),
    )
    .await;
    assert!(malformed.problem(422)["errors"]["shipping_method"].is_array());
    let both = place(
        &t,
        &ada,
        json!({"lines": [{"product_id": bottle, "quantity": 1}, {"product_id": bottle, "quantity": 1}],
               "shipping_method": "Rail EU"}),
    )
    .await;
    let errors = &both.problem(422)["errors"];
    assert!(
        errors["shipping_method"].is_array() && errors["lines"].is_array(),
        "every broken rule at once: {errors}"
    );
    let product = t.get(&format!("/api/v1/products/{bottle}"), None).await;
    assert_eq!(product.ok(200)["stock"], 50, "nothing was taken");
    let orders = t.get("/api/v1/orders", Some(&ada)).await;
    assert_eq!(orders.ok(200)["count"], 0);
}

#[tokio::test]
async fn a_repeated_key_replays_the_shipping_and_another_method_is_another_request() {
    let t = TestApp::new();
    let staff = t.staff().await;
    methods(&t, &staff).await;
    let bottle = product(&t, &staff, json!("0.500")).await;
    let ada = t.customer("ada@example.com").await;
    let send = |body: Value| {
        let t = &t;
        let ada = ada.clone();
        async move {
            t.send(
                poem::http::Method::POST,
                "/api/v1/orders",
                Some(&ada),
                Some(body),
                &[("idempotency-key", "ship-1")],
            )
            .await
        }
    };
    let body = json!({"lines": [{"product_id": bottle, "quantity": 1}], "shipping_method": "road"});
    let first = send(body.clone()).await;
    let first = first.ok(201).clone();
    // The method is retired meanwhile: the repeat still replays the order.
    t.patch(
        "/api/v1/shipping-methods/road",
        Some(&staff),
        json!({"active": false}),
    )
    .await
    .ok(200);
    let again = send(body).await;
    assert_eq!(again.ok(201), &first);
    let other = send(json!({"lines": [{"product_id": bottle, "quantity": 1}],
                            "shipping_method": "rail-eu"}))
    .await;
    assert_eq!(
        other.problem(409)["type"],
        "/problems/idempotency-key-reused"
    );
}
