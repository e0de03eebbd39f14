//! The API explorer at `/docs`, under a Content-Security-Policy that names
//! each of its inline scripts and styles by hash.
//!
//! Swagger UI is served as one self-contained page (poem-openapi inlines its
//! bundle, its stylesheet and the document). Rather than allow every inline
//! script (`'unsafe-inline'`), the policy lists the SHA-256 of exactly these
//! elements, computed from the page when the host starts; nothing else can
//! run, and the page loads nothing from elsewhere. Style *attributes* that
//! the explorer sets while it renders need `style-src-attr 'unsafe-inline'`,
//! which cannot run code.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use poem::http::{HeaderValue, header};
use poem::{Endpoint, IntoResponse, Response, endpoint::make_sync};
use sha2::{Digest, Sha256};

/// The policy of every response but the explorer: an API answer loads,
/// runs and frames nothing.
pub(crate) const API_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The explorer page for the document `html` (Swagger UI's HTML), with its policy.
pub(crate) fn endpoint(html: String) -> impl Endpoint<Output = Response> + 'static {
    let policy = policy_for(&html);
    let policy =
        HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static(API_POLICY));
    make_sync(move |_| {
        poem::web::Html(html.clone())
            .with_header(header::CONTENT_SECURITY_POLICY, policy.clone())
            .into_response()
    })
}

/// The policy that lets exactly `html`'s inline scripts and styles run.
pub(crate) fn policy_for(html: &str) -> String {
    let scripts = hashes(html, "script");
    let styles = hashes(html, "style");
    format!(
        "default-src 'none'; script-src {scripts}; style-src-elem {styles}; \
         style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// `'sha256-…'` of the text of every `<tag …>…</tag>` element in `html`.
fn hashes(html: &str, tag: &str) -> String {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after_open = &rest[start..];
        let Some(content_start) = after_open.find('>').map(|i| i + 1) else {
            break;
        };
        let body = &after_open[content_start..];
        let Some(end) = body.find(&close) else {
            break;
        };
        let digest = Sha256::digest(&body.as_bytes()[..end]);
        found.push(format!("'sha256-{}'", STANDARD.encode(digest)));
        rest = &body[end + close.len()..];
    }
    if found.is_empty() {
        "'none'".to_owned()
    } else {
        found.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_inline_element_is_named_by_the_hash_of_its_text() {
        let html = "<html><style a=\"1\">p{}</style><script>one()</script>\
                    <p>x</p><script charset=\"UTF-8\">two()</script></html>";
        let policy = policy_for(html);
        let h = |s: &str| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(s.as_bytes())));
        assert!(policy.contains(&format!("script-src {} {};", h("one()"), h("two()"))));
        assert!(policy.contains(&format!("style-src-elem {};", h("p{}"))));
        assert!(!policy.contains("script-src 'unsafe-inline'"));
        assert!(policy_for("<p>none</p>").contains("script-src 'none'"));
    }
}
