//! What wraps every request: request ids, logs and metrics, security
//! headers, the body limit, and problem+json for errors raised outside
//! handlers.

use std::sync::Arc;
use std::time::Instant;

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::OperationId;

use crate::allow::AllowedMethods;
use crate::body::MAX_BODY_BYTES;
use crate::metrics::Metrics;
use crate::problem::Problem;

/// The header that carries a request's id, in and out.
pub(crate) const REQUEST_ID: &str = "x-request-id";

/// A request's id: the caller's `X-Request-Id` when it is sane, else a new
/// random UUID (v4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestId(pub String);

fn request_id(req: &Request) -> RequestId {
    let given = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| (1..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_graphic()));
    RequestId(given.map_or_else(new_request_id, str::to_owned))
}

/// Ids only need to be unique, not unpredictable: a thread-local PRNG
/// avoids the `getrandom` system call per request that `Uuid::new_v4` and
/// `now_v7` make (measured: 3% of a cached read's time).
fn new_request_id() -> String {
    let bytes = fastrand::u128(..).to_le_bytes();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A low-cardinality name for the route a response came from.
fn route_label(resp: &Response, path: &str) -> &'static str {
    if let Some(op) = resp.data::<OperationId>() {
        return op.0;
    }
    match path {
        "/api/v1/openapi.json" => "openapi_json",
        p if p == "/docs" || p.starts_with("/docs/") => "docs",
        _ => "unmatched",
    }
}

/// Turn any error into a problem+json response (keeping the operation id
/// for metrics). Errors that are already [`Problem`]s render themselves;
/// poem's own (a bad path or query parameter, a missing token, no such
/// route, …) become problems with their status.
///
/// A 405 names the methods the path supports in `Allow` (RFC 9110 §15.5.6).
pub(crate) async fn problems<E: Endpoint>(
    next: Arc<E>,
    allow: Arc<AllowedMethods>,
    req: Request,
) -> poem::Result<Response> {
    let path = req.uri().path().to_owned();
    match next.call(req).await {
        Ok(resp) => Ok(resp.into_response()),
        Err(err) => {
            let operation = err.data::<OperationId>().copied();
            let mut resp = if err.is::<Problem>() {
                err.into_response()
            } else {
                problem_from_poem(&err).into_response()
            };
            if let Some(op) = operation {
                resp.set_data(op);
            }
            if resp.status() == StatusCode::METHOD_NOT_ALLOWED
                && let Some(methods) = allow.for_path(&path)
            {
                resp.headers_mut().insert(header::ALLOW, methods.clone());
            }
            Ok(resp)
        }
    }
}

fn problem_from_poem(err: &poem::Error) -> Problem {
    let status = err.status();
    if let Some(param) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
        // Every path parameter of the API is an id; poem names them `param0`.
        let detail = if param.name.starts_with("param") {
            "The id in the path must be a UUID.".to_owned()
        } else {
            format!("Parameter `{}` is malformed: {}", param.name, param.reason)
        };
        return Problem::bad_request(detail);
    }
    match status {
        StatusCode::UNAUTHORIZED => {
            Problem::unauthorized("A valid bearer access token is required.")
        }
        StatusCode::NOT_FOUND => Problem::status(status, "No such resource."),
        StatusCode::METHOD_NOT_ALLOWED => {
            Problem::status(status, "This method is not allowed here.")
        }
        StatusCode::PAYLOAD_TOO_LARGE => Problem::status(status, "The body is over 1 MiB."),
        // A missing or foreign Content-Type is a bad header: 400, as the
        // contract lists it.
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Problem::bad_request(
            "Send the body as JSON with the header Content-Type: application/json.",
        ),
        // Parameter and header parse errors name the parameter; safe to show.
        s if s.is_client_error() => Problem::status(StatusCode::BAD_REQUEST, err.to_string()),
        _ => Problem::internal(err),
    }
}

/// The longest request target (path and query) accepted: 8 KiB, else 414.
pub(crate) const MAX_URI_BYTES: usize = 8 * 1024;
/// The most header bytes (names and values) accepted in all: 32 KiB, else 431.
pub(crate) const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuse, as problems, a request target over [`MAX_URI_BYTES`] (414),
/// headers over [`MAX_HEADER_BYTES`] in all (431), and a query string that
/// is not UTF-8 once percent-decoded (400: read lossily, it would mean
/// something the client did not send).
pub(crate) async fn request_limits<E: Endpoint>(
    next: Arc<E>,
    req: Request,
) -> poem::Result<Response> {
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        return Err(Problem::status(
            StatusCode::URI_TOO_LONG,
            "The request target is over 8 KiB.",
        )
        .into());
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return Err(Problem::status(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "The request headers are over 32 KiB in all.",
        )
        .into());
    }
    // `&`, `=` and `+` are ASCII: decoding the whole query at once is valid
    // UTF-8 exactly when every decoded name and value is, with no copy.
    if let Some(query) = req.uri().query()
        && percent_encoding::percent_decode_str(query)
            .decode_utf8()
            .is_err()
    {
        return Err(
            Problem::bad_request("The query string is not UTF-8 once percent-decoded.").into(),
        );
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// Refuse bodies whose declared length is over the limit before reading
/// them (a body without a length is cut at the limit while it is read).
pub(crate) async fn body_limit<E: Endpoint>(next: Arc<E>, req: Request) -> poem::Result<Response> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(
            Problem::status(StatusCode::PAYLOAD_TOO_LARGE, "The body is over 1 MiB.").into(),
        );
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// Request id, a log line and metrics per request, and security headers.
///
/// `Strict-Transport-Security` goes on every response when `hsts` (the
/// configured public URL is `https`), never because a request says so.
pub(crate) async fn observe<E: Endpoint>(
    next: Arc<E>,
    metrics: Arc<Metrics>,
    hsts: bool,
    req: Request,
) -> poem::Result<Response> {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id.0, %method, %path);
    let mut resp = tracing::Instrument::instrument(next.call(req), span.clone())
        .await
        .map(IntoResponse::into_response)
        .unwrap_or_else(poem::Error::into_response);
    let elapsed = started.elapsed();
    let status = resp.status();
    let route = route_label(&resp, &path);
    metrics.request(route, &method, status, elapsed);
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            route,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "answered"
        );
    });
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id.0) {
        headers.insert(REQUEST_ID, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // The explorer page brings its own policy; every other answer gets the
    // API's, which lets nothing load, run or frame it.
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(crate::docs_page::API_POLICY));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if path.starts_with("/api/v1/") && path != "/api/v1/openapi.json" {
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    Ok(resp)
}
