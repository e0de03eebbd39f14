//! Telling an outage from a busy pool, so that one fails fast and the other
//! waits.
//!
//! A pool that hands out no connection for a while is either busy (every
//! connection in a transaction, as when forty buyers queue on one product's
//! row) or cut off from a server that is gone. Waiting is right for the first
//! and wrong for the second: a readiness probe or a client would see seconds
//! of silence instead of a 503. So a caller first waits a short while; if no
//! connection came, one probe (shared by every caller, at most one a second)
//! opens a fresh connection: if the server answers, the caller goes on
//! waiting its full patience; if not, it gets `Unavailable` at once.

use std::time::{Duration, Instant};

use ecolaura_core::ports::StoreError;
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgPool, Postgres};
use tokio::sync::Mutex;

/// A probe's answer is trusted this long.
const PROBE_FRESH_FOR: Duration = Duration::from_secs(1);

/// Acquires connections, failing fast when the server is gone.
pub(crate) struct Gate {
    /// How long a caller waits before asking whether the server is there.
    quick: Duration,
    /// How long a probe may take to connect.
    probe_timeout: Duration,
    /// The last probe: when, and whether the server answered.
    last_probe: Mutex<Option<(Instant, bool)>>,
}

impl Gate {
    /// A gate that asks after `quick` and gives a probe `probe_timeout`.
    pub(crate) fn new(quick: Duration, probe_timeout: Duration) -> Self {
        Self {
            quick,
            probe_timeout,
            last_probe: Mutex::new(None),
        }
    }

    /// A connection from `pool`: within `quick` if one is free; else, if the
    /// server answers a probe, within the pool's own acquire timeout; else
    /// [`StoreError::Unavailable`] at once.
    pub(crate) async fn acquire(
        &self,
        pool: &PgPool,
    ) -> Result<PoolConnection<Postgres>, StoreError> {
        if let Ok(acquired) = tokio::time::timeout(self.quick, pool.acquire()).await {
            return acquired.map_err(crate::error::store_error);
        }
        if !self.server_answers(pool).await {
            return Err(StoreError::Unavailable(
                "the database server does not answer".into(),
            ));
        }
        pool.acquire().await.map_err(crate::error::store_error)
    }

    /// Whether a fresh connection to the server opens (one probe at a time;
    /// a recent answer is reused).
    async fn server_answers(&self, pool: &PgPool) -> bool {
        let mut last = self.last_probe.lock().await;
        if let Some((at, answered)) = *last
            && at.elapsed() < PROBE_FRESH_FOR
        {
            return answered;
        }
        let options: PgConnectOptions = (*pool.connect_options()).clone();
        let answered = match tokio::time::timeout(self.probe_timeout, options.connect()).await {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                true
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the database server does not answer");
                false
            }
            Err(_) => {
                tracing::warn!("the database server did not answer in time");
                false
            }
        };
        *last = Some((Instant::now(), answered));
        answered
    }
}
