//! The job queue's health, for staff: what the metrics show, through the
//! auth policy.

use std::sync::Arc;

use crate::auth::{AccessDenied, Action, Actor, authorize};
use crate::jobs::QueueStats;
use crate::ports::{Clock, JobQueue, StoreError};

/// Why the queue's health could not be read.
#[derive(Debug, thiserror::Error)]
pub enum QueueHealthError {
    /// The actor may not read it.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads the queue's depth per kind and state, and the age of its oldest
/// ready job, for staff.
#[derive(Clone)]
pub struct QueueHealth {
    queue: Arc<dyn JobQueue>,
    clock: Arc<dyn Clock>,
}

impl QueueHealth {
    /// Over `queue`, telling time by `clock`.
    pub fn new(queue: Arc<dyn JobQueue>, clock: Arc<dyn Clock>) -> Self {
        Self { queue, clock }
    }

    /// Per job kind: ready, scheduled, running and dead jobs, and the
    /// `run_at` of the oldest ready one. Staff only.
    ///
    /// # Errors
    /// [`QueueHealthError::Denied`] for anyone but staff (or the system).
    pub async fn stats(&self, actor: &Actor) -> Result<QueueStats, QueueHealthError> {
        authorize(actor, Action::ReadQueueHealth)?;
        Ok(self.queue.queue_stats(self.clock.now()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserId;
    use crate::memory::ManualClock;
    use crate::ports::MockJobQueue;

    #[tokio::test]
    async fn staff_read_the_queue_and_customers_do_not() {
        let mut queue = MockJobQueue::new();
        queue
            .expect_queue_stats()
            .times(1)
            .returning(|_| Ok(QueueStats::default()));
        let health = QueueHealth::new(Arc::new(queue), Arc::new(ManualClock::default()));
        assert_eq!(
            health
                .stats(&Actor::staff(UserId::new()))
                .await
                .expect("staff")
                .kinds
                .len(),
            crate::jobs::JobKind::ALL.len()
        );
        assert!(matches!(
            health.stats(&Actor::customer(UserId::new())).await,
            Err(QueueHealthError::Denied(AccessDenied::Forbidden))
        ));
        assert!(matches!(
            health.stats(&Actor::Anonymous).await,
            Err(QueueHealthError::Denied(AccessDenied::Unauthenticated))
        ));
    }
}
