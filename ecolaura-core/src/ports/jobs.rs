//! The job queue port.
//!
//! The queue is shaped after River and Oban: a claim takes only `queued`
//! jobs of one kind that are due, through an index that holds exactly those
//! rows, so its cost does not grow with the backlog; leases that ran out are
//! handed back by a separate, periodic rescue, never by the claim; finished
//! jobs are recorded in batches and purged after a retention.

use std::time::Duration;

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{JobId, Timestamp};
use crate::jobs::{ClaimedJob, Job, JobCounts, JobKind, NewJob, QueueStats, RetryDecision};

/// A durable queue of jobs with leases.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Add a job, `queued`, due at `job.run_at`.
    async fn enqueue(&self, job: NewJob, now: Timestamp) -> Result<(), StoreError>;

    /// Take up to `limit` due jobs of `kind` at once: `queued` ones with
    /// `run_at <= now`, earliest `run_at` first (ties by id), returned in that
    /// order. Each becomes `running` until `now + lease`, its `attempts` grows
    /// by one, and the claim gets a fresh fencing token. Jobs whose lease ran
    /// out are not taken here: [`JobQueue::rescue_expired`] queues them again.
    ///
    /// # Concurrency
    /// Concurrent claims never return the same job while its lease lasts.
    /// The cost of a claim does not depend on how many jobs wait.
    async fn claim_batch(
        &self,
        kind: JobKind,
        now: Timestamp,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<ClaimedJob>, StoreError>;

    /// Take the next due job of `kind`: [`JobQueue::claim_batch`] with a limit of one.
    async fn claim(
        &self,
        kind: JobKind,
        now: Timestamp,
        lease: Duration,
    ) -> Result<Option<ClaimedJob>, StoreError> {
        Ok(self.claim_batch(kind, now, lease, 1).await?.pop())
    }

    /// Mark claimed jobs `done`, all in one statement. Returns the ids of the
    /// claims that were *not* marked because their lease was lost (the job
    /// was claimed again since, or is no longer running); the others are done.
    async fn complete_batch(
        &self,
        claims: &[ClaimedJob],
        now: Timestamp,
    ) -> Result<Vec<JobId>, StoreError>;

    /// Mark one claimed job `done`.
    ///
    /// # Errors
    /// MUST return [`StoreError::LeaseLost`] when the job was claimed again
    /// since (the token differs) or is no longer running.
    async fn complete(&self, claim: &ClaimedJob, now: Timestamp) -> Result<(), StoreError> {
        let lost = self
            .complete_batch(std::slice::from_ref(claim), now)
            .await?;
        if lost.is_empty() {
            Ok(())
        } else {
            Err(StoreError::LeaseLost)
        }
    }

    /// Record a failed attempt: back to `queued` due at the retry time, or `dead`.
    /// `error` is kept as the job's `last_error`.
    ///
    /// # Errors
    /// As [`JobQueue::complete`].
    async fn fail(
        &self,
        claim: &ClaimedJob,
        now: Timestamp,
        error: &str,
        decision: RetryDecision,
    ) -> Result<(), StoreError>;

    /// The heartbeat of running jobs: move the lease of every claim still
    /// held to `now + lease`, in one statement. Returns the ids of the claims
    /// whose lease was already lost (untouched).
    async fn extend_leases(
        &self,
        claims: &[ClaimedJob],
        now: Timestamp,
        lease: Duration,
    ) -> Result<Vec<JobId>, StoreError>;

    /// The rescuer: every `running` job whose lease ended (`locked_until <=
    /// now`) goes back to `queued`, due `now`, with `last_error` saying its
    /// lease expired, or becomes `dead` when that was its last attempt.
    /// Returns how many were rescued. Its fencing token is cleared, so the
    /// lost holder's late answer is refused.
    ///
    /// # Concurrency
    /// Safe to run from several processes at once: each job is rescued once.
    async fn rescue_expired(&self, now: Timestamp) -> Result<u64, StoreError>;

    /// Called once when a worker starts. On storage that one process owns
    /// (an SQLite file) every `running` job is an orphan of an earlier
    /// process, so all are rescued at once, whatever their lease says, as
    /// [`JobQueue::rescue_expired`] does. On shared storage (Postgres) a
    /// starting worker cannot tell orphans from other hosts' jobs: nothing
    /// happens and the periodic rescue handles them. Returns how many.
    async fn take_back_orphans(&self, now: Timestamp) -> Result<u64, StoreError>;

    /// Give back the room of job rows that moved on (claimed, finished,
    /// purged), so that claims do not pass over their dead index entries.
    /// Postgres keeps dead row versions until a `VACUUM`; where autovacuum is
    /// off or behind, every claim would read more of them. On backends that
    /// free rows at once (SQLite, memory) this does nothing.
    ///
    /// # Concurrency
    /// Skips the work when another process is doing it.
    async fn vacuum(&self) -> Result<(), StoreError>;

    /// One job, whatever its status.
    async fn get_job(&self, id: JobId) -> Result<Option<Job>, StoreError>;

    /// How many jobs are in each status (done ones included: this scans them).
    async fn job_counts(&self) -> Result<JobCounts, StoreError>;

    /// What `/metrics` shows: per kind, jobs ready (due), scheduled (due
    /// later), running and dead, and the `run_at` of the oldest ready job.
    /// Done jobs are not counted, so the cost follows the live queue only.
    async fn queue_stats(&self, now: Timestamp) -> Result<QueueStats, StoreError>;

    /// Delete up to `limit` `done` jobs that finished before
    /// `finished_before`; returns how many. Jobs in any other status (`dead`
    /// ones included, kept for inspection) stay. Callers repeat while the
    /// answer is `limit`, so no single statement holds the table for long.
    async fn purge_done_jobs(
        &self,
        finished_before: Timestamp,
        limit: u64,
    ) -> Result<u64, StoreError>;

    /// Wait until a job may have become available (something was enqueued or
    /// released) or `timeout` passed, whichever is first. Spurious wake-ups are
    /// allowed; workers poll on timeout regardless.
    async fn wait_for_jobs(&self, timeout: Duration);
}
