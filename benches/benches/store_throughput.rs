//! Store throughput: orders placed per second with 16 concurrent clients, and
//! no-op jobs drained per second by 4 workers, on the in-memory store, on an
//! SQLite file in the temp directory, and on Postgres (a fresh database from
//! `ECOLAURA_TEST_DATABASE_URL`).
//!
//! Run: `cargo bench -p ecolaura-benches --bench store_throughput`.
//! Figures go in `docs/performance.md`.

use std::sync::Arc;

use ecolaura_benches::throughput::{Measured, enqueue_and_drain, place_orders};
use ecolaura_core::Store;
use ecolaura_core::memory::MemoryStore;
use ecolaura_store_pg_testing::TestDb;
use ecolaura_store_sqlite::{SqliteConfig, SqliteStore};

async fn sqlite_file(name: &str) -> (SqliteStore, std::path::PathBuf) {
    let path =
        std::env::temp_dir().join(format!("ecolaura-bench-{name}-{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let store = SqliteStore::open(&SqliteConfig::file(&path))
        .await
        .expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    (store, path)
}

const ORDERS: usize = 8_000;
const CLIENTS: usize = 16;
const JOBS: usize = 10_000;
const WORKERS: usize = 4;

fn report(backend: &str, what: &str, m: &Measured) {
    let lat = if m.latencies.is_empty() {
        String::new()
    } else {
        format!(
            ", p50 {:.2} ms, p99 {:.2} ms",
            m.quantile(0.5).as_secs_f64() * 1e3,
            m.quantile(0.99).as_secs_f64() * 1e3
        )
    };
    println!(
        "{backend:9} {what:44} {:>9.0}/s  ({} in {:.2} s{lat})",
        m.per_second(),
        m.operations,
        m.elapsed.as_secs_f64()
    );
}

/// Enqueue and drain on a fresh store, once per slot count.
async fn jobs<F, Fut>(backend: &str, fresh: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<Arc<dyn Store>>>,
{
    for slots in [1, 8] {
        let Some(store) = fresh().await else { return };
        let (enq, drain) = enqueue_and_drain(store, WORKERS, slots, JOBS).await;
        if slots == 1 {
            report(backend, "jobs enqueued, 16 tasks", &enq);
        }
        let what = format!("no-op jobs drained, {WORKERS} workers x {slots} slots");
        report(backend, &what, &drain);
    }
}

fn main() {
    // `cargo test --benches` runs this with `--test`: nothing to check then.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let orders = format!("orders placed, {CLIENTS} clients");

        let placed = place_orders(Arc::new(MemoryStore::new()), CLIENTS, ORDERS).await;
        report("memory", &orders, &placed);
        jobs("memory", || async {
            Some(Arc::new(MemoryStore::new()) as Arc<dyn Store>)
        })
        .await;

        let mut files = Vec::new();
        let (db, path) = sqlite_file("orders").await;
        files.push(path);
        report(
            "sqlite",
            &orders,
            &place_orders(Arc::new(db), CLIENTS, ORDERS).await,
        );
        let counter = std::sync::atomic::AtomicUsize::new(0);
        let made = std::sync::Mutex::new(Vec::new());
        jobs("sqlite", || async {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (db, path) = sqlite_file(&format!("jobs{n}")).await;
            made.lock().expect("paths").push(path);
            Some(Arc::new(db) as Arc<dyn Store>)
        })
        .await;
        files.extend(made.into_inner().expect("paths"));
        for path in files {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }

        let Some(db) = TestDb::create().await else {
            return;
        };
        report(
            "postgres",
            &orders,
            &place_orders(Arc::new(db.store().await), CLIENTS, ORDERS).await,
        );
        let dbs = std::sync::Mutex::new(Vec::new());
        jobs("postgres", || async {
            let db = TestDb::create().await?;
            let store = Arc::new(db.store().await) as Arc<dyn Store>;
            dbs.lock().expect("dbs").push(db);
            Some(store)
        })
        .await;
    });
}
