//! # Ecolaura HTTP host
//!
//! A thin poem + poem-openapi host that serves [`ecolaura_core`] as the
//! REST API of `API.md`: JWT auth, problem+json errors, an OpenAPI document
//! at `/api/v1/openapi.json` with an explorer at `/docs`, health, readiness
//! and Prometheus metrics. The `ecolaura` binary wraps it.
//!
//! Embedding the host in another program:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use ecolaura_core::Ecolaura;
//! use ecolaura_core::memory::MemoryStore;
//! use ecolaura_http::{ConnectionLimits, Host, HostConfig, JwtSecret, QueueReadiness, TokenConfig, serve};
//!
//! let store = Arc::new(MemoryStore::new());
//! let app = Ecolaura::builder().store(store.clone()).build()?;
//! let tokens = TokenConfig::new(JwtSecret::new(b"a secret of at least thirty-two bytes")?);
//! let host = Host::new(app, Arc::new(QueueReadiness(store)), HostConfig::new(tokens))?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! // Never stops: keep the sender and send `true` to drain and return.
//! let (_stop, stopped) = tokio::sync::watch::channel(false);
//! let grace = std::time::Duration::from_secs(30);
//! serve(listener, host.endpoint(), ConnectionLimits::default(), stopped, grace).await?;
//! # Ok(()) }
//! ```

mod admin_page;
mod allow;
mod api;
mod app;
mod auth;
mod body;
mod catalog_file;
mod cli;
mod client_address;
mod demo;
mod docs_page;
mod metrics;
mod middleware;
mod problem;
mod response_cache;
mod run;
mod server;
mod settings;
mod smtp;
mod state;
mod store;
mod wire;
mod workers;

// The public surface: what an embedding program needs to run a host, and
// the command line's entry point. Everything else is the host's own.
pub use app::{Host, HostConfig};
pub use auth::tokens::{JwtSecret, MIN_SECRET_BYTES, SecretTooShort, TokenConfig};
pub use cli::main;
pub use client_address::{NotAProxyAddress, TrustedProxies};
pub use server::{ConnectionLimits, serve};
pub use state::{QueueReadiness, Readiness};
pub use wire::page::{BadPublicUrl, PublicUrl};
