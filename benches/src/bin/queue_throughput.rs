//! No-op jobs claimed and completed per second by the library's `Worker`,
//! with a backlog already waiting (see `benches/soak/queue.sh`).
//!
//! For each backend (Postgres, SQLite file) and each backlog size, on a
//! fresh, migrated database:
//!
//! 1. the backlog is written in one statement (`INSERT … SELECT` over
//!    `generate_series` on Postgres, over a recursive CTE on SQLite): due
//!    `process_order` jobs with a valid payload, ids ordered by time like the
//!    library's UUIDv7 ids;
//! 2. `--workers` `Worker`s (`WorkerConfig { concurrency, ..Default::default() }`)
//!    with a no-op handler run for `--seconds`; a `JobObserver` counts the
//!    attempts that ended `done`, every second;
//! 3. the figure is the `done` count at the deadline divided by the time.
//!
//! With a backlog of 0 a producer keeps the queue short instead: whenever
//! fewer than `--low-water` jobs are ready, it inserts `--refill` more (one
//! statement, the same as the fill). The queue then never holds more than
//! a few hundred jobs.
//!
//! Run: `cargo run --release -p ecolaura-benches --bin queue-throughput -- --help`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use clap::{Parser, ValueEnum};
use ecolaura_benches::scratch_db::ScratchDb;
use ecolaura_core::jobs::{
    Job, JobError, JobEvent, JobHandler, JobObserver, JobOutcome, Worker, WorkerConfig,
};
use ecolaura_core::ports::{Clock, JobQueue, SystemClock};
use ecolaura_store_pg::{PgConfig, PgStore};
use ecolaura_store_sqlite::{SqliteConfig, SqliteStore};

#[path = "../machine.rs"]
mod machine;
use machine::Noise;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Backend {
    Postgres,
    Sqlite,
}

/// No-op jobs per second through `Worker`, with a backlog already waiting.
#[derive(Debug, Parser)]
struct Args {
    /// Backends to measure.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "postgres,sqlite"
    )]
    backends: Vec<Backend>,
    /// Jobs already waiting when the worker starts.
    #[arg(long, value_delimiter = ',', default_value = "0,100000,1000000")]
    backlogs: Vec<u64>,
    /// Seconds each measurement runs.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// `WorkerConfig::concurrency` values to measure (one run each).
    #[arg(long, value_delimiter = ',', default_value = "8")]
    concurrency: Vec<usize>,
    /// `Worker`s sharing the queue (as separate hosts would).
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// A Postgres URL whose user may create databases.
    #[arg(
        long,
        env = "ECOLAURA_TEST_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pg_admin_url: String,
    /// The database made (and dropped) for each Postgres run.
    #[arg(long, default_value = "ecolaura_queue_bench")]
    pg_database: String,
    /// Where the SQLite files go (default: the temp directory).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// `ANALYZE jobs` after the fill (autovacuum, where on, would do it later).
    #[arg(long)]
    analyze: bool,
    /// With a backlog of 0: refill when fewer jobs than this are ready.
    #[arg(long, default_value_t = 200)]
    low_water: u64,
    /// With a backlog of 0: jobs added per refill.
    #[arg(long, default_value_t = 500)]
    refill: u64,
    /// Give up a fill after this long (Postgres: `statement_timeout`).
    #[arg(long, default_value_t = 900)]
    fill_timeout: u64,
    /// Before each measurement, wait up to this many seconds for other
    /// processes (builds, tests) to leave the CPU alone (0: do not wait).
    #[arg(long, default_value_t = 120)]
    quiet_wait: u64,
}

struct NoOp;

#[async_trait]
impl JobHandler for NoOp {
    async fn handle(&self, _job: &Job) -> Result<(), JobError> {
        Ok(())
    }
}

#[derive(Default)]
struct Counts {
    done: AtomicU64,
    lease_lost: AtomicU64,
    other: AtomicU64,
}

impl JobObserver for Counts {
    fn observe(&self, event: JobEvent) {
        let c = match event.outcome {
            JobOutcome::Done => &self.done,
            JobOutcome::LeaseLost => &self.lease_lost,
            _ => &self.other,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }
}

/// A fresh database with the schema, and how to write jobs into it directly.
enum Bench {
    Pg {
        store: Arc<PgStore>,
        db: ScratchDb,
    },
    Lite {
        store: Arc<SqliteStore>,
        path: PathBuf,
    },
}

const FILL_PG: &str = "INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_at, \
     locked_until, lease_token, last_error, created_at, updated_at) \
     SELECT (lpad(to_hex($2::int8), 12, '0') || '70008' || lpad(to_hex(g), 15, '0'))::uuid, \
     'process_order', \
     jsonb_build_object('order_id', '00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0')), \
     'queued', 0, 5, $1, NULL, NULL, NULL, $1, $1 \
     FROM generate_series($3::int8, $4::int8) AS g";

const FILL_LITE: &str = "WITH RECURSIVE g(i) AS (SELECT ?3 UNION ALL SELECT i + 1 FROM g WHERE i < ?4) \
     INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_at, \
     locked_until, lease_token, last_error, created_at, updated_at) \
     SELECT unhex(printf('%012x70008%015x', ?2, i)), 'process_order', \
     '{\"order_id\":\"00000000-0000-4000-8000-' || printf('%012x', i) || '\"}', \
     'queued', 0, 5, ?1, NULL, NULL, NULL, ?1, ?1 FROM g";

fn micros_now(offset: chrono::Duration) -> DateTime<Utc> {
    let t = Utc::now() + offset;
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

impl Bench {
    async fn fresh(backend: Backend, args: &Args, tag: &str) -> Result<Self, String> {
        match backend {
            Backend::Postgres => {
                let db = ScratchDb::fresh(&args.pg_admin_url, &args.pg_database).await?;
                let url = db.url();
                let store = PgStore::connect(&PgConfig::new(url))
                    .await
                    .map_err(|e| e.to_string())?;
                store.migrate().await.map_err(|e| e.to_string())?;
                Ok(Bench::Pg {
                    store: Arc::new(store),
                    db,
                })
            }
            Backend::Sqlite => {
                let dir = args.dir.clone().unwrap_or_else(std::env::temp_dir);
                let path = dir.join(format!(
                    "ecolaura-queue-bench-{}-{tag}.db",
                    std::process::id()
                ));
                remove_sqlite(&path);
                let store = SqliteStore::open(&SqliteConfig::file(&path))
                    .await
                    .map_err(|e| e.to_string())?;
                store.migrate().await.map_err(|e| e.to_string())?;
                Ok(Bench::Lite {
                    store: Arc::new(store),
                    path,
                })
            }
        }
    }

    fn queue(&self) -> Arc<dyn JobQueue> {
        match self {
            Bench::Pg { store, .. } => store.clone(),
            Bench::Lite { store, .. } => store.clone(),
        }
    }

    /// Insert jobs `first..=last`, due a minute ago, in one statement.
    async fn insert(&self, first: u64, last: u64, timeout: Duration) -> Result<(), String> {
        let run_at = micros_now(chrono::Duration::seconds(-60));
        let ms = run_at.timestamp_millis();
        let (first, last) = (first as i64, last as i64);
        match self {
            Bench::Pg { store, .. } => {
                let mut tx = store.pool().begin().await.map_err(|e| e.to_string())?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SET LOCAL statement_timeout = {}",
                    timeout.as_millis()
                )))
                .execute(&mut *tx)
                .await
                .map_err(|e| e.to_string())?;
                sqlx::query(FILL_PG)
                    .bind(run_at)
                    .bind(ms)
                    .bind(first)
                    .bind(last)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| e.to_string())?;
                // Wake idle workers, as an enqueue does.
                sqlx::query("SELECT pg_notify('ecolaura_jobs', '')")
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| e.to_string())?;
                tx.commit().await.map_err(|e| e.to_string())?;
            }
            Bench::Lite { store, .. } => {
                sqlx::query(FILL_LITE)
                    .bind(run_at)
                    .bind(ms)
                    .bind(first)
                    .bind(last)
                    .execute(store.pool())
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }

    async fn analyze(&self) -> Result<(), String> {
        match self {
            Bench::Pg { store, .. } => sqlx::query("ANALYZE jobs")
                .execute(store.pool())
                .await
                .map(|_| ()),
            Bench::Lite { store, .. } => sqlx::query("ANALYZE")
                .execute(store.pool())
                .await
                .map(|_| ()),
        }
        .map_err(|e| e.to_string())
    }

    /// Jobs `queued` (ready or not) right now.
    async fn queued(&self) -> Result<i64, String> {
        match self {
            Bench::Pg { store, .. } => {
                sqlx::query_scalar(
                    "SELECT count(*)::int8 FROM jobs WHERE status IN ('queued', 'running') AND status = 'queued'",
                )
                    .fetch_one(store.pool())
                    .await
            }
            Bench::Lite { store, .. } => {
                // Spelled as the partial index's condition, so SQLite uses it too.
                sqlx::query_scalar(
                    "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running') AND status = 'queued'",
                )
                    .fetch_one(store.pool())
                    .await
            }
        }
        .map_err(|e| e.to_string())
    }

    async fn describe(&self) -> String {
        match self {
            Bench::Pg { store, .. } => {
                let v: String = sqlx::query_scalar("SHOW server_version")
                    .fetch_one(store.pool())
                    .await
                    .unwrap_or_default();
                let av: String = sqlx::query_scalar("SHOW autovacuum")
                    .fetch_one(store.pool())
                    .await
                    .unwrap_or_default();
                format!("PostgreSQL {v}, autovacuum = {av}")
            }
            Bench::Lite { store, .. } => {
                let v: String = sqlx::query_scalar("SELECT sqlite_version()")
                    .fetch_one(store.pool())
                    .await
                    .unwrap_or_default();
                format!("SQLite {v} file, WAL, synchronous = FULL")
            }
        }
    }

    async fn close(self) {
        match self {
            Bench::Pg { store, db } => {
                store.pool().close().await;
                drop(store);
                db.drop_now().await;
            }
            Bench::Lite { store, path } => {
                store.close().await;
                drop(store);
                remove_sqlite(&path);
            }
        }
    }
}

fn remove_sqlite(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

struct Outcome {
    fill_s: Option<f64>,
    jobs_per_s: f64,
    per_second: Vec<u64>,
    done: u64,
    lease_lost: u64,
    other: u64,
    queued_after: i64,
    refills: u64,
    /// Share of the machine's CPU used by other processes during the measurement, %.
    others_cpu: f64,
}

async fn measure(
    backend: Backend,
    backlog: u64,
    concurrency: usize,
    args: &Args,
) -> Result<(Outcome, String), String> {
    let tag = format!("{backlog}-{concurrency}");
    let bench = Bench::fresh(backend, args, &tag).await?;
    let description = bench.describe().await;
    let fill_timeout = Duration::from_secs(args.fill_timeout);
    let mut fill_s = None;
    if backlog > 0 {
        let t = Instant::now();
        // Fill in chunks of a million at most, so that one statement stays modest.
        let mut next = 1;
        while next <= backlog {
            let last = (next + 999_999).min(backlog);
            bench.insert(next, last, fill_timeout).await?;
            next = last + 1;
            if t.elapsed() > fill_timeout {
                bench.close().await;
                return Err(format!(
                    "filling took over {} s; gave up",
                    args.fill_timeout
                ));
            }
        }
        fill_s = Some(t.elapsed().as_secs_f64());
        eprintln!(
            "  {backend:?}: {backlog} jobs written in {:.1} s ({:.0}/s)",
            t.elapsed().as_secs_f64(),
            backlog as f64 / t.elapsed().as_secs_f64()
        );
    }
    if args.analyze {
        bench.analyze().await?;
    }
    let bench = Arc::new(bench);
    let databases = match backend {
        Backend::Postgres => vec![args.pg_database.clone()],
        Backend::Sqlite => Vec::new(),
    };
    let mut noise = Noise::new(vec![std::process::id()], databases);
    if args.quiet_wait > 0 {
        let (waited, quiet) = noise
            .wait_quiet(0.10, Duration::from_secs(args.quiet_wait))
            .await;
        if !quiet {
            eprintln!(
                "  WARNING: other processes kept using the CPU for {:.0} s; measuring anyway",
                waited.as_secs_f64()
            );
        } else if waited > Duration::from_secs(4) {
            eprintln!(
                "  waited {:.0} s for other processes to leave the CPU",
                waited.as_secs_f64()
            );
        }
    }

    // The producer (backlog 0 only): keep a few hundred jobs ready.
    let stop = Arc::new(AtomicBool::new(false));
    let refills = Arc::new(AtomicU64::new(0));
    let producer = (backlog == 0).then(|| {
        let (bench, stop, refills) = (bench.clone(), stop.clone(), refills.clone());
        let (low, refill) = (args.low_water as i64, args.refill);
        tokio::spawn(async move {
            let mut next = 1u64;
            while !stop.load(Ordering::Relaxed) {
                match bench.queued().await {
                    Ok(n) if n < low => {
                        if let Err(e) = bench
                            .insert(next, next + refill - 1, Duration::from_secs(30))
                            .await
                        {
                            eprintln!("  refill failed: {e}");
                        }
                        next += refill;
                        refills.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                    Err(e) => {
                        eprintln!("  counting failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        })
    });
    if backlog == 0 {
        // The first refill, before the clock starts.
        for _ in 0..500 {
            if refills.load(Ordering::Relaxed) > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    let counts = Arc::new(Counts::default());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    noise.sample();
    let started = Instant::now();
    let mut runs = Vec::new();
    for _ in 0..args.workers.max(1) {
        let worker = Worker::new(
            bench.queue(),
            Arc::new(NoOp),
            clock.clone(),
            WorkerConfig {
                concurrency,
                ..WorkerConfig::default()
            },
        )
        .with_observer(counts.clone());
        let mut rx = stop_rx.clone();
        runs.push(tokio::spawn(async move {
            worker
                .run(async move {
                    let _ = rx.wait_for(|s| *s).await;
                })
                .await
        }));
    }
    let mut per_second = Vec::new();
    let mut last = 0;
    for s in 1..=args.seconds {
        tokio::time::sleep_until((started + Duration::from_secs(s)).into()).await;
        let now = counts.done.load(Ordering::Relaxed);
        per_second.push(now - last);
        last = now;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let others_cpu = noise.sample() * 100.0;
    let done = counts.done.load(Ordering::Relaxed);
    let _ = stop_tx.send(true);
    stop.store(true, Ordering::Relaxed);
    for r in runs {
        match tokio::time::timeout(Duration::from_secs(60), r).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => eprintln!("  worker stopped with {e}"),
            Ok(Err(e)) => eprintln!("  worker panicked: {e}"),
            Err(_) => eprintln!("  worker did not stop within 60 s"),
        }
    }
    if let Some(p) = producer {
        let _ = tokio::time::timeout(Duration::from_secs(30), p).await;
    }
    let queued_after = bench.queued().await.unwrap_or(-1);
    let outcome = Outcome {
        fill_s,
        jobs_per_s: done as f64 / elapsed,
        per_second,
        done,
        lease_lost: counts.lease_lost.load(Ordering::Relaxed),
        other: counts.other.load(Ordering::Relaxed),
        queued_after,
        refills: refills.load(Ordering::Relaxed),
        others_cpu,
    };
    match Arc::try_unwrap(bench) {
        Ok(b) => b.close().await,
        Err(_) => eprintln!("  database still in use; not dropped"),
    }
    Ok((outcome, description))
}

fn median(v: &[u64]) -> u64 {
    let mut s = v.to_vec();
    s.sort_unstable();
    s.get(s.len() / 2).copied().unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let mut rows = Vec::new();
    let mut descriptions = Vec::new();
    for &backend in &args.backends {
        for &backlog in &args.backlogs {
            for &concurrency in &args.concurrency {
                eprintln!(
                    "{backend:?}: backlog {backlog}, {} worker(s) x concurrency {concurrency}, {} s",
                    args.workers, args.seconds
                );
                match measure(backend, backlog, concurrency, &args).await {
                    Ok((o, d)) => {
                        eprintln!(
                            "  {:.0} jobs/s; per second: {:?}",
                            o.jobs_per_s, o.per_second
                        );
                        if !descriptions.contains(&d) {
                            descriptions.push(d);
                        }
                        rows.push((backend, backlog, concurrency, Ok(o)));
                    }
                    Err(e) => {
                        eprintln!("  failed: {e}");
                        rows.push((backend, backlog, concurrency, Err(e)));
                    }
                }
            }
        }
    }

    println!();
    println!("======== queue throughput (paste into docs/performance.md) ========");
    println!(
        "no-op `process_order` jobs done per second by {} `Worker`(s), {} s per measurement; {}",
        args.workers,
        args.seconds,
        descriptions.join("; ")
    );
    if args.analyze {
        println!("`ANALYZE` ran after each fill");
    }
    println!();
    println!(
        "| store | backlog | concurrency | fill | jobs done/s | per second min / median / max | left queued | lease lost | other outcomes | others' CPU |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (backend, backlog, concurrency, o) in &rows {
        let store = match backend {
            Backend::Postgres => "Postgres",
            Backend::Sqlite => "SQLite",
        };
        match o {
            Ok(o) => {
                let fill = match o.fill_s {
                    Some(s) => format!("{s:.1} s ({:.0}/s)", *backlog as f64 / s),
                    None => format!("producer: {} refills of {}", o.refills, args.refill),
                };
                let min = o.per_second.iter().min().copied().unwrap_or_default();
                let max = o.per_second.iter().max().copied().unwrap_or_default();
                println!(
                    "| {store} | {backlog} | {concurrency} | {fill} | {:.0} | {min} / {} / {max} | {} | {} | {} | {:.0}% |",
                    o.jobs_per_s,
                    median(&o.per_second),
                    o.queued_after,
                    o.lease_lost,
                    o.other,
                    o.others_cpu,
                );
                let _ = o.done;
            }
            Err(e) => println!("| {store} | {backlog} | {concurrency} | failed: {e} | | | | | | |"),
        }
    }
    println!("===================================================================");
}
