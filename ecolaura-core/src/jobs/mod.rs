//! Background jobs: what a job is, how retries back off, the worker that runs
//! them and the handlers for the library's own jobs.
//!
//! Jobs are enqueued inside the unit of work that causes them (an order
//! placement enqueues `process_order` in the same transaction), so a job is
//! never lost and never made for a write that did not happen. A job may run
//! more than once (a worker can die after the work but before `complete`), so
//! handlers are idempotent.

mod delivery;
mod handlers;
mod library;
mod rescore;
mod reset;
mod stats;
mod worker;

pub use delivery::{DeliveryHandler, RelayingMailer};
pub use handlers::confirmation_key;
pub use handlers::{OrderJobHandler, ShopMail};
pub use library::LibraryJobHandler;
pub use rescore::RescoringHandler;
pub use reset::{PasswordResetHandler, password_reset_key};
pub use stats::{KindStats, QueueStats, StatsGroup};
pub use worker::{JobError, JobEvent, JobHandler, JobObserver, JobOutcome, Worker, WorkerConfig};

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::domain::{JobId, OrderId, Timestamp};

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Confirm a pending order (`pending → confirmed`), then enqueue its e-mail.
    ProcessOrder,
    /// Send an order's confirmation e-mail and record when it went.
    SendOrderConfirmation,
    /// Mail a password-reset token to an address, if it has an account.
    SendPasswordReset,
    /// Rescore the catalog with a newly published score policy, in batches.
    RescoreCatalog,
    /// Hand one outbox message to the SMTP relay and record its delivery.
    DeliverEmail,
}

/// A job kind name that is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown job kind {0:?}")]
pub struct UnknownJobKind(pub String);

impl JobKind {
    /// Every kind, in a fixed order.
    pub const ALL: [JobKind; 5] = [
        JobKind::ProcessOrder,
        JobKind::SendOrderConfirmation,
        JobKind::SendPasswordReset,
        JobKind::RescoreCatalog,
        JobKind::DeliverEmail,
    ];

    /// The storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::ProcessOrder => "process_order",
            JobKind::SendOrderConfirmation => "send_order_confirmation",
            JobKind::SendPasswordReset => "send_password_reset",
            JobKind::RescoreCatalog => "rescore_catalog",
            JobKind::DeliverEmail => "deliver_email",
        }
    }
}

impl FromStr for JobKind {
    type Err = UnknownJobKind;
    fn from_str(s: &str) -> Result<Self, UnknownJobKind> {
        match s {
            "process_order" => Ok(JobKind::ProcessOrder),
            "send_order_confirmation" => Ok(JobKind::SendOrderConfirmation),
            "send_password_reset" => Ok(JobKind::SendPasswordReset),
            "rescore_catalog" => Ok(JobKind::RescoreCatalog),
            "deliver_email" => Ok(JobKind::DeliverEmail),
            other => Err(UnknownJobKind(other.to_owned())),
        }
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for `run_at`.
    Queued,
    /// Held by a worker until `locked_until`.
    Running,
    /// Finished.
    Done,
    /// Failed its last attempt; kept for inspection, never run again.
    Dead,
}

impl JobStatus {
    /// The storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Dead => "dead",
        }
    }
}

impl FromStr for JobStatus {
    type Err = UnknownJobKind;
    fn from_str(s: &str) -> Result<Self, UnknownJobKind> {
        match s {
            "queued" => Ok(JobStatus::Queued),
            "running" => Ok(JobStatus::Running),
            "done" => Ok(JobStatus::Done),
            "dead" => Ok(JobStatus::Dead),
            other => Err(UnknownJobKind(other.to_owned())),
        }
    }
}

/// The `last_error` of a job whose lease ran out before its holder answered.
pub const LEASE_EXPIRED: &str = "lease expired: the worker holding the job stopped answering";

/// When a lease of `lease` taken at `now` ends (at `now` if that would
/// overflow the calendar): the rule every store applies to claims and
/// heartbeats.
pub fn lease_end(now: Timestamp, lease: Duration) -> Timestamp {
    let lease = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    now.checked_add_signed(lease).unwrap_or(now)
}

/// Where the rescuer puts a job whose lease ran out after `attempts` of
/// `max_attempts`: `dead` when that was its last attempt, else `queued`
/// again, due at once (the attempt that was lost already counts).
pub fn rescued_status(attempts: u32, max_attempts: u32) -> JobStatus {
    if attempts >= max_attempts {
        JobStatus::Dead
    } else {
        JobStatus::Queued
    }
}

/// The payload of the library's jobs: which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderJob {
    /// The order the job is about.
    pub order_id: OrderId,
}

/// The payload of a password-reset job: the address asked for. The job, not
/// the request, looks the account up, so a request for an address without an
/// account takes as long as one with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordResetJob {
    /// The address a reset was asked for.
    pub email: crate::domain::Email,
}

/// The payload of a rescoring job: the policy version to rescore with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescoringJob {
    /// The published version of the default policy's rules.
    pub version: u32,
}

/// The payload of a delivery job: which outbox message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryJob {
    /// The message's [`dedup_key`](crate::mail::OutgoingEmail::dedup_key).
    pub dedup_key: String,
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// Identifier.
    pub id: JobId,
    /// What it does.
    pub kind: JobKind,
    /// Its input, as JSON.
    pub payload: serde_json::Value,
    /// Not before.
    pub run_at: Timestamp,
    /// Attempts before it is dead.
    pub max_attempts: u32,
}

impl NewJob {
    /// The default number of attempts.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

    /// A job about one order, due now.
    pub fn for_order(kind: JobKind, order_id: OrderId, now: Timestamp) -> Self {
        Self {
            id: JobId::new(),
            kind,
            payload: serde_json::json!({ "order_id": order_id }),
            run_at: now,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// The rescoring of the catalog with policy `version`, due now. It
    /// resumes where it stopped, so it may take many attempts (each after a
    /// crash or a lost database) without redoing a batch.
    pub fn rescoring(version: u32, now: Timestamp) -> Self {
        Self {
            id: JobId::new(),
            kind: JobKind::RescoreCatalog,
            payload: serde_json::json!(RescoringJob { version }),
            run_at: now,
            max_attempts: 20,
        }
    }

    /// The delivery of the outbox message under `dedup_key` to the relay,
    /// due now. A relay can be down for a while: the attempts, backed off up
    /// to 5 minutes apart, span 14 to 28 minutes before the job is dead.
    pub fn email_delivery(dedup_key: &str, now: Timestamp) -> Self {
        Self {
            id: JobId::new(),
            kind: JobKind::DeliverEmail,
            payload: serde_json::json!(DeliveryJob {
                dedup_key: dedup_key.to_owned()
            }),
            run_at: now,
            max_attempts: 14,
        }
    }

    /// A password-reset e-mail for `email`, due now.
    pub fn password_reset(email: &crate::domain::Email, now: Timestamp) -> Self {
        Self {
            id: JobId::new(),
            kind: JobKind::SendPasswordReset,
            payload: serde_json::json!({ "email": email }),
            run_at: now,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
        }
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Identifier.
    pub id: JobId,
    /// What it does.
    pub kind: JobKind,
    /// Its input.
    pub payload: serde_json::Value,
    /// Where it is.
    pub status: JobStatus,
    /// Attempts started so far (a claim starts one).
    pub attempts: u32,
    /// Attempts before it is dead.
    pub max_attempts: u32,
    /// Not before.
    pub run_at: Timestamp,
    /// While `running`: the lease's end, after which another worker may take it.
    pub locked_until: Option<Timestamp>,
    /// The last failure's message.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl Job {
    /// The payload as an [`OrderJob`].
    pub fn order_job(&self) -> Result<OrderJob, serde_json::Error> {
        serde_json::from_value(self.payload.clone())
    }

    /// The payload as a [`RescoringJob`].
    pub fn rescoring_job(&self) -> Result<RescoringJob, serde_json::Error> {
        serde_json::from_value(self.payload.clone())
    }

    /// The payload as a [`DeliveryJob`].
    pub fn delivery_job(&self) -> Result<DeliveryJob, serde_json::Error> {
        serde_json::from_value(self.payload.clone())
    }

    /// The payload as a [`PasswordResetJob`].
    pub fn password_reset_job(&self) -> Result<PasswordResetJob, serde_json::Error> {
        serde_json::from_value(self.payload.clone())
    }
}

/// A job held by one worker. `token` fences the lease: once the lease expires
/// and another worker claims the job, the first worker's `complete` or `fail`
/// is refused with [`StoreError::LeaseLost`](crate::ports::StoreError::LeaseLost).
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    /// The job, with `attempts` already counting this one.
    pub job: Job,
    /// This claim's fencing token.
    pub token: uuid::Uuid,
}

/// After a failed attempt: try again at a time, or give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Back to the queue, due at this time.
    RetryAt(Timestamp),
    /// Dead: never run again.
    Dead,
}

/// Counts of jobs by status (done ones included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JobCounts {
    /// Waiting.
    pub queued: u64,
    /// Held by a worker.
    pub running: u64,
    /// Finished.
    pub done: u64,
    /// Given up.
    pub dead: u64,
}

/// Exponential backoff with jitter.
///
/// The delay after attempt `n` (1-based) is `base × 2^(n-1)`, capped at
/// `max_delay`, then drawn uniformly from its upper half ("equal jitter") so
/// that jobs failing together do not retry together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first delay.
    pub base_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The delay before the attempt after attempt `attempt`.
    pub fn delay_after(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let full = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let half = full / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// What to do after `job`'s current attempt failed at `now`.
    pub fn decide(&self, job: &Job, now: Timestamp) -> RetryDecision {
        if job.attempts >= job.max_attempts {
            return RetryDecision::Dead;
        }
        let delay = chrono::Duration::from_std(self.delay_after(job.attempts))
            .unwrap_or(chrono::Duration::MAX);
        RetryDecision::RetryAt(crate::domain::truncate_to_micros(
            now.checked_add_signed(delay).unwrap_or(now),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn backoff_grows_and_stays_within_bounds(attempt in 1u32..40, base_ms in 1u64..5000, max_s in 1u64..3600) {
            let p = RetryPolicy { base_delay: Duration::from_millis(base_ms), max_delay: Duration::from_secs(max_s) };
            let d = p.delay_after(attempt);
            let full = Duration::from_millis(base_ms).saturating_mul(1 << (attempt - 1).min(30)).min(p.max_delay);
            prop_assert!(d >= full / 2 && d <= full);
        }
    }
}
