//! Behaviour that only a real Postgres shows: races through the services,
//! a worker process killed while it holds a job, invalidation across hosts,
//! connection failures.
#![allow(clippy::unwrap_used)] // a test that cannot set up must fail loudly

use std::sync::Arc;
use std::time::Duration;

use ecolaura_core::accounts::PasswordHasher;
use ecolaura_core::conformance::crash::{self, claim_in_a_child_then_kill_it};
use ecolaura_core::conformance::{fixtures, scenarios};
use ecolaura_core::domain::truncate_to_micros;
use ecolaura_core::idempotency::IdempotentOutcome;
use ecolaura_core::jobs::{JobStatus, confirmation_key};
use ecolaura_core::ports::{CatalogStore, JobQueue, OrderStore, StoreError};
use ecolaura_core::prelude::*;
use ecolaura_core::scoring::ScoreReason;
use ecolaura_store_pg::{ConnectError, PgConfig, PgStore};
use ecolaura_store_pg_testing::TestDb;

fn app_on(store: Arc<PgStore>) -> Ecolaura {
    Ecolaura::builder()
        .store(store)
        .password_hasher(PasswordHasher::fast_insecure())
        .build()
        .expect("every port is given")
}

async fn product(app: &Ecolaura, stock: u32) -> Product {
    app.catalog()
        .create_product(
            &Actor::System,
            NewProduct {
                name: ProductName::parse("Last units").unwrap(),
                description: Description::default(),
                price: "4.20".parse().unwrap(),
                category: None,
                stock: Stock::new(i64::from(stock)).unwrap(),
                metrics: Some(SustainabilityMetrics {
                    carbon_footprint_kg: CarbonKg::from_f64(0.7).unwrap(),
                    recyclable: true,
                    biodegradable: true,
                }),
                manual_score: Score::MIN,
                sku: None,
                gtin: None,
                weight_kg: None,
            },
        )
        .await
        .unwrap()
}

async fn customer(app: &Ecolaura, email: &str) -> Actor {
    let user = app
        .accounts()
        .register(
            &Actor::Anonymous,
            NewAccount {
                email: Email::parse(email).unwrap(),
                password: Password::new("correct horse battery").unwrap(),
                name: PersonName::parse("Buyer").unwrap(),
                role: Role::Customer,
            },
        )
        .await
        .unwrap();
    Actor::customer(user.id)
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
    let Some(db) = TestDb::create().await else {
        return;
    };
    scenarios::buyers_race_for_the_last_units(&app_on(Arc::new(db.store().await)), 100, 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_requests_with_one_idempotency_key_make_one_order() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    scenarios::concurrent_requests_under_one_key_make_one_order(
        &app_on(Arc::new(db.store().await)),
        20,
    )
    .await;
}

/// Migrations 0003 and 0007: orders, keyed outcomes and scores that an older version wrote,
/// without a currency, read back in euros once the new version migrated,
/// and such a request still replays. New orders must say their currency.
#[tokio::test]
async fn orders_placed_before_currencies_were_stored_read_back_in_euros() {
    let Some(db) = TestDb::unmigrated().await else {
        return;
    };
    let user = UserId::new();
    let now = truncate_to_micros(chrono::Utc::now());
    let (p, old, key) = {
        let store = Arc::new(db.store().await);
        ecolaura_store_pg::MIGRATOR
            .run_to(2, store.pool())
            .await
            .unwrap();
        // A product as the schema of migration 2 holds it.
        // Scored 75 by `ecolaura-default@1`: 55 for 0.7 kg, 20 for recyclable.
        let p = fixtures::with_metrics(fixtures::product("Last units", "4.20", 5), 0.7, 75);
        sqlx::query(
            "INSERT INTO products (id, name, description, price, category, stock, \
             carbon_footprint_kg, recyclable, biodegradable, manual_score, score, score_source, \
             archived, version, created_at, updated_at) \
             VALUES ($1, 'Last units', '', 4.20, NULL, 5, 0.7, TRUE, FALSE, 0, 75, 'metrics', \
             FALSE, 1, $2, $2)",
        )
        .bind(p.id.as_uuid())
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
             VALUES ($1, $2, 'pending', NULL, $3, $3)",
        )
        .bind(old.id.as_uuid())
        .bind(user.as_uuid())
        .bind(now)
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO order_lines (order_id, position, product_id, name, unit_price, quantity, \
             unit_carbon_footprint_kg, sustainability_score) VALUES ($1, 0, $2, 'Last units', 4.20, 2, 0.7, $3)",
        )
        .bind(old.id.as_uuid())
        .bind(p.id.as_uuid())
        .bind(i16::from(p.score.value()))
        .execute(store.pool())
        .await
        .unwrap();
        let mut outcome =
            serde_json::to_value(IdempotentOutcome::Placed(Box::new(old.clone()))).unwrap();
        outcome["value"].as_object_mut().unwrap().remove("currency");
        sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, fingerprint, outcome, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user.as_uuid())
        .bind(key.key.as_str())
        .bind(&key.fingerprint)
        .bind(&outcome)
        .bind(key.expires_at)
        .execute(store.pool())
        .await
        .unwrap();
        store.pool().close().await;
        (p, old, key)
    };

    // The new version connects and migrates, as `ecolaura serve` does.
    let store = Arc::new(db.store().await);
    store.migrate().await.unwrap();
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
    let replayed = app_on(store.clone())
        .orders()
        .place(&Actor::customer(user), &one_of(&p, 2), Some(key.key))
        .await
        .unwrap();
    assert_eq!((replayed.order, replayed.replayed), (old, true));
    let forgotten = sqlx::query(
        "INSERT INTO orders (id, user_id, status, confirmation_sent_at, created_at, updated_at) \
         VALUES ($1, $2, 'pending', NULL, $3, $3)",
    )
    .bind(OrderId::new().as_uuid())
    .bind(user.as_uuid())
    .bind(now)
    .execute(store.pool())
    .await;
    assert!(forgotten.is_err(), "the currency column has no default");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_replayed_under_their_keys() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    scenarios::refusals_are_replayed_under_their_keys(&app_on(Arc::new(db.store().await))).await;
}

/// Runs only as the child process of the crash test: claims the order's job,
/// says so, and hangs as if working until it is killed.
#[tokio::test]
#[ignore = "run by a_job_held_by_a_killed_worker_process_is_done_by_another_worker"]
async fn child_worker_that_claims_a_job_and_hangs() {
    let Ok(url) = std::env::var("ECOLAURA_CRASH_TEST_DB") else {
        return;
    };
    let store = PgStore::connect(&PgConfig::new(url)).await.unwrap();
    crash::claim_and_hang(&store, Duration::from_secs(2)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_held_by_a_killed_worker_process_is_done_by_another_worker() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let store = Arc::new(db.store().await);
    let app = app_on(store.clone());
    let p = product(&app, 5).await;
    let buyer = customer(&app, "grace@example.com").await;
    let order = app
        .orders()
        .place(&buyer, &one_of(&p, 2), None)
        .await
        .unwrap()
        .order;

    // Another process claims the job, then dies without a word.
    let job_id = claim_in_a_child_then_kill_it(
        "child_worker_that_claims_a_job_and_hangs",
        ("ECOLAURA_CRASH_TEST_DB", db.url()),
    );
    assert_eq!(
        store.get_job(job_id).await.unwrap().unwrap().status,
        JobStatus::Running
    );

    // A worker here takes the job once the lease has run out.
    let worker = app.worker(WorkerConfig {
        idle_poll: Duration::from_millis(100),
        ..WorkerConfig::default()
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    let done = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let o = app.orders().get(&buyer, order.id).await.unwrap();
            if o.confirmation_sent_at.is_some() {
                return o;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the order was confirmed and e-mailed after the lease");
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();

    assert_eq!(done.status, OrderStatus::Confirmed);
    let job = store.get_job(job_id).await.unwrap().unwrap();
    assert_eq!((job.status, job.attempts), (JobStatus::Done, 2));
    let sent = app
        .mailer()
        .find_sent(&confirmation_key(order.id))
        .await
        .unwrap()
        .expect("e-mail recorded");
    assert_eq!(sent.email.to.as_str(), "grace@example.com");
    let emails: (i64,) = sqlx::query_as("SELECT count(*) FROM sent_emails")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(emails.0, 1, "the e-mail was sent once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalog_write_on_one_host_drops_the_cached_reads_of_another() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let (store_a, store_b) = (Arc::new(db.store().await), Arc::new(db.store().await));
    let (host_a, host_b) = (app_on(store_a.clone()), app_on(store_b));
    let _listening = store_a.invalidate_on_catalog_changes(host_a.cache().clone());
    let p = product(&host_b, 5).await;
    // Host A caches the product, then host B changes it.
    assert_eq!(
        host_a.catalog().product(p.id).await.unwrap().name.as_str(),
        "Last units"
    );
    assert_eq!(
        host_a.catalog().product(p.id).await.unwrap().name.as_str(),
        "Last units"
    );
    let renamed = ProductChanges {
        name: Some(ProductName::parse("Renamed").unwrap()),
        ..Default::default()
    };
    host_b
        .catalog()
        .update_product(&Actor::System, p.id, &renamed)
        .await
        .unwrap();
    let seen = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if host_a.catalog().product(p.id).await.unwrap().name.as_str() == "Renamed" {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(seen.is_ok(), "host A kept serving its stale cached product");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_on_one_host_drops_only_that_products_reads_on_another() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let (store_a, store_b) = (Arc::new(db.store().await), Arc::new(db.store().await));
    let (host_a, host_b) = (app_on(store_a.clone()), app_on(store_b));
    let _listening = store_a.invalidate_on_catalog_changes(host_a.cache().clone());
    let [sold, other, probe] = [
        product(&host_b, 5).await,
        product(&host_b, 5).await,
        product(&host_b, 5).await,
    ];
    let stock_on_a = |id| {
        let host_a = host_a.clone();
        async move { host_a.catalog().product(id).await.unwrap().stock.get() }
    };
    let eventually_on_a = |id, stock| async move {
        let seen = tokio::time::timeout(Duration::from_secs(30), async {
            while stock_on_a(id).await != stock {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(seen.is_ok(), "host A never saw {stock} units of {id}");
    };
    // Once host A sees a write made on host B, its listener is connected
    // (and has dropped everything once, as a connection does).
    stock_on_a(probe.id).await;
    let restocked = ProductChanges {
        stock: Some(Stock::new(9).unwrap()),
        ..Default::default()
    };
    host_b
        .catalog()
        .update_product(&Actor::System, probe.id, &restocked)
        .await
        .unwrap();
    eventually_on_a(probe.id, 9).await;
    // Each read twice: the cache keeps a key the second time it is asked.
    for _ in 0..2 {
        assert_eq!(stock_on_a(sold.id).await, 5);
        assert_eq!(stock_on_a(other.id).await, 5);
    }

    let buyer = customer(&host_b, "ada@example.com").await;
    host_b
        .orders()
        .place(&buyer, &one_of(&sold, 2), None)
        .await
        .unwrap();
    eventually_on_a(sold.id, 3).await;

    let before = host_a.cache().stats();
    assert_eq!(stock_on_a(other.id).await, 5);
    let after = host_a.cache().stats();
    assert_eq!(
        (after.hits, after.misses),
        (before.hits + 1, before.misses),
        "the product the order did not touch is still cached on host A"
    );
}

#[tokio::test]
async fn a_bad_url_or_a_server_that_is_down_is_a_clear_error() {
    let bad = PgStore::connect(&PgConfig::new("mysql://localhost/shop")).await;
    assert!(matches!(bad, Err(ConnectError::InvalidUrl(_))), "{bad:?}");
    let config = PgConfig {
        acquire_timeout: Duration::from_secs(2),
        ..PgConfig::new("postgres://postgres@127.0.0.1:1/x")
    };
    let down = PgStore::connect(&config).await;
    assert!(
        matches!(down, Err(ConnectError::Unreachable(_))),
        "{down:?}"
    );
    assert!(
        down.unwrap_err()
            .to_string()
            .contains("cannot reach Postgres")
    );
}

#[tokio::test]
async fn storage_that_goes_away_is_unavailable_and_migrations_are_idempotent() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let store = db.store().await;
    store
        .migrate()
        .await
        .expect("migrating a migrated database is a no-op");
    store.ping().await.unwrap();
    store.pool().close().await;
    let err = store.get_product(ProductId::new()).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(store.ping().await.unwrap_err().is_unavailable());
}

#[tokio::test]
async fn data_survives_the_store_that_wrote_it() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let id = {
        let app = app_on(Arc::new(db.store().await));
        product(&app, 3).await.id
    };
    let again = db.store().await;
    assert_eq!(again.get_product(id).await.unwrap().unwrap().stock.get(), 3);
}

/// With autovacuum off (as on CI's cluster), the queue's own vacuum clears
/// the dead row versions that claims and completions leave.
#[tokio::test]
async fn the_queue_vacuums_its_own_table() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let store = db.store().await;
    let now = chrono::Utc::now();
    for _ in 0..50 {
        let job = ecolaura_core::jobs::NewJob::for_order(
            ecolaura_core::jobs::JobKind::ProcessOrder,
            ecolaura_core::domain::OrderId::new(),
            now,
        );
        store.enqueue(job, now).await.unwrap();
    }
    let claims = store
        .claim_batch(
            ecolaura_core::jobs::JobKind::ProcessOrder,
            now,
            Duration::from_secs(30),
            50,
        )
        .await
        .unwrap();
    assert!(store.complete_batch(&claims, now).await.unwrap().is_empty());
    store.vacuum().await.unwrap();
    let vacuumed = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let (count,): (i64,) = sqlx::query_as(
                "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'jobs'",
            )
            .fetch_one(store.pool())
            .await
            .unwrap();
            if count > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    assert!(vacuumed.is_ok(), "the jobs table was never vacuumed");
    // The statement timeout is back on the pooled connections.
    let (timeout,): (String,) = sqlx::query_as("SHOW statement_timeout")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_ne!(timeout, "0");
}

/// The discard ledger is append-only in the database itself: an update, a
/// delete or a truncate behind the library's back fails and changes nothing.
#[tokio::test]
async fn the_discard_ledger_refuses_every_change_in_the_database() {
    use ecolaura_core::sustainability::discards::{
        DiscardDestination, DiscardDraft, DiscardReason,
    };
    let Some(db) = TestDb::create().await else {
        return;
    };
    let store = Arc::new(db.store().await);
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
    for change in [
        "UPDATE discards SET quantity = 1",
        "DELETE FROM discards",
        "TRUNCATE discards",
    ] {
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
