//! The cache port.

use std::any::Any;
use std::sync::Arc;

use async_trait::async_trait;

/// A cached value: any shared, immutable value (a page of products, a
/// serialized response), cheap to clone. Readers downcast to what they stored.
pub type CachedValue = Arc<dyn Any + Send + Sync>;

/// Hit and miss counts since start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Lookups that found a value.
    pub hits: u64,
    /// Lookups that found nothing.
    pub misses: u64,
}

/// An in-process key-value cache of reads, with a generation counter.
///
/// Readers put the current [`generation`](Cache::generation) into their keys;
/// writers call [`invalidate_all`](Cache::invalidate_all), which moves the
/// generation on before dropping entries. A reader that loaded before a write
/// and stores after it stores under the old generation, where nobody looks: a
/// write is visible to the very next read.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Cache: Send + Sync {
    /// The value under `key`, counting a hit or a miss.
    async fn get(&self, key: &str) -> Option<CachedValue>;

    /// Store a value.
    async fn insert(&self, key: String, value: CachedValue);

    /// Move the generation on and drop every entry.
    async fn invalidate_all(&self);

    /// The current generation.
    fn generation(&self) -> u64;

    /// Hits and misses so far.
    fn stats(&self) -> CacheStats;
}
