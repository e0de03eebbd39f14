//! The moka adapter of the [`Cache`] port.
//!
//! Values are kept with what they show ([`ReadScope`](crate::catalog::ReadScope))
//! and the point in the change log up to which they are known true. A lookup
//! checks the value against the changes applied since (a pure rule,
//! [`CatalogChange::affects`]) and moves that point on, so a hot value is
//! checked against each change once; a value that a change affects is
//! dropped. Nothing is dropped wholesale: a write costs the reads it
//! touches, not the whole cache.
//!
//! An entry may also be true only until an instant
//! ([`CacheEntry::true_until`]: a rendering that shows a green claim whose
//! evidence lapses tonight); from then on a lookup misses, with no write.
//!
//! The cache is bounded by bytes: each entry weighs its key, its value (as
//! its writer estimates it) and its scope, plus a fixed overhead. By
//! default a value is kept the second time its key is offered
//! ([`Admission::SecondOffer`]): a stream of queries that are each asked
//! once fills nothing.

mod doorkeeper;
mod log;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};
use std::time::Duration;

use async_trait::async_trait;

use self::doorkeeper::Doorkeeper;
use self::log::ChangeLog;
use crate::catalog::CatalogChange;
use crate::ports::{Cache, CacheEntry, CacheStats, Clock, ReadTicket, SystemClock};

/// What an entry costs beyond its key, value and scope: moka's bookkeeping
/// and this adapter's (measured roughly; better too much than too little).
const ENTRY_OVERHEAD: usize = 256;

/// Which values [`Cache::insert`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Every value offered.
    Always,
    /// A value whose key was offered before, among the last `remembered`
    /// keys or so (a fixed table of 8 bytes per key): a key asked for once
    /// costs nothing, a key asked for twice is kept from then on.
    SecondOffer {
        /// Keys remembered between their first and second offer.
        remembered: usize,
    },
}

/// Settings of a [`MokaCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MokaCacheConfig {
    /// Bytes kept at most, as weighed (32 MiB); the least useful go first.
    pub max_bytes: u64,
    /// How long an entry lives at most (5 min). Writes drop what they
    /// change at once regardless; this bounds staleness only for writes
    /// made by other processes that did not tell this one.
    pub time_to_live: Duration,
    /// Bytes of recent changes kept to check entries against (1 MiB). An
    /// entry not read while this much history passed is loaded afresh.
    pub change_log_bytes: usize,
    /// Which values are kept (by default, the second offer of a key among
    /// the last 65,536).
    pub admission: Admission,
}

impl MokaCacheConfig {
    /// The defaults, holding at most `megabytes` MiB.
    pub fn megabytes(megabytes: u64) -> Self {
        Self {
            max_bytes: megabytes.saturating_mul(1 << 20),
            ..Self::default()
        }
    }
}

impl Default for MokaCacheConfig {
    fn default() -> Self {
        Self {
            max_bytes: 32 << 20,
            time_to_live: Duration::from_secs(300),
            change_log_bytes: 1 << 20,
            admission: Admission::SecondOffer {
                remembered: 1 << 16,
            },
        }
    }
}

/// An entry, and the change up to which it is known true.
struct Stored {
    entry: CacheEntry,
    checked: AtomicU64,
}

/// An in-process cache bounded by bytes, that drops only what writes change.
pub struct MokaCache {
    entries: moka::future::Cache<String, Arc<Stored>>,
    /// Tells when an entry's [`CacheEntry::true_until`] has come.
    clock: Arc<dyn Clock>,
    log: RwLock<ChangeLog>,
    /// For [`Admission::SecondOffer`].
    doorkeeper: Option<Doorkeeper>,
    /// The log's newest change, readable without its lock.
    last: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    stale: AtomicU64,
    refused: AtomicU64,
    deferred: AtomicU64,
}

impl MokaCache {
    /// A cache with these settings, telling time by the system's clock.
    pub fn new(config: MokaCacheConfig) -> Self {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A cache with these settings, telling time by `clock` (the one the
    /// services read, so that an entry true until midnight lapses when
    /// their day ends).
    pub fn with_clock(config: MokaCacheConfig, clock: Arc<dyn Clock>) -> Self {
        let entries = moka::future::Cache::builder()
            .max_capacity(config.max_bytes)
            .weigher(|key: &String, stored: &Arc<Stored>| {
                let bytes = key.len()
                    + stored.entry.bytes
                    + stored.entry.scope.approx_bytes()
                    + ENTRY_OVERHEAD;
                u32::try_from(bytes).unwrap_or(u32::MAX)
            })
            .time_to_live(config.time_to_live)
            .build();
        Self {
            entries,
            clock,
            log: RwLock::new(ChangeLog::new(config.change_log_bytes)),
            doorkeeper: match config.admission {
                Admission::Always => None,
                Admission::SecondOffer { remembered } => Some(Doorkeeper::new(remembered)),
            },
            last: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            stale: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            deferred: AtomicU64::new(0),
        }
    }

    fn log(&self) -> RwLockReadGuard<'_, ChangeLog> {
        self.log.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `stored` is still true; if so, it is marked checked up to now.
    fn still_true(&self, stored: &Stored) -> bool {
        if let Some(until) = stored.entry.true_until
            && self.clock.now() >= until
        {
            return false;
        }
        let checked = stored.checked.load(Ordering::Acquire);
        if checked >= self.last.load(Ordering::Acquire) {
            return true;
        }
        match self.log().still_true(checked, &stored.entry.scope) {
            Some(now) => {
                stored.checked.fetch_max(now, Ordering::AcqRel);
                true
            }
            None => false,
        }
    }
}

impl Default for MokaCache {
    fn default() -> Self {
        Self::new(MokaCacheConfig::default())
    }
}

#[async_trait]
impl Cache for MokaCache {
    async fn get(&self, key: &str) -> Option<CacheEntry> {
        let mut found = self.entries.get(key).await;
        if let Some(stored) = &found
            && !self.still_true(stored)
        {
            // Another reader may have stored a fresh value meanwhile; losing
            // it costs one load, never a stale answer.
            self.entries.invalidate(key).await;
            self.stale.fetch_add(1, Ordering::Relaxed);
            found = None;
        }
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found.map(|stored| stored.entry.clone())
    }

    fn ticket(&self) -> ReadTicket {
        ReadTicket(self.last.load(Ordering::Acquire))
    }

    async fn insert(&self, key: String, entry: CacheEntry, ticket: ReadTicket) -> bool {
        if let Some(doorkeeper) = &self.doorkeeper
            && !doorkeeper.offered_before(&key)
        {
            self.deferred.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        let Some(checked) = self.log().still_true(ticket.0, &entry.scope) else {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return false;
        };
        // A change applied from here on is after `checked`: the next lookup
        // sees it.
        let stored = Arc::new(Stored {
            entry,
            checked: AtomicU64::new(checked),
        });
        self.entries.insert(key, stored).await;
        true
    }

    async fn apply(&self, changes: &[CatalogChange]) {
        if changes.is_empty() {
            return;
        }
        {
            let mut log = self.log.write().unwrap_or_else(PoisonError::into_inner);
            let last = log.push(changes);
            self.last.store(last, Ordering::Release);
        }
        if changes.contains(&CatalogChange::Everything) {
            self.entries.invalidate_all();
        }
    }

    fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            stale: self.stale.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            deferred: self.deferred.load(Ordering::Relaxed),
            entries: self.entries.entry_count(),
            bytes: self.entries.weighted_size(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ReadScope;
    use crate::domain::{ProductId, Stock};

    fn entry(value: u32, scope: ReadScope, bytes: usize) -> CacheEntry {
        CacheEntry {
            value: Arc::new(value),
            scope: Arc::new(scope),
            bytes,
            true_until: None,
        }
    }

    fn value(found: Option<CacheEntry>) -> Option<u32> {
        found.and_then(|e| e.value.downcast_ref::<u32>().copied())
    }

    /// A cache that keeps every value offered: these tests are about what
    /// changes drop.
    fn admit_all() -> MokaCache {
        MokaCache::new(MokaCacheConfig {
            admission: Admission::Always,
            ..MokaCacheConfig::default()
        })
    }

    #[tokio::test]
    async fn by_default_a_key_is_kept_on_its_second_offer_only() {
        let c = MokaCache::default();
        for i in 0..1000 {
            let kept = c
                .insert(
                    format!("once {i}"),
                    entry(i, ReadScope::Categories, 10_000),
                    c.ticket(),
                )
                .await;
            assert!(!kept);
        }
        c.entries.run_pending_tasks().await;
        assert_eq!((c.stats().entries, c.stats().deferred), (0, 1000));

        let twice = || entry(7, ReadScope::Categories, 10);
        assert!(!c.insert("twice".into(), twice(), c.ticket()).await);
        assert!(c.insert("twice".into(), twice(), c.ticket()).await);
        assert_eq!(value(c.get("twice").await), Some(7));
    }

    fn taken(id: ProductId) -> CatalogChange {
        CatalogChange::stock_taken(id, Stock::new(3).unwrap())
    }

    #[tokio::test]
    async fn a_change_drops_only_the_values_it_affects() {
        let c = admit_all();
        let (a, b) = (ProductId::new(), ProductId::new());
        assert!(c.get("a").await.is_none());
        let t = c.ticket();
        assert!(
            c.insert("a".into(), entry(1, ReadScope::Product(a), 4), t)
                .await
        );
        assert!(
            c.insert("b".into(), entry(2, ReadScope::Product(b), 4), t)
                .await
        );
        assert_eq!(value(c.get("a").await), Some(1));
        c.apply(&[taken(a)]).await;
        assert_eq!(value(c.get("a").await), None, "changed");
        assert_eq!(value(c.get("b").await), Some(2), "untouched");
        let stats = c.stats();
        assert_eq!((stats.hits, stats.misses, stats.stale), (2, 2, 1));
    }

    #[tokio::test]
    async fn a_value_loaded_before_a_change_that_affects_it_is_refused() {
        let c = admit_all();
        let (a, b) = (ProductId::new(), ProductId::new());
        // Two readers take their tickets, then a write lands, then they store.
        let before = c.ticket();
        c.apply(&[taken(a)]).await;
        assert!(
            !c.insert("a".into(), entry(1, ReadScope::Product(a), 4), before)
                .await
        );
        assert!(value(c.get("a").await).is_none(), "no stale value kept");
        assert!(
            c.insert("b".into(), entry(2, ReadScope::Product(b), 4), before)
                .await
        );
        assert_eq!(value(c.get("b").await), Some(2));
        assert_eq!(c.stats().refused, 1);
    }

    #[tokio::test]
    async fn a_reader_racing_writers_never_keeps_a_stale_value() {
        // One product's "stock" lives in an atomic; writers bump it and then
        // apply the change, readers take a ticket, read, and insert. After
        // every write, a cached value must equal the current stock.
        let cache = Arc::new(admit_all());
        let id = ProductId::new();
        let stock = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let (cache, stock) = (cache.clone(), stock.clone());
            tasks.push(tokio::spawn(async move {
                for _ in 0..500 {
                    let ticket = cache.ticket();
                    let read = stock.load(Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    let e = CacheEntry {
                        value: Arc::new(read),
                        scope: Arc::new(ReadScope::Product(id)),
                        bytes: 8,
                        true_until: None,
                    };
                    cache.insert("p".into(), e, ticket).await;
                }
            }));
        }
        for _ in 0..200 {
            stock.fetch_add(1, Ordering::SeqCst);
            cache.apply(&[taken(id)]).await;
            // Let readers that read before the write store after it.
            tokio::task::yield_now().await;
            let now = stock.load(Ordering::SeqCst);
            if let Some(e) = cache.get("p").await {
                assert_eq!(e.value.downcast_ref::<u64>().copied(), Some(now));
            }
        }
        for t in tasks {
            t.await.unwrap();
        }
    }

    #[tokio::test]
    async fn a_value_true_until_an_instant_misses_from_that_instant_with_no_write() {
        use crate::memory::ManualClock;
        let clock = Arc::new(ManualClock::default());
        let c = MokaCache::with_clock(
            MokaCacheConfig {
                admission: Admission::Always,
                ..MokaCacheConfig::default()
            },
            clock.clone(),
        );
        let midnight = clock.now() + chrono::Duration::hours(2);
        let mut lapsing = entry(1, ReadScope::Categories, 4);
        lapsing.true_until = Some(midnight);
        assert!(c.insert("lapsing".into(), lapsing, c.ticket()).await);
        assert!(
            c.insert(
                "lasting".into(),
                entry(2, ReadScope::Categories, 4),
                c.ticket()
            )
            .await
        );
        clock.advance(std::time::Duration::from_secs(2 * 3600 - 1));
        assert_eq!(value(c.get("lapsing").await), Some(1), "a second before");
        clock.advance(std::time::Duration::from_secs(1));
        assert_eq!(value(c.get("lapsing").await), None, "at the instant");
        assert_eq!(value(c.get("lasting").await), Some(2));
        assert_eq!(c.stats().stale, 1);
    }

    #[tokio::test]
    async fn everything_drops_every_value_and_every_read_in_flight() {
        let c = admit_all();
        let t = c.ticket();
        assert!(
            c.insert("c".into(), entry(1, ReadScope::Categories, 4), t)
                .await
        );
        c.apply(&[CatalogChange::Everything]).await;
        assert!(c.get("c").await.is_none());
        assert!(
            !c.insert("c".into(), entry(1, ReadScope::Categories, 4), t)
                .await
        );
    }

    #[tokio::test]
    async fn inserting_more_than_the_bound_keeps_the_weighed_size_under_it() {
        let config = MokaCacheConfig {
            max_bytes: 64 * 1024,
            admission: Admission::Always,
            ..MokaCacheConfig::default()
        };
        let c = MokaCache::new(config);
        for i in 0..1_000u32 {
            let t = c.ticket();
            let scope = ReadScope::Product(ProductId::new());
            c.insert(format!("k{i}"), entry(i, scope, 1_000), t).await;
        }
        c.entries.run_pending_tasks().await;
        let stats = c.stats();
        assert!(stats.bytes <= config.max_bytes, "{stats:?}");
        assert!(stats.bytes > config.max_bytes / 2, "{stats:?}");
        assert!(stats.entries < 1_000, "{stats:?}");
    }
}
