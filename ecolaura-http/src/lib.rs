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
//! use ecolaura_http::{Host, HostConfig, auth::{JwtSecret, TokenConfig}, state::QueueReadiness};
//! use ecolaura_http::server::{ConnectionLimits, serve};
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

mod allow;
pub mod api;
mod app;
pub mod auth;
pub mod body;
pub mod cli;
pub mod metrics;
pub mod middleware;
pub mod problem;
pub mod response_cache;
pub mod run;
pub mod server;
pub mod state;
pub mod store;
pub mod wire;
pub mod workers;

pub use app::{Host, HostConfig};
