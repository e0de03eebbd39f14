//! The job queue port.

use std::time::Duration;

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{JobId, Timestamp};
use crate::jobs::{ClaimedJob, Job, JobCounts, NewJob, RetryDecision};

/// A durable queue of jobs with leases.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Add a job, `queued`, due at `job.run_at`.
    async fn enqueue(&self, job: NewJob, now: Timestamp) -> Result<(), StoreError>;

    /// Take up to `limit` due jobs at once: `queued` ones with
    /// `run_at <= now`, or `running` ones whose lease ended
    /// (`locked_until <= now`), earliest `run_at` first (ties by id), returned
    /// in that order. Each becomes `running` until `now + lease`, its
    /// `attempts` grows by one, and the claim gets a fresh fencing token.
    ///
    /// # Concurrency
    /// Concurrent claims never return the same job while its lease lasts.
    async fn claim_batch(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<ClaimedJob>, StoreError>;

    /// Take the next due job: [`JobQueue::claim_batch`] with a limit of one.
    async fn claim(
        &self,
        now: Timestamp,
        lease: Duration,
    ) -> Result<Option<ClaimedJob>, StoreError> {
        Ok(self.claim_batch(now, lease, 1).await?.pop())
    }

    /// Mark a claimed job `done`.
    ///
    /// # Errors
    /// MUST return [`StoreError::LeaseLost`] when the job was claimed again
    /// since (the token differs) or is no longer running.
    async fn complete(&self, claim: &ClaimedJob, now: Timestamp) -> Result<(), StoreError>;

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

    /// One job, whatever its status.
    async fn get_job(&self, id: JobId) -> Result<Option<Job>, StoreError>;

    /// How many jobs are in each status.
    async fn job_counts(&self) -> Result<JobCounts, StoreError>;

    /// Delete `done` jobs that finished before `finished_before`; returns how
    /// many. Jobs in any other status (`dead` ones included, kept for
    /// inspection) stay.
    async fn purge_done_jobs(&self, finished_before: Timestamp) -> Result<u64, StoreError>;

    /// Wait until a job may have become available (something was enqueued or
    /// released) or `timeout` passed, whichever is first. Spurious wake-ups are
    /// allowed; workers poll on timeout regardless.
    async fn wait_for_jobs(&self, timeout: Duration);
}
