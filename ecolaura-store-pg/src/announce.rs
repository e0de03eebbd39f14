//! What a store tells other processes after its hot transactions commit,
//! batched: that jobs wait, and which products' stock moved.
//!
//! A `NOTIFY` inside a transaction holds one lock, shared by the whole
//! cluster, from the commit's start to its end, fsync included: every
//! notifying transaction commits one after the other. With one in every
//! placement and every confirmation, commits could not be grouped and order
//! throughput stopped at what a single committer can do (measured:
//! docs/performance.md, "Sustained load"). So the hot paths do not notify in
//! their transaction; they hand what to announce to an [`Announcer`], which
//! sends everything handed to it within a short window as one statement
//! after the commits.
//!
//! What that gives up, and why it is safe:
//! - A job's wake-up arrives up to [`WINDOW`] later. Workers also poll, so a
//!   lost wake-up delays a job by one poll interval at most.
//! - Another host learns of a stock change up to [`WINDOW`] later, and never
//!   if this process dies within that window: its cached reads showing that
//!   product keep the old stock until their time to live (5 minutes by
//!   default). Shown stock is advisory; a placement always checks the
//!   stored stock. Writes of product fields (staff edits) still notify in
//!   their own transaction, atomically.

use std::mem;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ecolaura_core::catalog::CatalogChange;
use sqlx::PgPool;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::invalidation::notify_catalog;
use crate::notify::JOBS_CHANNEL;

/// How long announcements gather before they are sent together.
pub(crate) const WINDOW: Duration = Duration::from_millis(5);

/// Changes kept for the next send at most; past it they fold into
/// [`CatalogChange::Everything`], so memory stays bounded even while the
/// database cannot be reached.
const MAX_PENDING_CHANGES: usize = 10_000;

/// What waits to be sent.
#[derive(Debug, Default, PartialEq)]
struct Pending {
    jobs: bool,
    changes: Vec<CatalogChange>,
}

impl Pending {
    fn add(&mut self, jobs: bool, changes: &[CatalogChange]) {
        self.jobs |= jobs;
        if self.changes.first() == Some(&CatalogChange::Everything) {
            return;
        }
        if self.changes.len() + changes.len() > MAX_PENDING_CHANGES
            || changes.contains(&CatalogChange::Everything)
        {
            self.changes = vec![CatalogChange::Everything];
        } else {
            self.changes.extend_from_slice(changes);
        }
    }

    fn is_empty(&self) -> bool {
        !self.jobs && self.changes.is_empty()
    }
}

struct Shared {
    pending: Mutex<Pending>,
    wake: Notify,
    closed: AtomicBool,
}

/// Sends what it is handed after the commits, batched (see the module).
pub(crate) struct Announcer {
    shared: Arc<Shared>,
    pool: PgPool,
    origin: Uuid,
    started: AtomicBool,
}

impl Announcer {
    /// Announcements tagged with `origin` (so this store's own listener
    /// skips them), sent on `pool`.
    pub(crate) fn new(pool: PgPool, origin: Uuid) -> Self {
        Self {
            shared: Arc::new(Shared {
                pending: Mutex::new(Pending::default()),
                wake: Notify::new(),
                closed: AtomicBool::new(false),
            }),
            pool,
            origin,
            started: AtomicBool::new(false),
        }
    }

    /// Announce, after a commit, that jobs wait (`jobs`) and that `changes`
    /// happened. Call it only once the transaction has committed.
    pub(crate) fn announce(&self, jobs: bool, changes: &[CatalogChange]) {
        if !jobs && changes.is_empty() {
            return;
        }
        self.shared
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .add(jobs, changes);
        if !self.started.swap(true, Ordering::AcqRel) {
            tokio::spawn(send_batches(
                self.shared.clone(),
                self.pool.clone(),
                self.origin,
            ));
        }
        self.shared.wake.notify_one();
    }
}

impl Drop for Announcer {
    /// The sender sends what is pending, then stops.
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::Release);
        self.shared.wake.notify_one();
    }
}

async fn send_batches(shared: Arc<Shared>, pool: PgPool, origin: Uuid) {
    loop {
        shared.wake.notified().await;
        tokio::time::sleep(WINDOW).await;
        let batch = mem::take(
            &mut *shared
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        if !batch.is_empty() {
            send(&shared, &pool, origin, batch).await;
        }
        if shared.closed.load(Ordering::Acquire) {
            return;
        }
    }
}

async fn send(shared: &Shared, pool: &PgPool, origin: Uuid, batch: Pending) {
    let channels: &[&'static str] = if batch.jobs { &[JOBS_CHANNEL] } else { &[] };
    let statement = notify_catalog(origin, &batch.changes, channels);
    if let Err(e) = crate::execute(pool, &statement).await {
        // Kept for the next send; the listeners of other hosts drop their
        // cache on reconnection anyway if it was their side that failed.
        tracing::warn!(error = %e, "could not send notifications; keeping them for the next send");
        shared
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .add(batch.jobs, &batch.changes);
        if !shared.closed.load(Ordering::Acquire) {
            tokio::time::sleep(Duration::from_secs(1)).await;
            shared.wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use ecolaura_core::domain::{ProductId, Stock};

    #[test]
    fn pending_changes_fold_into_everything_past_the_bound() {
        let mut pending = Pending::default();
        let change = CatalogChange::stock_taken(ProductId::new(), Stock::new(1).unwrap());
        pending.add(false, std::slice::from_ref(&change));
        assert_eq!(pending.changes, std::slice::from_ref(&change));
        assert!(!pending.jobs);
        pending.add(true, &vec![change.clone(); MAX_PENDING_CHANGES]);
        assert_eq!(pending.changes, [CatalogChange::Everything]);
        assert!(pending.jobs);
        pending.add(false, &[change]);
        assert_eq!(pending.changes, [CatalogChange::Everything]);
    }
}
