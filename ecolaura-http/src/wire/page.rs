//! Paginated lists: `{count, next, previous, results}`.

use ecolaura_core::domain::{Page, PageRequest};
use poem::Request;
use poem::http::header;
use poem_openapi::Object;

use super::{CategoryDto, OrderDto, ProductDto};

/// Builds the `next` and `previous` URLs of a page: the request's own URL
/// with `page` changed, other parameters in a canonical order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLinks {
    base: String,
    params: Vec<(&'static str, String)>,
}

impl PageLinks {
    /// Links for `req`'s path, carrying `params` (without `page`).
    ///
    /// The URL is absolute when the request names its host: scheme from
    /// `X-Forwarded-Proto` (a proxy's), else `http`.
    pub fn new(req: &Request, params: Vec<(&'static str, String)>) -> Self {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()));
        let scheme = req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
            .filter(|p| *p == "https" || *p == "http")
            .unwrap_or("http");
        let base = match host {
            Some(host) => format!("{scheme}://{host}{}", req.uri().path()),
            None => req.uri().path().to_owned(),
        };
        Self { base, params }
    }

    /// A key that identifies these links (for caches of rendered pages).
    pub fn cache_key(&self) -> &str {
        &self.base
    }

    fn url(&self, request: PageRequest, page: u32) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.params {
            query.append_pair(name, value);
        }
        if request.page_size() != PageRequest::DEFAULT_PAGE_SIZE {
            query.append_pair("page_size", &request.page_size().to_string());
        }
        query.append_pair("page", &page.to_string());
        format!("{}?{}", self.base, query.finish())
    }

    fn next<T>(&self, page: &Page<T>) -> Option<String> {
        page.has_next()
            .then(|| self.url(page.request, page.request.page() + 1))
    }

    fn previous<T>(&self, page: &Page<T>) -> Option<String> {
        page.has_previous()
            .then(|| self.url(page.request, page.request.page() - 1))
    }
}

macro_rules! page_type {
    ($name:ident, $item:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ".")]
        #[derive(Debug, Clone, PartialEq, Object)]
        #[oai(example)]
        pub struct $name {
            /// How many match, over all pages.
            pub count: u64,
            /// The URL of the next page; null on the last page.
            #[oai(nullable)]
            pub next: Option<String>,
            /// The URL of the previous page; null on the first.
            #[oai(nullable)]
            pub previous: Option<String>,
            #[doc = concat!("The ", $what, " on this page.")]
            pub results: Vec<$item>,
        }

        impl $name {
            pub(crate) fn sample() -> Self {
                Self {
                    count: 41,
                    next: Some("http://127.0.0.1:8080/api/v1/…?page=3".to_owned()),
                    previous: Some("http://127.0.0.1:8080/api/v1/…?page=1".to_owned()),
                    results: vec![<$item>::sample()],
                }
            }

            /// The page, its items rendered by `render`.
            pub fn new<T>(
                page: Page<T>,
                links: &PageLinks,
                render: impl FnMut(T) -> $item,
            ) -> Self {
                Self {
                    count: page.count,
                    next: links.next(&page),
                    previous: links.previous(&page),
                    results: page.items.into_iter().map(render).collect(),
                }
            }
        }
    };
}

page_type!(ProductPage, ProductDto, "products");
page_type!(CategoryPage, CategoryDto, "categories");
page_type!(OrderPage, OrderDto, "orders");
