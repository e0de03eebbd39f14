//! The soak load driver (see `benches/soak/run.sh`, which builds and starts
//! the host and passes its address, database and pid).
//!
//! 1. Seeds the shop through the API: categories, products (many concurrent
//!    staff POSTs) and a pool of customers (register + token).
//! 2. Runs the load for `--seconds`: in `--mode mix`, `--clients` clients each
//!    send a read with probability `--mix` % and otherwise place an order; in
//!    `--mode orders`, `--clients` clients place orders back to back while
//!    `--read-clients` clients read alongside.
//! 3. Every second prints and records (CSV) the orders placed, the reads and
//!    their p50/p99, the queue depth by kind and status (straight from the
//!    database), the age of the oldest ready job, what `/metrics` says, and the
//!    host's RSS.
//! 4. After the load, keeps sampling until every order is `confirmed` with its
//!    confirmation sent (or `--drain-timeout` passes), then prints a summary.
//!
//! Everything is bounded: the load by `--seconds`, every request by a
//! timeout, the drain by `--drain-timeout`. Loopback only.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::{Parser, ValueEnum};
use ecolaura_benches::rest::{login, post_json};
use serde_json::{Value, json};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

#[path = "../machine.rs"]
mod machine;
use machine::Noise;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// Every client sends a read with probability `--mix` %, else an order.
    Mix,
    /// `--clients` clients place orders at max rate; `--read-clients` read alongside.
    Orders,
}

/// Soak load driver for a running `ecolaura serve`.
#[derive(Debug, Parser)]
struct Args {
    /// The host, such as `http://127.0.0.1:18090` (loopback only).
    #[arg(long)]
    base: String,
    /// The host's database: `postgres://…` or `sqlite://path`, sampled directly.
    #[arg(long)]
    database_url: String,
    /// The host's process id (for its RSS).
    #[arg(long)]
    pid: u32,
    /// Seconds of load.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// What the clients do.
    #[arg(long, value_enum, default_value_t = Mode::Mix)]
    mode: Mode,
    /// In `mix` mode: reads, in percent of requests.
    #[arg(long, default_value_t = 90)]
    mix: u32,
    /// Concurrent clients (in `orders` mode: the order clients).
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// In `orders` mode: clients reading alongside.
    #[arg(long, default_value_t = 4)]
    read_clients: usize,
    /// Which pages the reads ask for: 0 (the default) makes every read a
    /// fresh random page (details, lists under random filters, orderings,
    /// sizes and pages), so almost no read repeats; N > 0 draws the reads
    /// from a fixed set of N such pages by popularity (Zipf, exponent 1: the
    /// k-th most popular page is read 1/k as often as the first), as a shop's
    /// visitors do.
    #[arg(long, default_value_t = 0)]
    pages: usize,
    /// Products to seed.
    #[arg(long, default_value_t = 10_000)]
    products: usize,
    /// Categories to seed.
    #[arg(long, default_value_t = 6)]
    categories: usize,
    /// Customer accounts to seed (each registers and signs in).
    #[arg(long, default_value_t = 50)]
    customers: usize,
    /// The staff account made by `ecolaura users add --staff`.
    #[arg(long, default_value = "staff@soak.test")]
    staff_email: String,
    /// Its password.
    #[arg(long, default_value = "soak staff password")]
    staff_password: String,
    /// Seconds to wait, after the load, for every order to be confirmed and mailed.
    #[arg(long, default_value_t = 600)]
    drain_timeout: u64,
    /// Where to write the per-second samples.
    #[arg(long, default_value = "soak.csv")]
    csv: PathBuf,
    /// A label for the summary (backend, machine).
    #[arg(long, default_value = "")]
    label: String,
    /// Before the load, wait up to this many seconds for other processes
    /// (builds, tests) to leave the CPU alone (0: do not wait).
    #[arg(long, default_value_t = 120)]
    quiet_wait: u64,
}

// ------------------------------------------------------------------ latencies

/// A log-scale histogram of microseconds (1% buckets): bounded memory
/// whatever the run's length.
#[derive(Clone)]
struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

const GROWTH: f64 = 1.01;

impl Histogram {
    fn new() -> Self {
        Self {
            counts: vec![0; 2200], // 1.01^2200 µs is far beyond any timeout
            total: 0,
        }
    }

    fn bucket(us: u32) -> usize {
        let v = f64::from(us.max(1));
        ((v.ln() / GROWTH.ln()) as usize).min(2199)
    }

    fn add(&mut self, us: u32) {
        self.counts[Self::bucket(us)] += 1;
        self.total += 1;
    }

    /// The `q` quantile in milliseconds (the bucket's upper bound).
    fn quantile_ms(&self, q: f64) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        let want = ((self.total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= want {
                return GROWTH.powi(i as i32 + 1) / 1000.0;
            }
        }
        f64::NAN
    }
}

/// Exact quantile of one second's latencies (sorted), in milliseconds.
fn exact_ms(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    f64::from(sorted[i.min(sorted.len() - 1)]) / 1000.0
}

/// What the clients saw since the last sample.
#[derive(Default)]
struct Window {
    reads: Vec<u32>,
    orders: Vec<u32>,
}

#[derive(Default)]
struct Counters {
    window: Mutex<Window>,
    read_errors: AtomicU64,
    order_errors: AtomicU64,
    /// Order answers other than 201, by status (0: no answer).
    order_error_statuses: Mutex<BTreeMap<u16, u64>>,
    read_error_statuses: Mutex<BTreeMap<u16, u64>>,
    relogins: AtomicU64,
}

impl Counters {
    fn read_ok(&self, us: u32) {
        self.window
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reads
            .push(us);
    }

    fn order_ok(&self, us: u32) {
        self.window
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .orders
            .push(us);
    }

    fn failed(map: &Mutex<BTreeMap<u16, u64>>, counter: &AtomicU64, status: u16) {
        counter.fetch_add(1, Ordering::Relaxed);
        *map.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(status)
            .or_default() += 1;
    }

    fn take(&self) -> Window {
        std::mem::take(&mut *self.window.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

// ------------------------------------------------------------------ the database

enum Db {
    Pg(PgPool),
    Lite(SqlitePool),
}

/// The live queue, by kind.
#[derive(Default, Clone)]
struct QueueSample {
    /// kind → (queued and due, queued for later, running)
    by_kind: BTreeMap<String, (i64, i64, i64)>,
    oldest_ready: Option<DateTime<Utc>>,
}

impl QueueSample {
    fn ready(&self) -> i64 {
        self.by_kind.values().map(|v| v.0).sum()
    }
    fn running(&self) -> i64 {
        self.by_kind.values().map(|v| v.2).sum()
    }
    fn kind(&self, kind: &str) -> (i64, i64, i64) {
        self.by_kind.get(kind).copied().unwrap_or_default()
    }
}

#[derive(Default, Clone, Copy)]
struct OrderSample {
    total: i64,
    pending: i64,
    /// Not `confirmed`, or confirmed without its confirmation sent.
    unconfirmed: i64,
}

/// kind, status, jobs, of which ready, the oldest ready one's `run_at`.
type QueueRow = (String, String, i64, i64, Option<DateTime<Utc>>);

// One part per status, each spelled so that a partial index over that status
// (`WHERE status = 'queued'`) or over both (`WHERE status IN ('queued',
// 'running')`, the first schema) serves it; done jobs are never scanned.
const QUEUE_PG: &str = "SELECT kind, 'queued', count(*)::int8, \
     (count(*) FILTER (WHERE run_at <= $1))::int8, min(run_at) FILTER (WHERE run_at <= $1) \
     FROM jobs WHERE status = 'queued' AND status IN ('queued', 'running') GROUP BY kind \
     UNION ALL \
     SELECT kind, 'running', count(*)::int8, 0::int8, NULL::timestamptz \
     FROM jobs WHERE status = 'running' AND status IN ('queued', 'running') GROUP BY kind";
const QUEUE_LITE: &str = "SELECT kind, 'queued', count(*), \
     coalesce(sum(run_at <= ?1), 0), min(CASE WHEN run_at <= ?1 THEN run_at END) \
     FROM jobs WHERE status = 'queued' AND status IN ('queued', 'running') GROUP BY kind \
     UNION ALL \
     SELECT kind, 'running', count(*), 0, NULL \
     FROM jobs WHERE status = 'running' AND status IN ('queued', 'running') GROUP BY kind";

impl Db {
    async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        if url.starts_with("postgres") {
            let pool = PgPoolOptions::new()
                .max_connections(2)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Db::Pg(pool))
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(false)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await?;
            Ok(Db::Lite(pool))
        }
    }

    async fn queue(&self) -> Result<QueueSample, sqlx::Error> {
        let now = Utc::now();
        let mut sample = QueueSample::default();
        let rows: Vec<QueueRow> = match self {
            Db::Pg(p) => sqlx::query_as(QUEUE_PG).bind(now).fetch_all(p).await?,
            Db::Lite(p) => {
                let rows: Vec<(String, String, i64, i64, Option<String>)> =
                    sqlx::query_as(QUEUE_LITE).bind(now).fetch_all(p).await?;
                rows.into_iter()
                    .map(|(k, s, n, r, oldest)| {
                        let oldest = oldest
                            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                            .map(|t| t.with_timezone(&Utc));
                        (k, s, n, r, oldest)
                    })
                    .collect()
            }
        };
        for (kind, status, n, ready, oldest) in rows {
            let e = sample.by_kind.entry(kind).or_default();
            if status == "queued" {
                e.0 += ready;
                e.1 += n - ready;
            } else {
                e.2 += n;
            }
            if let Some(t) = oldest {
                sample.oldest_ready = Some(sample.oldest_ready.map_or(t, |o| o.min(t)));
            }
        }
        Ok(sample)
    }

    async fn orders(&self) -> Result<OrderSample, sqlx::Error> {
        let (total, pending, unconfirmed): (i64, i64, i64) = match self {
            Db::Pg(p) => {
                sqlx::query_as(
                    "SELECT count(*)::int8, \
                     (count(*) FILTER (WHERE status = 'pending'))::int8, \
                     (count(*) FILTER (WHERE status <> 'confirmed' OR confirmation_sent_at IS NULL))::int8 \
                     FROM orders",
                )
                .fetch_one(p)
                .await?
            }
            Db::Lite(p) => {
                sqlx::query_as(
                    "SELECT count(*), coalesce(sum(status = 'pending'), 0), \
                     coalesce(sum(status <> 'confirmed' OR confirmation_sent_at IS NULL), 0) FROM orders",
                )
                .fetch_one(p)
                .await?
            }
        };
        Ok(OrderSample {
            total,
            pending,
            unconfirmed,
        })
    }

    /// Jobs by kind and status, done and dead included (scans the table).
    async fn job_totals(&self) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
        match self {
            Db::Pg(p) => {
                sqlx::query_as(
                    "SELECT kind, status, count(*)::int8 FROM jobs GROUP BY kind, status ORDER BY kind, status",
                )
                .fetch_all(p)
                .await
            }
            Db::Lite(p) => {
                sqlx::query_as(
                    "SELECT kind, status, count(*) FROM jobs GROUP BY kind, status ORDER BY kind, status",
                )
                .fetch_all(p)
                .await
            }
        }
    }

    async fn emails_sent(&self) -> Result<i64, sqlx::Error> {
        match self {
            Db::Pg(p) => {
                sqlx::query_scalar("SELECT count(*)::int8 FROM sent_emails")
                    .fetch_one(p)
                    .await
            }
            Db::Lite(p) => {
                sqlx::query_scalar("SELECT count(*) FROM sent_emails")
                    .fetch_one(p)
                    .await
            }
        }
    }

    /// The server's description: version and, on Postgres, autovacuum.
    async fn describe(&self) -> String {
        match self {
            Db::Pg(p) => {
                let version: String = sqlx::query_scalar("SHOW server_version")
                    .fetch_one(p)
                    .await
                    .unwrap_or_default();
                let autovacuum: String = sqlx::query_scalar("SHOW autovacuum")
                    .fetch_one(p)
                    .await
                    .unwrap_or_default();
                let sync: String = sqlx::query_scalar("SHOW synchronous_commit")
                    .fetch_one(p)
                    .await
                    .unwrap_or_default();
                format!(
                    "PostgreSQL {version} (autovacuum = {autovacuum}, synchronous_commit = {sync})"
                )
            }
            Db::Lite(p) => {
                let version: String = sqlx::query_scalar("SELECT sqlite_version()")
                    .fetch_one(p)
                    .await
                    .unwrap_or_default();
                format!("SQLite {version} file (WAL, synchronous = FULL, the host's defaults)")
            }
        }
    }
}

// ------------------------------------------------------------------ /metrics

#[derive(Default, Clone)]
struct Scraped {
    /// `ecolaura_jobs_total` by (kind, outcome).
    jobs: BTreeMap<(String, String), f64>,
    /// `ecolaura_job_queue_depth`, ready plus running, all kinds (absent: `None`).
    depth: Option<f64>,
    /// The depth series, as `labels=value`.
    depth_series: Vec<String>,
    /// `ecolaura_job_oldest_ready_age_seconds`, the largest series.
    oldest_age: Option<f64>,
    /// `ecolaura_response_cache_requests_total`: (hits, misses).
    cache: (f64, f64),
}

impl Scraped {
    fn outcome(&self, outcome: &str) -> f64 {
        self.jobs
            .iter()
            .filter(|((_, o), _)| o == outcome)
            .map(|(_, v)| v)
            .sum()
    }
}

fn labels(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for part in s.split(',') {
        if let Some((k, v)) = part.split_once('=') {
            out.insert(k.trim().to_owned(), v.trim().trim_matches('"').to_owned());
        }
    }
    out
}

fn parse_metrics(text: &str) -> Scraped {
    let mut s = Scraped::default();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (series, value) = match line.rsplit_once(' ') {
            Some(x) => x,
            None => continue,
        };
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        let (name, labelset) = match series.split_once('{') {
            Some((n, rest)) => (n, labels(rest.trim_end_matches('}'))),
            None => (series, BTreeMap::new()),
        };
        match name {
            "ecolaura_jobs_total" => {
                let kind = labelset.get("kind").cloned().unwrap_or_default();
                let outcome = labelset.get("outcome").cloned().unwrap_or_default();
                *s.jobs.entry((kind, outcome)).or_default() += value;
            }
            "ecolaura_job_queue_depth" => {
                // Ready and running jobs, as sampled from the database;
                // scheduled (due later) and dead ones are left out.
                let state = labelset.get("state").map(String::as_str);
                let live = matches!(state, None | Some("ready" | "running"));
                *s.depth.get_or_insert(0.0) += if live { value } else { 0.0 };
                let shown: Vec<String> = labelset.values().cloned().collect();
                s.depth_series.push(format!("{}={value}", shown.join("/")));
            }
            "ecolaura_response_cache_requests_total" => {
                match labelset.get("result").map(String::as_str) {
                    Some("hit") => s.cache.0 += value,
                    Some("miss") => s.cache.1 += value,
                    _ => {}
                }
            }
            "ecolaura_job_oldest_ready_age_seconds" => {
                s.oldest_age = Some(s.oldest_age.map_or(value, |o: f64| o.max(value)));
            }
            _ => {}
        }
    }
    s
}

fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

// ------------------------------------------------------------------ the shop

struct Shop {
    base: String,
    http: reqwest::Client,
    products: Vec<String>,
    categories: Vec<String>,
    /// (e-mail, access token)
    customers: Vec<(String, Mutex<String>)>,
    /// Words that occur in product names, for `search=`.
    words: Vec<&'static str>,
    /// With `--pages N`: the N pages that reads draw from, most popular first.
    popular: PopularPages,
}

/// A fixed set of read URLs drawn by Zipf popularity (rank k with weight 1/k).
#[derive(Default)]
struct PopularPages {
    urls: Vec<String>,
    /// Cumulative weights, for a draw by binary search.
    cumulative: Vec<f64>,
}

impl PopularPages {
    /// `count` distinct pages made by [`read_url`] from a fixed seed.
    fn new(shop: &Shop, count: usize) -> Self {
        let mut rng = fastrand::Rng::with_seed(0x5eed);
        let mut seen = std::collections::HashSet::new();
        let mut urls = Vec::with_capacity(count);
        // The space of pages is far larger than any sensible `count`; the
        // attempt cap only guards against a tiny catalog.
        for _ in 0..count.saturating_mul(100) {
            if urls.len() == count {
                break;
            }
            let url = read_url(shop, &mut rng);
            if seen.insert(url.clone()) {
                urls.push(url);
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=urls.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Self { urls, cumulative }
    }

    fn draw(&self, rng: &mut fastrand::Rng) -> Option<&str> {
        let total = *self.cumulative.last()?;
        let x = rng.f64() * total;
        let i = self.cumulative.partition_point(|c| *c < x);
        self.urls
            .get(i.min(self.urls.len() - 1))
            .map(String::as_str)
    }
}

const CUSTOMER_PASSWORD: &str = "soak customer password";
const ADJECTIVES: [&str; 12] = [
    "bamboo", "recycled", "organic", "solar", "woollen", "hemp", "cork", "glass", "steel", "linen",
    "reusable", "compost",
];
const NOUNS: [&str; 10] = [
    "bottle", "bag", "brush", "lamp", "towel", "cup", "box", "soap", "jar", "notebook",
];

fn product_body(i: usize, categories: &[String]) -> Value {
    let mut rng = fastrand::Rng::with_seed(i as u64);
    let name = format!(
        "{} {} {}",
        ADJECTIVES[rng.usize(..ADJECTIVES.len())],
        NOUNS[rng.usize(..NOUNS.len())],
        i
    );
    // Prices from 0.50 to 499.99, skewed towards cheap things.
    let cents = 50 + (rng.f64().powi(2) * 49_950.0) as u64;
    let category = if i.is_multiple_of(25) {
        Value::Null
    } else {
        json!(categories[i % categories.len()])
    };
    let mut body = json!({
        "name": name,
        "description": format!("A {} thing for everyday use, number {i}. Made to last and easy to repair.", NOUNS[i % NOUNS.len()]),
        "price": format!("{}.{:02}", cents / 100, cents % 100),
        "category": category,
        "stock": 1_000_000_000,
    });
    if i.is_multiple_of(5) {
        // No metrics: a manual score.
        body["sustainability_score"] = json!(rng.u8(0..=100));
    } else {
        body["sustainability"] = json!({
            "carbon_footprint_kg": (rng.f64() * 40.0 * 1000.0).round() / 1000.0,
            "recyclable": rng.bool(),
            "biodegradable": rng.u8(0..3) == 0,
        });
    }
    body
}

/// Run `total` jobs over `concurrency` tasks; each task takes the next index.
async fn fan_out<F, Fut, T>(total: usize, concurrency: usize, f: F) -> Result<Vec<T>, String>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, String>> + Send,
    T: Send + 'static,
{
    let f = Arc::new(f);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (f, next) = (f.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, String>(out);
                }
                out.push((i, f(i).await?));
            }
        }));
    }
    let mut all = Vec::with_capacity(total);
    for t in tasks {
        all.extend(t.await.map_err(|e| e.to_string())??);
    }
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, v)| v).collect())
}

async fn seed(args: &Args, http: reqwest::Client) -> Result<Shop, String> {
    let base = args.base.trim_end_matches('/').to_owned();
    let staff = login(&http, &base, &args.staff_email, &args.staff_password).await?;
    let started = Instant::now();
    let mut categories = Vec::new();
    for c in 0..args.categories {
        let slug = format!("category-{c}");
        let (status, body) = post_json(
            &http,
            &format!("{base}/api/v1/categories"),
            Some(&staff),
            &json!({"slug": slug, "name": format!("Category {c}")}),
        )
        .await?;
        if status != 201 {
            return Err(format!("category {slug}: {status} {body}"));
        }
        categories.push(slug);
    }
    let cats = Arc::new(categories.clone());
    let (h, b, t) = (http.clone(), base.clone(), Arc::new(staff));
    let products = fan_out(args.products, 16, move |i| {
        let (h, b, t, cats) = (h.clone(), b.clone(), t.clone(), cats.clone());
        async move {
            let (status, body) = post_json(
                &h,
                &format!("{b}/api/v1/products"),
                Some(&t),
                &product_body(i, &cats),
            )
            .await?;
            match (status, body["id"].as_str()) {
                (201, Some(id)) => Ok(id.to_owned()),
                _ => Err(format!("product {i}: {status} {body}")),
            }
        }
    })
    .await?;
    let seeded_products = started.elapsed();
    println!(
        "seeded {} categories and {} products in {:.1} s ({:.0} products/s, 16 concurrent staff POSTs)",
        categories.len(),
        products.len(),
        seeded_products.as_secs_f64(),
        products.len() as f64 / seeded_products.as_secs_f64()
    );

    let started = Instant::now();
    let (h, b) = (http.clone(), base.clone());
    let customers = fan_out(args.customers, 4, move |i| {
        let (h, b) = (h.clone(), b.clone());
        async move {
            let email = format!("customer{i}@soak.test");
            let (status, body) = post_json(
                &h,
                &format!("{b}/api/v1/auth/register"),
                None,
                &json!({"email": email, "password": CUSTOMER_PASSWORD, "name": format!("Customer {i}")}),
            )
            .await?;
            if status != 201 {
                return Err(format!("register {email}: {status} {body}"));
            }
            let token = login(&h, &b, &email, CUSTOMER_PASSWORD).await?;
            Ok((email, Mutex::new(token)))
        }
    })
    .await?;
    println!(
        "registered and signed in {} customers in {:.1} s",
        customers.len(),
        started.elapsed().as_secs_f64()
    );
    let mut words: Vec<&'static str> = ADJECTIVES.to_vec();
    words.extend(NOUNS);
    let mut shop = Shop {
        base,
        http,
        products,
        categories,
        customers,
        words,
        popular: PopularPages::default(),
    };
    if args.pages > 0 {
        shop.popular = PopularPages::new(&shop, args.pages);
    }
    Ok(shop)
}

// ------------------------------------------------------------------ the load

const ORDERINGS: [&str; 8] = [
    "price",
    "-price",
    "sustainability_score",
    "-sustainability_score",
    "name",
    "-name",
    "created_at",
    "-created_at",
];

/// A varied read: a product's detail (40%) or a list page with random page,
/// size, ordering and filters (60%).
fn read_url(shop: &Shop, rng: &mut fastrand::Rng) -> String {
    let base = &shop.base;
    if rng.u32(0..100) < 40 {
        let id = &shop.products[rng.usize(..shop.products.len())];
        return format!("{base}/api/v1/products/{id}");
    }
    let page_size = [20u32, 20, 20, 50, 100][rng.usize(..5)];
    let mut q: Vec<String> = Vec::new();
    let mut filtered = false;
    if rng.u32(0..100) < 30 {
        q.push(format!(
            "category={}",
            shop.categories[rng.usize(..shop.categories.len())]
        ));
        filtered = true;
    }
    if rng.u32(0..100) < 15 {
        q.push(format!("min_price={}.00", rng.u32(1..100)));
        filtered = true;
    }
    if rng.u32(0..100) < 15 {
        q.push(format!("max_price={}.00", rng.u32(20..400)));
        filtered = true;
    }
    if rng.u32(0..100) < 10 {
        q.push("in_stock=true".to_owned());
    }
    if rng.u32(0..100) < 15 {
        q.push(format!("min_score={}", rng.u32(0..90)));
        filtered = true;
    }
    if rng.u32(0..100) < 3 {
        q.push(format!(
            "search={}",
            shop.words[rng.usize(..shop.words.len())]
        ));
        filtered = true;
    }
    if rng.u32(0..100) < 70 {
        q.push(format!(
            "ordering={}",
            ORDERINGS[rng.usize(..ORDERINGS.len())]
        ));
    }
    // Early pages most of the time; deep pages (OFFSET) sometimes.
    let pages = (shop.products.len() as u32 / page_size).max(1);
    let page = if filtered {
        rng.u32(1..=pages.min(10))
    } else if rng.bool() {
        rng.u32(1..=5.min(pages))
    } else {
        rng.u32(1..=pages)
    };
    q.push(format!("page={page}"));
    if page_size != 20 {
        q.push(format!("page_size={page_size}"));
    }
    format!("{base}/api/v1/products?{}", q.join("&"))
}

async fn do_read(shop: &Shop, counters: &Counters, rng: &mut fastrand::Rng) {
    let url = match shop.popular.draw(rng) {
        Some(url) => url.to_owned(),
        None => read_url(shop, rng),
    };
    let t = Instant::now();
    match shop.http.get(&url).send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let body = resp.bytes().await;
            if status == 200 && body.is_ok() {
                counters.read_ok(micros(t.elapsed()));
            } else {
                Counters::failed(&counters.read_error_statuses, &counters.read_errors, status);
            }
        }
        Err(_) => Counters::failed(&counters.read_error_statuses, &counters.read_errors, 0),
    }
}

async fn do_order(shop: &Shop, counters: &Counters, rng: &mut fastrand::Rng) {
    let n = match rng.u32(0..10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    let mut lines: Vec<Value> = Vec::new();
    let mut used = Vec::new();
    while lines.len() < n {
        let p = rng.usize(..shop.products.len());
        if used.contains(&p) {
            continue;
        }
        used.push(p);
        lines.push(json!({"product_id": shop.products[p], "quantity": rng.u32(1..=3)}));
    }
    let body = json!({ "lines": lines });
    let (email, token) = &shop.customers[rng.usize(..shop.customers.len())];
    let bearer = token.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let t = Instant::now();
    let sent = shop
        .http
        .post(format!("{}/api/v1/orders", shop.base))
        .bearer_auth(&bearer)
        .json(&body)
        .send()
        .await;
    match sent {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let _ = resp.bytes().await;
            if status == 201 {
                counters.order_ok(micros(t.elapsed()));
            } else {
                Counters::failed(
                    &counters.order_error_statuses,
                    &counters.order_errors,
                    status,
                );
                if status == 401 {
                    // The access token ran out (15 minutes by default): sign in again.
                    if let Ok(fresh) = login(&shop.http, &shop.base, email, CUSTOMER_PASSWORD).await
                    {
                        *token.lock().unwrap_or_else(PoisonError::into_inner) = fresh;
                        counters.relogins.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
        Err(_) => Counters::failed(&counters.order_error_statuses, &counters.order_errors, 0),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Mixed(u32),
    Orders,
    Reads,
}

fn spawn_client(
    shop: Arc<Shop>,
    counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
    role: Role,
    seed: u64,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut rng = fastrand::Rng::with_seed(seed);
        while !stop.load(Ordering::Relaxed) {
            let read = match role {
                Role::Mixed(pct) => rng.u32(0..100) < pct,
                Role::Orders => false,
                Role::Reads => true,
            };
            if read {
                do_read(&shop, &counters, &mut rng).await;
            } else {
                do_order(&shop, &counters, &mut rng).await;
            }
        }
    })
}

// ------------------------------------------------------------------ sampling

/// One second's record.
#[derive(Clone, Default)]
struct Sample {
    t: f64,
    phase: &'static str,
    orders_per_s: f64,
    order_p50: f64,
    order_p99: f64,
    reads_per_s: f64,
    read_p50: f64,
    read_p99: f64,
    errors: u64,
    queue: QueueSample,
    oldest_ready_s: Option<f64>,
    orders: OrderSample,
    scraped: Scraped,
    rss_mib: Option<f64>,
    db_ms: f64,
    /// Share of the machine's CPU used by other processes, in percent.
    others_cpu: f64,
}

const KINDS: [&str; 2] = ["process_order", "send_order_confirmation"];

fn csv_header() -> String {
    let mut h = String::from(
        "t_s,phase,orders_per_s,order_p50_ms,order_p99_ms,reads_per_s,read_p50_ms,read_p99_ms,errors",
    );
    for k in KINDS {
        h.push_str(&format!(",{k}_ready,{k}_scheduled,{k}_running"));
    }
    h.push_str(",oldest_ready_s,metrics_ready_plus_running,metrics_oldest_ready_s,orders_total,orders_pending,orders_unconfirmed,jobs_done_total,jobs_retried_total,jobs_dead_total,jobs_lease_lost_total,rss_mib,sample_db_ms,others_cpu_pct");
    h
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or(String::new(), |v| format!("{v:.digits$}"))
}

fn nan_blank(v: f64, digits: usize) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v:.digits$}")
    }
}

fn csv_row(s: &Sample) -> String {
    let mut r = format!(
        "{:.1},{},{:.1},{},{},{:.1},{},{},{}",
        s.t,
        s.phase,
        s.orders_per_s,
        nan_blank(s.order_p50, 2),
        nan_blank(s.order_p99, 2),
        s.reads_per_s,
        nan_blank(s.read_p50, 3),
        nan_blank(s.read_p99, 3),
        s.errors
    );
    for k in KINDS {
        let (ready, later, running) = s.queue.kind(k);
        r.push_str(&format!(",{ready},{later},{running}"));
    }
    r.push_str(&format!(
        ",{},{},{},{},{},{},{},{},{},{},{},{:.1},{:.0}",
        opt(s.oldest_ready_s, 3),
        opt(s.scraped.depth, 0),
        opt(s.scraped.oldest_age, 3),
        s.orders.total,
        s.orders.pending,
        s.orders.unconfirmed,
        s.scraped.outcome("done"),
        s.scraped.outcome("retried"),
        s.scraped.outcome("dead"),
        s.scraped.outcome("lease_lost"),
        opt(s.rss_mib, 1),
        s.db_ms,
        s.others_cpu
    ));
    r
}

fn print_header() {
    println!(
        "{:>6} {:>5} {:>8} {:>8} {:>8} {:>9} {:>8} {:>8} {:>4} | {:>7} {:>5} {:>7} {:>5} {:>8} | {:>8} {:>7} | {:>7} {:>6}",
        "t s",
        "phase",
        "orders/s",
        "ord p50",
        "ord p99",
        "reads/s",
        "rd p50",
        "rd p99",
        "err",
        "ord rdy",
        "run",
        "mail rdy",
        "run",
        "oldest s",
        "pending",
        "unconf",
        "RSS MiB",
        "other%"
    );
}

fn print_sample(s: &Sample) {
    let (po_ready, _, po_run) = s.queue.kind(KINDS[0]);
    let (mail_ready, _, mail_run) = s.queue.kind(KINDS[1]);
    println!(
        "{:>6.1} {:>5} {:>8.0} {:>8} {:>8} {:>9.0} {:>8} {:>8} {:>4} | {:>7} {:>5} {:>7} {:>5} {:>8} | {:>8} {:>7} | {:>7} {:>6.0}",
        s.t,
        s.phase,
        s.orders_per_s,
        nan_blank(s.order_p50, 1),
        nan_blank(s.order_p99, 1),
        s.reads_per_s,
        nan_blank(s.read_p50, 2),
        nan_blank(s.read_p99, 2),
        s.errors,
        po_ready,
        po_run,
        mail_ready,
        mail_run,
        opt(s.oldest_ready_s, 2),
        s.orders.pending,
        s.orders.unconfirmed,
        opt(s.rss_mib, 0),
        s.others_cpu
    );
}

struct Sampler {
    db: Db,
    http: reqwest::Client,
    metrics_url: String,
    pid: u32,
    counters: Arc<Counters>,
    read_hist: Histogram,
    order_hist: Histogram,
    last: Instant,
    last_errors: u64,
    started: Instant,
    samples: Vec<Sample>,
    csv: std::fs::File,
    noise: Noise,
}

impl Sampler {
    async fn sample(&mut self, phase: &'static str) -> Sample {
        let now = Instant::now();
        let window = now.duration_since(self.last).as_secs_f64().max(1e-3);
        self.last = now;
        let mut w = self.counters.take();
        w.reads.sort_unstable();
        w.orders.sort_unstable();
        for &us in &w.reads {
            self.read_hist.add(us);
        }
        for &us in &w.orders {
            self.order_hist.add(us);
        }
        let errors = self.counters.read_errors.load(Ordering::Relaxed)
            + self.counters.order_errors.load(Ordering::Relaxed);
        let mut s = Sample {
            t: now.duration_since(self.started).as_secs_f64(),
            phase,
            orders_per_s: w.orders.len() as f64 / window,
            order_p50: exact_ms(&w.orders, 0.5),
            order_p99: exact_ms(&w.orders, 0.99),
            reads_per_s: w.reads.len() as f64 / window,
            read_p50: exact_ms(&w.reads, 0.5),
            read_p99: exact_ms(&w.reads, 0.99),
            errors: errors - self.last_errors,
            ..Sample::default()
        };
        self.last_errors = errors;
        let db_started = Instant::now();
        match self.db.queue().await {
            Ok(q) => {
                s.oldest_ready_s = q
                    .oldest_ready
                    .map(|t| (Utc::now() - t).num_microseconds().unwrap_or(0) as f64 / 1e6);
                s.queue = q;
            }
            Err(e) => eprintln!("queue sample failed: {e}"),
        }
        match self.db.orders().await {
            Ok(o) => s.orders = o,
            Err(e) => eprintln!("orders sample failed: {e}"),
        }
        s.db_ms = db_started.elapsed().as_secs_f64() * 1e3;
        if let Ok(resp) = self.http.get(&self.metrics_url).send().await
            && let Ok(text) = resp.text().await
        {
            s.scraped = parse_metrics(&text);
        }
        s.rss_mib = rss_mib(self.pid);
        s.others_cpu = self.noise.sample() * 100.0;
        let _ = writeln!(self.csv, "{}", csv_row(&s));
        print_sample(&s);
        self.samples.push(s.clone());
        s
    }
}

// ------------------------------------------------------------------ summary

fn fmt_int(v: f64) -> String {
    let n = v.round() as i64;
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn max_of(samples: &[&Sample], f: impl Fn(&Sample) -> Option<f64>) -> Option<f64> {
    samples
        .iter()
        .filter_map(|s| f(s))
        .fold(None, |m, v| Some(m.map_or(v, |m: f64| m.max(v))))
}

/// The per-second samples grouped in windows of `every` seconds.
fn window_table(samples: &[Sample], every: f64) -> String {
    let mut out = String::from(
        "| t (s) | phase | orders/s | reads/s | read p50 / p99 ms (worst second) | ready jobs (end) | running (end) | oldest ready s (max) | unconfirmed orders (end) | RSS MiB (end) |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut i = 0;
    while i < samples.len() {
        // A sample covers the second before it.
        let start = if i == 0 { 0.0 } else { samples[i - 1].t };
        let phase = samples[i].phase;
        let mut j = i;
        while j < samples.len() && samples[j].phase == phase && samples[j].t <= start + every + 0.5
        {
            j += 1;
        }
        let chunk = &samples[i..j.max(i + 1)];
        let n = chunk.len() as f64;
        let last = &chunk[chunk.len() - 1];
        let orders: f64 = chunk.iter().map(|s| s.orders_per_s).sum::<f64>() / n;
        let reads: f64 = chunk.iter().map(|s| s.reads_per_s).sum::<f64>() / n;
        let p50 = chunk
            .iter()
            .map(|s| s.read_p50)
            .filter(|v| !v.is_nan())
            .fold(f64::NAN, f64::max);
        let p99 = chunk
            .iter()
            .map(|s| s.read_p99)
            .filter(|v| !v.is_nan())
            .fold(f64::NAN, f64::max);
        let oldest = chunk
            .iter()
            .filter_map(|s| s.oldest_ready_s)
            .fold(None, |m, v| Some(m.map_or(v, |m: f64| m.max(v))));
        out.push_str(&format!(
            "| {:.0}–{:.0} | {} | {} | {} | {} / {} | {} | {} | {} | {} | {} |\n",
            start.floor(),
            last.t.ceil(),
            phase,
            fmt_int(orders),
            fmt_int(reads),
            nan_blank(p50, 2),
            nan_blank(p99, 2),
            fmt_int(last.queue.ready() as f64),
            fmt_int(last.queue.running() as f64),
            opt(oldest, 2),
            fmt_int(last.orders.unconfirmed as f64),
            opt(last.rss_mib, 0),
        ));
        i = j.max(i + 1);
    }
    out
}

// ------------------------------------------------------------------ main

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Err(e) = run(args).await {
        eprintln!("soak: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let host = args
        .base
        .trim_start_matches("http://")
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .to_owned();
    if host != "127.0.0.1" && host != "localhost" {
        return Err(format!("loopback only: {} is not 127.0.0.1", args.base));
    }
    let all_clients = match args.mode {
        Mode::Mix => args.clients,
        Mode::Orders => args.clients + args.read_clients,
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(all_clients + 32)
        .tcp_nodelay(true)
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let db = Db::connect(&args.database_url)
        .await
        .map_err(|e| format!("connecting to the database: {e}"))?;
    let db_description = db.describe().await;
    println!("database: {db_description}");

    let shop = Arc::new(seed(&args, http.clone()).await?);
    let databases: Vec<String> = if args.database_url.starts_with("postgres") {
        args.database_url
            .rsplit('/')
            .next()
            .map(|d| d.split('?').next().unwrap_or(d).to_owned())
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    let mut noise = Noise::new(vec![std::process::id(), args.pid], databases);
    if args.quiet_wait > 0 {
        let (waited, quiet) = noise
            .wait_quiet(0.10, Duration::from_secs(args.quiet_wait))
            .await;
        if quiet {
            println!(
                "other processes below 10% of the CPU for 3 s (waited {:.0} s)",
                waited.as_secs_f64()
            );
        } else {
            println!(
                "WARNING: other processes kept using the CPU for {:.0} s; measuring anyway",
                waited.as_secs_f64()
            );
        }
    }
    let counters = Arc::new(Counters::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut csv =
        std::fs::File::create(&args.csv).map_err(|e| format!("{}: {e}", args.csv.display()))?;
    let _ = writeln!(csv, "{}", csv_header());
    let started = Instant::now();
    let mut sampler = Sampler {
        db,
        http: http.clone(),
        metrics_url: format!("{}/metrics", shop.base),
        pid: args.pid,
        counters: counters.clone(),
        read_hist: Histogram::new(),
        order_hist: Histogram::new(),
        last: started,
        last_errors: 0,
        started,
        samples: Vec::new(),
        csv,
        noise,
    };
    let rss_before = rss_mib(args.pid);

    let pages_text = match shop.popular.urls.len() {
        0 => "every read a fresh random page".to_owned(),
        n => format!("reads drawn from {n} pages by Zipf popularity"),
    };
    let mode_text = match args.mode {
        Mode::Mix => format!(
            "{} clients, each request a read with probability {}% and otherwise an order; {pages_text}",
            args.clients, args.mix
        ),
        Mode::Orders => format!(
            "{} clients placing orders back to back, {} clients reading alongside; {pages_text}",
            args.clients, args.read_clients
        ),
    };
    println!("load: {mode_text}, for {} s", args.seconds);
    print_header();
    let mut clients = Vec::new();
    let mut seed = 1u64;
    match args.mode {
        Mode::Mix => {
            for _ in 0..args.clients {
                clients.push(spawn_client(
                    shop.clone(),
                    counters.clone(),
                    stop.clone(),
                    Role::Mixed(args.mix.min(100)),
                    seed,
                ));
                seed += 1;
            }
        }
        Mode::Orders => {
            for _ in 0..args.clients {
                clients.push(spawn_client(
                    shop.clone(),
                    counters.clone(),
                    stop.clone(),
                    Role::Orders,
                    seed,
                ));
                seed += 1;
            }
            for _ in 0..args.read_clients {
                clients.push(spawn_client(
                    shop.clone(),
                    counters.clone(),
                    stop.clone(),
                    Role::Reads,
                    seed,
                ));
                seed += 1;
            }
        }
    }

    let mut tick = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(1),
        Duration::from_secs(1),
    );
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let load_until = started + Duration::from_secs(args.seconds);
    let mut host_died = false;
    while Instant::now() < load_until {
        tick.tick().await;
        sampler.sample("load").await;
        if rss_mib(args.pid).is_none() {
            host_died = true;
            eprintln!("the host (pid {}) is gone; stopping", args.pid);
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        let _ = c.await;
    }
    let load_elapsed = started.elapsed();
    let read_hist = sampler.read_hist.clone();
    let order_hist = sampler.order_hist.clone();
    // Requests that finished between the last sample and the stop.
    let tail = counters.take();
    let mut read_hist = read_hist;
    let mut order_hist = order_hist;
    for &us in &tail.reads {
        read_hist.add(us);
    }
    for &us in &tail.orders {
        order_hist.add(us);
    }
    let orders_placed = order_hist.total;
    let reads_done = read_hist.total;
    let load_stopped = Instant::now();

    // The drain: until every order is confirmed and mailed, or the timeout.
    let drain_limit = Duration::from_secs(args.drain_timeout);
    let mut drained_after: Option<Duration> = None;
    sampler.last = Instant::now();
    if !host_died {
        loop {
            let s = sampler.sample("drain").await;
            if s.orders.unconfirmed == 0 && s.orders.total as u64 >= orders_placed {
                drained_after = Some(load_stopped.elapsed());
                break;
            }
            if load_stopped.elapsed() >= drain_limit || rss_mib(args.pid).is_none() {
                break;
            }
            tick.tick().await;
        }
    }

    // Final figures.
    let db = &sampler.db;
    let orders_now = db.orders().await.unwrap_or_default();
    let totals = db.job_totals().await.unwrap_or_default();
    let dead: i64 = totals
        .iter()
        .filter(|(_, s, _)| s == "dead")
        .map(|(_, _, n)| n)
        .sum();
    let emails = db.emails_sent().await.unwrap_or(-1);
    let scraped = match http.get(&sampler.metrics_url).send().await {
        Ok(r) => parse_metrics(&r.text().await.unwrap_or_default()),
        Err(_) => Scraped::default(),
    };
    let samples = &sampler.samples;
    let load: Vec<&Sample> = samples.iter().filter(|s| s.phase == "load").collect();
    let drain: Vec<&Sample> = samples.iter().filter(|s| s.phase == "drain").collect();
    let all: Vec<&Sample> = samples.iter().collect();
    let max_oldest_load = max_of(&load, |s| s.oldest_ready_s);
    let max_oldest_drain = max_of(&drain, |s| s.oldest_ready_s);
    let max_ready = max_of(&all, |s| Some(s.queue.ready() as f64));
    let max_pending = max_of(&all, |s| Some(s.orders.unconfirmed as f64));
    let peak_rss = max_of(&all, |s| s.rss_mib);
    let rss_end_load = load.last().and_then(|s| s.rss_mib);
    let max_db_ms = max_of(&all, |s| Some(s.db_ms));
    let others_mean = if load.is_empty() {
        0.0
    } else {
        load.iter().map(|s| s.others_cpu).sum::<f64>() / load.len() as f64
    };
    let others_max = max_of(&load, |s| Some(s.others_cpu)).unwrap_or(0.0);
    let metrics_depth_seen = samples.iter().any(|s| s.scraped.depth.is_some());
    let metrics_oldest_max = max_of(&all, |s| s.scraped.oldest_age);
    let load_s = load_elapsed.as_secs_f64();
    let order_errors = counters.order_errors.load(Ordering::Relaxed);
    let read_errors = counters.read_errors.load(Ordering::Relaxed);
    let statuses = |m: &Mutex<BTreeMap<u16, u64>>| {
        let m = m.lock().unwrap_or_else(PoisonError::into_inner);
        if m.is_empty() {
            "none".to_owned()
        } else {
            m.iter()
                .map(|(k, v)| {
                    format!(
                        "{v}× {}",
                        if *k == 0 {
                            "no answer".to_owned()
                        } else {
                            k.to_string()
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    };

    let drain_text = match drained_after {
        Some(d) => format!(
            "every order confirmed and its confirmation sent {:.1} s after the load stopped",
            d.as_secs_f64()
        ),
        None if host_died => "the host died; not drained".to_owned(),
        None => format!(
            "GAVE UP after {} s: {} orders still not confirmed and mailed",
            args.drain_timeout, orders_now.unconfirmed
        ),
    };

    println!();
    println!("per-{}-second windows (from {}):", 10, args.csv.display());
    println!();
    print!("{}", window_table(samples, 10.0));
    println!();
    println!("======== soak summary (paste into docs/performance.md) ========");
    if !args.label.is_empty() {
        println!("{}", args.label);
    }
    println!("database: {db_description}");
    println!(
        "catalog: {} products in {} categories, {} customers; load: {mode_text}; {:.0} s",
        shop.products.len(),
        shop.categories.len(),
        shop.customers.len(),
        load_s
    );
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| orders placed | {} ({:.0}/s); p50 {:.1} ms, p99 {:.1} ms; failed: {} ({}) |",
        fmt_int(orders_placed as f64),
        orders_placed as f64 / load_s,
        order_hist.quantile_ms(0.5),
        order_hist.quantile_ms(0.99),
        order_errors,
        statuses(&counters.order_error_statuses)
    );
    println!(
        "| reads | {} ({:.0}/s); p50 {:.2} ms, p99 {:.2} ms over the run; failed: {} ({}) |",
        fmt_int(reads_done as f64),
        reads_done as f64 / load_s,
        read_hist.quantile_ms(0.5),
        read_hist.quantile_ms(0.99),
        read_errors,
        statuses(&counters.read_error_statuses)
    );
    println!(
        "| ready jobs, max | {} (running jobs are not counted) |",
        opt(max_ready, 0)
    );
    println!(
        "| oldest ready job, max age | {} s during the load, {} s during the drain |",
        opt(max_oldest_load, 2),
        opt(max_oldest_drain, 2)
    );
    println!(
        "| orders not yet confirmed and mailed, max | {} |",
        opt(max_pending, 0)
    );
    println!("| drain | {drain_text} |");
    println!(
        "| orders in the database / not confirmed and mailed at the end | {} / {} |",
        fmt_int(orders_now.total as f64),
        orders_now.unconfirmed
    );
    println!(
        "| e-mails sent / orders | {} / {} |",
        fmt_int(emails as f64),
        fmt_int(orders_now.total as f64)
    );
    println!("| jobs dead (database) | {dead} |");
    println!(
        "| job attempts by outcome (/metrics) | done {}, retried {}, dead {}, lease_lost {} |",
        fmt_int(scraped.outcome("done")),
        fmt_int(scraped.outcome("retried")),
        fmt_int(scraped.outcome("dead")),
        fmt_int(scraped.outcome("lease_lost"))
    );
    let (hits, misses) = scraped.cache;
    if hits + misses > 0.0 {
        println!(
            "| reads answered from the response cache (/metrics, whole run) | {:.1}% ({} hits, {} misses) |",
            100.0 * hits / (hits + misses),
            fmt_int(hits),
            fmt_int(misses)
        );
    }
    println!(
        "| host RSS | {} MiB after seeding, {} MiB at the end of the load, peak {} MiB |",
        opt(rss_before, 0),
        opt(rss_end_load, 0),
        opt(peak_rss, 0)
    );
    if metrics_depth_seen {
        println!(
            "| /metrics queue gauges | seen; oldest ready age max {} s; last depth series: {} |",
            opt(metrics_oldest_max, 2),
            samples
                .last()
                .map(|s| s.scraped.depth_series.join(" "))
                .unwrap_or_default()
        );
    } else {
        println!(
            "| /metrics queue gauges | absent (`ecolaura_job_queue_depth` not exported): depth and age from the database |"
        );
    }
    println!(
        "| sampler | one queue query and one orders query per second; slowest {} ms |",
        opt(max_db_ms, 0)
    );
    println!(
        "| other processes on the machine during the load | {others_mean:.0}% of its CPU on average, {others_max:.0}% at most in one second |"
    );
    println!();
    println!("jobs by kind and status at the end:");
    for (kind, status, n) in &totals {
        println!("  {kind:26} {status:8} {n}");
    }
    let relogins = counters.relogins.load(Ordering::Relaxed);
    if relogins > 0 {
        println!("customers signed in again after a 401: {relogins}");
    }
    println!("per-second samples: {}", args.csv.display());
    println!("================================================================");
    if drained_after.is_none() {
        return Err(drain_text);
    }
    Ok(())
}
