//! Putting a host together: the state, the routes and the middleware.

use std::sync::Arc;

use ecolaura_core::sustainability::passport::ResolverBase;

use ecolaura_core::Ecolaura;
use poem::http::Method;
use poem::middleware::Cors;
use poem::{Endpoint, EndpointExt, Response, Route};

use crate::allow::AllowedMethods;
use crate::api;
use crate::auth::{TokenConfig, Tokens};
use crate::client_address::TrustedProxies;
use crate::metrics::Metrics;
use crate::middleware::{body_limit, observe, problems, request_limits};
use crate::response_cache::edge_reads;
use crate::state::{AppState, Readiness};
use crate::wire::PublicUrl;

/// The host's settings (the library's side of configuration: no
/// environment is read here). The shop's currency is the application's
/// (`OrdersConfig::currency`): products are shown in it, and each order in
/// the one it was placed in.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// Token keys and lifetimes.
    pub tokens: TokenConfig,
    /// Origins allowed to call the API from a browser; empty: none.
    pub cors_origins: Vec<String>,
    /// How long a request body may take to arrive (else 408).
    pub body_read_timeout: std::time::Duration,
    /// Where clients reach the host: the base of `next`/`previous` links,
    /// and, when `https`, the reason responses carry HSTS.
    pub public_url: PublicUrl,
    /// Proxies whose `X-Forwarded-For` names the client (for the login
    /// throttle); none by default.
    pub trusted_proxies: TrustedProxies,
    /// The market whose claims a read shows when it names none (default
    /// the EU).
    pub market: ecolaura_core::sustainability::Market,
    /// Where the Digital Link URIs of the shop's products start (a
    /// passport's `@id`); `None`: the public URL, whose `/01/{gtin}`
    /// resolves them.
    pub dpp_resolver: Option<ResolverBase>,
}

impl HostConfig {
    /// Settings with these token keys, no cross-origin access, the default
    /// body read timeout (30 s) and the public URL `http://localhost:8080`.
    pub fn new(tokens: TokenConfig) -> Self {
        Self {
            public_url: PublicUrl::for_address(std::net::SocketAddr::from(([127, 0, 0, 1], 8080))),
            tokens,
            cors_origins: Vec::new(),
            body_read_timeout: crate::server::ConnectionLimits::default().body_read_timeout,
            trusted_proxies: TrustedProxies::none(),
            market: ecolaura_core::sustainability::Market::Eu,
            dpp_resolver: None,
        }
    }
}

/// A host: the application, its state and its HTTP endpoint.
pub struct Host {
    state: Arc<AppState>,
    cors_origins: Vec<String>,
}

impl Host {
    /// A host serving `app`; `readiness` answers `/readyz`.
    ///
    /// # Errors
    /// Only when the metrics cannot be defined (a bug).
    pub fn new(
        app: Ecolaura,
        readiness: Arc<dyn Readiness>,
        config: HostConfig,
    ) -> Result<Self, prometheus::Error> {
        let clock = app.clock().clone();
        let dpp_resolver = config
            .dpp_resolver
            .unwrap_or_else(|| config.public_url.resolver_base());
        let state = Arc::new(AppState {
            dpp_resolver,
            cursors: config.tokens.secret.cursor_key(),
            tokens: Tokens::new(config.tokens, clock),
            trusted_proxies: config.trusted_proxies,
            body_read_timeout: config.body_read_timeout,
            public_url: config.public_url,
            market: config.market,
            metrics: Arc::new(Metrics::new()?),
            readiness,
            app,
        });
        Ok(Self {
            state,
            cors_origins: config.cors_origins,
        })
    }

    /// What a worker running this host's application should report its
    /// jobs to, so that the host's `/metrics` counts them.
    pub fn job_observer(&self) -> Arc<dyn ecolaura_core::jobs::JobObserver> {
        Arc::new(crate::metrics::JobMetrics(self.state.metrics.clone()))
    }

    /// The shared state (the application, tokens, metrics).
    pub(crate) fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// The OpenAPI document as JSON.
    pub fn openapi_json(&self) -> String {
        api::service(&self.state).spec()
    }

    /// Every route with every middleware: what the server runs.
    pub fn endpoint(&self) -> impl Endpoint<Output = Response> + 'static {
        let service = api::service(&self.state);
        let allow = Arc::new(AllowedMethods::from_openapi(
            &service.spec(),
            &[
                "/api/v1/openapi.json",
                "/docs",
                crate::admin_page::PATHS[0],
                crate::admin_page::PATHS[1],
                crate::admin_page::PATHS[2],
            ],
        ));
        let spec = service.spec_endpoint();
        let docs = crate::docs_page::endpoint(service.swagger_ui_html());
        let routes = Route::new()
            .at("/api/v1/openapi.json", spec)
            .at("/docs", docs)
            .at(
                crate::admin_page::PATHS[0],
                poem::get(crate::admin_page::index()),
            )
            .at(
                crate::admin_page::PATHS[1],
                poem::get(crate::admin_page::script()),
            )
            .at(
                crate::admin_page::PATHS[2],
                poem::get(crate::admin_page::style()),
            )
            .nest("/", service);
        let restrict_origins = !self.cors_origins.is_empty();
        let mut cors = Cors::new()
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([
                "authorization",
                "content-type",
                "idempotency-key",
                "x-request-id",
            ])
            .expose_headers(["x-request-id", "retry-after"]);
        for origin in &self.cors_origins {
            cors = cors.allow_origin(origin.as_str());
        }
        let metrics = self.state.metrics.clone();
        let edge_metrics = metrics.clone();
        let cache = self.state.app.cache().clone();
        let state = self.state.clone();
        let hsts = self.state.public_url.is_https();
        routes
            .around(body_limit)
            .data(state)
            .around(request_limits)
            .around(move |next, req| problems(next, allow.clone(), req))
            .around(move |next, req| edge_reads(next, cache.clone(), edge_metrics.clone(), req))
            // Outside the cache, so a cached answer gets its CORS headers
            // like a fresh one. poem's `Cors` allows every origin when given
            // none: only install it when origins are configured, and then
            // every answer varies by `Origin`.
            .with_if(restrict_origins, cors)
            .with_if(
                restrict_origins,
                poem::middleware::SetHeader::new().appending(poem::http::header::VARY, "Origin"),
            )
            .around(move |next, req| observe(next, metrics.clone(), hsts, req))
            .map_to_response()
    }
}
