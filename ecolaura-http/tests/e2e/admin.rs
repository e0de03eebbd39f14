//! The staff admin page at `/admin` in a real browser: headless Chromium
//! driven over WebDriver by `admin_browser.py` (Selenium, from the Python
//! in `ECOLAURA_SELENIUM_PYTHON`, which `.ci/run` provides), against a
//! running host. Set `ECOLAURA_ADMIN_SCREENSHOTS` to a directory to keep the
//! screenshots (docs/admin/ holds the ones the docs show).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::server::Server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_sign_in_edit_a_product_and_ship_an_order_in_a_browser() {
    let Some(python) = std::env::var_os("ECOLAURA_SELENIUM_PYTHON") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "ECOLAURA_SELENIUM_PYTHON must be set in CI (.ci/run sets it)"
        );
        eprintln!(
            "SKIPPED: set ECOLAURA_SELENIUM_PYTHON to a python with selenium, and install chromium-driver"
        );
        return;
    };
    let server = Server::start(None);
    let staff = server.staff().await;
    let (status, _) = server
        .post(
            "/api/v1/categories",
            Some(&staff),
            json!({"slug": "bottles", "name": "Bottles"}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, product) = server
        .post(
            "/api/v1/products",
            Some(&staff),
            json!({"name": "Eco Bottle", "price": "19.99", "stock": 10, "category": "bottles",
                   "sustainability": {"carbon_footprint_kg": 1.2, "recyclable": false, "biodegradable": false}}),
        )
        .await;
    assert_eq!(status, 201, "{product}");
    let ada = server
        .register_and_login("ada@example.com", "ada's password")
        .await;
    let (status, order) = server
        .post(
            "/api/v1/orders",
            Some(&ada),
            json!({"lines": [{"product_id": product["id"], "quantity": 2}]}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let order_id = order["id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, now) = server
            .get(&format!("/api/v1/orders/{order_id}"), Some(&ada))
            .await;
        if now["status"] == "confirmed" {
            break;
        }
        assert!(Instant::now() < deadline, "not confirmed: {now}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let shots = tempfile::tempdir().unwrap();
    let shots_dir = std::env::var("ECOLAURA_ADMIN_SCREENSHOTS")
        .unwrap_or_else(|_| shots.path().display().to_string());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/admin_browser.py");
    let base = server.base.clone();
    let product_id = product["id"].as_str().unwrap().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args([
                base.as_str(),
                "staff@shop.example",
                "staff password",
                &product_id,
                &order_id,
                &shots_dir,
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("all admin checks passed"), "{stdout}");
}
