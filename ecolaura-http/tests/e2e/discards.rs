//! Discards and orders from concurrent HTTP clients race for the same
//! units on a real `ecolaura serve`: every unit goes once, stock never goes
//! below zero, and the ledger and the yearly report hold exactly the
//! discards that were answered 201.

use serde_json::{Value, json};

use crate::server::{Server, postgres};

async fn discards_and_orders_race_for_thirty_units(server: Server) {
    let staff = server.staff().await;
    let (status, product) = server
        .post(
            "/api/v1/products",
            Some(&staff),
            json!({"name": "Last boots", "price": "80.00", "stock": 30, "weight_kg": "1.250"}),
        )
        .await;
    assert_eq!(status, 201, "{product}");
    let id = product["id"].as_str().unwrap().to_owned();
    let buyers = futures_util::future::join_all((0..8).map(|i| server.racer(i))).await;
    let discards_path = format!("/api/v1/products/{id}/discards");
    let discard = json!({"quantity": 2, "reason": "unsold", "destination": "donation"});
    let order = json!({"lines": [{"product_id": id, "quantity": 1}]});
    let discarding = (0..20).map(|_| server.post(&discards_path, Some(&staff), discard.clone()));
    let ordering =
        (0..24).map(|i| server.post("/api/v1/orders", Some(&buyers[i % 8]), order.clone()));
    let (discarded, ordered) = futures_util::future::join(
        futures_util::future::join_all(discarding),
        futures_util::future::join_all(ordering),
    )
    .await;
    let count =
        |answers: &[(u16, Value)], status| answers.iter().filter(|(s, _)| *s == status).count();
    let statuses = |answers: &[(u16, Value)]| answers.iter().map(|a| a.0).collect::<Vec<_>>();
    assert_eq!(
        count(&discarded, 201) + count(&discarded, 409),
        20,
        "{:?}",
        statuses(&discarded)
    );
    assert_eq!(
        count(&ordered, 201) + count(&ordered, 409),
        24,
        "{:?}",
        statuses(&ordered)
    );
    let units_discarded = 2 * count(&discarded, 201);
    assert_eq!(
        units_discarded + count(&ordered, 201),
        30,
        "every unit went exactly once"
    );
    let (_, now) = server.get(&format!("/api/v1/products/{id}"), None).await;
    assert_eq!(now["stock"], 0);
    let (_, ledger) = server.get(&discards_path, Some(&staff)).await;
    assert_eq!(ledger["count"], count(&discarded, 201));
    let year = chrono::Utc::now().format("%Y");
    let (status, report) = server
        .get(
            &format!("/api/v1/reports/discards?year={year}"),
            Some(&staff),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["units"], units_discarded);
    assert_eq!(
        report["weight_kg"],
        format!(
            "{}.{:03}",
            units_discarded * 1250 / 1000,
            units_discarded * 1250 % 1000
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discards_and_orders_never_take_stock_below_zero_on_sqlite() {
    discards_and_orders_race_for_thirty_units(Server::start(None)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discards_and_orders_never_take_stock_below_zero_on_postgres() {
    let Some(db) = postgres().await else { return };
    discards_and_orders_race_for_thirty_units(Server::start(Some(db.url()))).await;
}

impl Server {
    async fn racer(&self, i: usize) -> String {
        self.register_and_login(&format!("racer{i}@example.com"), "racer password")
            .await
    }
}
