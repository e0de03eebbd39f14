//! Rendered JSON responses kept in the core's cache.
//!
//! A cached product read answers with bytes rendered once: no store query,
//! no serialization. Keys carry the cache generation read *before* the
//! load, the same protocol as the core's own reads, so a response rendered
//! across a write is stored under a generation nobody asks for any more
//! and the next read after a write always renders afresh.
//!
//! Two levels use it:
//! - handlers ([`cached_json`]) key a rendering by the *normalized* query,
//!   so `?ordering=price&page=1` and `?page=1&ordering=price` share one;
//! - [`edge_reads`], a middleware in front of routing, keys the same bytes
//!   by the request as sent (host, scheme, path and query), so a repeated
//!   request is answered without routing, parameter parsing or key
//!   building at all. On a miss it lets the request through and keeps what
//!   the handler rendered.

use std::marker::PhantomData;
use std::sync::Arc;

use bytes::Bytes;
use ecolaura_core::ports::Cache;
use poem::http::{Method, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::OperationId;
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

impl<T: Type> Payload for CachedJson<T> {
    const CONTENT_TYPE: &'static str = JSON;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// The rendered body of a cacheable response, attached to the response for
/// [`edge_reads`] to keep.
#[derive(Debug, Clone)]
struct Rendered(Bytes);

fn json_response(bytes: Bytes) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, JSON)
        .body(bytes)
}

const JSON: &str = "application/json; charset=utf-8";

impl<T: Send> IntoResponse for CachedJson<T> {
    fn into_response(self) -> Response {
        let mut response = json_response(self.bytes.clone());
        response.set_data(Rendered(self.bytes));
        response
    }
}

/// The operation a cacheable request goes to, if it is one: anonymous
/// `GET`s of the product list and of one product.
fn cacheable(req: &Request) -> Option<&'static str> {
    if req.method() != Method::GET || req.headers().contains_key(header::AUTHORIZATION) {
        return None;
    }
    match req.uri().path().strip_prefix("/api/v1/products") {
        Some("") => Some("list_products"),
        Some(rest) if rest.len() > 1 && rest.starts_with('/') && !rest[1..].contains('/') => {
            Some("get_product")
        }
        _ => None,
    }
}

fn edge_key(generation: u64, req: &Request) -> String {
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let target = req.uri().path_and_query().map_or("", |pq| pq.as_str());
    format!(
        "{generation}|edge|{}|{}|{target}",
        header("x-forwarded-proto"),
        header(header::HOST.as_str()),
    )
}

/// Answer repeated product reads from the cache before routing.
///
/// # Errors
/// What the inner endpoint returns.
pub async fn edge_reads<E: Endpoint>(
    next: Arc<E>,
    cache: Arc<dyn Cache>,
    metrics: Arc<Metrics>,
    req: Request,
) -> poem::Result<Response> {
    let Some(operation) = cacheable(&req) else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let key = edge_key(cache.generation(), &req);
    if let Some(bytes) = rendered(cache.as_ref(), &key).await {
        metrics.response_cache(true);
        let mut response = json_response(bytes);
        response.set_data(OperationId(operation));
        return Ok(response);
    }
    let response = next.call(req).await?.into_response();
    if response.status().is_success()
        && let Some(Rendered(bytes)) = response.data::<Rendered>()
    {
        cache.insert(key, Arc::new(bytes.clone())).await;
    }
    Ok(response)
}

/// The rendered bytes under `key`, if the cache holds them.
async fn rendered(cache: &dyn Cache, key: &str) -> Option<Bytes> {
    cache
        .get(key)
        .await
        .and_then(|v| v.downcast_ref::<Bytes>().cloned())
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
    if let Some(bytes) = rendered(cache.as_ref(), &key).await {
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
