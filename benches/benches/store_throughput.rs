//! Store throughput: orders placed per second with 16 concurrent clients, and
//! no-op jobs drained per second by 4 workers, on the in-memory store, on an
//! SQLite file in the temp directory, and on Postgres (a fresh database from
//! `ECOLAURA_TEST_DATABASE_URL`).
//!
//! Run: `cargo bench -p ecolaura-benches --bench store_throughput`.
//! Figures go in `docs/performance.md`.

use std::sync::Arc;

use ecolaura_benches::throughput::{Measured, enqueue_and_drain, place_orders};
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

fn main() {
    // `cargo test --benches` runs this with `--test`: nothing to check then.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let memory = Arc::new(MemoryStore::new());
        report(
            "memory",
            &format!("orders placed, {CLIENTS} clients"),
            &place_orders(memory, CLIENTS, ORDERS).await,
        );
        let (enq, drain) = enqueue_and_drain(Arc::new(MemoryStore::new()), WORKERS, JOBS).await;
        report("memory", "jobs enqueued, 16 tasks", &enq);
        report(
            "memory",
            &format!("no-op jobs drained, {WORKERS} workers"),
            &drain,
        );

        let (orders_db, orders_path) = sqlite_file("orders").await;
        let placed = place_orders(Arc::new(orders_db), CLIENTS, ORDERS).await;
        report(
            "sqlite",
            &format!("orders placed, {CLIENTS} clients"),
            &placed,
        );
        let (jobs_db, jobs_path) = sqlite_file("jobs").await;
        let (enq, drain) = enqueue_and_drain(Arc::new(jobs_db), WORKERS, JOBS).await;
        report("sqlite", "jobs enqueued, 16 tasks", &enq);
        report(
            "sqlite",
            &format!("no-op jobs drained, {WORKERS} workers"),
            &drain,
        );
        for path in [orders_path, jobs_path] {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }

        let Some(db) = TestDb::create().await else {
            return;
        };
        let pg = Arc::new(db.store().await);
        report(
            "postgres",
            &format!("orders placed, {CLIENTS} clients"),
            &place_orders(pg, CLIENTS, ORDERS).await,
        );
        let Some(db) = TestDb::create().await else {
            return;
        };
        let (enq, drain) = enqueue_and_drain(Arc::new(db.store().await), WORKERS, JOBS).await;
        report("postgres", "jobs enqueued, 16 tasks", &enq);
        report(
            "postgres",
            &format!("no-op jobs drained, {WORKERS} workers"),
            &drain,
        );
    });
}
