//! Prometheus metrics: requests by route and status, jobs by kind and
//! outcome, cache hits and misses.

use std::sync::Arc;
use std::time::Duration;

use ecolaura_core::jobs::{JobEvent, JobObserver};
use ecolaura_core::ports::CacheStats;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// Latency buckets in seconds: 0.5 ms to 10 s.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The host's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    jobs: IntCounterVec,
    job_seconds: HistogramVec,
    response_cache: IntCounterVec,
}

impl Metrics {
    /// Fresh metrics in their own registry.
    ///
    /// # Errors
    /// Only when a metric definition is malformed (a bug).
    pub fn new() -> Result<Self, prometheus::Error> {
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
        })
    }

    /// Count an answered request.
    pub fn request(&self, route: &str, method: &str, status: &str, elapsed: Duration) {
        let labels = [route, method, status];
        self.requests.with_label_values(&labels).inc();
        self.request_seconds
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Count a cacheable read.
    pub fn response_cache(&self, hit: bool) {
        self.response_cache
            .with_label_values(&[if hit { "hit" } else { "miss" }])
            .inc();
    }

    /// The text exposition, with the core cache's counters appended.
    pub fn render(&self, core_cache: CacheStats) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec cannot fail for well-formed metrics.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        let mut text = String::from_utf8(buf).unwrap_or_default();
        for (name, help, value) in [
            (
                "ecolaura_cache_hits_total",
                "Core read-cache lookups that hit.",
                core_cache.hits,
            ),
            (
                "ecolaura_cache_misses_total",
                "Core read-cache lookups that missed.",
                core_cache.misses,
            ),
        ] {
            text.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
            ));
        }
        text
    }
}

/// Counts job attempts into [`Metrics`].
pub struct JobMetrics(pub Arc<Metrics>);

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
