//! Discarded stock and the ESPR disclosure (API-SUSTAINABILITY.md, section 6).

use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

/// A category (optionally under the destruction ban) and a product in it.
async fn shop(t: &TestApp, staff: &str, banned: bool, weight: Value) -> String {
    t.post(
        "/api/v1/categories",
        Some(staff),
        json!({"slug": "shoes", "name": "Shoes", "destruction_banned": banned}),
    )
    .await
    .ok(201);
    id(&t
        .product(
            staff,
            json!({"name": "Boots", "price": "80.00", "stock": 20, "category": "shoes",
                   "weight_kg": weight}),
        )
        .await)
}

fn discard(quantity: i64, destination: &str) -> Value {
    json!({"quantity": quantity, "reason": "unsold", "destination": destination})
}

async fn stock(t: &TestApp, product: &str) -> i64 {
    t.get(&format!("/api/v1/products/{product}"), None)
        .await
        .ok(200)["stock"]
        .as_i64()
        .unwrap()
}

async fn ledger(t: &TestApp, staff: &str, product: &str) -> Value {
    t.get(&format!("/api/v1/products/{product}/discards"), Some(staff))
        .await
        .ok(200)
        .clone()
}

#[tokio::test]
async fn a_discard_takes_stock_into_the_ledger_and_short_stock_writes_nothing() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let boots = shop(&t, &staff, false, json!("0.350")).await;
    let path = format!("/api/v1/products/{boots}/discards");
    assert_eq!(
        stock(&t, &boots).await,
        20,
        "a cached read before the discard"
    );

    let mut body = discard(12, "donation");
    body["note"] = json!("Given to the clothing bank.");
    let made = t.post(&path, Some(&staff), body).await;
    let entry = made.ok(201).clone();
    assert_eq!(entry["product_id"], boots);
    assert_eq!(entry["category"], "shoes");
    assert_eq!(entry["quantity"], 12);
    assert_eq!(entry["unit_weight_kg"], "0.350");
    assert_eq!(entry["weight_kg"], "4.200");
    assert_eq!(entry["reason"], "unsold");
    assert_eq!(entry["destination"], "donation");
    assert_eq!(entry["derogation"], Value::Null);
    assert_eq!(entry["note"], "Given to the clothing bank.");
    assert!(entry["recorded_by"].is_string());
    assert_eq!(
        stock(&t, &boots).await,
        8,
        "the cached read saw the discard"
    );

    let short = t.post(&path, Some(&staff), discard(9, "reuse")).await;
    let problem = short.problem(409);
    assert_eq!(problem["type"], "/problems/insufficient-stock");
    assert!(problem["detail"].as_str().unwrap().contains('8'));
    assert_eq!(stock(&t, &boots).await, 8);

    t.post(&path, Some(&staff), discard(8, "landfill"))
        .await
        .ok(201);
    assert_eq!(stock(&t, &boots).await, 0);
    let listed = ledger(&t, &staff, &boots).await;
    assert_eq!(listed["count"], 2, "the refused discard left no entry");
    assert_eq!(listed["results"][0]["destination"], "landfill");
    assert_eq!(listed["results"][1], entry, "newest first, as made");
    // The in-stock list no longer shows the product.
    let in_stock = t.get("/api/v1/products?in_stock=true", None).await;
    assert_eq!(in_stock.ok(200)["count"], 0);
}

#[tokio::test]
async fn destroying_a_banned_categorys_products_needs_a_derogation() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let boots = shop(&t, &staff, true, Value::Null).await;
    let path = format!("/api/v1/products/{boots}/discards");
    let categories = t.get("/api/v1/categories", None).await;
    assert_eq!(categories.ok(200)["results"][0]["destruction_banned"], true);

    for destination in ["recycling", "energy_recovery", "incineration", "landfill"] {
        let refused = t.post(&path, Some(&staff), discard(1, destination)).await;
        let problem = refused.problem(422);
        assert_eq!(problem["type"], "/problems/destruction-banned");
        assert_eq!(problem["rule"], "espr-art-25-destruction-ban");
        assert!(problem["detail"].as_str().unwrap().contains(destination));
    }
    assert_eq!(stock(&t, &boots).await, 20, "nothing was taken");
    assert_eq!(ledger(&t, &staff, &boots).await["count"], 0);

    for destination in ["reuse", "donation", "remanufacture"] {
        t.post(&path, Some(&staff), discard(1, destination))
            .await
            .ok(201);
    }
    let mut derogated = discard(2, "incineration");
    derogated["reason"] = json!("safety");
    derogated["derogation"] = json!("dangerous");
    let made = t.post(&path, Some(&staff), derogated).await;
    assert_eq!(made.ok(201)["derogation"], "dangerous");
    assert_eq!(made.body["weight_kg"], Value::Null, "no weight, no weight");
    assert_eq!(stock(&t, &boots).await, 15);
}

#[tokio::test]
async fn the_ban_follows_the_categorys_flag_and_a_derogation_is_kept_anywhere() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let boots = shop(&t, &staff, false, Value::Null).await;
    let path = format!("/api/v1/products/{boots}/discards");
    let mut kept = discard(1, "landfill");
    kept["derogation"] = json!("non_compliant");
    let made = t.post(&path, Some(&staff), kept).await;
    assert_eq!(made.ok(201)["derogation"], "non_compliant");

    let patched = t
        .patch(
            "/api/v1/categories/shoes",
            Some(&staff),
            json!({"destruction_banned": true}),
        )
        .await;
    assert_eq!(
        patched.ok(200),
        &json!({"slug": "shoes", "name": "Shoes", "description": "",
                "destruction_banned": true})
    );
    t.post(&path, Some(&staff), discard(1, "landfill"))
        .await
        .problem(422);
    let listed = t.get("/api/v1/categories", None).await;
    assert_eq!(listed.ok(200)["results"][0]["destruction_banned"], true);

    t.patch(
        "/api/v1/categories/hats",
        Some(&staff),
        json!({"destruction_banned": true}),
    )
    .await
    .problem(404);
    t.patch(
        "/api/v1/categories/shoes",
        Some(&staff),
        json!({"name": ""}),
    )
    .await
    .problem(422);
    let customer = t.customer("c@shop.example").await;
    t.patch(
        "/api/v1/categories/shoes",
        Some(&customer),
        json!({"destruction_banned": false}),
    )
    .await
    .problem(403);
}

#[tokio::test]
async fn bad_discards_are_4xx_naming_the_field_and_write_nothing() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let boots = shop(&t, &staff, false, Value::Null).await;
    let path = format!("/api/v1/products/{boots}/discards");
    for quantity in [0, -3, 1_000_000_001] {
        let r = t
            .post(&path, Some(&staff), discard(quantity, "reuse"))
            .await;
        assert!(
            r.problem(422)["errors"]["quantity"].is_array(),
            "{quantity}"
        );
    }
    let mut long_note = discard(1, "reuse");
    long_note["note"] = json!("x".repeat(5001));
    assert!(t.post(&path, Some(&staff), long_note).await.problem(422)["errors"]["note"].is_array());
    for bad in [
        json!({"quantity": 1, "reason": "bored", "destination": "reuse"}),
        json!({"quantity": 1, "reason": "unsold", "destination": "sea"}),
        json!({"quantity": 1, "reason": "unsold", "destination": "landfill", "derogation": "because"}),
        json!({"reason": "unsold", "destination": "reuse"}),
    ] {
        let r = t.post(&path, Some(&staff), bad.clone()).await;
        assert!(
            r.status.is_client_error() && r.status != 404,
            "{bad}: {}",
            r.text
        );
    }
    assert_eq!(stock(&t, &boots).await, 20);
    assert_eq!(ledger(&t, &staff, &boots).await["count"], 0);

    let missing = "/api/v1/products/0192a4c8-0000-7000-8000-000000000000/discards";
    t.post(missing, Some(&staff), discard(1, "reuse"))
        .await
        .problem(404);
    t.get(missing, Some(&staff)).await.problem(404);
    let customer = t.customer("c@shop.example").await;
    t.post(&path, Some(&customer), discard(1, "reuse"))
        .await
        .problem(403);
    t.get(&path, Some(&customer)).await.problem(403);
    t.post(&path, None, discard(1, "reuse")).await.problem(401);
    assert_eq!(stock(&t, &boots).await, 20);
}

#[tokio::test]
async fn the_yearly_report_sums_the_ledger_in_json_and_csv() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let boots = shop(&t, &staff, true, json!("1.250")).await;
    let tote = id(&t
        .product(
            &staff,
            json!({"name": "Tote", "price": "9.00", "stock": 50}),
        )
        .await);
    let year = t.app.clock().now().format("%Y").to_string();
    let report_path = format!("/api/v1/reports/discards?year={year}");
    let empty = t.get(&report_path, Some(&staff)).await;
    let empty = empty.ok(200);
    assert_eq!(empty["units"], 0);
    assert_eq!(empty["weight_kg"], "0.000");
    assert_eq!(empty["share_reuse_remanufacture_recycling"], Value::Null);
    assert_eq!(empty["prevention_measures"], Value::Null);
    assert_eq!(empty["by_reason"]["unsold"]["units"], 0);
    assert_eq!(empty["by_derogation"].as_object().unwrap().len(), 10);

    let boots_path = format!("/api/v1/products/{boots}/discards");
    t.post(&boots_path, Some(&staff), discard(10, "donation"))
        .await
        .ok(201);
    let mut derogated = discard(2, "incineration");
    derogated["reason"] = json!("safety");
    derogated["derogation"] = json!("dangerous");
    t.post(&boots_path, Some(&staff), derogated).await.ok(201);
    t.post(
        &format!("/api/v1/products/{tote}/discards"),
        Some(&staff),
        discard(4, "recycling"),
    )
    .await
    .ok(201);

    let report = t.get(&report_path, Some(&staff)).await;
    let r = report.ok(200);
    assert_eq!(r["year"], year.parse::<i64>().unwrap());
    assert_eq!(r["units"], 16);
    assert_eq!(r["weight_kg"], "15.000");
    assert_eq!(r["units_unknown_weight"], 4);
    assert_eq!(
        r["by_reason"]["unsold"],
        json!({"units": 14, "weight_kg": "12.500", "units_unknown_weight": 4})
    );
    assert_eq!(r["by_destination"]["incineration"]["units"], 2);
    assert_eq!(r["by_destination"]["landfill"]["units"], 0);
    assert_eq!(r["by_derogation"]["dangerous"]["units"], 2);
    assert_eq!(r["by_category"][0]["category"], "shoes");
    assert_eq!(r["by_category"][0]["units"], 12);
    assert_eq!(r["by_category"][1]["category"], Value::Null);
    assert_eq!(r["share_reuse_remanufacture_recycling"], "0.8750");

    let csv = t
        .send(
            poem::http::Method::GET,
            &report_path,
            Some(&staff),
            None,
            &[("accept", "text/csv")],
        )
        .await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines,
        [
            "year,category,reason,destination,units,weight_kg,units_unknown_weight",
            &format!("{year},shoes,unsold,donation,10,12.500,0"),
            &format!("{year},shoes,safety,incineration,2,2.500,0"),
            &format!("{year},,unsold,recycling,4,0.000,4"),
        ]
    );

    let measures = format!("/api/v1/reports/discards/{year}");
    let set = t
        .put(
            &measures,
            Some(&staff),
            json!({"prevention_measures": "Outlet sales, then donation.\nNo landfill."}),
        )
        .await;
    assert_eq!(
        set.ok(200)["prevention_measures"],
        "Outlet sales, then donation.\nNo landfill."
    );
    let again = t.get(&report_path, Some(&staff)).await;
    assert_eq!(
        again.ok(200)["prevention_measures"],
        "Outlet sales, then donation.\nNo landfill."
    );
    let next_year = format!(
        "/api/v1/reports/discards?year={}",
        year.parse::<i32>().unwrap() + 1
    );
    let next = t.get(&next_year, Some(&staff)).await;
    assert_eq!(next.ok(200)["units"], 0, "another year is another report");
    assert_eq!(next.body["prevention_measures"], Value::Null);
}

#[tokio::test]
async fn a_report_year_that_is_not_a_number_or_out_of_range_is_400() {
    let t = TestApp::new();
    let staff = t.staff().await;
    for bad in ["abc", "2026.5", "", "99999999999999999999"] {
        t.get(
            &format!("/api/v1/reports/discards?year={bad}"),
            Some(&staff),
        )
        .await
        .problem(400);
    }
    t.get("/api/v1/reports/discards", Some(&staff))
        .await
        .problem(400);
    for out in ["1969", "10000", "-1"] {
        let r = t
            .get(
                &format!("/api/v1/reports/discards?year={out}"),
                Some(&staff),
            )
            .await;
        assert!(
            r.problem(400)["detail"].as_str().unwrap().contains("year"),
            "{out}"
        );
    }
    let body = json!({"prevention_measures": "Repair first."});
    let not_a_year = t
        .put("/api/v1/reports/discards/abc", Some(&staff), body.clone())
        .await;
    let detail = not_a_year.problem(400)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!detail.contains("UUID"), "{detail}");
    t.put("/api/v1/reports/discards/1969", Some(&staff), body.clone())
        .await
        .problem(400);
    t.put(
        "/api/v1/reports/discards/2026",
        Some(&staff),
        json!({"prevention_measures": "x".repeat(20_001)}),
    )
    .await
    .problem(422);
    let customer = t.customer("c@shop.example").await;
    t.get("/api/v1/reports/discards?year=2026", Some(&customer))
        .await
        .problem(403);
    t.put("/api/v1/reports/discards/2026", Some(&customer), body)
        .await
        .problem(403);
    t.get("/api/v1/reports/discards?year=2026", None)
        .await
        .problem(401);
}
