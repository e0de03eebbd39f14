//! What the embedded default must show on a real file: races through the
//! services, data that survives a restart, a crash whose job a restarted
//! worker takes back at once, clear errors for bad paths and files.
#![allow(clippy::unwrap_used)] // a test that cannot set up must fail loudly

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ecolaura_core::accounts::PasswordHasher;
use ecolaura_core::catalog::{ProductPosition, ProductSeek};
use ecolaura_core::conformance::crash::{self, claim_in_a_child_then_kill_it};
use ecolaura_core::conformance::{fixtures, scenarios};
use ecolaura_core::domain::{Direction, Limit, SearchText, Seek, truncate_to_micros};
use ecolaura_core::idempotency::IdempotentOutcome;
use ecolaura_core::jobs::{JobStatus, confirmation_key};
use ecolaura_core::ports::{CatalogStore, JobQueue, OrderStore};
use ecolaura_core::prelude::*;
use ecolaura_core::scoring::ScoreReason;
use ecolaura_store_sqlite::{OpenError, SqliteConfig, SqliteStore};

/// A database file in the temp directory, deleted (with WAL files) at the end.
struct TempDb(PathBuf);

impl TempDb {
    fn new() -> Self {
        TempDb(std::env::temp_dir().join(format!("ecolaura-sqlite-{}.db", uuid::Uuid::new_v4())))
    }
    fn path(&self) -> &Path {
        &self.0
    }
    async fn open(&self) -> SqliteStore {
        let store = SqliteStore::open(&SqliteConfig::file(&self.0))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        store
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

fn app_on(store: Arc<SqliteStore>) -> Ecolaura {
    Ecolaura::builder()
        .store(store)
        .password_hasher(PasswordHasher::fast_insecure())
        .build()
        .unwrap()
}

async fn product(app: &Ecolaura, stock: u32) -> Product {
    create(app, new_product("Last units", "Glass, refillable", stock)).await
}

/// A product named `name`, made through the catalog.
async fn named(app: &Ecolaura, name: &str, description: &str) -> Product {
    create(app, new_product(name, description, 1)).await
}

async fn create(app: &Ecolaura, new: NewProduct) -> Product {
    app.catalog()
        .create_product(&Actor::System, new)
        .await
        .unwrap()
}

fn new_product(name: &str, description: &str, stock: u32) -> NewProduct {
    NewProduct {
        name: ProductName::parse(name).unwrap(),
        description: Description::parse(description).unwrap(),
        price: "5.00".parse().unwrap(),
        category: None,
        stock: Stock::new(i64::from(stock)).unwrap(),
        metrics: Some(SustainabilityMetrics {
            carbon_footprint_kg: CarbonKg::from_f64(0.25).unwrap(),
            recyclable: true,
            biodegradable: false,
        }),
        manual_score: Score::MIN,
        sku: None,
        gtin: None,
        weight_kg: None,
    }
}

fn one_of(p: &Product, q: i64) -> OrderRequest {
    OrderRequest::new(vec![OrderRequestLine {
        product_id: p.id,
        quantity: Quantity::new(q).unwrap(),
    }])
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_orders_for_ten_units_sell_exactly_ten() {
    let db = TempDb::new();
    scenarios::buyers_race_for_the_last_units(&app_on(Arc::new(db.open().await)), 100, 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_in_memory_database_keeps_the_same_rules() {
    let store = SqliteStore::open(&SqliteConfig::in_memory()).await.unwrap();
    store.migrate().await.unwrap();
    scenarios::buyers_race_for_the_last_units(&app_on(Arc::new(store)), 100, 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_requests_with_one_idempotency_key_make_one_order() {
    let db = TempDb::new();
    scenarios::concurrent_requests_under_one_key_make_one_order(
        &app_on(Arc::new(db.open().await)),
        20,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_replayed_under_their_keys() {
    let db = TempDb::new();
    scenarios::refusals_are_replayed_under_their_keys(&app_on(Arc::new(db.open().await))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_dropping_every_handle_and_reopening_the_file() {
    let db = TempDb::new();
    let (product_id, order_id, buyer) = {
        let store = Arc::new(db.open().await);
        let app = app_on(store.clone());
        let p = product(&app, 7).await;
        let buyer = Actor::customer(UserId::new());
        let order = app
            .orders()
            .place(&buyer, &one_of(&p, 3), None)
            .await
            .unwrap()
            .order;
        store.close().await;
        (p.id, order.id, buyer)
    };
    let app = app_on(Arc::new(db.open().await));
    assert_eq!(
        app.catalog().product(product_id).await.unwrap().stock.get(),
        4
    );
    let order = app.orders().get(&buyer, order_id).await.unwrap();
    assert_eq!(order.total().to_string(), "15.00");
    assert_eq!(order.carbon_footprint_kg().unwrap().to_string(), "0.75");
    assert_eq!(
        app.job_queue().job_counts().await.unwrap().queued,
        1,
        "its job is still queued"
    );
}

/// Migrations 0003 and 0007: what an older version wrote reads back once
/// the new version opened the database: orders and keyed outcomes without a
/// currency in euros (and such a request still replays), lines without a
/// score method as such, scores without one as the one method there was.
#[tokio::test]
async fn orders_placed_before_currencies_were_stored_read_back_in_euros() {
    let db = TempDb::new();
    let user = UserId::new();
    let now = truncate_to_micros(chrono::Utc::now());
    let (p, old, key) = {
        let store = Arc::new(
            SqliteStore::open(&SqliteConfig::file(db.path()))
                .await
                .unwrap(),
        );
        ecolaura_store_sqlite::MIGRATOR
            .run_to(2, store.pool())
            .await
            .unwrap();
        // A product as the schema of migration 2 holds it.
        let p = fixtures::with_metrics(fixtures::product("Last units", "5.00", 5), 0.25, 80);
        sqlx::query(
            "INSERT INTO products (id, name, description, price, category, stock, \
             carbon_footprint_kg, recyclable, biodegradable, manual_score, score, score_source, \
             archived, version, created_at, updated_at) \
             VALUES (?, 'Last units', '', 500, NULL, 5, 250000, 1, 0, 0, 80, 'metrics', 0, 1, ?, ?)",
        )
        .bind(p.id.as_uuid())
        .bind(now)
        .bind(now)
        .execute(store.pool())
        .await
        .unwrap();
        let mut old = fixtures::order(user, &[(&p, 2)], now);
        // Lines of migration 2 kept no score method.
        old.lines[0].score_method = None;
        let key = fixtures::stamp(&old, "checkout-1", now);
        sqlx::query(
            "INSERT INTO orders (id, user_id, status, confirmation_sent_at, created_at, updated_at) \
             VALUES (?, ?, 'pending', NULL, ?, ?)",
        )
        .bind(old.id.as_uuid())
        .bind(user.as_uuid())
        .bind(now)
        .bind(now)
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO order_lines (order_id, position, product_id, name, unit_price, quantity, \
             unit_carbon_footprint_kg, sustainability_score) VALUES (?, 0, ?, 'Last units', 500, 2, 250000, ?)",
        )
        .bind(old.id.as_uuid())
        .bind(p.id.as_uuid())
        .bind(i64::from(p.score.value()))
        .execute(store.pool())
        .await
        .unwrap();
        let mut outcome =
            serde_json::to_value(IdempotentOutcome::Placed(Box::new(old.clone()))).unwrap();
        outcome["value"].as_object_mut().unwrap().remove("currency");
        sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, fingerprint, outcome, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(user.as_uuid())
        .bind(key.key.as_str())
        .bind(&key.fingerprint)
        .bind(outcome.to_string())
        .bind(key.expires_at)
        .execute(store.pool())
        .await
        .unwrap();
        store.close().await;
        (p, old, key)
    };

    // The new version opens the file and migrates, as `ecolaura serve` does.
    let store = Arc::new(db.open().await);
    assert_eq!(old.currency.as_str(), "EUR");
    assert_eq!(store.get_order(old.id).await.unwrap(), Some(old.clone()));
    // Migration 7: a score stored before methods were kept reads as the one
    // method there was, computed at the product's last write.
    let product = store.get_product(p.id).await.unwrap().unwrap();
    assert_eq!(product.score_method.as_str(), "ecolaura-default@1");
    assert_eq!(product.score_computed_at, now);
    // Migration 8: its reason reads from its source, its points as the
    // default rules give them (the only rules there were), and it has no
    // history row until its next new score.
    assert_eq!(product.score_reason, ScoreReason::MetricsChanged);
    let points: i64 = product
        .score_breakdown
        .as_ref()
        .expect("the default rules' breakdown")
        .factors
        .iter()
        .map(|f| f.points)
        .sum();
    assert_eq!(points, i64::from(product.score.value()));
    assert!(store.score_history(p.id, 10).await.unwrap().is_empty());
    // The catalog reads its current score as its only history entry.
    let history = app_on(store.clone())
        .catalog()
        .score_history(p.id)
        .await
        .unwrap();
    assert_eq!(history, [ecolaura_core::scoring::ScoreEntry::of(&product)]);
    let replayed = app_on(store)
        .orders()
        .place(&Actor::customer(user), &one_of(&p, 2), Some(key.key))
        .await
        .unwrap();
    assert_eq!((replayed.order, replayed.replayed), (old, true));
}

/// Runs only as the child process of the crash test: opens the file, claims
/// the order's job with an hour's lease and hangs until killed.
#[tokio::test]
#[ignore = "run by a_restarted_worker_takes_back_the_jobs_a_crash_left_running"]
async fn child_that_claims_a_job_and_hangs() {
    let Ok(path) = std::env::var("ECOLAURA_CRASH_TEST_FILE") else {
        return;
    };
    let store = SqliteStore::open(&SqliteConfig::file(path)).await.unwrap();
    crash::claim_and_hang(&store, Duration::from_secs(3600)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_worker_takes_back_the_jobs_a_crash_left_running() {
    let db = TempDb::new();
    let (order_id, buyer) = {
        let store = Arc::new(db.open().await);
        let app = app_on(store.clone());
        let p = product(&app, 3).await;
        let account = NewAccount {
            email: Email::parse("ada@example.com").unwrap(),
            password: Password::new("correct horse battery").unwrap(),
            name: PersonName::parse("Ada").unwrap(),
            role: Role::Customer,
        };
        let buyer = Actor::customer(
            app.accounts()
                .register(&Actor::Anonymous, account)
                .await
                .unwrap()
                .id,
        );
        let order = app
            .orders()
            .place(&buyer, &one_of(&p, 1), None)
            .await
            .unwrap()
            .order;
        store.close().await;
        (order.id, buyer)
    };
    let job_id = claim_in_a_child_then_kill_it(
        "child_that_claims_a_job_and_hangs",
        ("ECOLAURA_CRASH_TEST_FILE", &db.path().display().to_string()),
    );

    // The restarted process finds the job held for another hour; its worker
    // takes it back as it starts, since only a dead process can hold it.
    let store = Arc::new(db.open().await);
    assert_eq!(
        store.get_job(job_id).await.unwrap().unwrap().status,
        JobStatus::Running
    );
    let app = app_on(store.clone());
    let worker = app.worker(WorkerConfig {
        idle_poll: Duration::from_millis(100),
        ..WorkerConfig::default()
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    let confirmed = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let order = store.get_order(order_id).await.unwrap().unwrap();
            if order.confirmation_sent_at.is_some() {
                return order;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the job was taken back long before its lease ended");
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
    assert_eq!(confirmed.status, OrderStatus::Confirmed);
    assert_eq!(store.get_job(job_id).await.unwrap().unwrap().attempts, 2);
    assert!(
        app.mailer()
            .find_sent(&confirmation_key(order_id))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        app.orders().get(&buyer, order_id).await.unwrap().status,
        OrderStatus::Confirmed
    );
}

#[tokio::test]
async fn a_bad_path_or_a_file_that_is_not_a_database_is_a_clear_error() {
    let missing_dir = std::env::temp_dir()
        .join("ecolaura-no-such-dir")
        .join("x")
        .join("shop.db");
    let err = SqliteStore::open(&SqliteConfig::file(&missing_dir))
        .await
        .unwrap_err();
    assert!(matches!(err, OpenError::Open { .. }), "{err:?}");
    assert!(
        err.to_string().contains("cannot open SQLite database"),
        "{err}"
    );

    let db = TempDb::new();
    std::fs::write(
        db.path(),
        b"this is a text file, not a database, and it is long enough to have a header",
    )
    .unwrap();
    let err = SqliteStore::open(&SqliteConfig::file(db.path()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a database"), "{err}");

    assert!(matches!(
        SqliteConfig::from_url("postgres://x/y"),
        Err(OpenError::InvalidUrl(_))
    ));
    assert_eq!(
        SqliteConfig::from_url("sqlite://shop.db").unwrap(),
        SqliteConfig::file("shop.db")
    );
    assert_eq!(
        SqliteConfig::from_url("sqlite::memory:").unwrap(),
        SqliteConfig::in_memory()
    );
}

#[tokio::test]
async fn a_closed_store_is_unavailable_not_missing() {
    let db = TempDb::new();
    let store = db.open().await;
    store.close().await;
    let err = store.get_product(ProductId::new()).await.unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
}

/// The discard ledger is append-only in the database itself: an update or
/// a delete behind the library's back fails and changes nothing.
#[tokio::test]
async fn the_discard_ledger_refuses_every_change_in_the_database() {
    use ecolaura_core::sustainability::discards::{
        DiscardDestination, DiscardDraft, DiscardReason,
    };
    let db = TempDb::new();
    let store = Arc::new(db.open().await);
    let app = app_on(store.clone());
    let p = product(&app, 5).await;
    let draft = DiscardDraft {
        quantity: 2,
        reason: DiscardReason::Unsold,
        destination: DiscardDestination::Donation,
        derogation: None,
        note: None,
    };
    app.discards()
        .record(&Actor::System, p.id, draft)
        .await
        .unwrap();
    for change in ["UPDATE discards SET quantity = 1", "DELETE FROM discards"] {
        let refused = sqlx::query(change).execute(store.pool()).await;
        let message = refused.unwrap_err().to_string();
        assert!(message.contains("append-only"), "{change}: {message}");
    }
    let (quantity,): (i64,) = sqlx::query_as("SELECT quantity FROM discards")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(quantity, 2);
}

fn searching(term: &str) -> ProductQuery {
    ProductQuery {
        filter: ProductFilter {
            search: Some(SearchText::parse(term).unwrap()),
            ..ProductFilter::default()
        },
        ..ProductQuery::default()
    }
}

/// The query plan of the list `query`, as the store sends it, one line per
/// step.
async fn plan_of(store: &SqliteStore, query: &ProductQuery) -> Vec<String> {
    let (page, _) =
        ecolaura_store_sql::statements::list_products::<ecolaura_store_sql::Sqlite>(query);
    statement_plan(store, &page).await
}

/// The lines of SQLite's plan for `select`, with its values bound.
async fn statement_plan(store: &SqliteStore, select: &sea_query::SelectStatement) -> Vec<String> {
    use sea_query::SqliteQueryBuilder;
    use sea_query_sqlx::SqlxBinder;
    let (sql, values) = select.build_sqlx(SqliteQueryBuilder);
    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as_with(
        sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")),
        values,
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    rows.into_iter().map(|r| r.3).collect()
}

/// A search of three characters or more asks the FTS5 trigram index for its
/// candidates; a shorter one, which has no trigram, does not.
#[tokio::test]
async fn a_search_of_three_characters_or_more_reads_the_trigram_index() {
    let db = TempDb::new();
    let store = db.open().await;
    for (term, indexed) in [("zephyr", true), ("zep", true), ("ze", false)] {
        let plan = plan_of(&store, &searching(term)).await;
        let reads_index = plan.iter().any(|line| line.contains("VIRTUAL TABLE INDEX"));
        assert_eq!(reads_index, indexed, "{term:?}: {plan:#?}");
    }
}

/// Every list ordering, both ways, reads its index in order with no sort
/// at all, for the whole catalog and for a category; and so does each of
/// the two parts of a keyset page (API v2) of a category, from a position.
#[tokio::test]
async fn every_list_ordering_reads_its_index() {
    let db = TempDb::new();
    let store = db.open().await;
    for (ordering, whole, category) in [
        (
            ProductOrdering::PriceAsc,
            "products_live_price",
            "products_live_category_price",
        ),
        (
            ProductOrdering::PriceDesc,
            "products_live_price_desc",
            "products_live_category_price_desc",
        ),
        (
            ProductOrdering::ScoreAsc,
            "products_live_score",
            "products_live_category_score",
        ),
        (
            ProductOrdering::ScoreDesc,
            "products_live_score_desc",
            "products_live_category_score_desc",
        ),
        (
            ProductOrdering::NameAsc,
            "products_live_name",
            "products_live_category_name",
        ),
        (
            ProductOrdering::NameDesc,
            "products_live_name_desc",
            "products_live_category_name_desc",
        ),
        (
            ProductOrdering::CreatedAsc,
            "products_live_created_asc",
            "products_live_category_created_asc",
        ),
        (
            ProductOrdering::CreatedDesc,
            "products_live_created",
            "products_live_category_created",
        ),
    ] {
        let query = |category: Option<Slug>| ProductQuery {
            filter: ProductFilter {
                category,
                ..ProductFilter::default()
            },
            ordering,
            ..ProductQuery::default()
        };
        let plan = plan_of(&store, &query(None)).await;
        assert!(
            plan.iter()
                .any(|line| line.ends_with(&format!("USING INDEX {whole}")))
                && !plan.iter().any(|line| line.contains("TEMP B-TREE")),
            "{ordering:?}: {plan:#?}"
        );
        let plan = plan_of(&store, &query(Some(Slug::parse("bottles").unwrap()))).await;
        assert!(
            plan.iter()
                .any(|line| line.ends_with(&format!("USING INDEX {category} (category=?)")))
                && !plan.iter().any(|line| line.contains("TEMP B-TREE")),
            "{ordering:?} in a category: {plan:#?}"
        );
        // A keyset page from a position: the position's ties by an
        // equality on the category and the key, the rest by a range.
        let seek = ProductSeek {
            filter: query(Some(Slug::parse("bottles").unwrap())).filter,
            ordering,
            seek: Seek {
                from: Some((
                    Direction::After,
                    ProductPosition {
                        key: ordering.key_of(&fixtures::product("Bottle", "9.99", 1)),
                        id: ProductId::new(),
                    },
                )),
                limit: Limit::DEFAULT,
            },
        };
        let plan = statement_plan(
            &store,
            &ecolaura_store_sql::statements::seek_products::<ecolaura_store_sql::Sqlite>(&seek),
        )
        .await;
        // Each part reads a category index in its order, the rest of the
        // list by this ordering's; what is sorted is the page's rows alone,
        // as the parts are merged, never inside a part.
        let ranges = plan
            .iter()
            .filter(|line| {
                line.contains("USING INDEX products_live_category_")
                    && line.contains("(category=? AND ")
            })
            .count();
        assert_eq!(ranges, 2, "{ordering:?} keyset in a category: {plan:#?}");
        assert!(
            plan.iter()
                .any(|line| line.contains(&format!("USING INDEX {category} (category=? AND "))),
            "{ordering:?} keyset in a category: {plan:#?}"
        );
        let mut in_part = false;
        for line in &plan {
            if line.starts_with("CO-ROUTINE") {
                in_part = true;
            } else if line.starts_with("SCAN ") {
                in_part = false;
            }
            assert!(
                !(in_part && line.contains("TEMP B-TREE")),
                "{ordering:?} keyset sorts inside a part: {plan:#?}"
            );
        }
    }
}

/// The index follows every write (insert, rename, delete behind the
/// library's back) and survives a VACUUM, which keeps the rowids it names
/// products by: FTS5's own integrity check passes and searches still find
/// exactly the products they should.
#[tokio::test]
async fn the_search_index_follows_writes_and_survives_vacuum() {
    let db = TempDb::new();
    let store = Arc::new(db.open().await);
    let app = app_on(store.clone());
    let gone = named(&app, "Doomed zephyr", "").await;
    let kept = named(&app, "Zephyr bottle", "Steel").await;
    let renamed = named(&app, "Old name", "plain").await;
    app.catalog()
        .update_product(
            &Actor::System,
            renamed.id,
            &ProductChanges {
                description: Some(Description::parse("now with ZEPHYR inside").unwrap()),
                ..ProductChanges::default()
            },
        )
        .await
        .unwrap();
    // Its score history refers to it: delete the way an operator would.
    let mut conn = store.pool().acquire().await.unwrap();
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("DELETE FROM products WHERE id = ?")
        .bind(gone.id.as_uuid())
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    sqlx::query("VACUUM").execute(store.pool()).await.unwrap();
    sqlx::query(
        "INSERT INTO products_search (products_search, rank) VALUES ('integrity-check', 1)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let found: std::collections::BTreeSet<ProductId> = store
        .list_products(&searching("zephyr"))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(found, [kept.id, renamed.id].into());
}
