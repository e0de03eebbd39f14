//! Prometheus metrics: requests by route and status, jobs by kind and
//! outcome, cache hits and misses.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ecolaura_core::jobs::{JobEvent, JobKind, JobObserver, QueueStats};
use ecolaura_core::ports::{CacheStats, Clock, JobQueue};
use poem::http::{Method, StatusCode};
use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// Latency buckets in seconds: 0.5 ms to 10 s.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The host's metrics.
pub(crate) struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    jobs: IntCounterVec,
    job_seconds: HistogramVec,
    response_cache: IntCounterVec,
    queue_depth: IntGaugeVec,
    oldest_ready_age: GaugeVec,
    /// When the queue was last read for the gauges; held while reading, so
    /// concurrent scrapes wait for one reading instead of each making one.
    queue_read: tokio::sync::Mutex<Option<Instant>>,
}

/// The queue is read for the gauges at most this often, however often
/// `/metrics` is asked.
const QUEUE_READ_EVERY: Duration = Duration::from_secs(1);

/// A reading of the queue that takes longer is abandoned (the gauges keep
/// their last values), so a slow database does not hang `/metrics`.
const QUEUE_READ_TIMEOUT: Duration = Duration::from_secs(1);

/// The states `ecolaura_job_queue_depth` reports.
const QUEUE_STATES: [&str; 4] = ["ready", "scheduled", "running", "dead"];

impl Metrics {
    /// Fresh metrics in their own registry.
    ///
    /// # Errors
    /// Only when a metric definition is malformed (a bug).
    pub(crate) fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by route, method and status.",
            ),
            &["route", "method", "status"],
        )?;
        let request_seconds = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer HTTP requests, by route, method and status.",
            )
            .buckets(BUCKETS.to_vec()),
            &["route", "method", "status"],
        )?;
        let jobs = IntCounterVec::new(
            Opts::new(
                "ecolaura_jobs_total",
                "Job attempts finished, by kind and outcome.",
            ),
            &["kind", "outcome"],
        )?;
        let job_seconds = HistogramVec::new(
            HistogramOpts::new(
                "ecolaura_job_duration_seconds",
                "Time per job attempt, by kind.",
            )
            .buckets(BUCKETS.to_vec()),
            &["kind"],
        )?;
        let response_cache = IntCounterVec::new(
            Opts::new(
                "ecolaura_response_cache_requests_total",
                "Cacheable product reads, by result (hit or miss).",
            ),
            &["result"],
        )?;
        let queue_depth = IntGaugeVec::new(
            Opts::new(
                "ecolaura_job_queue_depth",
                "Jobs in the queue by kind and state: ready (due, waiting for a worker), scheduled (due later), running, dead.",
            ),
            &["kind", "state"],
        )?;
        let oldest_ready_age = GaugeVec::new(
            Opts::new(
                "ecolaura_job_oldest_ready_age_seconds",
                "How long the oldest ready job of each kind has waited for a worker (0 when none waits).",
            ),
            &["kind"],
        )?;
        registry.register(Box::new(queue_depth.clone()))?;
        registry.register(Box::new(oldest_ready_age.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(request_seconds.clone()))?;
        registry.register(Box::new(jobs.clone()))?;
        registry.register(Box::new(job_seconds.clone()))?;
        registry.register(Box::new(response_cache.clone()))?;
        for result in ["hit", "miss"] {
            response_cache.with_label_values(&[result]);
        }
        Ok(Self {
            registry,
            requests,
            request_seconds,
            jobs,
            job_seconds,
            response_cache,
            queue_depth,
            oldest_ready_age,
            queue_read: tokio::sync::Mutex::new(None),
        })
    }

    /// Read the queue into the gauges, unless it was read less than a
    /// second ago.
    pub(crate) async fn refresh_queue(&self, queue: &dyn JobQueue, clock: &dyn Clock) {
        let mut last = self.queue_read.lock().await;
        if last.is_some_and(|t| t.elapsed() < QUEUE_READ_EVERY) {
            return;
        }
        let now = clock.now();
        match tokio::time::timeout(QUEUE_READ_TIMEOUT, queue.queue_stats(now)).await {
            Ok(Ok(stats)) => self.queue(&stats, now),
            Ok(Err(e)) => tracing::warn!(error = %e, "reading the job queue for metrics failed"),
            Err(_) => tracing::warn!("reading the job queue for metrics timed out"),
        }
        *last = Some(Instant::now());
    }

    /// Set the queue gauges from a fresh reading taken at `now`.
    pub(crate) fn queue(&self, stats: &QueueStats, now: ecolaura_core::domain::Timestamp) {
        for kind in JobKind::ALL {
            let k = stats.of(kind);
            let label = kind.as_str();
            for (state, value) in
                QUEUE_STATES
                    .into_iter()
                    .zip([k.ready, k.scheduled, k.running, k.dead])
            {
                self.queue_depth
                    .with_label_values(&[label, state])
                    .set(i64::try_from(value).unwrap_or(i64::MAX));
            }
            self.oldest_ready_age
                .with_label_values(&[label])
                .set(k.oldest_ready_age(now).as_secs_f64());
        }
    }

    /// Count an answered request. Every label comes from a closed set: the
    /// route is an operation id or `unmatched`, the method one of the
    /// standard ones or `other` (a client may send any token as a method, and
    /// each distinct label value is a series kept for good).
    pub(crate) fn request(
        &self,
        route: &str,
        method: &Method,
        status: StatusCode,
        elapsed: Duration,
    ) {
        let labels = [route, method_label(method), status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.request_seconds
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Count a cacheable read.
    pub(crate) fn response_cache(&self, hit: bool) {
        self.response_cache
            .with_label_values(&[if hit { "hit" } else { "miss" }])
            .inc();
    }

    /// The text exposition, with the core cache's counters appended.
    pub(crate) fn render(&self, core_cache: CacheStats) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec cannot fail for well-formed metrics.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        let mut text = String::from_utf8(buf).unwrap_or_default();
        for (name, kind, help, value) in [
            (
                "ecolaura_cache_hits_total",
                "counter",
                "Read-cache lookups that found a value still true.",
                core_cache.hits,
            ),
            (
                "ecolaura_cache_misses_total",
                "counter",
                "Read-cache lookups that found nothing, or a value a write had changed.",
                core_cache.misses,
            ),
            (
                "ecolaura_cache_stale_total",
                "counter",
                "Read-cache lookups that found a value a write had changed (counted in misses too).",
                core_cache.stale,
            ),
            (
                "ecolaura_cache_refused_total",
                "counter",
                "Values loaded across a write that changed them, and so not kept.",
                core_cache.refused,
            ),
            (
                "ecolaura_cache_deferred_total",
                "counter",
                "Values not kept because their query had not been asked for before (kept on the second offer).",
                core_cache.deferred,
            ),
            (
                "ecolaura_cache_entries",
                "gauge",
                "Values the read cache holds (approximate).",
                core_cache.entries,
            ),
            (
                "ecolaura_cache_bytes",
                "gauge",
                "Bytes the read cache holds, as weighed (approximate).",
                core_cache.bytes,
            ),
        ] {
            text.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
            ));
        }
        text
    }
}

/// Counts job attempts into [`Metrics`].
pub(crate) struct JobMetrics(pub Arc<Metrics>);

impl JobObserver for JobMetrics {
    fn observe(&self, event: JobEvent) {
        let kind = event.kind.as_str();
        self.0
            .jobs
            .with_label_values(&[kind, event.outcome.as_str()])
            .inc();
        self.0
            .job_seconds
            .with_label_values(&[kind])
            .observe(event.elapsed.as_secs_f64());
    }
}

/// The metrics label of a request method: a standard method's name, else `other`.
fn method_label(method: &Method) -> &'static str {
    static KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ];
    KNOWN
        .iter()
        .find(|known| *known == method)
        .map_or("other", Method::as_str)
}
