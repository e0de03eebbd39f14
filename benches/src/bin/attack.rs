//! The attack benchmark driver (see `benches/attack/run.sh`, which builds and
//! starts the host and passes its address and pid).
//!
//! For each attack, against one running `ecolaura serve`:
//! 1. **before**: `--baseline` seconds with no attack: the host's RSS
//!    (`VmRSS` from `/proc/<pid>/status`) every 250 ms, a `/healthz` probe
//!    every 100 ms (each on a new connection, as a liveness check does), and
//!    an honest client at `--honest-rate` requests a second on a kept-alive
//!    connection (the product list, a product, and every `--login-every`th
//!    request a login with the right password, keeping the device cookie
//!    its logins get, as a browser or an app does);
//! 2. **during**: the same while the attack runs for `--seconds`;
//! 3. **settle**: the attack stopped (its sockets closed), `--settle` seconds
//!    of the honest client and probes alone;
//! 4. **after**: `--after` more seconds, measured as before.
//!
//! Probes and honest requests are sent on a clock (each in its own task), not
//! one after the other, so a slow answer does not thin the samples.
//!
//! The criteria, printed PASS or FAIL per attack: the median RSS after within
//! `--rss-tolerance` % of the median before; `/healthz` p99 during the attack
//! at most `--healthz-ms` (judged on p99; the max is printed beside it); and
//! at least `--min-success` % of the honest client's requests during the
//! attack answered 2xx. A FAIL is a finding, not an error: the driver exits
//! non-zero only when it cannot measure (the host unreachable, seeding
//! failed).
//!
//! Every attack is bounded by `--seconds`; every request by a timeout.
//! Loopback only.

use std::collections::BTreeMap;
use std::error::Error;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use ecolaura_benches::rest::{login, post_json};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

#[path = "../machine.rs"]
mod machine;
use machine::Noise;

/// A harness error: the run cannot go on.
type BoxError = Box<dyn Error + Send + Sync>;

/// The attacks, in the order the hardening issue lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
enum Attack {
    /// 1. Logins with distinct 1 MB e-mail addresses.
    LoginFlood,
    /// 2. Requests with distinct 60,000-character invented methods.
    Methods,
    /// 3. Hundreds of concurrent logins with well-formed credentials.
    Logins,
    /// 4. Distinct `Host` headers and query strings over big list pages.
    Cache,
    /// 5. Connections that send their head a byte at a time, or nothing.
    Slowloris,
    /// 6. POSTs that declare a body and trickle it.
    SlowBody,
}

impl Attack {
    const ALL: [Attack; 6] = [
        Attack::LoginFlood,
        Attack::Methods,
        Attack::Logins,
        Attack::Cache,
        Attack::Slowloris,
        Attack::SlowBody,
    ];

    /// The issue's number for it.
    fn number(self) -> usize {
        Self::ALL.iter().position(|a| *a == self).unwrap_or(0) + 1
    }

    /// A short name for tables.
    fn title(self) -> &'static str {
        match self {
            Attack::LoginFlood => "login flood, 1 MB e-mails",
            Attack::Methods => "invented methods, 60k chars",
            Attack::Logins => "concurrent logins (argon2)",
            Attack::Cache => "cache blow-up (Host × query)",
            Attack::Slowloris => "slowloris",
            Attack::SlowBody => "slow body",
        }
    }
}

/// Attack benchmark driver for a running `ecolaura serve`.
#[derive(Debug, Parser)]
struct Args {
    /// The host, such as `http://127.0.0.1:18090` (loopback only).
    #[arg(long, required_unless_present = "summarize")]
    base: Option<String>,
    /// The host's process id (for its RSS).
    #[arg(long, required_unless_present = "summarize")]
    pid: Option<u32>,
    /// Append each attack's figures to this file (one JSON object a line),
    /// for `--summarize`; without it, the summary is printed at the end.
    #[arg(long)]
    results: Option<std::path::PathBuf>,
    /// Print the summary of the figures in this file (written by runs with
    /// `--results`, one host per attack) and exit.
    #[arg(long)]
    summarize: Option<std::path::PathBuf>,
    /// Which attacks to run, in this order (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = Attack::ALL)]
    attacks: Vec<Attack>,
    /// Seconds of ordinary traffic before each attack's baseline (16
    /// clients back to back: list pages, products, now and then a login),
    /// followed by `--warmup-settle` seconds of quiet, so that "idle" is a
    /// host in service, not one that has never been asked anything.
    #[arg(long, default_value_t = 10)]
    warmup: u64,
    /// Seconds of quiet between the warm-up and the baseline.
    #[arg(long, default_value_t = 15)]
    warmup_settle: u64,
    /// Seconds measured before each attack (the idle baseline).
    #[arg(long, default_value_t = 10)]
    baseline: u64,
    /// Seconds each attack runs.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Seconds after an attack before the "after" measurement begins.
    #[arg(long, default_value_t = 15)]
    settle: u64,
    /// Seconds of the "after" measurement.
    #[arg(long, default_value_t = 5)]
    after: u64,
    /// Products to seed (list pages of up to 100 of them are what attack 4 asks for).
    #[arg(long, default_value_t = 500)]
    products: usize,
    /// The honest client's requests per second.
    #[arg(long, default_value_t = 5.0)]
    honest_rate: f64,
    /// Every n-th honest request is a login (the rest alternate list and product).
    #[arg(long, default_value_t = 20)]
    login_every: u64,
    /// Attack 1: concurrent clients.
    #[arg(long, default_value_t = 32)]
    flood_clients: usize,
    /// Attack 1: characters in each e-mail address.
    #[arg(long, default_value_t = 1_000_000)]
    email_bytes: usize,
    /// Attack 2: concurrent connections.
    #[arg(long, default_value_t = 32)]
    method_clients: usize,
    /// Attack 2: characters in each method.
    #[arg(long, default_value_t = 60_000)]
    method_len: usize,
    /// Attack 3: concurrent logins (each client sends the next as soon as
    /// its last is answered).
    #[arg(long, default_value_t = 350)]
    login_clients: usize,
    /// Attack 4: concurrent clients.
    #[arg(long, default_value_t = 16)]
    cache_clients: usize,
    /// Attack 5: connections held (more than the host's cap makes it evict).
    #[arg(long, default_value_t = 1500)]
    slowloris_connections: usize,
    /// Attack 5: the share of connections, in percent, that send nothing at
    /// all (the rest send a request head a byte at a time).
    #[arg(long, default_value_t = 20)]
    slowloris_silent_percent: usize,
    /// Attack 6: connections trickling a body (by default more than the
    /// host's connection cap, so that requests in progress must be evicted).
    #[arg(long, default_value_t = 1500)]
    slow_body_connections: usize,
    /// Attacks 5 and 6: milliseconds between two bytes.
    #[arg(long, default_value_t = 1000)]
    trickle_ms: u64,
    /// The staff account made by `ecolaura users add --staff`.
    #[arg(long, default_value = "staff@attack.test")]
    staff_email: String,
    /// Its password.
    #[arg(long, default_value = "attack staff password")]
    staff_password: String,
    /// Criterion: RSS after at most this many percent above idle.
    #[arg(long, default_value_t = 20.0)]
    rss_tolerance: f64,
    /// Criterion: `/healthz` p99 during the attack at most this, in ms.
    #[arg(long, default_value_t = 100.0)]
    healthz_ms: f64,
    /// Criterion: honest requests answered 2xx during the attack, in percent.
    #[arg(long, default_value_t = 100.0)]
    min_success: f64,
    /// Before each attack, wait up to this many seconds for other processes
    /// (builds, tests) to leave the CPU alone (0: do not wait).
    #[arg(long, default_value_t = 30)]
    quiet_wait: u64,
    /// A label for the summary (machine, command, settings).
    #[arg(long, default_value = "")]
    label: String,
}

// ------------------------------------------------------------------ phases and samples

/// Where in an attack's run a sample was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The idle baseline.
    Before = 0,
    /// The attack runs.
    During = 1,
    /// The attack has stopped; not reported.
    Settle = 2,
    /// The measurement after the settle period.
    After = 3,
}

impl Phase {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => Phase::Before,
            1 => Phase::During,
            2 => Phase::Settle,
            _ => Phase::After,
        }
    }
}

/// What a monitoring request was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `GET /healthz`, on a new connection.
    Healthz,
    /// The honest client's `GET /api/v1/products`.
    List,
    /// The honest client's `GET /api/v1/products/{id}`.
    Detail,
    /// The honest client's login, with the right password.
    Login,
}

/// One monitoring request's outcome.
#[derive(Debug, Clone)]
struct Answer {
    phase: Phase,
    kind: Kind,
    ms: f64,
    /// 2xx (for a login: 200 with a token).
    ok: bool,
    /// The status, or what went wrong when there was none.
    outcome: String,
}

/// What the monitors record during one attack.
struct Monitor {
    phase: AtomicU8,
    answers: Mutex<Vec<Answer>>,
    rss: Mutex<Vec<(Phase, f64)>>,
    host_gone: AtomicBool,
}

impl Monitor {
    fn new() -> Self {
        Self {
            phase: AtomicU8::new(Phase::Before as u8),
            answers: Mutex::new(Vec::new()),
            rss: Mutex::new(Vec::new()),
            host_gone: AtomicBool::new(false),
        }
    }

    fn phase(&self) -> Phase {
        Phase::from_u8(self.phase.load(Ordering::Acquire))
    }

    fn set_phase(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Release);
    }

    fn answer(&self, a: Answer) {
        self.answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(a);
    }

    /// The answers of `phase` of the given kinds.
    fn answers(&self, phase: Phase, kinds: &[Kind]) -> Vec<Answer> {
        self.answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|a| a.phase == phase && kinds.contains(&a.kind))
            .cloned()
            .collect()
    }

    /// RSS since the attack stopped (settle and after), one sample every
    /// `every` samples (250 ms apart).
    fn rss_since_attack(&self, every: usize) -> Vec<f64> {
        self.rss
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(p, _)| matches!(p, Phase::Settle | Phase::After))
            .step_by(every.max(1))
            .map(|(_, v)| *v)
            .collect()
    }

    /// RSS samples of `phase`, in MiB.
    fn rss(&self, phase: Phase) -> Vec<f64> {
        self.rss
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(p, _)| *p == phase)
            .map(|(_, v)| *v)
            .collect()
    }
}

fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The `q` quantile (nearest rank) of unsorted values; NaN when empty.
fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((v.len() as f64) * q).ceil().max(1.0) as usize;
    v[rank.min(v.len()) - 1]
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NAN, f64::max)
}

/// Latencies and outcomes of a set of answers.
struct Latency {
    sent: usize,
    ok: usize,
    p50: f64,
    p99: f64,
    max: f64,
    /// Outcomes other than success, with their counts.
    failures: BTreeMap<String, u64>,
}

impl Latency {
    fn of(answers: &[Answer]) -> Self {
        let ms: Vec<f64> = answers.iter().map(|a| a.ms).collect();
        let mut failures = BTreeMap::new();
        for a in answers.iter().filter(|a| !a.ok) {
            *failures.entry(a.outcome.clone()).or_default() += 1;
        }
        Self {
            sent: answers.len(),
            ok: answers.iter().filter(|a| a.ok).count(),
            p50: quantile(&ms, 0.5),
            p99: quantile(&ms, 0.99),
            max: max(&ms),
            failures,
        }
    }

    fn success_percent(&self) -> f64 {
        if self.sent == 0 {
            f64::NAN
        } else {
            100.0 * self.ok as f64 / self.sent as f64
        }
    }
}

// ------------------------------------------------------------------ attack tallies

/// What an attack sent and what came back.
#[derive(Default)]
struct Tally {
    /// Requests sent (for slowloris: connections opened).
    sent: AtomicU64,
    /// Outcomes by name (a status, `timeout`, `reset`…).
    outcomes: Mutex<BTreeMap<String, u64>>,
    /// Connections open now, and at most (raw-socket attacks).
    open: AtomicI64,
    open_max: AtomicI64,
    /// How long something took, per the attack (ms): a slow connection's life
    /// until the host closed it, or the time to a slow body's answer.
    waits: Mutex<Vec<f64>>,
    /// Answers that named an attacker's `Host` (attack 4: should be none).
    reflected: AtomicU64,
    /// 405 answers with an `Allow` header (attack 2).
    allow: AtomicU64,
}

impl Tally {
    fn count(&self, outcome: impl Into<String>) {
        *self
            .outcomes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(outcome.into())
            .or_default() += 1;
    }

    fn opened(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let now = self.open.fetch_add(1, Ordering::Relaxed) + 1;
        self.open_max.fetch_max(now, Ordering::Relaxed);
    }

    fn closed(&self) {
        self.open.fetch_sub(1, Ordering::Relaxed);
    }

    fn wait(&self, ms: f64) {
        self.waits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(ms);
    }

    /// `422 × 1,234, reset × 3`, most frequent first.
    fn outcomes_text(&self) -> String {
        let map = self.outcomes.lock().unwrap_or_else(PoisonError::into_inner);
        outcomes_text(&map)
    }
}

fn outcomes_text(map: &BTreeMap<String, u64>) -> String {
    let mut v: Vec<(&String, &u64)> = map.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    if v.is_empty() {
        return "none".to_owned();
    }
    v.iter()
        .map(|(k, n)| format!("{k} × {}", fmt_int(**n as f64)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn reqwest_outcome(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect error"
    } else {
        "no answer"
    }
}

// ------------------------------------------------------------------ formatting

fn fmt_int(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_owned();
    }
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

fn fmt_ms(v: f64) -> String {
    if !v.is_finite() {
        "–".to_owned()
    } else if v < 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn fmt_mib(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1}")
    } else {
        "–".to_owned()
    }
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "**FAIL**" }
}

// ------------------------------------------------------------------ the host

/// What the attacks and monitors share.
struct Ctx {
    base: String,
    /// The host's socket address, for raw connections.
    addr: SocketAddr,
    /// The host's process id.
    pid: u32,
    /// The honest client: one kept-alive connection pool.
    honest: reqwest::Client,
    /// Probes: a new connection per request.
    probe: reqwest::Client,
    /// The attackers' pool.
    attacker: reqwest::Client,
    products: Vec<String>,
    honest_email: String,
    honest_password: String,
}

const HONEST_EMAIL: &str = "honest@attack.test";
const HONEST_PASSWORD: &str = "honest customer password";

fn socket_address(base: &str) -> Result<SocketAddr, BoxError> {
    let rest = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("--base must start with http://, not {base}"))?;
    let hostport = rest.split('/').next().unwrap_or(rest);
    Ok(hostport
        .parse::<SocketAddr>()
        .map_err(|e| format!("--base {base}: {hostport} is not an address and port: {e}"))?)
}

const ADJECTIVES: [&str; 8] = [
    "bamboo", "recycled", "organic", "solar", "woollen", "hemp", "cork", "linen",
];
const NOUNS: [&str; 8] = [
    "bottle", "bag", "brush", "lamp", "towel", "cup", "jar", "notebook",
];

/// A product with a long enough description that a page of 100 weighs
/// what a real one does.
fn product_body(i: usize, categories: &[String]) -> Value {
    let mut rng = fastrand::Rng::with_seed(i as u64);
    let noun = NOUNS[rng.usize(..NOUNS.len())];
    let cents = 50 + rng.u64(..49_950);
    json!({
        "name": format!("{} {noun} {i}", ADJECTIVES[rng.usize(..ADJECTIVES.len())]),
        "description": format!(
            "A {noun} for everyday use, number {i}. Made to last, easy to repair, and shipped without plastic."
        ),
        "price": format!("{}.{:02}", cents / 100, cents % 100),
        "category": categories.get(i % categories.len().max(1)),
        "stock": 1_000_000_000,
        "sustainability": {
            "carbon_footprint_kg": (rng.f64() * 40_000.0).round() / 1000.0,
            "recyclable": rng.bool(),
            "biodegradable": rng.u8(0..3) == 0,
        },
    })
}

/// Seeds categories, `--products` products (8 concurrent staff POSTs) and
/// the honest client's account; returns the product ids.
async fn seed(args: &Args, http: &reqwest::Client, base: &str) -> Result<Vec<String>, BoxError> {
    let started = Instant::now();
    let staff = login(http, base, &args.staff_email, &args.staff_password).await?;
    let mut categories = Vec::new();
    for c in 0..4 {
        let slug = format!("category-{c}");
        let (status, body) = post_json(
            http,
            &format!("{base}/api/v1/categories"),
            Some(&staff),
            &json!({"slug": slug, "name": format!("Category {c}")}),
        )
        .await?;
        if status != 201 {
            return Err(format!("category {slug}: {status} {body}").into());
        }
        categories.push(slug);
    }
    let categories = Arc::new(categories);
    let staff = Arc::new(staff);
    let workers = 8;
    let mut set = JoinSet::new();
    for w in 0..workers {
        let (http, base, staff, categories) = (
            http.clone(),
            base.to_owned(),
            staff.clone(),
            categories.clone(),
        );
        let total = args.products;
        set.spawn(async move {
            let mut ids = Vec::new();
            for i in (w..total).step_by(workers) {
                let (status, body) = post_json(
                    &http,
                    &format!("{base}/api/v1/products"),
                    Some(&staff),
                    &product_body(i, &categories),
                )
                .await?;
                match (status, body["id"].as_str()) {
                    (201, Some(id)) => ids.push(id.to_owned()),
                    _ => return Err::<_, BoxError>(format!("product {i}: {status} {body}").into()),
                }
            }
            Ok(ids)
        });
    }
    let mut products = Vec::with_capacity(args.products);
    while let Some(done) = set.join_next().await {
        products.extend(done??);
    }
    let (status, body) = post_json(
        http,
        &format!("{base}/api/v1/auth/register"),
        None,
        &json!({"email": HONEST_EMAIL, "password": HONEST_PASSWORD, "name": "Honest Customer"}),
    )
    .await?;
    if status != 201 {
        return Err(format!("register {HONEST_EMAIL}: {status} {body}").into());
    }
    login(http, base, HONEST_EMAIL, HONEST_PASSWORD).await?;
    println!(
        "seeded {} categories, {} products and the honest client's account in {:.1} s",
        categories.len(),
        products.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(products)
}

/// `/metrics`: its size, the request series it holds and the cache's weight.
struct MetricsView {
    bytes: usize,
    request_series: usize,
    cache_bytes: f64,
    cache_entries: f64,
}

async fn scrape(ctx: &Ctx) -> Option<MetricsView> {
    let resp = ctx
        .probe
        .get(format!("{}/metrics", ctx.base))
        .send()
        .await
        .ok()?;
    let text = resp.text().await.ok()?;
    let gauge = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    Some(MetricsView {
        bytes: text.len(),
        request_series: text
            .lines()
            .filter(|l| l.starts_with("http_requests_total{"))
            .count(),
        cache_bytes: gauge("ecolaura_cache_bytes"),
        cache_entries: gauge("ecolaura_cache_entries"),
    })
}

impl MetricsView {
    fn text(v: Option<&Self>) -> String {
        match v {
            Some(m) => format!(
                "{:.1} KiB, {} request series; cache {:.1} MiB in {} entries",
                m.bytes as f64 / 1024.0,
                m.request_series,
                m.cache_bytes / 1_048_576.0,
                fmt_int(m.cache_entries)
            ),
            None => "unavailable".to_owned(),
        }
    }
}

// ------------------------------------------------------------------ monitors

/// Samples the host's RSS every 250 ms, probes `/healthz` every 100 ms and
/// runs the honest client, each request in its own task, until aborted.
fn start_monitors(ctx: &Arc<Ctx>, mon: &Arc<Monitor>, args: &Args, pid: u32) -> JoinSet<()> {
    let mut set = JoinSet::new();
    {
        let mon = mon.clone();
        set.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            loop {
                tick.tick().await;
                match rss_mib(pid) {
                    Some(v) => {
                        let phase = mon.phase();
                        mon.rss
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push((phase, v));
                    }
                    None => mon.host_gone.store(true, Ordering::Release),
                }
            }
        });
    }
    {
        let (ctx, mon) = (ctx.clone(), mon.clone());
        set.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            let mut probes = JoinSet::new();
            loop {
                tick.tick().await;
                while probes.try_join_next().is_some() {}
                let (ctx, mon) = (ctx.clone(), mon.clone());
                probes.spawn(async move {
                    let phase = mon.phase();
                    let started = Instant::now();
                    let sent = ctx.probe.get(format!("{}/healthz", ctx.base)).send().await;
                    let (ok, outcome) = match sent {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            let read = r.bytes().await.is_ok();
                            (status == 200 && read, status.to_string())
                        }
                        Err(e) => (false, reqwest_outcome(&e).to_owned()),
                    };
                    mon.answer(Answer {
                        phase,
                        kind: Kind::Healthz,
                        ms: started.elapsed().as_secs_f64() * 1000.0,
                        ok,
                        outcome,
                    });
                });
            }
        });
    }
    {
        let (ctx, mon) = (ctx.clone(), mon.clone());
        let every = Duration::from_secs_f64(1.0 / args.honest_rate.max(0.1));
        let login_every = args.login_every.max(1);
        set.spawn(async move {
            let mut tick = tokio::time::interval(every);
            let mut requests = JoinSet::new();
            let mut rng = fastrand::Rng::with_seed(7);
            for n in 0u64.. {
                tick.tick().await;
                while requests.try_join_next().is_some() {}
                let kind = if n % login_every == login_every - 1 {
                    Kind::Login
                } else if n % 2 == 0 {
                    Kind::List
                } else {
                    Kind::Detail
                };
                let product = ctx.products[rng.usize(..ctx.products.len())].clone();
                let (ctx, mon) = (ctx.clone(), mon.clone());
                requests.spawn(async move {
                    let phase = mon.phase();
                    let started = Instant::now();
                    let (ok, outcome) = honest_request(&ctx, kind, &product).await;
                    mon.answer(Answer {
                        phase,
                        kind,
                        ms: started.elapsed().as_secs_f64() * 1000.0,
                        ok,
                        outcome,
                    });
                });
            }
        });
    }
    set
}

/// One honest request: whether it succeeded, and its status (or what went wrong).
async fn honest_request(ctx: &Ctx, kind: Kind, product: &str) -> (bool, String) {
    let base = &ctx.base;
    let sent = match kind {
        Kind::List | Kind::Healthz => ctx.honest.get(format!("{base}/api/v1/products")).send(),
        Kind::Detail => ctx
            .honest
            .get(format!("{base}/api/v1/products/{product}"))
            .send(),
        Kind::Login => ctx
            .honest
            .post(format!("{base}/api/v1/auth/token"))
            .json(&json!({"email": ctx.honest_email, "password": ctx.honest_password}))
            .send(),
    };
    match sent.await {
        Ok(r) => {
            let status = r.status().as_u16();
            match r.bytes().await {
                Ok(body) => {
                    let ok = match kind {
                        Kind::Login => {
                            status == 200
                                && serde_json::from_slice::<Value>(&body)
                                    .ok()
                                    .is_some_and(|v| v["access"].is_string())
                        }
                        _ => (200..300).contains(&status),
                    };
                    (ok, format!("{} {status}", kind_name(kind)))
                }
                Err(e) => (
                    false,
                    format!("{} {status}, body {}", kind_name(kind), reqwest_outcome(&e)),
                ),
            }
        }
        Err(e) => (
            false,
            format!("{} {}", kind_name(kind), reqwest_outcome(&e)),
        ),
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Healthz => "healthz",
        Kind::List => "list",
        Kind::Detail => "product",
        Kind::Login => "login",
    }
}

/// Ordinary traffic for `seconds`: 16 clients back to back, reading list
/// pages (20 or 50 products, any ordering, pages 1–5) and products, with one
/// request in 50 a login. Returns the requests answered 2xx and sent.
async fn warm_up(ctx: &Arc<Ctx>, seconds: u64) -> (u64, u64) {
    const ORDERINGS: [&str; 4] = ["price", "-price", "name", "-created_at"];
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let ok = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let mut set = JoinSet::new();
    for client in 0..16u64 {
        let (ctx, ok, sent) = (ctx.clone(), ok.clone(), sent.clone());
        set.spawn(async move {
            let mut rng = fastrand::Rng::with_seed(client);
            while Instant::now() < deadline {
                let base = &ctx.base;
                let roll = rng.u32(0..50);
                let request = if roll == 0 {
                    ctx.honest
                        .post(format!("{base}/api/v1/auth/token"))
                        .json(&json!({"email": ctx.honest_email, "password": ctx.honest_password}))
                } else if roll.is_multiple_of(2) {
                    ctx.honest.get(format!(
                        "{base}/api/v1/products?page_size={}&page={}&ordering={}",
                        [20, 50][rng.usize(..2)],
                        rng.u32(1..=5),
                        ORDERINGS[rng.usize(..ORDERINGS.len())]
                    ))
                } else {
                    let id = &ctx.products[rng.usize(..ctx.products.len())];
                    ctx.honest.get(format!("{base}/api/v1/products/{id}"))
                };
                sent.fetch_add(1, Ordering::Relaxed);
                if let Ok(r) = request.send().await
                    && r.status().is_success()
                    && r.bytes().await.is_ok()
                {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while set.join_next().await.is_some() {}
    (ok.load(Ordering::Relaxed), sent.load(Ordering::Relaxed))
}

// ------------------------------------------------------------------ raw HTTP/1.1

/// The head of a response read from a raw socket.
struct RawResponse {
    status: u16,
    /// The head's header lines, lower-cased.
    headers: String,
}

/// Reads one HTTP/1.1 response (head and a `Content-Length` or chunked
/// body) from `r`, keeping unread bytes in `buf`. `Ok(None)`: the host
/// closed the connection first. Restartable: cancelled, it leaves what it
/// read in `buf` for the next call.
async fn read_response<R: AsyncRead + Unpin>(
    r: &mut R,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<RawResponse>> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let status = head
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse::<u16>().ok())
                .unwrap_or(0);
            let length = head.lines().find_map(|l| {
                l.strip_prefix("content-length:")
                    .and_then(|v| v.trim().parse::<usize>().ok())
            });
            let chunked = head.contains("transfer-encoding: chunked");
            let body_start = end + 4;
            let complete = match (length, chunked) {
                (Some(n), _) => (buf.len() >= body_start + n).then_some(body_start + n),
                (None, true) => buf[body_start..]
                    .windows(5)
                    .position(|w| w == b"0\r\n\r\n")
                    .map(|p| body_start + p + 5),
                (None, false) => Some(body_start),
            };
            if let Some(total) = complete {
                buf.drain(..total);
                return Ok(Some(RawResponse {
                    status,
                    headers: head,
                }));
            }
        }
        if buf.len() > 4 * 1024 * 1024 {
            return Err(std::io::Error::other("response too large"));
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = r.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn io_outcome(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionReset => "reset".to_owned(),
        std::io::ErrorKind::BrokenPipe => "broken pipe".to_owned(),
        std::io::ErrorKind::ConnectionRefused => "refused".to_owned(),
        other => format!("{other:?}"),
    }
}

// ------------------------------------------------------------------ the attacks

/// Starts the attack's workers; they run until aborted.
fn start_attack(attack: Attack, ctx: &Arc<Ctx>, args: &Args, tally: &Arc<Tally>) -> JoinSet<()> {
    let mut set = JoinSet::new();
    let counter = Arc::new(AtomicU64::new(0));
    match attack {
        Attack::LoginFlood => {
            // One 1 MB fill shared by every request; each e-mail differs in
            // its first characters.
            let fill: Arc<str> = "a".repeat(args.email_bytes.saturating_sub(40)).into();
            for _ in 0..args.flood_clients {
                let (ctx, tally, fill, counter) =
                    (ctx.clone(), tally.clone(), fill.clone(), counter.clone());
                set.spawn(async move {
                    loop {
                        let n = counter.fetch_add(1, Ordering::Relaxed);
                        let body = format!(
                            r#"{{"email":"{n:016x}{fill}@flood.test","password":"flood password {n}"}}"#
                        );
                        tally.sent.fetch_add(1, Ordering::Relaxed);
                        let sent = ctx
                            .attacker
                            .post(format!("{}/api/v1/auth/token", ctx.base))
                            .header("content-type", "application/json")
                            .body(body)
                            .send()
                            .await;
                        match sent {
                            Ok(r) => {
                                let status = r.status().as_u16();
                                let _ = r.bytes().await;
                                tally.count(status.to_string());
                            }
                            Err(e) => {
                                tally.count(reqwest_outcome(&e));
                                tokio::time::sleep(Duration::from_millis(10)).await;
                            }
                        }
                    }
                });
            }
        }
        Attack::Methods => {
            for _ in 0..args.method_clients {
                let (ctx, tally, counter) = (ctx.clone(), tally.clone(), counter.clone());
                let len = args.method_len.max(16);
                set.spawn(async move {
                    loop {
                        let mut stream = match TcpStream::connect(ctx.addr).await {
                            Ok(s) => s,
                            Err(e) => {
                                tally.count(format!("connect: {}", io_outcome(&e)));
                                tokio::time::sleep(Duration::from_millis(10)).await;
                                continue;
                            }
                        };
                        let mut buf = Vec::new();
                        loop {
                            let n = counter.fetch_add(1, Ordering::Relaxed);
                            // A token of letters: distinct in its first 16.
                            let mut method = String::with_capacity(len);
                            let mut x = n;
                            for _ in 0..16 {
                                method.push(char::from(b'A' + (x % 26) as u8));
                                x /= 26;
                            }
                            method.extend(std::iter::repeat_n('X', len - 16));
                            let request = format!(
                                "{method} /api/v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                            );
                            tally.sent.fetch_add(1, Ordering::Relaxed);
                            if let Err(e) = stream.write_all(request.as_bytes()).await {
                                tally.count(io_outcome(&e));
                                break;
                            }
                            match read_response(&mut stream, &mut buf).await {
                                Ok(Some(r)) => {
                                    tally.count(r.status.to_string());
                                    if r.status == 405 && r.headers.contains("\nallow:") {
                                        tally.allow.fetch_add(1, Ordering::Relaxed);
                                    }
                                    if r.headers.contains("connection: close") {
                                        break;
                                    }
                                }
                                Ok(None) => {
                                    tally.count("closed without an answer");
                                    break;
                                }
                                Err(e) => {
                                    tally.count(io_outcome(&e));
                                    break;
                                }
                            }
                        }
                    }
                });
            }
        }
        Attack::Logins => {
            for _ in 0..args.login_clients {
                let (ctx, tally, counter) = (ctx.clone(), tally.clone(), counter.clone());
                set.spawn(async move {
                    loop {
                        let n = counter.fetch_add(1, Ordering::Relaxed);
                        // Each from another address (behind the trusted
                        // proxy), for another account: no throttle applies,
                        // every login costs a hash.
                        let from = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
                        tally.sent.fetch_add(1, Ordering::Relaxed);
                        let sent = ctx
                            .attacker
                            .post(format!("{}/api/v1/auth/token", ctx.base))
                            .header("x-forwarded-for", from)
                            .json(&json!({
                                "email": format!("guess{n}@attack.test"),
                                "password": format!("a plausible password {n}"),
                            }))
                            .send()
                            .await;
                        match sent {
                            Ok(r) => {
                                let status = r.status().as_u16();
                                let retry = r.headers().contains_key("retry-after");
                                let _ = r.bytes().await;
                                tally.count(if status == 503 && retry {
                                    "503 with Retry-After".to_owned()
                                } else {
                                    status.to_string()
                                });
                            }
                            Err(e) => {
                                tally.count(reqwest_outcome(&e));
                                tokio::time::sleep(Duration::from_millis(10)).await;
                            }
                        }
                    }
                });
            }
        }
        Attack::Cache => {
            const ORDERINGS: [&str; 8] = [
                "price",
                "-price",
                "name",
                "-name",
                "created_at",
                "-created_at",
                "sustainability_score",
                "-sustainability_score",
            ];
            for _ in 0..args.cache_clients {
                let (ctx, tally, counter) = (ctx.clone(), tally.clone(), counter.clone());
                set.spawn(async move {
                    loop {
                        let n = counter.fetch_add(1, Ordering::Relaxed);
                        // 50 sizes × 4 pages × 8 orderings × 100 price
                        // floors: 160,000 distinct big pages, each asked
                        // for under a Host of its own.
                        let url = format!(
                            "{}/api/v1/products?page_size={}&page={}&ordering={}&min_price=0.{:02}",
                            ctx.base,
                            51 + n % 50,
                            1 + (n / 50) % 4,
                            ORDERINGS[((n / 200) % 8) as usize],
                            (n / 1600) % 100
                        );
                        tally.sent.fetch_add(1, Ordering::Relaxed);
                        let sent = ctx
                            .attacker
                            .get(url)
                            .header("host", format!("h{n}.attack.test"))
                            .send()
                            .await;
                        match sent {
                            Ok(r) => {
                                let status = r.status().as_u16();
                                if let Ok(body) = r.bytes().await
                                    && body.windows(12).any(|w| w == b".attack.test")
                                {
                                    tally.reflected.fetch_add(1, Ordering::Relaxed);
                                }
                                tally.count(status.to_string());
                            }
                            Err(e) => {
                                tally.count(reqwest_outcome(&e));
                                tokio::time::sleep(Duration::from_millis(10)).await;
                            }
                        }
                    }
                });
            }
        }
        Attack::Slowloris => {
            let every = Duration::from_millis(args.trickle_ms.max(1));
            for i in 0..args.slowloris_connections {
                let (ctx, tally) = (ctx.clone(), tally.clone());
                let silent = i % 100 < args.slowloris_silent_percent;
                // Connections open over the first ~1.5 s, not all at once.
                let stagger = Duration::from_millis(i as u64);
                set.spawn(async move {
                    tokio::time::sleep(stagger).await;
                    loop {
                        slow_connection(&ctx, &tally, silent, every).await;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                });
            }
        }
        Attack::SlowBody => {
            let every = Duration::from_millis(args.trickle_ms.max(1));
            for i in 0..args.slow_body_connections {
                let (ctx, tally) = (ctx.clone(), tally.clone());
                let stagger = Duration::from_millis(4 * i as u64);
                set.spawn(async move {
                    tokio::time::sleep(stagger).await;
                    loop {
                        slow_body(&ctx, &tally, every).await;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                });
            }
        }
    }
    set
}

/// One slowloris connection: a request head a byte every `every` (or
/// nothing at all when `silent`), never finished, until the host closes it.
async fn slow_connection(ctx: &Ctx, tally: &Tally, silent: bool, every: Duration) {
    let stream = match TcpStream::connect(ctx.addr).await {
        Ok(s) => s,
        Err(e) => {
            tally.count(format!("connect: {}", io_outcome(&e)));
            return;
        }
    };
    tally.opened();
    let started = Instant::now();
    let (mut rd, mut wr) = stream.into_split();
    let reader = async {
        let mut buf = Vec::new();
        read_response(&mut rd, &mut buf).await
    };
    let writer = async {
        // The head never ends: after the request line, one header whose
        // value goes on for ever.
        let head = b"GET /api/v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
        let mut tick = tokio::time::interval(every);
        let mut i = 0usize;
        loop {
            tick.tick().await;
            if silent {
                continue;
            }
            let byte = head.get(i).copied().unwrap_or(b'z');
            i += 1;
            if let Err(e) = wr.write_all(&[byte]).await {
                return e;
            }
        }
    };
    let outcome = tokio::select! {
        read = reader => match read {
            Ok(Some(r)) => format!("answered {}", r.status),
            Ok(None) => "closed by the host".to_owned(),
            Err(e) => format!("closed by the host ({})", io_outcome(&e)),
        },
        e = writer => format!("closed by the host ({})", io_outcome(&e)),
    };
    let label = if silent { "silent" } else { "trickling" };
    tally.count(format!("{label}: {outcome}"));
    tally.wait(started.elapsed().as_secs_f64() * 1000.0);
    tally.closed();
}

/// One slow body: a login POST that declares 100,000 bytes and sends one
/// every `every`, until the host answers or closes.
async fn slow_body(ctx: &Ctx, tally: &Tally, every: Duration) {
    let stream = match TcpStream::connect(ctx.addr).await {
        Ok(s) => s,
        Err(e) => {
            tally.count(format!("connect: {}", io_outcome(&e)));
            return;
        }
    };
    tally.opened();
    let (mut rd, mut wr) = stream.into_split();
    let head = "POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{";
    if let Err(e) = wr.write_all(head.as_bytes()).await {
        tally.count(format!("write: {}", io_outcome(&e)));
        tally.closed();
        return;
    }
    let started = Instant::now();
    let mut buf = Vec::new();
    let reader = read_response(&mut rd, &mut buf);
    let writer = async {
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tick.tick().await;
            if wr.write_all(b" ").await.is_err() {
                // The host stopped reading; its answer may still come.
                std::future::pending::<()>().await;
            }
        }
    };
    let outcome = tokio::select! {
        read = reader => match read {
            Ok(Some(r)) => r.status.to_string(),
            Ok(None) => "closed without an answer".to_owned(),
            Err(e) => io_outcome(&e),
        },
        () = writer => "unreachable".to_owned(),
    };
    tally.wait(started.elapsed().as_secs_f64() * 1000.0);
    tally.count(outcome);
    tally.closed();
}

/// What one attack's run measured: a line of the summary.
struct Row {
    number: usize,
    title: String,
    traffic: String,
    rss_idle: f64,
    rss_peak: f64,
    rss_after: f64,
    healthz_p99: f64,
    healthz_max: f64,
    /// Honest requests (reads and logins) during the attack, and of them 2xx.
    honest_sent: usize,
    honest_ok: usize,
    reads_p99: f64,
    logins_max: f64,
    rss_pass: bool,
    healthz_pass: bool,
    honest_pass: bool,
    host_gone: bool,
}

impl Row {
    fn passed(&self) -> bool {
        self.rss_pass && self.healthz_pass && self.honest_pass
    }

    fn to_json(&self) -> Value {
        json!({
            "number": self.number,
            "title": self.title,
            "traffic": self.traffic,
            "rss_idle": self.rss_idle,
            "rss_peak": self.rss_peak,
            "rss_after": self.rss_after,
            "healthz_p99": self.healthz_p99,
            "healthz_max": self.healthz_max,
            "honest_sent": self.honest_sent,
            "honest_ok": self.honest_ok,
            "reads_p99": self.reads_p99,
            "logins_max": self.logins_max,
            "rss_pass": self.rss_pass,
            "healthz_pass": self.healthz_pass,
            "honest_pass": self.honest_pass,
            "host_gone": self.host_gone,
        })
    }

    fn from_json(v: &Value) -> Option<Self> {
        // NaN is written as null.
        let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        let n = |k: &str| v[k].as_u64().and_then(|n| usize::try_from(n).ok());
        let b = |k: &str| v[k].as_bool();
        Some(Self {
            number: n("number")?,
            title: v["title"].as_str()?.to_owned(),
            traffic: v["traffic"].as_str()?.to_owned(),
            rss_idle: f("rss_idle"),
            rss_peak: f("rss_peak"),
            rss_after: f("rss_after"),
            healthz_p99: f("healthz_p99"),
            healthz_max: f("healthz_max"),
            honest_sent: n("honest_sent")?,
            honest_ok: n("honest_ok")?,
            reads_p99: f("reads_p99"),
            logins_max: f("logins_max"),
            rss_pass: b("rss_pass")?,
            healthz_pass: b("healthz_pass")?,
            honest_pass: b("honest_pass")?,
            host_gone: b("host_gone")?,
        })
    }
}

/// Runs one attack through its four phases and prints its table.
async fn run_attack(
    attack: Attack,
    ctx: &Arc<Ctx>,
    args: &Args,
    noise: &mut Noise,
) -> Result<Row, BoxError> {
    let total = args.attacks.len();
    let index = args.attacks.iter().position(|a| *a == attack).unwrap_or(0) + 1;
    println!();
    println!(
        "──────── attack {} ({index} of {total}): {} ────────",
        attack.number(),
        attack.title()
    );
    if args.quiet_wait > 0 {
        let (waited, quiet) = noise
            .wait_quiet(0.10, Duration::from_secs(args.quiet_wait))
            .await;
        if !quiet {
            println!(
                "other processes kept using over 10% of the CPU for {:.0} s; measuring anyway",
                waited.as_secs_f64()
            );
        }
    }
    if args.warmup > 0 {
        let rss_before = rss_mib(ctx.pid).unwrap_or(f64::NAN);
        let (ok, sent) = warm_up(ctx, args.warmup).await;
        let rss_warm = rss_mib(ctx.pid).unwrap_or(f64::NAN);
        tokio::time::sleep(Duration::from_secs(args.warmup_settle)).await;
        println!(
            "warm-up: {} ordinary requests in {} s ({} answered 2xx); host RSS {} MiB before, {} MiB at its end, {} MiB {} s later",
            fmt_int(sent as f64),
            args.warmup,
            fmt_int(ok as f64),
            fmt_mib(rss_before),
            fmt_mib(rss_warm),
            fmt_mib(rss_mib(ctx.pid).unwrap_or(f64::NAN)),
            args.warmup_settle
        );
    }
    let mon = Arc::new(Monitor::new());
    let mut monitors = start_monitors(ctx, &mon, args, ctx.pid);
    noise.sample();
    tokio::time::sleep(Duration::from_secs(args.baseline)).await;
    let metrics_before = scrape(ctx).await;
    let noise_before = noise.sample();

    let tally = Arc::new(Tally::default());
    mon.set_phase(Phase::During);
    let attack_started = Instant::now();
    let mut workers = start_attack(attack, ctx, args, &tally);
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    workers.abort_all();
    while workers.join_next().await.is_some() {}
    let attack_secs = attack_started.elapsed().as_secs_f64();
    let metrics_during = scrape(ctx).await;
    let noise_during = noise.sample();

    mon.set_phase(Phase::Settle);
    tokio::time::sleep(Duration::from_secs(args.settle)).await;
    noise.sample();
    mon.set_phase(Phase::After);
    tokio::time::sleep(Duration::from_secs(args.after)).await;
    let noise_after = noise.sample();
    monitors.abort_all();
    while monitors.join_next().await.is_some() {}
    let metrics_after = scrape(ctx).await;
    let host_gone = mon.host_gone.load(Ordering::Acquire);

    // Figures.
    let rss_idle = quantile(&mon.rss(Phase::Before), 0.5);
    let rss_peak = max(&mon.rss(Phase::During));
    let rss_after = quantile(&mon.rss(Phase::After), 0.5);
    let rss_ratio = 100.0 * rss_after / rss_idle;
    let healthz = |p| Latency::of(&mon.answers(p, &[Kind::Healthz]));
    let reads = |p| Latency::of(&mon.answers(p, &[Kind::List, Kind::Detail]));
    let logins = |p| Latency::of(&mon.answers(p, &[Kind::Login]));
    let honest = |p| Latency::of(&mon.answers(p, &[Kind::List, Kind::Detail, Kind::Login]));
    let sent = tally.sent.load(Ordering::Relaxed);
    let traffic = match attack {
        Attack::Slowloris | Attack::SlowBody => format!(
            "{} connections ({} open at most)",
            fmt_int(sent as f64),
            fmt_int(tally.open_max.load(Ordering::Relaxed) as f64)
        ),
        _ => format!(
            "{} requests ({}/s)",
            fmt_int(sent as f64),
            fmt_int(sent as f64 / attack_secs)
        ),
    };

    println!(
        "attack: {traffic} in {attack_secs:.1} s; outcomes: {}",
        tally.outcomes_text()
    );
    let waits = tally
        .waits
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    match attack {
        Attack::Methods => println!(
            "405 answers carrying Allow: {}",
            fmt_int(tally.allow.load(Ordering::Relaxed) as f64)
        ),
        Attack::Cache => println!(
            "answers naming an attacker's Host: {}",
            fmt_int(tally.reflected.load(Ordering::Relaxed) as f64)
        ),
        Attack::Slowloris => println!(
            "a slow connection lived {} s (median), {} s (p99) until the host closed it ({} ended during the attack)",
            fmt_ms(quantile(&waits, 0.5) / 1000.0),
            fmt_ms(quantile(&waits, 0.99) / 1000.0),
            fmt_int(waits.len() as f64)
        ),
        Attack::SlowBody => println!(
            "a slow body was answered {} s (median), {} s (p99) after its head ({} answered during the attack)",
            fmt_ms(quantile(&waits, 0.5) / 1000.0),
            fmt_ms(quantile(&waits, 0.99) / 1000.0),
            fmt_int(waits.len() as f64)
        ),
        _ => {}
    }
    println!(
        "host RSS from the attack's end, every 5 s: {} MiB",
        mon.rss_since_attack(20)
            .iter()
            .map(|v| format!("{v:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if host_gone {
        println!("**the host is gone** (no /proc/{}/status)", ctx.pid);
    }

    let lat = |l: &Latency| {
        format!(
            "{} / {} / {} ({} failed of {})",
            fmt_ms(l.p50),
            fmt_ms(l.p99),
            fmt_ms(l.max),
            l.sent - l.ok,
            l.sent
        )
    };
    let ok_of = |l: &Latency| {
        format!(
            "{}/{} ({:.1}%)",
            l.ok,
            l.sent,
            if l.sent == 0 {
                100.0
            } else {
                l.success_percent()
            }
        )
    };
    println!();
    println!(
        "| | before (idle, {} s) | during the attack ({} s) | after ({} s settle, then {} s) |",
        args.baseline, args.seconds, args.settle, args.after
    );
    println!("|---|---|---|---|");
    println!(
        "| host RSS, MiB | {} (median) | {} (peak) | {} (median; {:.0}% of idle) |",
        fmt_mib(rss_idle),
        fmt_mib(rss_peak),
        fmt_mib(rss_after),
        rss_ratio
    );
    println!(
        "| `/healthz` p50 / p99 / max, ms | {} | {} | {} |",
        lat(&healthz(Phase::Before)),
        lat(&healthz(Phase::During)),
        lat(&healthz(Phase::After))
    );
    println!(
        "| honest reads p50 / p99 / max, ms | {} | {} | {} |",
        lat(&reads(Phase::Before)),
        lat(&reads(Phase::During)),
        lat(&reads(Phase::After))
    );
    println!(
        "| honest logins p50 / p99 / max, ms | {} | {} | {} |",
        lat(&logins(Phase::Before)),
        lat(&logins(Phase::During)),
        lat(&logins(Phase::After))
    );
    println!(
        "| honest requests answered 2xx | {} | {} | {} |",
        ok_of(&honest(Phase::Before)),
        ok_of(&honest(Phase::During)),
        ok_of(&honest(Phase::After))
    );
    println!(
        "| `/metrics` | {} | {} | {} |",
        MetricsView::text(metrics_before.as_ref()),
        MetricsView::text(metrics_during.as_ref()),
        MetricsView::text(metrics_after.as_ref())
    );
    println!(
        "| other processes' share of the CPU | {:.0}% | {:.0}% | {:.0}% |",
        100.0 * noise_before,
        100.0 * noise_during,
        100.0 * noise_after
    );
    let healthz_during = healthz(Phase::During);
    let honest_during = honest(Phase::During);
    let mut failures = BTreeMap::new();
    for l in [&healthz_during, &honest_during] {
        for (k, v) in &l.failures {
            *failures.entry(k.clone()).or_insert(0) += v;
        }
    }
    if !failures.is_empty() {
        println!();
        println!(
            "failed during the attack (healthz and honest): {}",
            outcomes_text(&failures)
        );
    }

    let rss_pass = !host_gone && rss_ratio <= 100.0 + args.rss_tolerance;
    let healthz_pass = !host_gone && healthz_during.p99 <= args.healthz_ms;
    let honest_pass = !host_gone
        && (honest_during.sent == 0 || honest_during.success_percent() >= args.min_success);
    println!();
    println!(
        "verdict: RSS after {:.0}% of idle: {} (≤ {:.0}%); /healthz during: p99 {} ms, max {} ms: {} (judged on p99 ≤ {} ms); honest client during: {:.1}% answered: {} (≥ {}%)",
        rss_ratio,
        verdict(rss_pass),
        100.0 + args.rss_tolerance,
        fmt_ms(healthz_during.p99),
        fmt_ms(healthz_during.max),
        verdict(healthz_pass),
        args.healthz_ms,
        honest_during.success_percent(),
        verdict(honest_pass),
        args.min_success
    );
    Ok(Row {
        number: attack.number(),
        title: attack.title().to_owned(),
        traffic,
        rss_idle,
        rss_peak,
        rss_after,
        healthz_p99: healthz_during.p99,
        healthz_max: healthz_during.max,
        honest_sent: honest_during.sent,
        honest_ok: honest_during.ok,
        reads_p99: reads(Phase::During).p99,
        logins_max: logins(Phase::During).max,
        rss_pass,
        healthz_pass,
        honest_pass,
        host_gone,
    })
}

/// The summary table of `rows`, with the criteria of `args`.
fn summary(args: &Args, rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "======== attack summary (paste into docs/performance.md) ========"
    );
    if !args.label.is_empty() {
        let _ = writeln!(s, "{}", args.label);
    }
    let _ = writeln!(
        s,
        "per attack: {} s of ordinary traffic and {} s quiet, then {} s idle, {} s of attack, {} s settle, {} s after; honest client {} req/s (every {}th a login); /healthz every 100 ms on a new connection",
        args.warmup,
        args.warmup_settle,
        args.baseline,
        args.seconds,
        args.settle,
        args.after,
        args.honest_rate,
        args.login_every,
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "| attack | attack traffic | host RSS idle → peak → after, MiB (after/idle) | `/healthz` during: p99 (max), ms | honest client during: answered 2xx; reads p99, logins max, ms | RSS ≤ {:.0}% | `/healthz` p99 ≤ {} ms | honest ≥ {}% |",
        100.0 + args.rss_tolerance,
        args.healthz_ms,
        args.min_success
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    for r in rows {
        let _ = writeln!(
            s,
            "| {}. {} | {} | {} → {} → {} ({:.0}%) | {} ({}) | {}/{} ({:.1}%); {}, {} | {} | {} | {} |",
            r.number,
            r.title,
            r.traffic,
            fmt_mib(r.rss_idle),
            fmt_mib(r.rss_peak),
            fmt_mib(r.rss_after),
            100.0 * r.rss_after / r.rss_idle,
            fmt_ms(r.healthz_p99),
            fmt_ms(r.healthz_max),
            r.honest_ok,
            r.honest_sent,
            if r.honest_sent == 0 {
                100.0
            } else {
                100.0 * r.honest_ok as f64 / r.honest_sent as f64
            },
            fmt_ms(r.reads_p99),
            fmt_ms(r.logins_max),
            verdict(r.rss_pass),
            verdict(r.healthz_pass),
            verdict(r.honest_pass),
        );
    }
    let passed = rows.iter().filter(|r| r.passed()).count();
    let failed: Vec<String> = rows
        .iter()
        .filter(|r| !r.passed())
        .map(|r| {
            let mut what = Vec::new();
            if r.host_gone {
                what.push("the host died");
            }
            if !r.rss_pass {
                what.push("RSS");
            }
            if !r.healthz_pass {
                what.push("/healthz");
            }
            if !r.honest_pass {
                what.push("honest client");
            }
            format!("{} ({})", r.number, what.join(", "))
        })
        .collect();
    let _ = writeln!(s);
    if failed.is_empty() {
        let _ = writeln!(
            s,
            "summary: PASS: all {passed} attacks met all three criteria"
        );
    } else {
        let _ = writeln!(
            s,
            "summary: FAIL: {passed} of {} attacks met all three criteria; not met: {}",
            rows.len(),
            failed.join("; ")
        );
    }
    let _ = writeln!(
        s,
        "================================================================="
    );
    s
}

/// Reads the rows that runs with `--results` wrote.
fn read_rows(path: &std::path::Path) -> Result<Vec<Row>, BoxError> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<Value>(l)
                .ok()
                .as_ref()
                .and_then(Row::from_json)
                .ok_or_else(|| format!("{}: not a row: {l}", path.display()).into())
        })
        .collect()
}

/// Appends `row` to the `--results` file.
fn append_row(path: &std::path::Path, row: &Row) -> Result<(), BoxError> {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writeln!(f, "{}", row.to_json())?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = Args::parse();
    if let Some(path) = &args.summarize {
        print!("{}", summary(&args, &read_rows(path)?));
        return Ok(());
    }
    let (Some(base), Some(pid)) = (args.base.as_deref(), args.pid) else {
        return Err("--base and --pid are required".into());
    };
    let base = base.trim_end_matches('/').to_owned();
    let addr = socket_address(&base)?;
    if !addr.ip().is_loopback() {
        return Err(format!("--base must be a loopback address, not {addr}").into());
    }
    let honest = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .no_proxy()
        .build()?;
    let probe = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .pool_max_idle_per_host(0)
        .tcp_nodelay(true)
        .no_proxy()
        .build()?;
    let attacker = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .no_proxy()
        .build()?;
    let products = seed(&args, &honest, &base).await?;
    if products.is_empty() {
        return Err("--products must be at least 1".into());
    }
    let ctx = Arc::new(Ctx {
        base,
        addr,
        pid,
        honest,
        probe,
        attacker,
        products,
        honest_email: HONEST_EMAIL.to_owned(),
        honest_password: HONEST_PASSWORD.to_owned(),
    });
    let mut noise = Noise::new(vec![std::process::id(), pid], Vec::new());
    let mut rows = Vec::new();
    for attack in args.attacks.clone() {
        let row = run_attack(attack, &ctx, &args, &mut noise).await?;
        if let Some(path) = &args.results {
            append_row(path, &row)?;
        }
        let gone = row.host_gone;
        rows.push(row);
        if gone {
            println!("the host died: the remaining attacks are not run");
            break;
        }
    }
    if args.results.is_none() {
        print!("{}", summary(&args, &rows));
    }
    Ok(())
}
