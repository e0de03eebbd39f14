//! `ecolaura catalog export`: the live catalog as CSV on standard output,
//! on the embedded default and on Postgres, checked against the API.

use crate::server::{Server, command, postgres};

/// The header and rows of `ecolaura catalog export`, and its summary.
fn export(server: &Server) -> (Vec<String>, Vec<Vec<String>>, String) {
    let out = server.cli(&["catalog", "export"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows, stderr)
}

async fn the_export_is_the_live_catalog_as_the_api_shows_it(database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let demo = command(dir.path(), database_url)
        .arg("demo")
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let server = Server::start_in(dir, database_url);
    let staff = server.staff().await;
    let (_, listed) = server
        .get("/api/v1/products?ordering=created_at&page_size=100", None)
        .await;
    let products = listed["results"].as_array().unwrap().clone();
    assert_eq!(products.len(), 10);
    // An archived product is not exported.
    let gone = products[3]["id"].as_str().unwrap();
    let (status, _) = server
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/products/{gone}"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(status, 204);

    let (header, rows, summary) = export(&server);
    assert_eq!(
        header,
        [
            "sku",
            "name",
            "description",
            "price",
            "stock",
            "category",
            "weight_kg",
            "gtin",
            "carbon_footprint_kg",
            "recyclable",
            "biodegradable",
            "sustainability_score"
        ]
    );
    assert!(summary.contains("exported 9 products"), "{summary}");
    let live: Vec<&serde_json::Value> = products.iter().filter(|p| p["id"] != gone).collect();
    assert_eq!(rows.len(), live.len());
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    // Oldest first, every column as the API shows it.
    for (row, p) in rows.iter().zip(live) {
        assert_eq!(row[0], text(&p["sku"]));
        assert_eq!(row[1], text(&p["name"]));
        assert_eq!(row[2], text(&p["description"]));
        assert_eq!(row[3], text(&p["price"]));
        assert_eq!(row[4], text(&p["stock"]));
        assert_eq!(row[5], text(&p["category"]));
        assert_eq!(row[6], text(&p["weight_kg"]));
        assert_eq!(row[7], text(&p["gtin"]));
        let metrics = &p["sustainability"];
        if metrics.is_null() {
            assert_eq!(row[8..11], ["", "", ""], "no metrics: {row:?}");
        } else {
            assert_eq!(
                row[8].parse::<f64>().unwrap(),
                metrics["carbon_footprint_kg"].as_f64().unwrap(),
                "{row:?}"
            );
            assert_eq!(row[9], text(&metrics["recyclable"]));
            assert_eq!(row[10], text(&metrics["biodegradable"]));
        }
        assert!(row[11].parse::<u8>().unwrap() <= 100);
    }
}

#[tokio::test]
async fn the_export_on_the_embedded_default() {
    the_export_is_the_live_catalog_as_the_api_shows_it(None).await;
}

#[tokio::test]
async fn the_export_on_postgres() {
    let Some(db) = postgres().await else { return };
    the_export_is_the_live_catalog_as_the_api_shows_it(Some(db.url())).await;
}
