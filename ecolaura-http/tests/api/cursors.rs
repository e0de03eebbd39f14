//! API v2: products and orders paged by cursors.

use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

/// `path` with `params` as its query string, encoded.
fn url(path: &str, params: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    format!("{path}?{}", query.finish())
}

/// A catalog of 23 products with shared prices, in two categories.
async fn catalog(t: &TestApp) -> String {
    let staff = t.staff().await;
    t.category(&staff, "cups").await;
    t.category(&staff, "bags").await;
    for i in 0..23 {
        let category = if i % 2 == 0 { "cups" } else { "bags" };
        let price = ["1.00", "2.50", "4.00"][i % 3];
        t.product(
            &staff,
            json!({"name": format!("Thing {i:02}"), "price": price, "stock": i % 4,
                   "category": category, "sustainability_score": (i * 7) % 100}),
        )
        .await;
    }
    staff
}

/// The ids of a v1 list, read whole.
async fn v1_ids(t: &TestApp, params: &[(&str, &str)]) -> Vec<String> {
    let mut all = params.to_vec();
    all.push(("page_size", "100"));
    let page = t.get(&url("/api/v1/products", &all), None).await;
    page.ok(200)["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect()
}

/// Follow `which` cursor (`next_cursor` or `previous_cursor`) from `first`
/// to the end; the ids of every page read, in the list's order.
async fn follow(
    t: &TestApp,
    path: &str,
    params: &[(&str, &str)],
    token: Option<&str>,
    first: Value,
    which: &str,
) -> Vec<String> {
    let ids = |page: &Value| -> Vec<String> {
        page["results"].as_array().unwrap().iter().map(id).collect()
    };
    let mut seen = ids(&first);
    let mut page = first;
    while let Some(cursor) = page[which].as_str().map(str::to_owned) {
        let mut with_cursor = params.to_vec();
        with_cursor.push(("cursor", &cursor));
        page = t.get(&url(path, &with_cursor), token).await.ok(200).clone();
        let mut read = ids(&page);
        if which == "next_cursor" {
            seen.append(&mut read);
        } else {
            read.append(&mut seen);
            seen = read;
        }
    }
    seen
}

#[tokio::test]
async fn walking_the_cursors_both_ways_reads_the_v1_list() {
    let t = TestApp::new();
    catalog(&t).await;
    let lists: [&[(&str, &str)]; 4] = [
        &[],
        &[("ordering", "price")],
        &[
            ("category", "cups"),
            ("ordering", "-price"),
            ("min_price", "2.00"),
        ],
        &[("in_stock", "true"), ("ordering", "-sustainability_score")],
    ];
    for list in lists {
        let expected = v1_ids(&t, list).await;
        let mut params = list.to_vec();
        params.push(("limit", "4"));
        let first = t.get(&url("/api/v2/products", &params), None).await;
        let first = first.ok(200).clone();
        assert_eq!(first["previous_cursor"], json!(null), "{list:?}");
        assert!(
            first.get("count").is_none(),
            "no count unless asked: {first}"
        );
        let forward = follow(&t, "/api/v2/products", &params, None, first, "next_cursor").await;
        assert_eq!(forward, expected, "{list:?}");

        // From the last page back to the first.
        let mut last = t
            .get(&url("/api/v2/products", &params), None)
            .await
            .ok(200)
            .clone();
        while let Some(cursor) = last["next_cursor"].as_str().map(str::to_owned) {
            let mut with_cursor = params.clone();
            with_cursor.push(("cursor", &cursor));
            last = t
                .get(&url("/api/v2/products", &with_cursor), None)
                .await
                .ok(200)
                .clone();
        }
        let backward = follow(
            &t,
            "/api/v2/products",
            &params,
            None,
            last,
            "previous_cursor",
        )
        .await;
        assert_eq!(backward, expected, "{list:?}");
    }
}

#[tokio::test]
async fn the_count_comes_only_when_asked_for() {
    let t = TestApp::new();
    catalog(&t).await;
    let page = t
        .get(
            "/api/v2/products?category=cups&with_count=true&limit=5",
            None,
        )
        .await;
    let page = page.ok(200);
    assert_eq!(page["count"], 12);
    assert_eq!(page["results"].as_array().unwrap().len(), 5);
    let none = t
        .get("/api/v2/products?category=no-such&with_count=true", None)
        .await;
    assert_eq!(none.ok(200)["count"], 0);
    assert_eq!(none.body["next_cursor"], json!(null));
}

#[tokio::test]
async fn a_forged_or_foreign_cursor_is_400_and_names_the_parameter() {
    let t = TestApp::new();
    catalog(&t).await;
    let page = t.get("/api/v2/products?ordering=price&limit=3", None).await;
    let cursor = page.ok(200)["next_cursor"].as_str().unwrap().to_owned();
    // Made for `ordering=price`: fine with it, refused with anything else.
    let same = url(
        "/api/v2/products",
        &[("ordering", "price"), ("cursor", &cursor)],
    );
    t.get(&same, None).await.ok(200);
    let others: [&[(&str, &str)]; 4] = [
        &[("ordering", "-price")],
        &[],
        &[("ordering", "price"), ("category", "cups")],
        &[("ordering", "price"), ("category", "no-such")],
    ];
    for other in others {
        let mut params = other.to_vec();
        params.push(("cursor", &cursor));
        let refused = t.get(&url("/api/v2/products", &params), None).await;
        let problem = refused.problem(400);
        assert!(
            problem["detail"].as_str().unwrap().contains("cursor"),
            "{problem}"
        );
    }
    // Every character changed in turn, and plain garbage.
    let mut forged: Vec<String> = (0..cursor.len())
        .map(|at| {
            let mut bytes = cursor.clone().into_bytes();
            bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
            String::from_utf8(bytes).unwrap()
        })
        .collect();
    forged.extend(["x".to_owned(), "%%%".to_owned(), "A".repeat(2048)]);
    for bad in forged {
        let params = [("ordering", "price"), ("cursor", bad.as_str())];
        t.get(&url("/api/v2/products", &params), None)
            .await
            .problem(400);
    }
    // Another shop, with a secret of its own, refuses this shop's cursor.
    let elsewhere = TestApp::with_config(|c| ecolaura_http::HostConfig {
        tokens: ecolaura_http::TokenConfig::new(
            ecolaura_http::JwtSecret::new(b"another shop's secret, long enough for HS256").unwrap(),
        ),
        ..c
    });
    catalog(&elsewhere).await;
    elsewhere.get(&same, None).await.problem(400);
}

#[tokio::test]
async fn a_cursor_works_on_every_host_of_the_shop() {
    let t = TestApp::new();
    catalog(&t).await;
    let page = t.get("/api/v2/products?limit=10", None).await;
    let cursor = page.ok(200)["next_cursor"].as_str().unwrap().to_owned();
    let other = t.beside();
    let next = other
        .get(
            &url("/api/v2/products", &[("limit", "10"), ("cursor", &cursor)]),
            None,
        )
        .await;
    assert_eq!(next.ok(200)["results"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn limits_out_of_range_are_400_never_clamped() {
    let t = TestApp::new();
    let staff = t.staff().await;
    for bad in ["0", "101", "-1", "x", "2.5"] {
        t.get(&format!("/api/v2/products?limit={bad}"), None)
            .await
            .problem(400);
        t.get(&format!("/api/v2/orders?limit={bad}"), Some(&staff))
            .await
            .problem(400);
    }
    t.get("/api/v2/products?cursor=", None).await.problem(400);
    t.get("/api/v2/products?with_count=maybe", None)
        .await
        .problem(400);
}

#[tokio::test]
async fn a_write_between_pages_neither_repeats_nor_skips_a_product() {
    let t = TestApp::new();
    let staff = catalog(&t).await;
    let params = [("ordering", "price"), ("limit", "5")];
    let mut page = t
        .get(&url("/api/v2/products", &params), None)
        .await
        .ok(200)
        .clone();
    let originals = v1_ids(&t, &[("ordering", "price")]).await;
    let mut seen: Vec<String> = Vec::new();
    let mut round = 0;
    loop {
        seen.extend(page["results"].as_array().unwrap().iter().map(id));
        // New products at both ends and in the middle of the order, and a
        // stock change of one already read.
        for price in ["0.50", "2.50", "9.00"] {
            t.product(
                &staff,
                json!({"name": format!("New {round} {price}"), "price": price, "stock": 1}),
            )
            .await;
        }
        let touched = &seen[0];
        t.patch(
            &format!("/api/v1/products/{touched}"),
            Some(&staff),
            json!({"stock": round}),
        )
        .await
        .ok(200);
        round += 1;
        let Some(cursor) = page["next_cursor"].as_str().map(str::to_owned) else {
            break;
        };
        let mut with_cursor = params.to_vec();
        with_cursor.push(("cursor", &cursor));
        page = t
            .get(&url("/api/v2/products", &with_cursor), None)
            .await
            .ok(200)
            .clone();
    }
    let unique: std::collections::HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a product read twice");
    for original in &originals {
        assert!(unique.contains(original), "{original} skipped");
    }
}

#[tokio::test]
async fn a_customer_walks_their_own_orders_and_no_one_elses_cursor() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let cup = t
        .product(
            &staff,
            json!({"name": "Cup", "price": "2.00", "stock": 100}),
        )
        .await;
    let ada = t.customer("ada@example.com").await;
    let bob = t.customer("bob@example.com").await;
    let line = json!([{"product_id": cup["id"], "quantity": 1}]);
    for i in 0..7 {
        let who = if i % 3 == 0 { &bob } else { &ada };
        t.order(who, line.clone(), None).await.ok(201);
    }
    let v1 = t.get("/api/v1/orders?page_size=100", Some(&ada)).await;
    let expected: Vec<String> = v1.ok(200)["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert_eq!(expected.len(), 4);
    let first = t
        .get("/api/v2/orders?limit=3&with_count=true", Some(&ada))
        .await
        .ok(200)
        .clone();
    assert_eq!(first["count"], 4);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let walked = follow(
        &t,
        "/api/v2/orders",
        &[("limit", "3")],
        Some(&ada),
        first,
        "next_cursor",
    )
    .await;
    assert_eq!(walked, expected);
    // Bob cannot use Ada's cursor, and staff see every order.
    let stolen = url("/api/v2/orders", &[("limit", "3"), ("cursor", &cursor)]);
    t.get(&stolen, Some(&bob)).await.problem(400);
    let all = t.get("/api/v2/orders?with_count=true", Some(&staff)).await;
    assert_eq!(all.ok(200)["count"], 7);
    t.get("/api/v2/orders", None).await.problem(401);
}
