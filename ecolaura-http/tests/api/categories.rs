use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn staff_make_categories_and_anyone_lists_them_by_slug() {
    let t = TestApp::new();
    let staff = t.staff().await;
    let a = t
        .post(
            "/api/v1/categories",
            Some(&staff),
            json!({"slug": "bottles", "name": "Bottles", "description": "Reusable"}),
        )
        .await;
    assert_eq!(
        a.ok(201),
        &json!({"slug": "bottles", "name": "Bottles", "description": "Reusable",
                "destruction_banned": false})
    );
    t.category(&staff, "bags").await;
    let list = t.get("/api/v1/categories", None).await;
    let page = list.ok(200);
    assert_eq!(page["count"], 2);
    assert_eq!(page["next"], json!(null));
    assert_eq!(page["previous"], json!(null));
    assert_eq!(page["results"][0]["slug"], "bags");
    assert_eq!(page["results"][1]["description"], "Reusable");
}

#[tokio::test]
async fn a_duplicate_slug_is_409_and_a_bad_slug_422() {
    let t = TestApp::new();
    let staff = t.staff().await;
    t.category(&staff, "bottles").await;
    t.post(
        "/api/v1/categories",
        Some(&staff),
        json!({"slug": "bottles", "name": "Again"}),
    )
    .await
    .problem(409);
    let bad = t
        .post(
            "/api/v1/categories",
            Some(&staff),
            json!({"slug": "Not A Slug", "name": "X"}),
        )
        .await;
    assert!(bad.problem(422)["errors"]["slug"].is_array());
}

#[tokio::test]
async fn customers_may_not_make_categories_and_strangers_must_sign_in() {
    let t = TestApp::new();
    let customer = t.customer("ada@example.com").await;
    t.post(
        "/api/v1/categories",
        Some(&customer),
        json!({"slug": "x", "name": "X"}),
    )
    .await
    .problem(403);
    t.post(
        "/api/v1/categories",
        None,
        json!({"slug": "x", "name": "X"}),
    )
    .await
    .problem(401);
}
