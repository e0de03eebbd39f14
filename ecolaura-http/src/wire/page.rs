//! Paginated lists: `{count, next, previous, results}`.

use ecolaura_core::domain::{Page, PageRequest};
use ecolaura_core::sustainability::passport::ResolverBase;
use poem::Request;
use poem_openapi::Object;

use super::{CategoryDto, OrderDto, ProductDto};

/// Where clients reach the host (`ECOLAURA_PUBLIC_URL`): the base of every
/// absolute URL in a response. Never taken from the request's `Host` or
/// `X-Forwarded-*` headers, which any client can set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(ResolverBase);

/// A public URL that is not `http(s)://host[:port][/path]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the public URL must look like https://shop.example.com (no query, no fragment)")]
pub struct BadPublicUrl;

impl PublicUrl {
    /// Check and keep a base URL; a trailing `/` is dropped.
    ///
    /// # Errors
    /// [`BadPublicUrl`] for anything but an `http` or `https` URL with a
    /// host, printable ASCII, without query or fragment.
    pub fn parse(raw: &str) -> Result<Self, BadPublicUrl> {
        ResolverBase::parse(raw).map(Self).map_err(|_| BadPublicUrl)
    }

    /// The URL of a server bound to `addr`, for when none is configured
    /// (`localhost` for a server bound to every interface).
    pub fn for_address(addr: std::net::SocketAddr) -> Self {
        Self(ResolverBase::for_address(addr))
    }

    /// The URL as a base of Digital Link URIs.
    pub fn resolver_base(&self) -> ResolverBase {
        self.0.clone()
    }

    /// Whether clients reach the host over TLS (then responses carry HSTS).
    pub fn is_https(&self) -> bool {
        self.as_str().starts_with("https://")
    }

    /// The path the host is reached under: `""` at the root, else
    /// `/prefix` (no trailing `/`).
    pub fn path(&self) -> &str {
        let url = self.as_str();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .unwrap_or(url);
        rest.find('/').map_or("", |slash| &rest[slash..])
    }

    /// The URL, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// Builds the `next` and `previous` URLs of a page: the request's own path
/// under the public URL, with `page` changed, other parameters in a
/// canonical order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageLinks {
    base: String,
    params: Vec<(&'static str, String)>,
}

impl PageLinks {
    /// Links for `req`'s path under `public`, carrying `params` (without `page`).
    pub(crate) fn new(
        public: &PublicUrl,
        req: &Request,
        params: Vec<(&'static str, String)>,
    ) -> Self {
        let base = format!("{}{}", public.as_str(), req.uri().path());
        Self { base, params }
    }

    /// A key that identifies these links (for caches of rendered pages).
    pub(crate) fn cache_key(&self) -> &str {
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
        pub(crate) struct $name {
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
            pub(crate) fn new<T>(
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
page_type!(DiscardPage, super::DiscardDto, "discard ledger entries");
page_type!(
    ShippingMethodPage,
    super::ShippingMethodDto,
    "shipping methods"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_is_an_http_base_without_query() {
        let url = PublicUrl::parse(" https://shop.example/ ").unwrap();
        assert_eq!(url.as_str(), "https://shop.example");
        assert!(url.is_https());
        assert!(PublicUrl::parse("http://127.0.0.1:8080/shop").is_ok());
        let any = std::net::SocketAddr::from(([0, 0, 0, 0], 8080));
        assert_eq!(
            PublicUrl::for_address(any).as_str(),
            "http://localhost:8080"
        );
        for bad in [
            "shop.example",
            "ftp://x",
            "https://",
            "https://a b",
            "https://x?y=1",
            "https://x#f",
        ] {
            assert_eq!(PublicUrl::parse(bad), Err(BadPublicUrl), "{bad}");
        }
    }
}
