//! The read cache through real requests: a write is visible on the very
//! next read, and a page the write did not change is still answered from
//! the cache (counted as a hit, with no miss).

use serde_json::{Value, json};

use crate::helpers::{TestApp, id};

/// Hits and misses of the read cache so far.
fn counts(t: &TestApp) -> (u64, u64) {
    let stats = t.app.cache().stats();
    (stats.hits, stats.misses)
}

impl TestApp {
    /// GET `path` and assert it was answered from the cache.
    async fn get_cached(&self, path: &str) -> Value {
        let (hits, misses) = counts(self);
        let body = self.get(path, None).await.ok(200).clone();
        assert_eq!(
            counts(self),
            (hits + 1, misses),
            "{path} was not answered from the cache"
        );
        body
    }

    /// GET `path` until it is answered from the cache (the cache keeps a
    /// query the second time it is asked); returns the body.
    async fn warm(&self, path: &str) -> Value {
        let first = self.get(path, None).await.ok(200).clone();
        assert_eq!(self.get(path, None).await.ok(200).clone(), first);
        assert_eq!(self.get_cached(path).await, first);
        first
    }
}

fn names(page: &Value) -> Vec<&str> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}

async fn buy(t: &TestApp, buyer: &str, product: &Value, quantity: u32) {
    t.order(
        buyer,
        json!([{"product_id": product["id"], "quantity": quantity}]),
        None,
    )
    .await
    .ok(201);
}

#[tokio::test]
async fn an_order_changes_the_pages_showing_its_product_and_leaves_the_others_cached() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let cup = t
        .product(&staff, json!({"name": "Cup", "price": "5.00", "stock": 10}))
        .await;
    let jar = t
        .product(
            &staff,
            json!({"name": "Jar", "price": "50.00", "stock": 10}),
        )
        .await;
    let (cheap, dear) = (
        "/api/v1/products?max_price=10",
        "/api/v1/products?min_price=20",
    );
    let (cup_page, jar_page) = (
        format!("/api/v1/products/{}", id(&cup)),
        format!("/api/v1/products/{}", id(&jar)),
    );
    assert_eq!(t.warm(cheap).await["results"][0]["stock"], 10);
    let dear_before = t.warm(dear).await;
    t.warm(&cup_page).await;
    let jar_before = t.warm(&jar_page).await;

    let buyer = t.customer("buyer@example.com").await;
    buy(&t, &buyer, &cup, 3).await;

    let cheap_after = t.get(cheap, None).await;
    assert_eq!(
        cheap_after.ok(200)["results"][0]["stock"],
        7,
        "the next read"
    );
    let cup_after = t.get(&cup_page, None).await;
    assert_eq!(cup_after.ok(200)["stock"], 7);
    assert_eq!(t.get_cached(dear).await, dear_before);
    assert_eq!(t.get_cached(&jar_page).await, jar_before);
    let metrics = t.get("/metrics", None).await.text;
    for needle in ["ecolaura_cache_stale_total", "ecolaura_cache_bytes"] {
        assert!(metrics.contains(needle), "missing {needle} in\n{metrics}");
    }
}

#[tokio::test]
async fn a_product_that_sells_out_leaves_the_in_stock_lists_at_once() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let last = t
        .product(&staff, json!({"name": "Last", "price": "1.00", "stock": 2}))
        .await;
    t.product(
        &staff,
        json!({"name": "Plenty", "price": "2.00", "stock": 9}),
    )
    .await;
    let (stocked, sold_out, all) = (
        "/api/v1/products?in_stock=true&ordering=name",
        "/api/v1/products?in_stock=false",
        "/api/v1/products?ordering=name",
    );
    assert_eq!(names(&t.warm(stocked).await), ["Last", "Plenty"]);
    assert_eq!(t.warm(sold_out).await["count"], 0);
    t.warm(all).await;

    let buyer = t.customer("buyer@example.com").await;
    buy(&t, &buyer, &last, 1).await;
    assert_eq!(
        names(t.get(stocked, None).await.ok(200)),
        ["Last", "Plenty"],
        "one left: still in stock"
    );
    buy(&t, &buyer, &last, 1).await;

    let now_stocked = t.get(stocked, None).await;
    assert_eq!(names(now_stocked.ok(200)), ["Plenty"]);
    assert_eq!(now_stocked.body["count"], 1);
    assert_eq!(names(t.get(sold_out, None).await.ok(200)), ["Last"]);
    let everything = t.get(all, None).await;
    assert_eq!(everything.ok(200)["results"][0]["stock"], 0);
}

#[tokio::test]
async fn a_price_change_moves_the_product_in_price_ordered_lists_on_the_next_read() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let apple = t
        .product(&staff, json!({"name": "Apple", "price": "1.00"}))
        .await;
    t.product(&staff, json!({"name": "Banana", "price": "2.00"}))
        .await;
    t.product(&staff, json!({"name": "Cherry", "price": "3.00"}))
        .await;
    let (first, second) = (
        "/api/v1/products?ordering=price&page_size=2",
        "/api/v1/products?ordering=price&page_size=2&page=2",
    );
    // By name, the third page of one shows only Cherry: Apple's price is
    // neither shown there nor its sort key.
    let by_name = "/api/v1/products?ordering=name&page_size=1&page=3";
    assert_eq!(names(&t.warm(first).await), ["Apple", "Banana"]);
    assert_eq!(names(&t.warm(second).await), ["Cherry"]);
    let cherry = t.warm(by_name).await;

    t.patch(
        &format!("/api/v1/products/{}", id(&apple)),
        Some(&staff),
        json!({"price": "9.00"}),
    )
    .await
    .ok(200);

    assert_eq!(
        names(t.get(first, None).await.ok(200)),
        ["Banana", "Cherry"]
    );
    let moved = t.get(second, None).await;
    assert_eq!(names(moved.ok(200)), ["Apple"]);
    assert_eq!(moved.body["results"][0]["price"], "9.00");
    assert_eq!(t.get_cached(by_name).await, cherry);
}

#[tokio::test]
async fn a_created_or_archived_product_shows_on_the_next_read() {
    let t = TestApp::new();
    let staff = t.staff().await;
    t.category(&staff, "cups").await;
    t.category(&staff, "jars").await;
    t.product(
        &staff,
        json!({"name": "Old cup", "price": "1.00", "category": "cups"}),
    )
    .await;
    t.product(
        &staff,
        json!({"name": "Jar", "price": "1.00", "category": "jars"}),
    )
    .await;
    let (cups, jars) = (
        "/api/v1/products?category=cups&ordering=name",
        "/api/v1/products?category=jars",
    );
    assert_eq!(names(&t.warm(cups).await), ["Old cup"]);
    let jars_before = t.warm(jars).await;

    let new = t
        .product(
            &staff,
            json!({"name": "New cup", "price": "1.00", "category": "cups"}),
        )
        .await;
    let listed = t.get(cups, None).await;
    assert_eq!(names(listed.ok(200)), ["New cup", "Old cup"]);
    assert_eq!(listed.body["count"], 2);
    assert_eq!(t.get_cached(jars).await, jars_before, "another category");

    let page = format!("/api/v1/products/{}", id(&new));
    t.warm(&page).await;
    t.delete(&page, Some(&staff)).await.ok(204);
    t.get(&page, None).await.problem(404);
    assert_eq!(names(t.get(cups, None).await.ok(200)), ["Old cup"]);
    assert_eq!(t.get_cached(jars).await, jars_before);
}

#[tokio::test]
async fn a_new_category_is_listed_on_the_next_read_and_product_pages_stay_cached() {
    let t = TestApp::new();
    let staff = t.staff().await;
    t.product(&staff, json!({"name": "Cup", "price": "1.00"}))
        .await;
    let products = t.warm("/api/v1/products").await;
    assert_eq!(t.get("/api/v1/categories", None).await.ok(200)["count"], 0);
    t.category(&staff, "cups").await;
    assert_eq!(t.get("/api/v1/categories", None).await.ok(200)["count"], 1);
    assert_eq!(t.get_cached("/api/v1/products").await, products);
}
