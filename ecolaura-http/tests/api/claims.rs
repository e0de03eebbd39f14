//! Green claims with evidence (API-SUSTAINABILITY.md, section 2).

use chrono::{Duration, NaiveDate};
use ecolaura_core::ports::Clock;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

fn today(t: &TestApp) -> NaiveDate {
    t.clock.now().date_naive()
}

fn claim(t: &TestApp, claim_type: &str, markets: Value) -> Value {
    let today = today(t);
    json!({
        "type": claim_type, "statement": "Made with 80% recycled PET", "markets": markets,
        "evidence": {"scheme": "Global Recycled Standard", "certificate_id": "GRS-2291",
                     "issuer": "Control Union",
                     "valid_from": (today - Duration::days(30)).to_string(),
                     "valid_until": (today + Duration::days(365)).to_string(),
                     "ecolabel_type_i": false, "url": "https://example.org/grs-2291"}
    })
}

async fn product(t: &TestApp, staff: &str, recyclable: bool, biodegradable: bool) -> String {
    id(&t
        .product(
            staff,
            json!({"name": "Bottle", "price": "9.00", "stock": 5,
                   "sustainability": {"carbon_footprint_kg": 1.0, "recyclable": recyclable,
                                      "biodegradable": biodegradable}}),
        )
        .await)
}

fn shown_ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_claim_shows_in_its_markets_without_its_certificate_id() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = product(&t, &staff, true, false).await;
    let path = format!("/api/v1/products/{p}/claims");
    let made = t
        .post(
            &path,
            Some(&staff),
            claim(&t, "recycled_content", json!(["EU", "FR", "EU"])),
        )
        .await;
    let body = made.ok(201).clone();
    assert_eq!(body["type"], "recycled_content");
    assert_eq!(body["markets"], json!(["EU", "FR"]), "repeats are folded");
    assert_eq!(
        body["evidence"]["certificate_id"], "GRS-2291",
        "staff see it"
    );
    assert_eq!(body["status"], "active");
    let only_fr = t
        .post(&path, Some(&staff), claim(&t, "repairable", json!(["FR"])))
        .await;
    let only_fr = id(only_fr.ok(201));

    let fr = t.get(&format!("{path}?market=FR"), None).await;
    assert_eq!(shown_ids(fr.ok(200)), [id(&body), only_fr.clone()]);
    assert_eq!(fr.body[0]["evidence"]["certificate_id"], Value::Null);
    let de = t.get(&format!("{path}?market=DE"), None).await;
    assert_eq!(
        shown_ids(de.ok(200)),
        [id(&body)],
        "an EU claim shows in every state"
    );
    let eu = t.get(&path, None).await;
    assert_eq!(
        shown_ids(eu.ok(200)),
        [id(&body)],
        "the default market is the EU"
    );
    t.get(&format!("{path}?market=CH"), None).await.problem(422);

    t.delete(&format!("{path}/{only_fr}"), Some(&staff))
        .await
        .ok(204);
    t.delete(&format!("{path}/{only_fr}"), Some(&staff))
        .await
        .problem(404);
    let fr = t.get(&format!("{path}?market=FR"), None).await;
    assert_eq!(shown_ids(fr.ok(200)), [id(&body)]);
}

#[tokio::test]
async fn each_refusal_is_a_422_naming_its_rule_and_nothing_is_stored() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = product(&t, &staff, false, true).await;
    let path = format!("/api/v1/products/{p}/claims");
    let mut labelled = claim(&t, "environmentally_friendly", json!(["DE"]));
    labelled["evidence"]["ecolabel_type_i"] = json!(true);
    let mut in_france = labelled.clone();
    in_france["markets"] = json!(["EU", "FR"]);
    let mut offsets = claim(&t, "low_carbon", json!(["IT"]));
    offsets["statement"] = json!("Climate neutral through certified offsets");
    let cases = [
        (
            claim(&t, "environmentally_friendly", json!(["EU"])),
            "empco-generic-claim",
            "EU",
        ),
        (in_france, "agec-art-13", "FR"),
        (
            claim(&t, "carbon_neutral", json!(["DE"])),
            "empco-offsets",
            "DE",
        ),
        (offsets, "empco-offsets", "IT"),
        (
            claim(&t, "biodegradable", json!(["FR"])),
            "agec-art-13",
            "FR",
        ),
        (
            claim(&t, "recyclable", json!(["EU"])),
            "metrics-agreement",
            "EU",
        ),
    ];
    for (body, rule, market) in cases {
        let r = t.post(&path, Some(&staff), body.clone()).await;
        let problem = r.problem(422);
        assert_eq!(problem["rule"], rule, "{body}");
        assert_eq!(problem["market"], market, "{body}");
        assert!(
            problem["detail"].as_str().unwrap().contains("("),
            "names its source"
        );
    }
    assert_eq!(
        t.get(&format!("{path}?market=FR"), None).await.body,
        json!([])
    );
    // With a type I ecolabel, a generic claim stands outside France.
    t.post(&path, Some(&staff), labelled).await.ok(201);
    t.post(
        &path,
        Some(&staff),
        claim(&t, "biodegradable", json!(["DE"])),
    )
    .await
    .ok(201);
}

#[tokio::test]
async fn a_claim_without_valid_evidence_or_market_is_a_422_naming_the_field() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = product(&t, &staff, true, true).await;
    let path = format!("/api/v1/products/{p}/claims");
    let mut no_evidence = claim(&t, "organic", json!(["EU"]));
    no_evidence.as_object_mut().unwrap().remove("evidence");
    let mut backwards = claim(&t, "organic", json!(["EU"]));
    backwards["evidence"]["valid_until"] = backwards["evidence"]["valid_from"].clone();
    let mut no_issuer = claim(&t, "organic", json!(["EU"]));
    no_issuer["evidence"]["issuer"] = json!(" ");
    let cases = [
        (no_evidence, "evidence"),
        (backwards, "evidence.valid_until"),
        (no_issuer, "evidence.issuer"),
        (claim(&t, "organic", json!(["CH"])), "markets[0]"),
        (claim(&t, "organic", json!([])), "markets"),
        (claim(&t, "greenish", json!(["EU"])), "type"),
    ];
    for (body, field) in cases {
        let r = t.post(&path, Some(&staff), body).await;
        assert!(
            r.problem(422)["errors"][field].is_array(),
            "{field}: {}",
            r.text
        );
    }
    let customer = t.customer("c@example.com").await;
    t.post(&path, Some(&customer), claim(&t, "organic", json!(["EU"])))
        .await
        .problem(403);
    t.post(&path, None, claim(&t, "organic", json!(["EU"])))
        .await
        .problem(401);
    let missing = format!("/api/v1/products/{}/claims", uuid::Uuid::now_v7());
    t.post(&missing, Some(&staff), claim(&t, "organic", json!(["EU"])))
        .await
        .problem(404);
    t.get(&missing, None).await.problem(404);
}

#[tokio::test]
async fn metrics_that_deny_a_claim_are_a_409_until_it_is_removed() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = product(&t, &staff, true, false).await;
    let made = t
        .post(
            &format!("/api/v1/products/{p}/claims"),
            Some(&staff),
            claim(&t, "recyclable", json!(["EU"])),
        )
        .await;
    let claim_id = id(made.ok(201));
    let metrics = format!("/api/v1/products/{p}/sustainability");
    let denying = json!({"carbon_footprint_kg": 1.0, "recyclable": false, "biodegradable": false});
    let refused = t.put(&metrics, Some(&staff), denying.clone()).await;
    assert!(
        refused.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains(&claim_id)
    );
    t.patch(
        &format!("/api/v1/products/{p}"),
        Some(&staff),
        json!({"sustainability": denying}),
    )
    .await
    .problem(409);
    let kept = t.get(&format!("/api/v1/products/{p}"), None).await;
    assert_eq!(kept.ok(200)["sustainability"]["recyclable"], true);

    t.delete(
        &format!("/api/v1/products/{p}/claims/{claim_id}"),
        Some(&staff),
    )
    .await
    .ok(204);
    t.put(&metrics, Some(&staff), denying).await.ok(200);
}

#[tokio::test]
async fn a_claim_disappears_the_day_after_its_evidence_lapses_with_no_write() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = product(&t, &staff, true, true).await;
    let path = format!("/api/v1/products/{p}/claims");
    let mut lapsing = claim(&t, "organic", json!(["EU"]));
    lapsing["evidence"]["valid_until"] = json!(today(&t).to_string());
    let lapsing = id(t.post(&path, Some(&staff), lapsing).await.ok(201));
    let mut later = claim(&t, "fair_trade", json!(["EU"]));
    later["evidence"]["valid_until"] = json!((today(&t) + Duration::days(20)).to_string());
    let later = id(t.post(&path, Some(&staff), later).await.ok(201));
    let mut future = claim(&t, "compostable", json!(["EU"]));
    future["evidence"]["valid_from"] = json!((today(&t) + Duration::days(1)).to_string());
    let future = id(t.post(&path, Some(&staff), future).await.ok(201));
    t.post(&path, Some(&staff), claim(&t, "repairable", json!(["EU"])))
        .await
        .ok(201);

    let report = t
        .get("/api/v1/claims?expiring_within_days=30", Some(&staff))
        .await;
    let rows = report.ok(200).as_array().unwrap().clone();
    let ids: Vec<_> = rows.iter().map(|r| r["claim"]["id"].clone()).collect();
    assert_eq!(
        ids,
        [json!(lapsing), json!(later)],
        "soonest first, within 30 days"
    );
    assert_eq!(rows[0]["product"]["id"], p);
    assert_eq!(rows[0]["product"]["name"], "Bottle");
    let customer = t.customer("c@example.com").await;
    t.get("/api/v1/claims", Some(&customer)).await.problem(403);
    t.get("/api/v1/claims?expiring_within_days=3651", Some(&staff))
        .await
        .problem(400);

    let shown = shown_ids(t.get(&path, None).await.ok(200));
    assert!(shown.contains(&lapsing) && !shown.contains(&future));
    t.clock.advance(std::time::Duration::from_secs(24 * 3600));
    let shown = shown_ids(t.get(&path, None).await.ok(200));
    assert!(
        !shown.contains(&lapsing),
        "gone the day after, with no write"
    );
    assert!(
        shown.contains(&future),
        "and the one that starts today is there"
    );
}

fn claim_ids(product: &Value) -> Vec<String> {
    assert!(product["claims"].is_array(), "{product}");
    shown_ids(&product["claims"])
}

#[tokio::test]
async fn product_reads_show_their_markets_claims_until_the_midnight_they_lapse_at() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = product(&t, &staff, true, true).await;
    let path = format!("/api/v1/products/{p}/claims");
    let last_day = today(&t);
    let mut eu = claim(&t, "organic", json!(["EU"]));
    eu["evidence"]["valid_until"] = json!(last_day.to_string());
    let eu = id(t.post(&path, Some(&staff), eu).await.ok(201));
    let fr = id(t
        .post(&path, Some(&staff), claim(&t, "repairable", json!(["FR"])))
        .await
        .ok(201));

    let detail = format!("/api/v1/products/{p}");
    let read = t.get(&detail, None).await;
    assert_eq!(
        read.ok(200)["claims"],
        json!([{"id": eu, "type": "organic", "statement": "Made with 80% recycled PET",
                "scheme": "Global Recycled Standard", "valid_until": last_day.to_string()}]),
        "the shop's market (the EU) by default; no certificate, no markets"
    );
    let in_france = t.get(&format!("{detail}?market=FR"), None).await;
    assert_eq!(claim_ids(in_france.ok(200)), [eu.clone(), fr.clone()]);
    let list = t.get("/api/v1/products?market=FR", None).await;
    assert_eq!(
        claim_ids(&list.ok(200)["results"][0]),
        [eu.clone(), fr.clone()]
    );
    t.get(&format!("{detail}?market=US"), None)
        .await
        .problem(422);
    t.get("/api/v1/products?market=fr", None).await.problem(422);
    let patched = t
        .patch(&detail, Some(&staff), json!({"price": "9.50"}))
        .await;
    assert_eq!(claim_ids(patched.ok(200)), [eu.as_str()]);

    // The last second of the evidence's last day: reads come from the cache.
    let last_second = last_day.and_hms_opt(23, 59, 59).unwrap().and_utc();
    t.clock.set(last_second);
    let reads = [
        detail.clone(),
        format!("{detail}?market=FR"),
        "/api/v1/products".to_owned(),
        "/api/v1/products?market=FR".to_owned(),
    ];
    for _ in 0..3 {
        for r in &reads {
            t.get(r, None).await.ok(200);
        }
    }
    let hits = t.app.cache().stats().hits;
    let cached = t.get(&detail, None).await;
    assert_eq!(claim_ids(cached.ok(200)), [eu.as_str()]);
    assert!(t.app.cache().stats().hits > hits, "answered from the cache");

    // Midnight: gone from every read, cached or not, with no write.
    t.clock.advance(std::time::Duration::from_secs(1));
    assert!(claim_ids(t.get(&detail, None).await.ok(200)).is_empty());
    let list = t.get("/api/v1/products", None).await;
    assert!(claim_ids(&list.ok(200)["results"][0]).is_empty());
    let in_france = t.get(&format!("{detail}?market=FR"), None).await;
    assert_eq!(claim_ids(in_france.ok(200)), [fr.as_str()]);
    let list = t.get("/api/v1/products?market=FR", None).await;
    assert_eq!(claim_ids(&list.ok(200)["results"][0]), [fr.as_str()]);
}

/// Claims are cached per product apart from its other fields: an order
/// leaves them cached and the product's stock is read afresh; adding or
/// removing one is seen by the very next read, in the list and in detail.
#[tokio::test]
async fn product_reads_follow_claim_writes_at_once_and_orders_leave_claims_be() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = product(&t, &staff, true, true).await;
    let path = format!("/api/v1/products/{p}/claims");
    let detail = format!("/api/v1/products/{p}");
    let warm = || async {
        for _ in 0..3 {
            t.get(&detail, None).await.ok(200);
            t.get("/api/v1/products", None).await.ok(200);
        }
    };
    warm().await;
    let made = id(t
        .post(&path, Some(&staff), claim(&t, "organic", json!(["EU"])))
        .await
        .ok(201));
    assert_eq!(
        claim_ids(t.get(&detail, None).await.ok(200)),
        [made.as_str()]
    );
    warm().await;

    let buyer = t.customer("ada@example.com").await;
    t.order(&buyer, json!([{"product_id": p, "quantity": 1}]), None)
        .await
        .ok(201);
    let read = t.get(&detail, None).await;
    assert_eq!(claim_ids(read.ok(200)), [made.as_str()]);
    assert_eq!(read.body["stock"], 4);
    let list = t.get("/api/v1/products", None).await;
    assert_eq!(list.ok(200)["results"][0]["stock"], 4);
    assert_eq!(claim_ids(&list.body["results"][0]), [made.as_str()]);

    t.delete(&format!("{path}/{made}"), Some(&staff))
        .await
        .ok(204);
    assert!(claim_ids(t.get(&detail, None).await.ok(200)).is_empty());
    let list = t.get("/api/v1/products", None).await;
    assert!(claim_ids(&list.ok(200)["results"][0]).is_empty());
}
