//! The staff admin page at `/admin` in a real browser: headless Chromium
//! driven over WebDriver by `admin_browser.py` (Selenium, from the Python
//! in `ECOLAURA_SELENIUM_PYTHON`, which `.ci/run` provides), against a
//! running host. Set `ECOLAURA_ADMIN_SCREENSHOTS` to a directory to keep the
//! screenshots (docs/admin/ holds the ones the docs show).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::server::{Server, run_check};

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
    let product = server.a_bottle(&staff, 10, false).await;
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
    let args = [
        script.into_os_string(),
        base.into(),
        "staff@shop.example".into(),
        "staff password".into(),
        product_id.into(),
        order_id.into(),
        shots_dir.into(),
    ];
    run_check(python, args.into(), "all admin checks passed").await;
}
