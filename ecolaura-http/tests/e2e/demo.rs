//! `ecolaura demo`: a newcomer's demo shop, on the embedded default and on
//! Postgres, used through the real host with the credentials it prints.

use serde_json::json;

use crate::server::{Server, command, postgres};

/// The e-mail and password printed on the line for `role`.
fn credentials(stdout: &str, role: &str) -> (String, String) {
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with(role))
        .unwrap_or_else(|| panic!("no {role} line in:\n{stdout}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    (words[1].to_owned(), words[2].to_owned())
}

async fn a_newcomer_signs_in_and_orders_from_the_demo_shop(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), database_url)
        .arg("demo")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (staff_email, staff_password) = credentials(&stdout, "staff");
    let (customer_email, customer_password) = credentials(&stdout, "customer");
    assert_ne!(staff_password, customer_password);
    assert!(staff_password.len() >= 20);

    let server = Server::start_in(dir, database_url);
    let (status, products) = server.get("/api/v1/products", None).await;
    assert_eq!(status, 200);
    assert_eq!(products["count"], 10);
    let (_, apparel) = server.get("/api/v1/categories", None).await;
    assert_eq!(apparel["count"], 4);
    let (_, methods) = server.get("/api/v1/shipping-methods", None).await;
    assert_eq!(methods["count"], 3);

    let customer = server.login(&customer_email, &customer_password).await;
    let (_, found) = server
        .get("/api/v1/products?sku=DEMO-BOTTLE-750", None)
        .await;
    let bottle = found["results"][0]["id"].as_str().unwrap().to_owned();
    let (status, order) = server
        .post(
            "/api/v1/orders",
            Some(&customer),
            json!({"lines": [{"product_id": bottle, "quantity": 2}], "shipping_method": "rail-eu"}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    // 2 × 24.90 + 6.90; 0.7 kg by rail: 0.0007 t × 850 km × 17 g = 10.115 g.
    assert_eq!(order["total"], "56.70");
    assert_eq!(order["shipping_carbon_footprint_kg"], 0.010115);
    assert_eq!(order["footprint_complete"], true);
    let staff = server.login(&staff_email, &staff_password).await;
    let (_, me) = server.get("/api/v1/users/me", Some(&staff)).await;
    assert_eq!(me["role"], "staff");

    // A second run changes nothing: the shop is no longer empty.
    let again = server.cli(&["demo"]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("empty shop only"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let (_, products) = server.get("/api/v1/products", None).await;
    assert_eq!(products["count"], 10);
}

#[tokio::test]
async fn the_demo_shop_on_the_embedded_default() {
    a_newcomer_signs_in_and_orders_from_the_demo_shop(None).await;
}

#[tokio::test]
async fn the_demo_shop_on_postgres() {
    let Some(db) = postgres().await else { return };
    a_newcomer_signs_in_and_orders_from_the_demo_shop(Some(db.url())).await;
}

#[test]
fn the_demo_does_not_run_in_production() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), None)
        .env("ECOLAURA_ENV", "production")
        .arg("demo")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("production"));
    assert!(
        !dir.path().join("ecolaura.db").exists(),
        "nothing was opened"
    );
}
