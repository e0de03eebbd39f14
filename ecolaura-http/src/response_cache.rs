//! Rendered JSON responses kept in the core's cache.
//!
//! A cached product list answers with bytes rendered once: no store query,
//! no serialization. Keys carry the cache generation read *before* the
//! load, the same protocol as the core's own reads, so a response rendered
//! across a write is stored under a generation nobody asks for any more
//! and the next read after a write always renders afresh.

use std::marker::PhantomData;
use std::sync::Arc;

use bytes::Bytes;
use ecolaura_core::ports::Cache;
use poem::http::header;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};

use crate::metrics::Metrics;
use crate::problem::Problem;

/// A JSON body rendered ahead of time; documented as `T`.
pub struct CachedJson<T> {
    bytes: Bytes,
    _schema: PhantomData<fn() -> T>,
}

impl<T: ToJSON> CachedJson<T> {
    /// Render `value` now (for responses that are not worth caching).
    ///
    /// # Errors
    /// 500 if the value cannot be serialized (a bug).
    pub fn render(value: &T) -> Result<Self, Problem> {
        let json = serde_json::to_vec(&value.to_json()).map_err(|e| Problem::internal(&e))?;
        Ok(Self {
            bytes: Bytes::from(json),
            _schema: PhantomData,
        })
    }
}

impl<T> CachedJson<T> {
    /// The rendered bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

impl<T: Type> Payload for CachedJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Send> IntoResponse for CachedJson<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .header(header::CONTENT_TYPE, Self::content_type())
            .body(self.bytes)
    }
}

impl<T> CachedJson<T> {
    const fn content_type() -> &'static str {
        "application/json; charset=utf-8"
    }
}

/// The response under `key`, rendered from `load` on a miss.
///
/// # Errors
/// What `load` returns; errors are not cached.
pub async fn cached_json<T, F>(
    cache: &Arc<dyn Cache>,
    metrics: &Metrics,
    key: &str,
    load: F,
) -> Result<CachedJson<T>, Problem>
where
    T: ToJSON,
    F: Future<Output = Result<T, Problem>>,
{
    let key = format!("{}|http|{key}", cache.generation());
    if let Some(bytes) = cache
        .get(&key)
        .await
        .and_then(|v| v.downcast_ref::<Bytes>().cloned())
    {
        metrics.response_cache(true);
        return Ok(CachedJson {
            bytes,
            _schema: PhantomData,
        });
    }
    metrics.response_cache(false);
    let rendered = CachedJson::render(&load.await?)?;
    cache.insert(key, Arc::new(rendered.bytes.clone())).await;
    Ok(rendered)
}
