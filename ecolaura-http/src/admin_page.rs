//! The staff admin page at `/admin`: static HTML, CSS and JavaScript built
//! into the binary, working over the REST API. No second server, and no
//! inline script or style: its policy lets the page load only its own files
//! and talk only to this host.

use poem::http::{HeaderValue, header};
use poem::{Endpoint, IntoResponse, Response, endpoint::make_sync};

const INDEX: &str = include_str!("admin/index.html");
const SCRIPT: &str = include_str!("admin/admin.js");
const STYLE: &str = include_str!("admin/admin.css");

/// The page's Content-Security-Policy: its own script and stylesheet, calls
/// to this host, nothing framed, no forms posted anywhere (the page's forms
/// are handled by its script).
pub(crate) const ADMIN_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'none'";

/// The paths the page is served at.
pub(crate) const PATHS: [&str; 3] = ["/admin", "/admin/admin.js", "/admin/admin.css"];

fn asset(body: &'static str, content_type: &'static str) -> impl Endpoint<Output = Response> {
    make_sync(move |_| {
        Response::builder()
            .header(header::CONTENT_TYPE, content_type)
            .header(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(ADMIN_POLICY),
            )
            // The files change with the binary: ask every time (cheap, small).
            .header(header::CACHE_CONTROL, "no-cache")
            .body(body)
            .into_response()
    })
}

/// `/admin`.
pub(crate) fn index() -> impl Endpoint<Output = Response> {
    asset(INDEX, "text/html; charset=utf-8")
}

/// `/admin/admin.js`.
pub(crate) fn script() -> impl Endpoint<Output = Response> {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

/// `/admin/admin.css`.
pub(crate) fn style() -> impl Endpoint<Output = Response> {
    asset(STYLE, "text/css; charset=utf-8")
}
