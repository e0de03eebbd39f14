//! The order store port.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{OrderId, Page, PageRequest, ProductId, Seek, Stock, Timestamp, UserId};
use crate::idempotency::{IdempotencyStamp, IdempotentOutcome};
use crate::jobs::NewJob;
use crate::orders::{Order, OrderPosition, OrderRejection, OrderStatus, SustainabilitySummary};

/// A placement the service has priced: the order to write, the jobs it
/// causes and, optionally, the idempotency key it is placed under.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlacement {
    /// The order, `pending`, lines snapshotted.
    pub order: Order,
    /// Jobs to enqueue with it.
    pub jobs: Vec<NewJob>,
    /// The request's idempotency key, if it has one.
    pub idempotency: Option<IdempotencyStamp>,
}

/// What a placement did.
#[derive(Debug, Clone, PartialEq)]
pub enum PlacementOutcome {
    /// Written: stock taken, order stored, jobs enqueued, key recorded.
    Placed {
        /// The order as stored.
        order: Order,
        /// Each line's product and the units it has left after this
        /// placement, in line order (what caches need to know).
        stock_left: Vec<(ProductId, Stock)>,
    },
    /// Refused by the catalog's state; nothing taken. If the placement had a
    /// key, the rejection was recorded under it.
    Rejected(OrderRejection),
    /// A live record for the same key and request existed: its outcome,
    /// nothing done.
    Replayed(IdempotentOutcome),
    /// A live record for the same key but another request existed; nothing done.
    KeyReused,
}

impl From<crate::idempotency::Replay> for PlacementOutcome {
    fn from(replay: crate::idempotency::Replay) -> Self {
        match replay {
            crate::idempotency::Replay::Same(outcome) => PlacementOutcome::Replayed(outcome),
            crate::idempotency::Replay::KeyReused => PlacementOutcome::KeyReused,
        }
    }
}

/// A move along the order state machine, decided by the service.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    /// Which order.
    pub order_id: OrderId,
    /// The status the service saw; the change applies only if it still is.
    pub from: OrderStatus,
    /// The new status.
    pub to: OrderStatus,
    /// Give every line's quantity back to its product's stock.
    pub restock: bool,
    /// Jobs the move causes.
    pub enqueue: Vec<NewJob>,
    /// When.
    pub at: Timestamp,
}

impl StatusChange {
    /// `pending → confirmed` at `at`, with no restock and no jobs of its own.
    pub fn confirm(order_id: OrderId, at: Timestamp) -> Self {
        Self {
            order_id,
            from: OrderStatus::Pending,
            to: OrderStatus::Confirmed,
            restock: false,
            enqueue: Vec::new(),
            at,
        }
    }
}

/// Keeps orders. Implementations also implement
/// [`IdempotencyStore`](super::IdempotencyStore) and [`JobQueue`](super::JobQueue)
/// over the same storage, since placements write to all three at once.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Place an order, atomically: all of it or none of it.
    ///
    /// 1. With a key: a live record for (user, key) answers at once —
    ///    [`PlacementOutcome::Replayed`] for the same fingerprint,
    ///    [`PlacementOutcome::KeyReused`] for another.
    /// 2. For every line, take `quantity` from the product's stock if the
    ///    product exists, is not archived and has that many units; otherwise
    ///    take nothing for any line and return [`PlacementOutcome::Rejected`]
    ///    (the first failing line in order: `ProductUnavailable` or
    ///    `InsufficientStock` with the units available), recording it under the key.
    /// 3. Write the order and its lines, enqueue the jobs, record the key,
    ///    and return [`PlacementOutcome::Placed`] with the stock each line's
    ///    product has left.
    ///
    /// # Concurrency
    /// Stock never goes negative: N concurrent placements for the last k units
    /// sell exactly k. Concurrent placements with one key make one order at
    /// most; the others get `Replayed` (or `KeyReused`).
    async fn place_order(&self, placement: NewPlacement) -> Result<PlacementOutcome, StoreError>;

    /// One order.
    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError>;

    /// Orders, newest first (ties by id descending); one user's only if `owner` is given.
    async fn list_orders(
        &self,
        owner: Option<UserId>,
        page: PageRequest,
    ) -> Result<Page<Order>, StoreError>;

    /// Orders from a position in the list [`OrderStore::list_orders`]
    /// reads (one user's only if `owner` is given): at most
    /// [`Seek::fetch`] of them, those after the position (the newest for
    /// the first page), or those before it nearest first. The position
    /// itself is never returned.
    async fn seek_orders(
        &self,
        owner: Option<UserId>,
        seek: &Seek<OrderPosition>,
    ) -> Result<Vec<Order>, StoreError>;

    /// How many orders there are, one user's only if `owner` is given.
    async fn count_orders(&self, owner: Option<UserId>) -> Result<u64, StoreError>;

    /// Apply a status change, atomically with its restock and its jobs.
    /// Returns the order as changed.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] for a missing order and
    /// [`StoreError::StaleWrite`] when its status is no longer `change.from`
    /// (nothing is changed then).
    async fn change_status(&self, change: StatusChange) -> Result<Order, StoreError>;

    /// Confirm a `pending` order and enqueue `jobs`, atomically, without
    /// reading the order back (the job that confirms orders runs this for
    /// every order, so it is one conditional update and one insert).
    /// Returns `false`, changing nothing, when the order is not `pending`
    /// (confirmed by an earlier run, or cancelled).
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] for a missing order.
    async fn confirm_order(
        &self,
        id: OrderId,
        at: Timestamp,
        jobs: &[NewJob],
    ) -> Result<bool, StoreError>;

    /// Record when the confirmation e-mail went, if not recorded yet (the
    /// first time stays).
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] for a missing order.
    async fn mark_confirmation_sent(&self, id: OrderId, at: Timestamp) -> Result<(), StoreError>;

    /// The user's [`SustainabilitySummary`] over orders that are not cancelled.
    async fn sustainability_summary(
        &self,
        user: UserId,
    ) -> Result<SustainabilitySummary, StoreError>;
}
