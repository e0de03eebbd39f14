//! The cache port.

use std::any::Any;
use std::sync::Arc;

use async_trait::async_trait;

use crate::catalog::{CatalogChange, ReadScope};
use crate::domain::Timestamp;

/// A cached value: any shared, immutable value (a page of products, a
/// rendered response), cheap to clone. Readers downcast to what they stored.
pub type CachedValue = Arc<dyn Any + Send + Sync>;

/// A value to keep, with what it shows and what it weighs.
#[derive(Clone)]
pub struct CacheEntry {
    /// The value.
    pub value: CachedValue,
    /// What it shows: the changes that make it untrue are the ones that
    /// [affect](CatalogChange::affects) this scope.
    pub scope: Arc<ReadScope>,
    /// Roughly how many bytes the value holds (the cache adds the key's and
    /// the scope's).
    pub bytes: usize,
    /// The instant from which the value may be untrue with no write (a
    /// green claim's evidence starting or lapsing); `None`: only writes
    /// make it untrue.
    pub true_until: Option<Timestamp>,
}

impl std::fmt::Debug for CacheEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheEntry")
            .field("scope", &self.scope)
            .field("bytes", &self.bytes)
            .field("true_until", &self.true_until)
            .finish_non_exhaustive()
    }
}

/// Where the cache's history of changes stood when a read began. Take it
/// with [`Cache::ticket`] *before* loading and hand it to
/// [`Cache::insert`]: a change applied in between that affects what was
/// loaded keeps the value out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ReadTicket(pub u64);

/// Lookup counts since start, and the cache's size now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Lookups that found a value that is still true.
    pub hits: u64,
    /// Lookups that found nothing (or a value a change or the date had
    /// made untrue).
    pub misses: u64,
    /// Of the misses, those that found a value a change or the date had
    /// made untrue.
    pub stale: u64,
    /// Values offered to [`Cache::insert`] and refused because a change
    /// since their ticket affects them.
    pub refused: u64,
    /// Values offered to [`Cache::insert`] and not kept because their key
    /// had not been offered before (a cache that keeps a key on its second
    /// offer).
    pub deferred: u64,
    /// Entries held (approximate: evictions are counted lazily).
    pub entries: u64,
    /// Bytes held by entries, as weighed (approximate, as `entries`).
    pub bytes: u64,
}

/// An in-process cache of reads that knows what each value shows.
///
/// Writers [`apply`](Cache::apply) what they changed once it is stored;
/// from then on a lookup never returns a value that the change affects,
/// while values it does not affect stay. Readers take a
/// [`ticket`](Cache::ticket) before loading and [`insert`](Cache::insert)
/// with it, so a value loaded across a write is never kept: a write is
/// visible to the very next read.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Cache: Send + Sync {
    /// The value under `key`, unless a change has made it untrue or its
    /// [`true_until`](CacheEntry::true_until) has come; counts a hit or a
    /// miss.
    async fn get(&self, key: &str) -> Option<CacheEntry>;

    /// The point in the history of changes a read that begins now starts from.
    fn ticket(&self) -> ReadTicket;

    /// Keep `entry` under `key`, unless a change applied since `ticket`
    /// affects it (or the cache's admission rule declines it). Returns
    /// whether it was kept.
    async fn insert(&self, key: String, entry: CacheEntry, ticket: ReadTicket) -> bool;

    /// Record changes that are stored: values they affect are never
    /// returned again, nor kept when loaded before them.
    async fn apply(&self, changes: &[CatalogChange]);

    /// Counts and size.
    fn stats(&self) -> CacheStats;
}
