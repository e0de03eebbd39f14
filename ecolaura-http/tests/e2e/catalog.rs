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
    let server = Server::start_in(demo_shop(database_url), database_url);
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

/// `ecolaura catalog import FILE [--dry-run]` in `dir` on `database_url`:
/// its exit status, standard output and standard error.
fn import(
    dir: &std::path::Path,
    database_url: Option<&str>,
    file: &str,
    dry_run: bool,
) -> (bool, String, String) {
    let mut cmd = command(dir, database_url);
    cmd.args(["catalog", "import", file]);
    if dry_run {
        cmd.arg("--dry-run");
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `ecolaura catalog export` in `dir` on `database_url`, as text.
fn export_text(dir: &std::path::Path, database_url: Option<&str>) -> String {
    let out = command(dir, database_url)
        .args(["catalog", "export"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A demo shop in a new directory.
fn demo_shop(database_url: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), database_url)
        .arg("demo")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// Export a shop, import the file into an empty store, export that: the
/// same file. Importing it again changes nothing.
async fn export_then_import_is_the_identity(source_url: Option<&str>, target_url: Option<&str>) {
    let source = demo_shop(source_url);
    let file = source.path().join("catalog.csv");
    let exported = export_text(source.path(), source_url);
    std::fs::write(&file, &exported).unwrap();
    let file = file.to_str().unwrap();

    let target = tempfile::tempdir().unwrap();
    let (ok, summary, errors) = import(target.path(), target_url, file, false);
    assert!(ok, "{errors}");
    assert!(
        summary.contains(
            "10 rows: 10 created, 0 updated, 0 unchanged, 0 rejected; 4 categories created"
        ),
        "{summary}"
    );
    assert_eq!(export_text(target.path(), target_url), exported);

    let (ok, summary, errors) = import(target.path(), target_url, file, false);
    assert!(ok, "{errors}");
    assert!(
        summary.contains("0 created, 0 updated, 10 unchanged"),
        "{summary}"
    );
    assert_eq!(export_text(target.path(), target_url), exported);

    // The imported products are scored by the shop's policy, as the API
    // shows them on the target.
    let server = Server::start_in(target, target_url);
    let (_, all) = server.get("/api/v1/products?page_size=100", None).await;
    assert_eq!(all["count"], 10, "{all}");
    let scored = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["sustainability"].is_null())
        .count();
    assert!(scored > 0);
}

#[tokio::test]
async fn export_then_import_on_the_embedded_default() {
    export_then_import_is_the_identity(None, None).await;
}

#[tokio::test]
async fn export_then_import_on_postgres() {
    let Some(source) = postgres().await else {
        return;
    };
    let Some(target) = postgres().await else {
        return;
    };
    export_then_import_is_the_identity(Some(source.url()), Some(target.url())).await;
}

/// The demo shop's export with its first product's price and stock
/// changed and a product in a new category added; and the same with bad
/// rows in it.
fn edited_files(exported: &str) -> (String, String) {
    let mut lines: Vec<String> = exported.lines().map(String::from).collect();
    let mut first: Vec<String> = lines[1].split(',').map(String::from).collect();
    first[3] = "12.34".into();
    first[4] = "7".into();
    lines[1] = first.join(",");
    lines.push("NEW-1,Linen towel,,9.90,3,towels,,,0.8,true,true,".into());
    let good = lines.join("\n") + "\n";
    let mut bad = lines.clone();
    // Line 3: a price that is not a decimal; line 4: no SKU; a copy of
    // line 2's SKU at the end.
    bad[2] = bad[2].replacen(",18.50,", ",18.5.0,", 1);
    bad[3] = format!(",{}", bad[3].split_once(',').unwrap().1);
    bad.push(format!(
        "{},Copy,,1.00,1,,,,,,,",
        lines[1].split(',').next().unwrap()
    ));
    (good, bad.join("\n") + "\n")
}

/// A file with bad rows writes nothing and names every bad row with its
/// line and field; a dry run of a good file writes nothing; the good file
/// then changes what the running host serves, though the host had the old
/// price cached.
async fn an_import_writes_all_of_a_good_file_and_nothing_of_a_bad_one(database_url: Option<&str>) {
    let shop = demo_shop(database_url);
    let before = export_text(shop.path(), database_url);
    let (good, bad) = edited_files(&before);
    let good_file = shop.path().join("good.csv");
    let bad_file = shop.path().join("bad.csv");
    std::fs::write(&good_file, good).unwrap();
    std::fs::write(&bad_file, bad).unwrap();
    let sku = before
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_owned();

    let (ok, summary, errors) =
        import(shop.path(), database_url, bad_file.to_str().unwrap(), false);
    assert!(!ok, "a file with bad rows fails");
    assert!(errors.contains("line 3: price: "), "{errors}");
    assert!(errors.contains("line 4: sku: is required"), "{errors}");
    assert!(
        errors.contains("line 13: sku: repeats the SKU of line 2"),
        "{errors}"
    );
    assert!(
        errors.contains("3 lines rejected (listed above); nothing was written"),
        "{errors}"
    );
    assert!(summary.contains("wrote nothing: 12 rows"), "{summary}");
    assert_eq!(
        export_text(shop.path(), database_url),
        before,
        "nothing written"
    );

    let (ok, summary, errors) =
        import(shop.path(), database_url, good_file.to_str().unwrap(), true);
    assert!(ok, "{errors}");
    assert!(
        summary.contains("11 rows: 1 to be created, 1 to be updated, 9 unchanged, 0 rejected; 1 categories to be created"),
        "{summary}"
    );
    assert_eq!(
        export_text(shop.path(), database_url),
        before,
        "a dry run writes nothing"
    );

    let shop_dir = shop.path().to_path_buf();
    let server = Server::start_in(shop, database_url);
    let listed = || async {
        let (_, all) = server.get("/api/v1/products?page_size=100", None).await;
        let all = all["results"].as_array().unwrap().clone();
        all.into_iter().find(|p| p["sku"] == sku.as_str()).unwrap()
    };
    assert_eq!(listed().await["price"], "24.90");

    let (ok, summary, errors) = import(&shop_dir, database_url, good_file.to_str().unwrap(), false);
    assert!(ok, "{errors}");
    assert!(
        summary.contains("1 created, 1 updated, 9 unchanged"),
        "{summary}"
    );
    // The running host hears of the other process's import (Postgres:
    // its notification; SQLite: the catalog epoch, read every second) and
    // drops the read it had cached.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let product = loop {
        let product = listed().await;
        if product["price"] == "12.34" || std::time::Instant::now() > deadline {
            break product;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(product["price"], "12.34", "{product}");
    assert_eq!(product["stock"], 7, "{product}");
    let (_, towels) = server.get("/api/v1/products?category=towels", None).await;
    assert_eq!(towels["count"], 1, "{towels}");
    assert_eq!(towels["results"][0]["sku"], "NEW-1");
    let (_, categories) = server.get("/api/v1/categories?page_size=100", None).await;
    let made = categories["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "towels");
    assert_eq!(
        made.unwrap()["name"],
        "towels",
        "named after its slug: {categories}"
    );
}

#[tokio::test]
async fn import_of_good_and_bad_files_on_the_embedded_default() {
    an_import_writes_all_of_a_good_file_and_nothing_of_a_bad_one(None).await;
}

#[tokio::test]
async fn import_of_good_and_bad_files_on_postgres() {
    let Some(db) = postgres().await else { return };
    an_import_writes_all_of_a_good_file_and_nothing_of_a_bad_one(Some(db.url())).await;
}
