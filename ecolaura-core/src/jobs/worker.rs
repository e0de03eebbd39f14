//! The worker: one claim loop per job kind, each with its own concurrency
//! limit, a completer that records finished jobs in batches, a heartbeat
//! that keeps the leases of running jobs alive, and a rescuer that queues
//! again the jobs whose holder vanished. It stops gracefully.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use super::{ClaimedJob, Job, JobKind, RetryDecision, RetryPolicy};
use crate::domain::JobId;
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

    /// Whether this handler runs jobs of `kind`. A worker claims only the
    /// kinds its handler runs, and leaves the others to workers that do
    /// (e-mail delivery, for one, runs only where a relay is configured).
    fn handles(&self, kind: JobKind) -> bool {
        let _ = kind;
        true
    }
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
    /// Jobs of each kind run at once (8): every [`JobKind`] has its own
    /// claim loop and its own slots, so one kind's backlog never holds
    /// another kind back.
    pub concurrency: usize,
    /// How long a claim holds a job (15 s). Running jobs renew it every
    /// third of it (the heartbeat), so a job may run longer; a job whose
    /// worker vanished is taken back within about one lease.
    pub lease: Duration,
    /// How long an idle claim loop waits before looking again, when nothing wakes it (1 s).
    pub idle_poll: Duration,
    /// The least time between two claims of one kind (50 ms; River's
    /// `FetchCooldown` plays the same part), except after a claim that found
    /// at least half the jobs it asked for (a backlog): then the next goes as
    /// soon as half the slots are free. Without it every finished job frees a slot that a claim of
    /// its own refills, and under a steady trickle of jobs most of the
    /// database's work is claims of one or two jobs. With it a claim takes
    /// what arrived during the cooldown, and a job waits for it at most that
    /// long.
    pub claim_cooldown: Duration,
    /// How often leases that ran out are rescued (5 s).
    pub rescue_every: Duration,
    /// How often the queue's dead row versions are cleared at the least
    /// ([`JobQueue::vacuum`], 30 s), so claims stay as cheap as on a fresh
    /// table even where autovacuum is off.
    pub vacuum_every: Duration,
    /// Clear them sooner, once this worker has finished this many jobs
    /// since the last time (20,000): a busy queue leaves dead versions
    /// faster, and each claim would pass over them.
    pub vacuum_after_jobs: u64,
    /// Finished jobs recorded by one statement at most (500).
    pub completion_batch: usize,
    /// Backoff between attempts.
    pub retry: RetryPolicy,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 8,
            lease: Duration::from_secs(15),
            idle_poll: Duration::from_secs(1),
            claim_cooldown: Duration::from_millis(50),
            rescue_every: Duration::from_secs(5),
            vacuum_every: Duration::from_secs(30),
            vacuum_after_jobs: 20_000,
            completion_batch: 500,
            retry: RetryPolicy::default(),
        }
    }
}

impl WorkerConfig {
    /// How often running jobs renew their lease: a third of it.
    pub fn heartbeat_every(&self) -> Duration {
        (self.lease / 3).max(Duration::from_millis(10))
    }
}

/// A handler's success, waiting for the completer to record it.
struct Finished {
    claim: ClaimedJob,
    started: Instant,
}

/// The claims whose handler is running, for the heartbeat.
#[derive(Default)]
struct InFlight(Mutex<HashMap<JobId, ClaimedJob>>);

impl InFlight {
    fn insert(&self, claim: &ClaimedJob) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(claim.job.id, claim.clone());
    }

    fn remove(&self, id: JobId) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
    }

    fn snapshot(&self) -> Vec<ClaimedJob> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }
}

struct Inner {
    queue: Arc<dyn JobQueue>,
    handler: Arc<dyn JobHandler>,
    clock: Arc<dyn Clock>,
    config: WorkerConfig,
    observer: Option<Arc<dyn JobObserver>>,
    in_flight: InFlight,
    /// Jobs finished since the queue was last vacuumed.
    finished_since_vacuum: AtomicU64,
}

/// How often the vacuumer looks at the count of finished jobs.
const VACUUM_CHECK_EVERY: Duration = Duration::from_secs(1);

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
                in_flight: InFlight::default(),
                finished_since_vacuum: AtomicU64::new(0),
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
            in_flight: InFlight::default(),
            finished_since_vacuum: AtomicU64::new(0),
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The settings.
    pub fn config(&self) -> &WorkerConfig {
        &self.inner.config
    }

    /// Claim and run one due job, if there is one (of the kinds the handler
    /// runs, in [`JobKind::ALL`] order).
    pub async fn run_once(&self) -> Result<Option<JobEvent>, StoreError> {
        for kind in self.kinds() {
            let now = self.inner.clock.now();
            if let Some(claim) = self
                .inner
                .queue
                .claim(kind, now, self.inner.config.lease)
                .await?
            {
                let event = match self.attempt(claim).await {
                    Ok(done) => self.record(vec![done]).await.remove(0),
                    Err(event) => event,
                };
                return Ok(Some(event));
            }
        }
        Ok(None)
    }

    /// Run due jobs until none is due, up to `concurrency` of each kind at a
    /// time (claimed together in one batch, completed together in one
    /// statement); returns how many ran. Leases that ran out are rescued
    /// first, and jobs enqueued by the jobs themselves run too. For tests,
    /// examples and one-shot maintenance.
    pub async fn drain(&self) -> Result<usize, StoreError> {
        let mut ran = 0;
        loop {
            let now = self.inner.clock.now();
            self.inner.queue.rescue_expired(now).await?;
            let mut batch = Vec::new();
            for kind in self.kinds() {
                batch.extend(
                    self.inner
                        .queue
                        .claim_batch(kind, now, self.inner.config.lease, self.slots())
                        .await?,
                );
            }
            if batch.is_empty() {
                return Ok(ran);
            }
            ran += batch.len();
            let mut running = JoinSet::new();
            for claim in batch {
                let me = self.clone();
                running.spawn(async move { me.attempt(claim).await });
            }
            let mut finished = Vec::new();
            while let Some(result) = running.join_next().await {
                if let Ok(Ok(done)) = result {
                    finished.push(done);
                }
            }
            if !finished.is_empty() {
                self.record(finished).await;
            }
        }
    }

    /// The kinds this worker claims: those its handler runs.
    fn kinds(&self) -> impl Iterator<Item = JobKind> + '_ {
        JobKind::ALL
            .into_iter()
            .filter(|&kind| self.inner.handler.handles(kind))
    }

    fn slots(&self) -> usize {
        self.inner.config.concurrency.max(1)
    }

    /// Run until `shutdown` resolves: a claim loop per kind (whenever slots
    /// are free, claim that many jobs in one batch; sleep on the queue when
    /// idle), the completer, the heartbeat and the rescuer. On a store that
    /// one process owns, the jobs an earlier process left `running` are taken
    /// back first. On shutdown, stop claiming, wait for the jobs in hand to
    /// finish and record them.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), StoreError> {
        let orphans = self
            .inner
            .queue
            .take_back_orphans(self.inner.clock.now())
            .await?;
        if orphans > 0 {
            tracing::info!(
                jobs = orphans,
                "took back jobs an earlier process left running"
            );
        }
        let (stop_tx, stop) = watch::channel(false);
        let capacity = self.inner.config.completion_batch.max(1) * 2;
        let (done_tx, done_rx) = mpsc::channel(capacity);
        let completer = tokio::spawn(self.clone().completer(done_rx));
        let mut loops = JoinSet::new();
        for kind in self.kinds() {
            loops.spawn(self.clone().claim_loop(kind, stop.clone(), done_tx.clone()));
        }
        drop(done_tx);
        let heartbeat = tokio::spawn(self.clone().heartbeat(stop.clone()));
        let rescuer = tokio::spawn(self.clone().rescuer(stop.clone()));
        let vacuumer = tokio::spawn(self.clone().vacuumer(stop.clone()));

        shutdown.await;
        let _ = stop_tx.send(true);
        tracing::info!(
            in_flight = self.inner.in_flight.snapshot().len(),
            "worker stopping; finishing jobs in hand"
        );
        while loops.join_next().await.is_some() {}
        // Every sender is gone once the loops end: the completer flushes and stops.
        let _ = completer.await;
        let _ = heartbeat.await;
        let _ = rescuer.await;
        let _ = vacuumer.await;
        Ok(())
    }

    /// Claim jobs of one kind into free slots until `stop`.
    async fn claim_loop(
        self,
        kind: JobKind,
        mut stop: watch::Receiver<bool>,
        done: mpsc::Sender<Finished>,
    ) {
        let config = self.inner.config;
        let slots = Arc::new(Semaphore::new(self.slots()));
        let half = self.slots().div_ceil(2);
        let mut running = JoinSet::new();
        let mut last_claim: Option<tokio::time::Instant> = None;
        let mut last_was_full = false;
        loop {
            while running.try_join_next().is_some() {}
            let first = tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s) => break,
                permit = slots.clone().acquire_owned() => match permit {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            let mut permits = vec![first];
            if let Some(last) = last_claim {
                let until = last + config.claim_cooldown;
                // Within the cooldown: after a claim that found only a few
                // jobs, wait for it to pass; after one that found at least
                // half of what it asked (a backlog), for it or for half the
                // slots, whichever comes first.
                let enough = if last_was_full { half } else { usize::MAX };
                while permits.len() < enough {
                    tokio::select! {
                        biased;
                        _ = stop.wait_for(|s| *s) => break,
                        () = tokio::time::sleep_until(until) => break,
                        permit = slots.clone().acquire_owned() => match permit {
                            Ok(p) => permits.push(p),
                            Err(_) => break,
                        },
                    }
                }
                if *stop.borrow() {
                    break;
                }
            }
            // Claim as many jobs as there are free slots, in one statement.
            while let Ok(p) = slots.clone().try_acquire_owned() {
                permits.push(p);
            }
            last_claim = Some(tokio::time::Instant::now());
            let now = self.inner.clock.now();
            let wanted = permits.len();
            let claimed = self
                .inner
                .queue
                .claim_batch(kind, now, config.lease, wanted)
                .await;
            // At least half of what was asked: jobs are waiting, do not pause.
            last_was_full = claimed.as_ref().is_ok_and(|b| b.len() * 2 >= wanted);
            match claimed {
                Ok(batch) if !batch.is_empty() => {
                    for (claim, permit) in batch.into_iter().zip(permits.drain(..)) {
                        let me = self.clone();
                        let done = done.clone();
                        running.spawn(async move {
                            if let Ok(finished) = me.attempt(claim).await {
                                // The slot frees now; the completer records the
                                // job with others. Closed only after the loops end.
                                let _ = done.send(finished).await;
                            }
                            drop(permit);
                        });
                    }
                    drop(permits); // slots the batch did not fill
                }
                Ok(_) => {
                    drop(permits);
                    tokio::select! {
                        biased;
                        _ = stop.wait_for(|s| *s) => break,
                        () = self.inner.queue.wait_for_jobs(config.idle_poll) => {}
                    }
                }
                Err(e) => {
                    drop(permits);
                    tracing::warn!(kind = %kind, error = %e, "claiming jobs failed; backing off");
                    tokio::select! {
                        biased;
                        _ = stop.wait_for(|s| *s) => break,
                        () = tokio::time::sleep(config.idle_poll) => {}
                    }
                }
            }
        }
        while running.join_next().await.is_some() {}
    }

    /// Record finished jobs in batches: whatever has arrived while the last
    /// batch was being written goes in the next one.
    async fn completer(self, mut done: mpsc::Receiver<Finished>) {
        let max = self.inner.config.completion_batch.max(1);
        let mut batch = Vec::with_capacity(max);
        while done.recv_many(&mut batch, max).await > 0 {
            self.record(std::mem::take(&mut batch)).await;
        }
    }

    /// Mark `finished` done in one statement and report each attempt.
    async fn record(&self, finished: Vec<Finished>) -> Vec<JobEvent> {
        let claims: Vec<ClaimedJob> = finished.iter().map(|f| f.claim.clone()).collect();
        self.inner
            .finished_since_vacuum
            .fetch_add(claims.len() as u64, Ordering::Relaxed);
        let lost = match self
            .inner
            .queue
            .complete_batch(&claims, self.inner.clock.now())
            .await
        {
            Ok(lost) => lost,
            Err(e) => {
                tracing::warn!(jobs = claims.len(), error = %e, "could not record finished jobs; their leases will run out and they will run again");
                claims.iter().map(|c| c.job.id).collect()
            }
        };
        finished
            .into_iter()
            .map(|f| {
                let outcome = if lost.contains(&f.claim.job.id) {
                    JobOutcome::LeaseLost
                } else {
                    JobOutcome::Done
                };
                self.report(&f.claim.job, outcome, f.started)
            })
            .collect()
    }

    /// Renew the leases of the jobs in hand until `stop`.
    async fn heartbeat(self, mut stop: watch::Receiver<bool>) {
        let every = self.inner.config.heartbeat_every();
        loop {
            tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s) => return,
                () = tokio::time::sleep(every) => {}
            }
            let held = self.inner.in_flight.snapshot();
            if held.is_empty() {
                continue;
            }
            let now = self.inner.clock.now();
            match self
                .inner
                .queue
                .extend_leases(&held, now, self.inner.config.lease)
                .await
            {
                Ok(lost) => {
                    // A job that finished since the snapshot is no longer
                    // running: only the ones still in hand were really lost.
                    let in_hand = self.inner.in_flight.snapshot();
                    let really = lost
                        .iter()
                        .filter(|id| in_hand.iter().any(|c| c.job.id == **id))
                        .count();
                    if really > 0 {
                        tracing::warn!(
                            jobs = really,
                            "leases lost while running; another worker may run these jobs too"
                        );
                    }
                }
                Err(e) => tracing::warn!(error = %e, "renewing leases failed"),
            }
        }
    }

    /// Queue again the jobs whose lease ran out, every `rescue_every`, until `stop`.
    async fn rescuer(self, mut stop: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s) => return,
                () = tokio::time::sleep(self.inner.config.rescue_every) => {}
            }
            match self
                .inner
                .queue
                .rescue_expired(self.inner.clock.now())
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::warn!(jobs = n, "rescued jobs whose lease ran out"),
                Err(e) => tracing::warn!(error = %e, "rescuing expired leases failed"),
            }
        }
    }

    /// Vacuum the queue every `vacuum_every`, or sooner once
    /// `vacuum_after_jobs` jobs were finished since the last time, until `stop`.
    async fn vacuumer(self, mut stop: watch::Receiver<bool>) {
        let config = self.inner.config;
        let mut last = Instant::now();
        loop {
            tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s) => return,
                () = tokio::time::sleep(VACUUM_CHECK_EVERY) => {}
            }
            let finished = self.inner.finished_since_vacuum.load(Ordering::Relaxed);
            if finished < config.vacuum_after_jobs && last.elapsed() < config.vacuum_every {
                continue;
            }
            self.inner.finished_since_vacuum.store(0, Ordering::Relaxed);
            last = Instant::now();
            if let Err(e) = self.inner.queue.vacuum().await {
                tracing::warn!(error = %e, "vacuuming the job queue failed");
            }
        }
    }

    /// Run one claimed job's handler. `Ok`: it succeeded and waits to be
    /// recorded; `Err`: it failed, and the failure is recorded already.
    async fn attempt(&self, claim: ClaimedJob) -> Result<Finished, JobEvent> {
        let started = Instant::now();
        self.inner.in_flight.insert(&claim);
        let handler = self.inner.handler.clone();
        let task_job = claim.job.clone();
        // Its own task, so a panicking handler is a failed attempt, not a dead worker.
        let result = tokio::spawn(async move { handler.handle(&task_job).await })
            .await
            .unwrap_or_else(|e| Err(JobError::Retry(format!("handler panicked: {e}"))));
        self.inner.in_flight.remove(claim.job.id);
        let job = &claim.job;
        let outcome = match result {
            Ok(()) => return Ok(Finished { claim, started }),
            Err(JobError::Retry(msg)) => {
                let decision = self.inner.config.retry.decide(job, self.inner.clock.now());
                self.fail(&claim, &msg, decision).await
            }
            Err(JobError::Permanent(msg)) => self.fail(&claim, &msg, RetryDecision::Dead).await,
        };
        Err(self.report(job, outcome, started))
    }

    /// Log an attempt's end and tell the observer.
    fn report(&self, job: &Job, outcome: JobOutcome, started: Instant) -> JobEvent {
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
            Err(e) => {
                if !matches!(e, StoreError::LeaseLost) {
                    tracing::warn!(job_id = %claim.job.id, error = %e, "could not record the job's failure; its lease will run out");
                }
                JobOutcome::LeaseLost
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::JobStatus;
    use crate::memory::ManualClock;
    use crate::ports::MockJobQueue;
    use std::sync::atomic::AtomicUsize;

    struct Nothing;

    #[async_trait]
    impl JobHandler for Nothing {
        async fn handle(&self, _job: &Job) -> Result<(), JobError> {
            Ok(())
        }
    }

    /// A queue with nothing to do, counting vacuums and rescues.
    fn idle_queue(vacuums: Arc<AtomicUsize>, rescues: Arc<AtomicUsize>) -> MockJobQueue {
        let mut q = MockJobQueue::new();
        q.expect_take_back_orphans().returning(|_| Ok(0));
        q.expect_claim_batch()
            .returning(|_, _, _, _| Ok(Vec::new()));
        // An idle claim loop sleeps on the queue; a blocking nap stands in.
        q.expect_wait_for_jobs()
            .returning(|_| std::thread::sleep(Duration::from_millis(20)));
        q.expect_rescue_expired().returning(move |_| {
            rescues.fetch_add(1, Ordering::SeqCst);
            Ok(0)
        });
        q.expect_vacuum().returning(move || {
            vacuums.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        q
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_running_worker_rescues_and_vacuums_on_its_own() {
        let (vacuums, rescues) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let worker = Worker::new(
            Arc::new(idle_queue(vacuums.clone(), rescues.clone())),
            Arc::new(Nothing),
            Arc::new(ManualClock::default()),
            WorkerConfig {
                rescue_every: Duration::from_millis(50),
                vacuum_every: Duration::from_millis(100),
                ..WorkerConfig::default()
            },
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(worker.run(async {
            let _ = stopped.await;
        }));
        // Wait (boundedly) until both have happened, with no jobs at all.
        for _ in 0..300 {
            if vacuums.load(Ordering::SeqCst) > 0 && rescues.load(Ordering::SeqCst) > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = stop.send(());
        running.await.expect("task").expect("worker");
        assert!(rescues.load(Ordering::SeqCst) > 0, "the rescuer never ran");
        assert!(
            vacuums.load(Ordering::SeqCst) > 0,
            "the queue was never vacuumed"
        );
    }

    /// A queue that always has exactly one job of each kind ready: a steady
    /// trickle. Counts claims.
    fn trickle_queue(claims: Arc<AtomicUsize>) -> MockJobQueue {
        let mut q = MockJobQueue::new();
        q.expect_take_back_orphans().returning(|_| Ok(0));
        q.expect_claim_batch().returning(move |kind, now, _, _| {
            claims.fetch_add(1, Ordering::SeqCst);
            let job = Job {
                id: JobId::new(),
                kind,
                payload: serde_json::json!({}),
                status: JobStatus::Running,
                attempts: 1,
                max_attempts: 3,
                run_at: now,
                locked_until: Some(now),
                last_error: None,
                created_at: now,
                updated_at: now,
            };
            Ok(vec![ClaimedJob {
                job,
                token: uuid::Uuid::new_v4(),
            }])
        });
        q.expect_complete_batch().returning(|_, _| Ok(Vec::new()));
        q.expect_extend_leases().returning(|_, _, _| Ok(Vec::new()));
        q.expect_wait_for_jobs().returning(|_| ());
        q.expect_rescue_expired().returning(|_| Ok(0));
        q.expect_vacuum().returning(|| Ok(()));
        q
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_trickle_of_jobs_is_claimed_in_batches_not_one_claim_per_job() {
        let claims = Arc::new(AtomicUsize::new(0));
        let worker = Worker::new(
            Arc::new(trickle_queue(claims.clone())),
            Arc::new(Nothing),
            Arc::new(ManualClock::default()),
            WorkerConfig {
                concurrency: 16,
                claim_cooldown: Duration::from_millis(100),
                ..WorkerConfig::default()
            },
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(worker.run(async {
            let _ = stopped.await;
        }));
        tokio::time::sleep(Duration::from_millis(500)).await;
        let _ = stop.send(());
        running.await.expect("task").expect("worker");
        // Each claim finds one job, fewer than its free slots: the next
        // waits out the cooldown. Without it, every finished job would be
        // refilled by a claim of its own, thousands in half a second.
        let claimed = claims.load(Ordering::SeqCst);
        let per_kind_at_most = 500 / 100 + 2;
        assert!(claimed >= JobKind::ALL.len(), "no claims at all");
        assert!(
            claimed <= JobKind::ALL.len() * per_kind_at_most,
            "{claimed} claims in 500 ms"
        );
    }
}
