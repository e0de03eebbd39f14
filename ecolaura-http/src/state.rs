//! What every handler shares.

use std::sync::Arc;

use ecolaura_core::Ecolaura;
use ecolaura_core::ports::{JobQueue, StoreError};

use crate::auth::Tokens;
use crate::client_address::TrustedProxies;
use crate::metrics::Metrics;

/// The application a host serves, and the host's own parts.
pub(crate) struct AppState {
    /// The core: services over the stores.
    pub app: Ecolaura,
    /// Issues and checks JWTs.
    pub tokens: Tokens,
    /// Seals and opens API v2's cursors.
    pub cursors: ecolaura_core::domain::CursorKey,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// Where clients reach the host: the base of absolute URLs.
    pub public_url: crate::wire::PublicUrl,
    /// How long a request body may take to arrive (else 408).
    pub body_read_timeout: std::time::Duration,
    /// The market of a read that names none (`ECOLAURA_MARKET`).
    pub market: ecolaura_core::sustainability::Market,
    /// Where Digital Link URIs start (`ECOLAURA_DPP_RESOLVER`).
    pub dpp_resolver: ecolaura_core::sustainability::passport::ResolverBase,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Whether storage answers, for `/readyz`.
    pub readiness: Arc<dyn Readiness>,
}

/// Asks storage whether it answers.
#[async_trait::async_trait]
pub trait Readiness: Send + Sync {
    /// `Ok` when storage answered.
    ///
    /// # Errors
    /// The store's error.
    async fn check(&self) -> Result<(), StoreError>;
}

/// Readiness through the job queue: for stores without a cheaper probe
/// (the in-memory store).
pub struct QueueReadiness(pub Arc<dyn JobQueue>);

#[async_trait::async_trait]
impl Readiness for QueueReadiness {
    async fn check(&self) -> Result<(), StoreError> {
        self.0.queue_stats(chrono::Utc::now()).await.map(|_| ())
    }
}

#[cfg(feature = "postgres")]
#[async_trait::async_trait]
impl Readiness for ecolaura_store_pg::PgStore {
    async fn check(&self) -> Result<(), StoreError> {
        self.ping().await
    }
}

#[cfg(feature = "sqlite")]
#[async_trait::async_trait]
impl Readiness for ecolaura_store_sqlite::SqliteStore {
    async fn check(&self) -> Result<(), StoreError> {
        self.ping().await
    }
}
