//! Rendered JSON responses kept in the core's cache.
//!
//! A cached product read answers with bytes rendered once: no store query,
//! no serialization. Each rendering is kept with what it shows (a
//! [`ReadScope`]: the product, or the list's filter, ordering and the ids on
//! the page), so a write drops exactly the renderings it changes and the
//! rest stay. A rendering that shows something dated (a green claim whose
//! evidence starts or lapses) is also kept only until that instant. The protocol is the core's own: a ticket taken *before* the
//! load, handed to the insert, so a response rendered across a write that
//! changes it is never kept, and the next read after a write renders afresh.
//!
//! Two levels use it:
//! - handlers ([`cached_json`]) key a rendering by the *normalized* query,
//!   so `?ordering=price&page=1` and `?page=1&ordering=price` share one;
//! - [`edge_reads`], a middleware in front of routing, keys the same bytes
//!   by the request as sent (path and query), so a repeated
//!   request is answered without routing, parameter parsing or key
//!   building at all. On a miss it lets the request through and keeps what
//!   the handler rendered.

use std::marker::PhantomData;
use std::sync::Arc;

use bytes::Bytes;
use ecolaura_core::catalog::ReadScope;
use ecolaura_core::domain::Timestamp;
use ecolaura_core::ports::{Cache, CacheEntry};
use poem::http::{Method, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::OperationId;
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};

use crate::metrics::Metrics;
use crate::problem::Problem;

/// A JSON body rendered ahead of time; documented as `T`.
pub(crate) struct CachedJson<T> {
    bytes: Bytes,
    /// What it shows and until when; `None`: not to be cached.
    scope: Option<Shows>,
    _schema: PhantomData<fn() -> T>,
}

impl<T: ToJSON> CachedJson<T> {
    /// Render `value` now (for responses that are not worth caching).
    ///
    /// # Errors
    /// 500 if the value cannot be serialized (a bug).
    pub(crate) fn render(value: &T) -> Result<Self, Problem> {
        let mut json = serde_json::to_vec(&value.to_json()).map_err(|e| Problem::internal(&e))?;
        // The buffer grew by doubling; a kept rendering holds only its bytes,
        // so that the cache's weight (the length) is what it holds.
        json.shrink_to_fit();
        Ok(Self {
            bytes: Bytes::from(json),
            scope: None,
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

/// What a loaded value shows, and the instant it may stop being true with
/// no write (`None`: only a write makes it untrue).
#[derive(Debug, Clone)]
pub(crate) struct Shows {
    /// What a write must touch to make it untrue.
    pub scope: Arc<ReadScope>,
    /// When it lapses by itself.
    pub true_until: Option<Timestamp>,
}

impl Shows {
    /// A value made untrue by writes that affect `scope`, and at `true_until`.
    pub(crate) fn new(scope: ReadScope, true_until: Option<Timestamp>) -> Self {
        Self {
            scope: Arc::new(scope),
            true_until,
        }
    }
}

/// The rendered body of a cacheable response and what it shows, attached
/// to the response for [`edge_reads`] to keep.
#[derive(Debug, Clone)]
struct Rendered {
    bytes: Bytes,
    shows: Shows,
}

impl Rendered {
    fn entry(self) -> CacheEntry {
        CacheEntry {
            bytes: self.bytes.len(),
            value: Arc::new(self.bytes),
            scope: self.shows.scope,
            true_until: self.shows.true_until,
        }
    }
}

fn json_response(bytes: Bytes) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, JSON)
        .body(bytes)
}

const JSON: &str = "application/json; charset=utf-8";

impl<T: Send> IntoResponse for CachedJson<T> {
    fn into_response(self) -> Response {
        let mut response = json_response(self.bytes.clone());
        if let Some(shows) = self.scope {
            response.set_data(Rendered {
                bytes: self.bytes,
                shows,
            });
        }
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

fn edge_key(req: &Request) -> String {
    // Responses depend on the path and query only: links are built from the
    // configured public URL, not from `Host`, so a client cannot fill the
    // cache with one copy per invented host name.
    let target = req.uri().path_and_query().map_or("", |pq| pq.as_str());
    format!("edge|{target}")
}

/// Answer repeated product reads from the cache before routing.
///
/// # Errors
/// What the inner endpoint returns.
pub(crate) async fn edge_reads<E: Endpoint>(
    next: Arc<E>,
    cache: Arc<dyn Cache>,
    metrics: Arc<Metrics>,
    req: Request,
) -> poem::Result<Response> {
    let Some(operation) = cacheable(&req) else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let key = edge_key(&req);
    if let Some((bytes, _)) = rendered(cache.as_ref(), &key).await {
        metrics.response_cache(true);
        let mut response = json_response(bytes);
        response.set_data(OperationId(operation));
        return Ok(response);
    }
    let ticket = cache.ticket();
    let response = next.call(req).await?.into_response();
    if response.status().is_success()
        && let Some(rendered) = response.data::<Rendered>()
    {
        cache.insert(key, rendered.clone().entry(), ticket).await;
    }
    Ok(response)
}

/// The rendered bytes under `key` and what they show, if the cache holds them.
async fn rendered(cache: &dyn Cache, key: &str) -> Option<(Bytes, Shows)> {
    let entry = cache.get(key).await?;
    let bytes = entry.value.downcast_ref::<Bytes>()?.clone();
    let shows = Shows {
        scope: entry.scope,
        true_until: entry.true_until,
    };
    Some((bytes, shows))
}

/// The response under `key`, rendered from `load` on a miss; `load` also
/// says what the response shows and until when.
///
/// # Errors
/// What `load` returns; errors are not cached.
pub(crate) async fn cached_json<T, F>(
    cache: &Arc<dyn Cache>,
    metrics: &Metrics,
    key: &str,
    load: F,
) -> Result<CachedJson<T>, Problem>
where
    T: ToJSON,
    F: Future<Output = Result<(T, Shows), Problem>>,
{
    let key = format!("http|{key}");
    if let Some((bytes, scope)) = rendered(cache.as_ref(), &key).await {
        metrics.response_cache(true);
        return Ok(CachedJson {
            bytes,
            scope: Some(scope),
            _schema: PhantomData,
        });
    }
    metrics.response_cache(false);
    // Before the load: a write that lands during it keeps the result out.
    let ticket = cache.ticket();
    let (value, shows) = load.await?;
    let rendered = Rendered {
        bytes: CachedJson::render(&value)?.bytes,
        shows,
    };
    cache.insert(key, rendered.clone().entry(), ticket).await;
    Ok(CachedJson {
        bytes: rendered.bytes,
        scope: Some(rendered.shows),
        _schema: PhantomData,
    })
}
