//! What runs beside the API: the job workers, the periodic clean-up, the
//! throughput log and, for `ecolaura worker`, a metrics endpoint of its own.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ecolaura_core::accounts::LoginLimits;
use ecolaura_core::jobs::{JobEvent, JobKind, JobObserver, JobOutcome, WorkerConfig};
use ecolaura_core::{Ecolaura, Store};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::{EndpointExt, Route, get, handler};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::metrics::{JobMetrics, Metrics};

/// How often expired idempotency keys and old done jobs are purged.
const PURGE_EVERY: Duration = Duration::from_secs(60);

/// Done jobs deleted by one statement at most.
const PURGE_BATCH: u64 = 5_000;

/// How often a worker process logs its throughput.
const THROUGHPUT_EVERY: Duration = Duration::from_secs(10);

/// A future that resolves once `stop` turns true.
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Tells several observers about every attempt.
struct Observers(Vec<Arc<dyn JobObserver>>);

impl JobObserver for Observers {
    fn observe(&self, event: JobEvent) {
        for o in &self.0 {
            o.observe(event);
        }
    }
}

/// Counts finished jobs per kind, for the throughput log.
pub(crate) struct Throughput {
    done: HashMap<JobKind, AtomicU64>,
}

impl Throughput {
    fn new() -> Self {
        Self {
            done: JobKind::ALL
                .into_iter()
                .map(|k| (k, AtomicU64::new(0)))
                .collect(),
        }
    }

    /// Log how many jobs of each kind were done per second, every
    /// [`THROUGHPUT_EVERY`], until `stop`.
    fn spawn_log(self: Arc<Self>, stop: watch::Receiver<bool>) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut last = Instant::now();
            loop {
                tokio::select! {
                    () = stopped(stop.clone()) => return,
                    () = tokio::time::sleep(THROUGHPUT_EVERY) => {}
                }
                let secs = last.elapsed().as_secs_f64().max(0.001);
                last = Instant::now();
                let counts: Vec<(JobKind, u64)> = JobKind::ALL
                    .into_iter()
                    .map(|k| {
                        let n = self
                            .done
                            .get(&k)
                            .map_or(0, |c| c.swap(0, Ordering::Relaxed));
                        (k, n)
                    })
                    .collect();
                let total: u64 = counts.iter().map(|(_, n)| n).sum();
                if total > 0 {
                    let per_kind = counts
                        .iter()
                        .map(|(k, n)| format!("{k}={:.0}/s", *n as f64 / secs))
                        .collect::<Vec<_>>()
                        .join(" ");
                    tracing::info!(jobs_per_second = total as f64 / secs, "{per_kind}");
                }
            }
        })
    }
}

impl JobObserver for Throughput {
    fn observe(&self, event: JobEvent) {
        if event.outcome == JobOutcome::Done
            && let Some(c) = self.done.get(&event.kind)
        {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The workers a process runs, and what it needs to stop them.
pub(crate) struct Workers {
    worker: JoinHandle<()>,
    log: JoinHandle<()>,
}

impl Workers {
    /// Run `app`'s job worker with `concurrency` slots per kind, counting
    /// attempts into `metrics`, until `stop` turns true.
    pub(crate) fn spawn(
        app: &Ecolaura,
        concurrency: usize,
        metrics: Arc<Metrics>,
        stop: &watch::Receiver<bool>,
    ) -> Self {
        let config = WorkerConfig {
            concurrency,
            ..WorkerConfig::default()
        };
        let throughput = Arc::new(Throughput::new());
        let worker = app.worker(config).with_observer(Arc::new(Observers(vec![
            Arc::new(JobMetrics(metrics)),
            throughput.clone(),
        ])));
        let log = throughput.spawn_log(stop.clone());
        let until = stopped(stop.clone());
        let worker = tokio::spawn(async move {
            if let Err(e) = worker.run(until).await {
                tracing::error!(error = %crate::problem::ErrorChain(&e), "job worker stopped");
            }
        });
        Self { worker, log }
    }

    /// Wait up to `grace` for the jobs in hand to finish (the stop must have
    /// been sent).
    pub(crate) async fn finish(self, grace: Duration) {
        if tokio::time::timeout(grace, self.worker).await.is_err() {
            tracing::warn!(
                "jobs still running after the grace period; they will run again after their lease"
            );
        }
        let _ = self.log.await;
    }
}

/// Purge expired idempotency keys, ended sessions, failed logins outside
/// the throttle's window, and done jobs older than `retention` in
/// bounded batches, every minute until `stop`; and once a day (UTC),
/// rescore the products whose claims started or stopped holding
/// (`Catalog::rescore_for_claim_dates`).
pub(crate) fn spawn_purger(
    store: Arc<dyn Store>,
    app: &Ecolaura,
    retention: Duration,
    stop: &watch::Receiver<bool>,
) -> JoinHandle<()> {
    let clock = app.clock().clone();
    let catalog = app.catalog().clone();
    let stop = stop.clone();
    let retention = chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
    tokio::spawn(async move {
        let mut claims_rescored_on = None;
        loop {
            let now = clock.now();
            if claims_rescored_on != Some(now.date_naive()) {
                match catalog.rescore_for_claim_dates().await {
                    Ok(n) => {
                        claims_rescored_on = Some(now.date_naive());
                        if n > 0 {
                            tracing::info!(
                                rescored = n,
                                "products rescored as their claims started or lapsed"
                            );
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "rescoring for claim dates failed"),
                }
            }
            match store.purge_expired_idempotency(now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "expired idempotency keys purged"),
                Err(e) => tracing::warn!(error = %e, "purging idempotency keys failed"),
            }
            purge_accounts(store.as_ref(), now).await;
            let cutoff = now.checked_sub_signed(retention).unwrap_or(now);
            let mut purged = 0;
            loop {
                match store.purge_done_jobs(cutoff, PURGE_BATCH).await {
                    Ok(n) => {
                        purged += n;
                        if n < PURGE_BATCH || *stop.borrow() {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "purging done jobs failed");
                        break;
                    }
                }
            }
            if purged > 0 {
                tracing::info!(purged, "done jobs past their retention purged");
            }
            tokio::select! {
                _ = tokio::time::sleep(PURGE_EVERY) => {}
                () = stopped(stop.clone()) => return,
            }
        }
    })
}

/// How long ended sessions and used reset tokens are kept (for audit).
const ENDED_SESSION_RETENTION: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// Delete sessions and reset tokens that ended a day ago, and failed logins
/// that no longer count.
async fn purge_accounts(store: &dyn Store, now: ecolaura_core::domain::Timestamp) {
    let ended = now
        .checked_sub_signed(ENDED_SESSION_RETENTION)
        .unwrap_or(now);
    match store.purge_sessions(ended).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(purged = n, "ended sessions and reset tokens purged"),
        Err(e) => tracing::warn!(error = %e, "purging sessions failed"),
    }
    let window_start = LoginLimits::default().window_start(now);
    match store.purge_login_failures(window_start).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(purged = n, "failed logins outside the window purged"),
        Err(e) => tracing::warn!(error = %e, "purging failed logins failed"),
    }
}

/// What a worker process's metrics endpoint reads.
#[derive(Clone)]
struct WorkerMetrics {
    metrics: Arc<Metrics>,
    app: Ecolaura,
}

#[handler]
async fn worker_metrics(Data(state): Data<&WorkerMetrics>) -> String {
    let app = &state.app;
    state
        .metrics
        .refresh_queue(app.job_queue().as_ref(), app.clock().as_ref())
        .await;
    state.metrics.render(app.cache().stats())
}

#[handler]
fn worker_health() -> &'static str {
    "ok"
}

/// Serve `/metrics` (jobs by kind and outcome, the queue's depth and the age
/// of its oldest ready job) and `/healthz` for a worker process on `bind`,
/// until `stop`.
///
/// # Errors
/// When `bind` cannot be bound.
pub(crate) async fn serve_worker_metrics(
    bind: SocketAddr,
    metrics: Arc<Metrics>,
    app: Ecolaura,
    stop: &watch::Receiver<bool>,
) -> std::io::Result<JoinHandle<()>> {
    let acceptor = TcpListener::bind(bind).into_acceptor().await?;
    let addr = acceptor
        .local_addr()
        .into_iter()
        .find_map(|a| a.as_socket_addr().copied())
        .unwrap_or(bind);
    tracing::info!(%addr, "worker metrics at /metrics");
    let state = WorkerMetrics { metrics, app };
    let routes = Route::new()
        .at("/metrics", get(worker_metrics))
        .at("/healthz", get(worker_health))
        .data(state);
    let stop = stop.clone();
    Ok(tokio::spawn(async move {
        let server = poem::Server::new_with_acceptor(acceptor);
        if let Err(e) = server
            .run_with_graceful_shutdown(routes, stopped(stop), Some(Duration::from_secs(1)))
            .await
        {
            tracing::warn!(error = %e, "the worker metrics server stopped");
        }
    }))
}
