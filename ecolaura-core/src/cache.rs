//! The moka adapter of the [`Cache`] port.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;

use crate::ports::{Cache, CacheStats, CachedValue};

/// Settings of a [`MokaCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MokaCacheConfig {
    /// Entries kept at most (10,000); the least useful go first.
    pub max_entries: u64,
    /// How long an entry lives at most (5 min). Writes invalidate at once
    /// regardless; this bounds staleness only for writes made by other
    /// processes that did not tell this one.
    pub time_to_live: Duration,
}

impl Default for MokaCacheConfig {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            time_to_live: Duration::from_secs(300),
        }
    }
}

/// An in-process cache, bounded by entries, with hit and miss counts.
pub struct MokaCache {
    entries: moka::future::Cache<String, CachedValue>,
    generation: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl MokaCache {
    /// A cache with these settings.
    pub fn new(config: MokaCacheConfig) -> Self {
        let entries = moka::future::Cache::builder()
            .max_capacity(config.max_entries)
            .time_to_live(config.time_to_live)
            .build();
        Self {
            entries,
            generation: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
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
    async fn get(&self, key: &str) -> Option<CachedValue> {
        let found = self.entries.get(key).await;
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    async fn insert(&self, key: String, value: CachedValue) {
        self.entries.insert(key, value).await;
    }

    async fn invalidate_all(&self) {
        // Generation first: from here on nobody reads the old entries.
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.invalidate_all();
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_hits_and_misses_and_invalidation_moves_the_generation() {
        let c = MokaCache::default();
        assert!(c.get("a").await.is_none());
        c.insert("a".into(), std::sync::Arc::new(1u32)).await;
        assert_eq!(
            c.get("a")
                .await
                .and_then(|v| v.downcast_ref::<u32>().copied()),
            Some(1)
        );
        assert_eq!(c.stats(), CacheStats { hits: 1, misses: 1 });
        let g = c.generation();
        c.invalidate_all().await;
        assert_eq!(c.generation(), g + 1);
        assert!(c.get("a").await.is_none());
    }
}
