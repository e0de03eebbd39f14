//! The live queue as `/metrics` shows it: depth by kind and state, and how
//! long the oldest ready job has waited.

use std::time::Duration;

use super::{JobKind, JobStatus};
use crate::domain::Timestamp;

/// One kind's part of the live queue (done jobs are not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindStats {
    /// Which kind.
    pub kind: JobKind,
    /// `queued` and due: waiting for a free worker.
    pub ready: u64,
    /// `queued` and due later (retries waiting for their backoff).
    pub scheduled: u64,
    /// Held by a worker.
    pub running: u64,
    /// Given up; kept for inspection.
    pub dead: u64,
    /// The `run_at` of the oldest ready job.
    pub oldest_ready: Option<Timestamp>,
}

impl KindStats {
    /// Nothing of `kind`.
    pub fn empty(kind: JobKind) -> Self {
        Self {
            kind,
            ready: 0,
            scheduled: 0,
            running: 0,
            dead: 0,
            oldest_ready: None,
        }
    }

    /// How long the oldest ready job has waited at `now` (zero when none).
    pub fn oldest_ready_age(&self, now: Timestamp) -> Duration {
        self.oldest_ready
            .and_then(|t| (now - t).to_std().ok())
            .unwrap_or_default()
    }
}

/// The live queue, one [`KindStats`] per [`JobKind::ALL`], in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueStats {
    /// Per kind.
    pub kinds: Vec<KindStats>,
}

impl Default for QueueStats {
    fn default() -> Self {
        Self {
            kinds: JobKind::ALL.into_iter().map(KindStats::empty).collect(),
        }
    }
}

/// One group of jobs as a store counts them: a kind, a status, whether the
/// jobs are due, how many and the earliest `run_at` among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsGroup {
    /// Which kind.
    pub kind: JobKind,
    /// Which status (`done` groups are ignored).
    pub status: JobStatus,
    /// Whether `run_at <= now` (meaningful for `queued` only).
    pub due: bool,
    /// How many.
    pub count: u64,
    /// The earliest `run_at` of the group.
    pub earliest_run_at: Option<Timestamp>,
}

impl QueueStats {
    /// Fold a store's groups into per-kind figures.
    pub fn from_groups(groups: impl IntoIterator<Item = StatsGroup>) -> Self {
        let mut stats = Self::default();
        for g in groups {
            let Some(k) = stats.kinds.iter_mut().find(|k| k.kind == g.kind) else {
                continue;
            };
            match (g.status, g.due) {
                (JobStatus::Queued, true) => {
                    k.ready += g.count;
                    k.oldest_ready = match (k.oldest_ready, g.earliest_run_at) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
                (JobStatus::Queued, false) => k.scheduled += g.count,
                (JobStatus::Running, _) => k.running += g.count,
                (JobStatus::Dead, _) => k.dead += g.count,
                (JobStatus::Done, _) => {}
            }
        }
        stats
    }

    /// The figures of one kind.
    pub fn of(&self, kind: JobKind) -> KindStats {
        self.kinds
            .iter()
            .copied()
            .find(|k| k.kind == kind)
            .unwrap_or_else(|| KindStats::empty(kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(1_700_000_000 + s, 0).expect("in range")
    }

    #[test]
    fn groups_fold_into_ready_scheduled_running_and_dead_per_kind() {
        let g = |kind, status, due, count, earliest: Option<i64>| StatsGroup {
            kind,
            status,
            due,
            count,
            earliest_run_at: earliest.map(at),
        };
        let stats = QueueStats::from_groups([
            g(JobKind::ProcessOrder, JobStatus::Queued, true, 7, Some(10)),
            g(JobKind::ProcessOrder, JobStatus::Queued, false, 2, Some(99)),
            g(JobKind::ProcessOrder, JobStatus::Running, true, 3, Some(1)),
            g(
                JobKind::SendOrderConfirmation,
                JobStatus::Dead,
                true,
                1,
                None,
            ),
            g(
                JobKind::SendOrderConfirmation,
                JobStatus::Done,
                true,
                500,
                None,
            ),
        ]);
        let p = stats.of(JobKind::ProcessOrder);
        assert_eq!((p.ready, p.scheduled, p.running, p.dead), (7, 2, 3, 0));
        assert_eq!(p.oldest_ready_age(at(15)), Duration::from_secs(5));
        let e = stats.of(JobKind::SendOrderConfirmation);
        assert_eq!((e.ready, e.running, e.dead), (0, 0, 1));
        assert_eq!(e.oldest_ready_age(at(15)), Duration::ZERO);
    }
}
