//! The worker: claims jobs, runs their handler with a concurrency limit,
//! completes or fails them, and stops gracefully.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{ClaimedJob, Job, JobKind, RetryDecision, RetryPolicy};
use crate::ports::{Clock, JobQueue, StoreError};

/// Why a handler's attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt (storage down, mail system busy).
    #[error("{0}")]
    Retry(String),
    /// Will never succeed (bad payload): dead at once.
    #[error("{0}")]
    Permanent(String),
}

/// Runs one kind of job, or several. Must be idempotent: a job may run twice.
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// Do the job's work.
    async fn handle(&self, job: &Job) -> Result<(), JobError>;
}

/// How a job's attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// Done.
    Done,
    /// Failed; queued again.
    Retried,
    /// Failed for good.
    Dead,
    /// The lease ran out and another worker took the job; this result was dropped.
    LeaseLost,
}

impl JobOutcome {
    /// A label for metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            JobOutcome::Done => "done",
            JobOutcome::Retried => "retried",
            JobOutcome::Dead => "dead",
            JobOutcome::LeaseLost => "lease_lost",
        }
    }
}

/// One finished attempt, as told to a [`JobObserver`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobEvent {
    /// Which kind of job.
    pub kind: JobKind,
    /// How it ended.
    pub outcome: JobOutcome,
    /// How long the attempt took.
    pub elapsed: Duration,
}

/// Hears about every finished attempt (a host counts them for `/metrics`).
pub trait JobObserver: Send + Sync {
    /// An attempt finished.
    fn observe(&self, event: JobEvent);
}

/// Worker settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerConfig {
    /// Jobs run at once (2).
    pub concurrency: usize,
    /// How long a claim holds a job (60 s); a handler must finish within it,
    /// or the job is taken again by another worker.
    pub lease: Duration,
    /// How long an idle worker waits before looking again, when nothing wakes it (1 s).
    pub idle_poll: Duration,
    /// Backoff between attempts.
    pub retry: RetryPolicy,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 2,
            lease: Duration::from_secs(60),
            idle_poll: Duration::from_secs(1),
            retry: RetryPolicy::default(),
        }
    }
}

struct Inner {
    queue: Arc<dyn JobQueue>,
    handler: Arc<dyn JobHandler>,
    clock: Arc<dyn Clock>,
    config: WorkerConfig,
    observer: Option<Arc<dyn JobObserver>>,
}

/// Drives a [`JobHandler`] over a [`JobQueue`].
///
/// ```no_run
/// # async fn demo(app: ecolaura_core::Ecolaura) {
/// use ecolaura_core::jobs::WorkerConfig;
/// let worker = app.worker(WorkerConfig::default());
/// // Runs until ctrl-c, then finishes the jobs in hand.
/// let _ = worker.run(async { tokio::signal::ctrl_c().await.ok(); }).await;
/// # }
/// ```
#[derive(Clone)]
pub struct Worker {
    inner: Arc<Inner>,
}

impl Worker {
    /// A worker over `queue` running `handler`.
    pub fn new(
        queue: Arc<dyn JobQueue>,
        handler: Arc<dyn JobHandler>,
        clock: Arc<dyn Clock>,
        config: WorkerConfig,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                queue,
                handler,
                clock,
                config,
                observer: None,
            }),
        }
    }

    /// Tell `observer` about every finished attempt.
    pub fn with_observer(self, observer: Arc<dyn JobObserver>) -> Self {
        let inner = Inner {
            queue: self.inner.queue.clone(),
            handler: self.inner.handler.clone(),
            clock: self.inner.clock.clone(),
            config: self.inner.config,
            observer: Some(observer),
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Claim and run one due job, if there is one.
    pub async fn run_once(&self) -> Result<Option<JobEvent>, StoreError> {
        let now = self.inner.clock.now();
        match self.inner.queue.claim(now, self.inner.config.lease).await? {
            Some(claim) => Ok(Some(self.execute(claim).await)),
            None => Ok(None),
        }
    }

    /// Run due jobs until none is due, up to `concurrency` at a time (claimed
    /// together in one batch); returns how many ran. Jobs enqueued by the jobs
    /// themselves run too. For tests, examples and one-shot maintenance.
    pub async fn drain(&self) -> Result<usize, StoreError> {
        let mut ran = 0;
        loop {
            let now = self.inner.clock.now();
            let batch = self
                .inner
                .queue
                .claim_batch(now, self.inner.config.lease, self.slots())
                .await?;
            if batch.is_empty() {
                return Ok(ran);
            }
            ran += batch.len();
            let mut running = JoinSet::new();
            for claim in batch {
                let me = self.clone();
                running.spawn(async move { me.execute(claim).await });
            }
            while running.join_next().await.is_some() {}
        }
    }

    fn slots(&self) -> usize {
        self.inner.config.concurrency.max(1)
    }

    /// Run until `shutdown` resolves: whenever slots are free, claim that many
    /// jobs in one batch; sleep on the queue when idle. On shutdown, stop claiming and wait for
    /// the jobs in hand to finish.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), StoreError> {
        let config = self.inner.config;
        let slots = Arc::new(Semaphore::new(self.slots()));
        let mut running = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            while running.try_join_next().is_some() {}
            let first = tokio::select! {
                biased;
                () = &mut shutdown => break,
                permit = slots.clone().acquire_owned() => match permit {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            // Claim as many jobs as there are free slots, in one statement.
            let mut permits = vec![first];
            while let Ok(p) = slots.clone().try_acquire_owned() {
                permits.push(p);
            }
            let now = self.inner.clock.now();
            match self
                .inner
                .queue
                .claim_batch(now, config.lease, permits.len())
                .await
            {
                Ok(batch) if !batch.is_empty() => {
                    for (claim, permit) in batch.into_iter().zip(permits.drain(..)) {
                        let me = self.clone();
                        running.spawn(async move {
                            me.execute(claim).await;
                            drop(permit);
                        });
                    }
                    drop(permits); // slots the batch did not fill
                }
                Ok(_) => {
                    drop(permits);
                    tokio::select! {
                        biased;
                        () = &mut shutdown => break,
                        () = self.inner.queue.wait_for_jobs(config.idle_poll) => {}
                    }
                }
                Err(e) => {
                    drop(permits);
                    tracing::warn!(error = %e, "claiming jobs failed; backing off");
                    tokio::select! {
                        biased;
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(config.idle_poll) => {}
                    }
                }
            }
        }
        tracing::info!(
            in_flight = running.len(),
            "worker stopping; finishing jobs in hand"
        );
        while running.join_next().await.is_some() {}
        Ok(())
    }

    async fn execute(&self, claim: ClaimedJob) -> JobEvent {
        let started = Instant::now();
        let job = &claim.job;
        let outcome = if job.attempts > job.max_attempts {
            // A worker died holding the job on its last attempt.
            self.fail(
                &claim,
                "lease expired during the last attempt",
                RetryDecision::Dead,
            )
            .await
        } else {
            let handler = self.inner.handler.clone();
            let task_job = job.clone();
            // Its own task, so a panicking handler is a failed attempt, not a dead worker.
            let result = tokio::spawn(async move { handler.handle(&task_job).await })
                .await
                .unwrap_or_else(|e| Err(JobError::Retry(format!("handler panicked: {e}"))));
            match result {
                Ok(()) => match self
                    .inner
                    .queue
                    .complete(&claim, self.inner.clock.now())
                    .await
                {
                    Ok(()) => JobOutcome::Done,
                    Err(e) => self.store_trouble(job, e),
                },
                Err(JobError::Retry(msg)) => {
                    let decision = self.inner.config.retry.decide(job, self.inner.clock.now());
                    self.fail(&claim, &msg, decision).await
                }
                Err(JobError::Permanent(msg)) => self.fail(&claim, &msg, RetryDecision::Dead).await,
            }
        };
        let event = JobEvent {
            kind: job.kind,
            outcome,
            elapsed: started.elapsed(),
        };
        match outcome {
            JobOutcome::Done => tracing::debug!(job_id = %job.id, kind = %job.kind, "job done"),
            JobOutcome::Dead => {
                tracing::error!(job_id = %job.id, kind = %job.kind, attempts = job.attempts, "job dead")
            }
            other => {
                tracing::warn!(job_id = %job.id, kind = %job.kind, outcome = other.as_str(), "job attempt failed")
            }
        }
        if let Some(observer) = &self.inner.observer {
            observer.observe(event);
        }
        event
    }

    async fn fail(&self, claim: &ClaimedJob, msg: &str, decision: RetryDecision) -> JobOutcome {
        match self
            .inner
            .queue
            .fail(claim, self.inner.clock.now(), msg, decision)
            .await
        {
            Ok(()) if decision == RetryDecision::Dead => JobOutcome::Dead,
            Ok(()) => JobOutcome::Retried,
            Err(e) => self.store_trouble(&claim.job, e),
        }
    }

    /// Completing or failing did not stick: the lease is gone, or storage is
    /// down (then the lease runs out and the job is taken again).
    fn store_trouble(&self, job: &Job, e: StoreError) -> JobOutcome {
        if !matches!(e, StoreError::LeaseLost) {
            tracing::warn!(job_id = %job.id, error = %e, "could not record the job's outcome; its lease will run out");
        }
        JobOutcome::LeaseLost
    }
}
