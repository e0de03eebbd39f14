use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

fn bottle() -> Value {
    json!({
        "name": "Eco Bottle",
        "description": "Steel",
        "price": "19.99",
        "stock": 120,
        "sustainability": {"carbon_footprint_kg": 1.2, "recyclable": true, "biodegradable": false}
    })
}

#[tokio::test]
async fn a_created_product_has_every_field_of_the_contract() {
    let t = TestApp::new();
    let staff = t.staff().await;
    t.category(&staff, "bottles").await;
    let mut body = bottle();
    body["category"] = json!("bottles");
    let p = t.product(&staff, body).await;
    assert_eq!(p["name"], "Eco Bottle");
    assert_eq!(p["price"], "19.99");
    assert_eq!(p["currency"], "EUR");
    assert_eq!(p["category"], "bottles");
    assert_eq!(p["stock"], 120);
    assert_eq!(p["score_source"], "metrics");
    assert_eq!(
        p["sustainability"],
        json!({"carbon_footprint_kg": 1.2, "recyclable": true, "biodegradable": false, "footprint_source": "declared"})
    );
    let score = p["sustainability_score"].as_u64().unwrap();
    assert!(score <= 100);
    assert!(p["created_at"].is_string() && p["updated_at"].is_string());
    let fetched = t.get(&format!("/api/v1/products/{}", id(&p)), None).await;
    assert_eq!(fetched.ok(200), &p);
}

#[tokio::test]
async fn money_is_two_fraction_digits_out_and_a_string_or_number_in() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let a = t.product(&staff, json!({"name": "A", "price": 5})).await;
    assert_eq!(a["price"], "5.00");
    let b = t.product(&staff, json!({"name": "B", "price": 1.5})).await;
    assert_eq!(b["price"], "1.50");
    let c = t
        .product(&staff, json!({"name": "C", "price": "99999999.99"}))
        .await;
    assert_eq!(c["price"], "99999999.99");
    for bad in [
        json!("1.999"),
        json!("-1"),
        json!("100000000.00"),
        json!("abc"),
    ] {
        let r = t
            .post(
                "/api/v1/products",
                Some(&staff),
                json!({"name": "D", "price": bad}),
            )
            .await;
        assert!(r.problem(422)["errors"]["price"].is_array(), "{bad}");
    }
}

#[tokio::test]
async fn a_product_without_metrics_keeps_its_manual_score() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = t
        .product(
            &staff,
            json!({"name": "Plain", "price": "2.00", "sustainability_score": 40}),
        )
        .await;
    assert_eq!(p["sustainability_score"], 40);
    assert_eq!(p["score_source"], "manual");
    assert_eq!(p["sustainability"], json!(null));
    assert_eq!(p["stock"], 0);
    assert_eq!(p["category"], json!(null));
    let path = format!("/api/v1/products/{}/sustainability", id(&p));
    t.get(&path, None).await.problem(404);
}

#[tokio::test]
async fn field_rules_give_422_for_every_broken_field() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let a = t
        .post(
            "/api/v1/products",
            Some(&staff),
            json!({"name": "", "price": "1.00", "stock": -1, "sustainability_score": 101,
                   "category": "no-such-category",
                   "sustainability": {"carbon_footprint_kg": -2, "recyclable": true, "biodegradable": true}}),
        )
        .await;
    let errors = &a.problem(422)["errors"];
    for field in [
        "name",
        "stock",
        "sustainability_score",
        "sustainability.carbon_footprint_kg",
    ] {
        assert!(errors[field].is_array(), "{field}: {errors}");
    }
    let unknown = t
        .post(
            "/api/v1/products",
            Some(&staff),
            json!({"name": "X", "price": "1.00", "category": "no-such-category"}),
        )
        .await;
    assert!(unknown.problem(422)["errors"]["category"].is_array());
}

#[tokio::test]
async fn put_replaces_patch_changes_and_leaving_out_sustainability_keeps_it() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = t.product(&staff, bottle()).await;
    let path = format!("/api/v1/products/{}", id(&p));

    let patched = t
        .patch(&path, Some(&staff), json!({"price": "17.50"}))
        .await;
    let patched = patched.ok(200);
    assert_eq!(patched["price"], "17.50");
    assert_eq!(patched["name"], "Eco Bottle");
    assert_eq!(patched["sustainability"], p["sustainability"]);

    let replacement = json!({
        "name": "Bottle 2", "description": "", "price": "10.00", "stock": 3,
        "category": null, "sustainability_score": 0,
    });
    let put = t.put(&path, Some(&staff), replacement.clone()).await;
    let put = put.ok(200);
    assert_eq!(put["name"], "Bottle 2");
    assert_eq!(put["description"], "");
    assert_eq!(put["stock"], 3);
    assert_eq!(put["score_source"], "metrics", "metrics kept when left out");

    // Every named field is required: leaving one out is a 422 naming it,
    // and changes nothing (a PUT without stock used to set it to 0).
    for field in [
        "name",
        "description",
        "price",
        "stock",
        "category",
        "sustainability_score",
    ] {
        let mut body = replacement.clone();
        body["name"] = json!("Changed");
        body.as_object_mut().unwrap().remove(field);
        let a = t.put(&path, Some(&staff), body).await;
        assert!(
            a.problem(422)["errors"][field].is_array(),
            "{field}: {}",
            a.text
        );
    }
    let unchanged = t.get(&path, None).await;
    assert_eq!(unchanged.ok(200)["name"], "Bottle 2");
    assert_eq!(unchanged.body["stock"], 3);

    let removed = t
        .patch(
            &path,
            Some(&staff),
            json!({"sustainability": null, "sustainability_score": 12}),
        )
        .await;
    let removed = removed.ok(200);
    assert_eq!(removed["sustainability"], json!(null));
    assert_eq!(removed["score_source"], "manual");
    assert_eq!(removed["sustainability_score"], 12);
    // The next read sees the write, whatever the cache.
    assert_eq!(t.get(&path, None).await.ok(200)["sustainability_score"], 12);
}

#[tokio::test]
async fn a_manual_score_sent_with_metrics_is_kept_for_when_the_metrics_go() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let mut body = bottle();
    body["sustainability_score"] = json!(40);
    let p = t.product(&staff, body).await;
    assert_eq!(p["score_source"], "metrics");
    assert_ne!(p["sustainability_score"], 40);
    let path = format!("/api/v1/products/{}", id(&p));
    let without = t
        .patch(&path, Some(&staff), json!({"sustainability": null}))
        .await;
    let without = without.ok(200);
    assert_eq!(without["score_source"], "manual");
    assert_eq!(without["sustainability_score"], 40);
}

#[tokio::test]
async fn patch_null_category_removes_it() {
    let t = TestApp::new();
    let staff = t.staff().await;
    t.category(&staff, "bottles").await;
    let p = t
        .product(
            &staff,
            json!({"name": "X", "price": "1.00", "category": "bottles"}),
        )
        .await;
    let path = format!("/api/v1/products/{}", id(&p));
    let a = t
        .patch(&path, Some(&staff), json!({"category": null}))
        .await;
    assert_eq!(a.ok(200)["category"], json!(null));
}

#[tokio::test]
async fn sustainability_put_recomputes_the_score_and_the_breakdown_adds_up() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = t
        .product(&staff, json!({"name": "X", "price": "1.00"}))
        .await;
    let path = format!("/api/v1/products/{}/sustainability", id(&p));
    let set = t
        .put(
            &path,
            Some(&staff),
            json!({"carbon_footprint_kg": 0.5, "recyclable": true, "biodegradable": true}),
        )
        .await;
    let s = set.ok(200).clone();
    let sum: i64 = s["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["points"].as_i64().unwrap())
        .sum();
    assert_eq!(s["score"].as_i64().unwrap(), sum.clamp(0, 100));
    assert_eq!(t.get(&path, None).await.ok(200), &s);
    let product = t.get(&format!("/api/v1/products/{}", id(&p)), None).await;
    assert_eq!(product.ok(200)["sustainability_score"], s["score"]);
    assert_eq!(product.body["score_source"], "metrics");
    // A missing field is 422; a customer may not.
    t.put(
        &path,
        Some(&staff),
        json!({"carbon_footprint_kg": 1, "recyclable": true}),
    )
    .await
    .problem(422);
    let customer = t.customer("ada@example.com").await;
    t.put(
        &path,
        Some(&customer),
        json!({"carbon_footprint_kg": 1, "recyclable": true, "biodegradable": true}),
    )
    .await
    .problem(403);
}

#[tokio::test]
async fn delete_archives_a_product_gone_from_lists_and_get() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = t.product(&staff, bottle()).await;
    let path = format!("/api/v1/products/{}", id(&p));
    t.get("/api/v1/products", None).await.ok(200);
    let d = t.delete(&path, Some(&staff)).await;
    assert_eq!(d.status.as_u16(), 204);
    assert!(d.text.is_empty());
    t.get(&path, None).await.problem(404);
    t.delete(&path, Some(&staff)).await.problem(404);
    assert_eq!(t.get("/api/v1/products", None).await.ok(200)["count"], 0);
    t.patch(&path, Some(&staff), json!({"price": "1.00"}))
        .await
        .problem(404);
}

#[tokio::test]
async fn customers_may_not_change_the_catalog() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let customer = t.customer("ada@example.com").await;
    let p = t.product(&staff, bottle()).await;
    let path = format!("/api/v1/products/{}", id(&p));
    t.post("/api/v1/products", Some(&customer), bottle())
        .await
        .problem(403);
    t.patch(&path, Some(&customer), json!({"price": "1.00"}))
        .await
        .problem(403);
    let mut whole = bottle();
    whole["category"] = json!(null);
    whole["sustainability_score"] = json!(0);
    t.put(&path, Some(&customer), whole).await.problem(403);
    t.delete(&path, Some(&customer)).await.problem(403);
    t.delete(&path, None).await.problem(401);
}

async fn catalog(t: &TestApp, staff: &str) -> Vec<Value> {
    t.category(staff, "bottles").await;
    t.category(staff, "bags").await;
    let mut made = Vec::new();
    for (name, price, stock, category, kg, desc) in [
        ("Alpha Bottle", "10.00", 5, "bottles", Some(0.4), "Glass"),
        ("Beta Bag", "5.00", 0, "bags", None, "Cotton tote"),
        ("Gamma Bottle", "9.99", 2, "bottles", Some(8.0), "BIG steel"),
        ("Delta Bag", "25.50", 1, "bags", Some(2.0), "Jute"),
    ] {
        let mut body = json!({"name": name, "price": price, "stock": stock, "category": category,
                              "description": desc, "sustainability_score": 33});
        if let Some(kg) = kg {
            body["sustainability"] =
                json!({"carbon_footprint_kg": kg, "recyclable": true, "biodegradable": false});
        }
        made.push(t.product(staff, body).await);
        t.clock.advance(std::time::Duration::from_secs(1));
    }
    made
}

fn names(page: &Value) -> Vec<&str> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn filters_combine_and_bounds_are_inclusive() {
    let t = TestApp::new();
    let staff = t.staff().await;
    catalog(&t, &staff).await;
    let q = |s: &str| format!("/api/v1/products?{s}&ordering=name");
    let cases = [
        ("category=bottles", vec!["Alpha Bottle", "Gamma Bottle"]),
        ("category=unknown", vec![]),
        (
            "min_price=9.99&max_price=10",
            vec!["Alpha Bottle", "Gamma Bottle"],
        ),
        (
            "min_price=5",
            vec!["Alpha Bottle", "Beta Bag", "Delta Bag", "Gamma Bottle"],
        ),
        ("max_price=5.00", vec!["Beta Bag"]),
        (
            "in_stock=true",
            vec!["Alpha Bottle", "Delta Bag", "Gamma Bottle"],
        ),
        ("in_stock=false", vec!["Beta Bag"]),
        ("search=STEEL", vec!["Gamma Bottle"]),
        ("search=bag", vec!["Beta Bag", "Delta Bag"]),
        ("category=bags&in_stock=true", vec!["Delta Bag"]),
        (
            "min_score=34",
            vec!["Alpha Bottle", "Delta Bag", "Gamma Bottle"],
        ),
    ];
    for (query, expected) in cases {
        let a = t.get(&q(query), None).await;
        assert_eq!(names(a.ok(200)), expected, "{query}");
        assert_eq!(a.body["count"], expected.len(), "{query}");
    }
}

#[tokio::test]
async fn every_ordering_sorts_and_the_default_is_newest_first() {
    let t = TestApp::new();
    let staff = t.staff().await;
    catalog(&t, &staff).await;
    let order = |o: &str| format!("/api/v1/products?ordering={o}");
    let get = |path: String| {
        let t = &t;
        async move {
            names(t.get(&path, None).await.ok(200))
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        get(order("price")).await,
        ["Beta Bag", "Gamma Bottle", "Alpha Bottle", "Delta Bag"]
    );
    assert_eq!(
        get(order("-price")).await,
        ["Delta Bag", "Alpha Bottle", "Gamma Bottle", "Beta Bag"]
    );
    assert_eq!(
        get(order("name")).await,
        ["Alpha Bottle", "Beta Bag", "Delta Bag", "Gamma Bottle"]
    );
    assert_eq!(
        get(order("-name")).await,
        ["Gamma Bottle", "Delta Bag", "Beta Bag", "Alpha Bottle"]
    );
    assert_eq!(
        get(order("created_at")).await,
        ["Alpha Bottle", "Beta Bag", "Gamma Bottle", "Delta Bag"]
    );
    let newest_first = ["Delta Bag", "Gamma Bottle", "Beta Bag", "Alpha Bottle"];
    assert_eq!(get(order("-created_at")).await, newest_first);
    assert_eq!(get("/api/v1/products".into()).await, newest_first);
    let by_score = get(order("-sustainability_score")).await;
    assert_eq!(by_score[0], "Alpha Bottle");
    assert_eq!(by_score[3], "Beta Bag");
    let ascending = get(order("sustainability_score")).await;
    assert_eq!(ascending[0], "Beta Bag");
}

#[tokio::test]
async fn pages_link_to_their_neighbours_and_a_page_past_the_end_is_empty() {
    let t = TestApp::new();
    let staff = t.staff().await;
    catalog(&t, &staff).await;
    // Links are built from the configured public URL, whatever `Host` says.
    let first = t
        .get_with(
            "/api/v1/products?page_size=3&ordering=name",
            &[("host", "evil.example"), ("x-forwarded-proto", "https")],
        )
        .await;
    let first = first.ok(200);
    assert_eq!(first["count"], 4);
    assert_eq!(first["results"].as_array().unwrap().len(), 3);
    assert_eq!(first["previous"], json!(null));
    let next = first["next"].as_str().unwrap();
    assert!(
        next.starts_with("http://127.0.0.1:8080/api/v1/products?"),
        "{next}"
    );
    assert!(
        next.contains("page=2") && next.contains("page_size=3") && next.contains("ordering=name")
    );
    let path = next.trim_start_matches("http://127.0.0.1:8080");
    let second = t.get(path, None).await;
    let second = second.ok(200);
    assert_eq!(names(second), ["Gamma Bottle"]);
    assert_eq!(second["next"], json!(null));
    assert!(second["previous"].as_str().unwrap().contains("page=1"));
    let past = t.get("/api/v1/products?page=9", None).await;
    let past = past.ok(200);
    assert_eq!(past["results"], json!([]));
    assert_eq!(past["next"], json!(null));
    assert_eq!(past["count"], 4);
}

#[tokio::test]
async fn bad_list_parameters_are_400_never_clamped() {
    let t = TestApp::new();
    for query in [
        "page=0",
        "page=-1",
        "page=abc",
        "page_size=0",
        "page_size=101",
        "ordering=price_desc",
        "min_price=abc",
        "max_price=1.234",
        "min_score=101",
        "min_score=x",
        "in_stock=maybe",
    ] {
        t.get(&format!("/api/v1/products?{query}"), None)
            .await
            .problem(400);
    }
    t.get("/api/v1/products?page_size=100", None).await.ok(200);
}

#[tokio::test]
async fn reads_are_cached_and_a_write_is_visible_to_the_next_read() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let p = t.product(&staff, bottle()).await;
    let list = "/api/v1/products?ordering=price";
    // Kept the second time it is asked, answered from the cache the third.
    let first = t.get(list, None).await.text;
    let second = t.get(list, None).await.text;
    let again = t.get(list, None).await.text;
    assert_eq!((&first, &second), (&again, &again));
    let metrics = t.get("/metrics", None).await.text;
    assert!(
        metrics.contains("ecolaura_response_cache_requests_total{result=\"hit\"} 1"),
        "{metrics}"
    );
    t.patch(
        &format!("/api/v1/products/{}", id(&p)),
        Some(&staff),
        json!({"stock": 7}),
    )
    .await
    .ok(200);
    let after = t.get(list, None).await;
    assert_eq!(after.ok(200)["results"][0]["stock"], 7);
}

#[tokio::test]
async fn a_product_path_id_that_is_not_a_uuid_is_400_and_an_unknown_one_404() {
    let t = TestApp::new();
    t.get("/api/v1/products/not-a-uuid", None)
        .await
        .problem(400);
    t.get(&format!("/api/v1/products/{}", uuid::Uuid::now_v7()), None)
        .await
        .problem(404);
}

#[tokio::test]
async fn a_price_is_a_documented_decimal_string_or_a_number() {
    let t = TestApp::new();
    let staff = t.staff().await;
    for price in [json!("19.99"), json!("5"), json!(19.99), json!(0)] {
        let a = t
            .post(
                "/api/v1/products",
                Some(&staff),
                json!({"name": "X", "price": price}),
            )
            .await;
        a.ok(201);
    }
    for price in [
        json!(""),
        json!(" 1"),
        json!("1."),
        json!("+1"),
        json!("1.999"),
        json!(1.999),
    ] {
        let a = t
            .post(
                "/api/v1/products",
                Some(&staff),
                json!({"name": "X", "price": price}),
            )
            .await;
        assert!(
            a.problem(422)["errors"]["price"].is_array(),
            "{price}: {}",
            a.text
        );
    }
    let a = t
        .post(
            "/api/v1/products",
            Some(&staff),
            json!({"name": "X", "price": true}),
        )
        .await;
    a.problem(400);
}

#[tokio::test]
async fn texts_follow_their_documented_patterns() {
    let t = TestApp::new();
    let staff = t.staff().await;
    for (body, field) in [
        (json!({"name": "bell\u{7}", "price": "1.00"}), "name"),
        (json!({"name": "   ", "price": "1.00"}), "name"),
        (
            json!({"name": "X", "description": "nul\u{0}", "price": "1.00"}),
            "description",
        ),
        (
            json!({"name": "X", "category": "Not A Slug", "price": "1.00"}),
            "category",
        ),
    ] {
        let a = t.post("/api/v1/products", Some(&staff), body).await;
        assert!(a.problem(422)["errors"][field].is_array(), "{}", a.text);
    }
    let ok = t
        .post(
            "/api/v1/products",
            Some(&staff),
            json!({"name": " Padded ", "description": "two\nlines\ttab", "price": "1.00"}),
        )
        .await;
    assert_eq!(ok.ok(201)["name"], "Padded");
}

#[tokio::test]
async fn an_unknown_category_does_not_hide_a_bad_filter() {
    let t = TestApp::new();
    t.get("/api/v1/products?category=no%20such%20slug", None)
        .await
        .ok(200);
    for query in [
        "category=no%20such%20slug&min_price=abc",
        "category=no%20such%20slug&search=%C2%96",
        "min_price=%201",
    ] {
        t.get(&format!("/api/v1/products?{query}"), None)
            .await
            .problem(400);
    }
}

#[tokio::test]
async fn a_fraction_where_an_integer_is_required_is_400() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let a = t
        .post(
            "/api/v1/products",
            Some(&staff),
            json!({"name": "X", "price": "1.00", "stock": 1.5}),
        )
        .await;
    assert!(a.problem(400)["errors"]["stock"].is_array(), "{}", a.text);
}

#[tokio::test]
async fn skus_gtins_and_weights_read_back_are_unique_and_filter_the_list() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let made = t
        .product(
            &staff,
            json!({"name": "Bottle", "price": "9.00", "stock": 5, "sku": "BTL-500",
                   "gtin": "4006381333931", "weight_kg": "0.35"}),
        )
        .await;
    assert_eq!(made["sku"], "BTL-500");
    assert_eq!(made["gtin"], "04006381333931", "read back as 14 digits");
    assert_eq!(made["weight_kg"], "0.350");
    let path = format!("/api/v1/products/{}", id(&made));

    // Taken identifiers are 409, in any GTIN form; nothing is made.
    for body in [
        json!({"name": "Copy", "price": "1.00", "sku": "BTL-500"}),
        json!({"name": "Copy", "price": "1.00", "gtin": "04006381333931"}),
    ] {
        let answer = t.post("/api/v1/products", Some(&staff), body).await;
        assert_eq!(answer.problem(409)["type"], "/problems/duplicate");
    }
    // Bad ones are 422 naming the field.
    for (field, value) in [
        ("gtin", "4006381333932"),
        ("gtin", "12345"),
        ("weight_kg", "0"),
        ("weight_kg", "0.0005"),
        ("sku", "has space"),
    ] {
        let mut body = json!({"name": "Bad", "price": "1.00"});
        body[field] = json!(value);
        let answer = t.post("/api/v1/products", Some(&staff), body).await;
        assert!(
            answer.problem(422)["errors"][field].is_array(),
            "{field}={value}: {}",
            answer.text
        );
    }
    let all = t.get("/api/v1/products", None).await;
    assert_eq!(all.ok(200)["count"], 1, "nothing else was made");

    // The list filters by either, exactly; one that cannot exist matches nothing.
    for query in ["gtin=4006381333931", "gtin=04006381333931", "sku=BTL-500"] {
        let found = t.get(&format!("/api/v1/products?{query}"), None).await;
        assert_eq!(found.ok(200)["count"], 1, "{query}");
    }
    for query in ["sku=btl-500", "gtin=4006381333932", "gtin=abc", "sku=a%20b"] {
        let found = t.get(&format!("/api/v1/products?{query}"), None).await;
        assert_eq!(found.ok(200)["count"], 0, "{query}");
    }

    // A cached filtered list follows a write of the identifier.
    let renamed = t.get("/api/v1/products?sku=BTL-750", None).await;
    assert_eq!(renamed.ok(200)["count"], 0);
    t.patch(
        &path,
        Some(&staff),
        json!({"sku": "BTL-750", "weight_kg": null}),
    )
    .await
    .ok(200);
    let renamed = t.get("/api/v1/products?sku=BTL-750", None).await;
    let renamed = renamed.ok(200);
    assert_eq!(renamed["count"], 1);
    assert_eq!(renamed["results"][0]["weight_kg"], json!(null));
    assert_eq!(
        renamed["results"][0]["gtin"], "04006381333931",
        "left out, kept"
    );

    // Archived, the product gives its identifiers up.
    t.delete(&path, Some(&staff)).await.ok(204);
    t.product(
        &staff,
        json!({"name": "Bottle again", "price": "9.00", "sku": "BTL-750", "gtin": "4006381333931"}),
    )
    .await;
}
