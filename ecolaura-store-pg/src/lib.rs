//! # Ecolaura on Postgres
//!
//! Every port of `ecolaura-core` on PostgreSQL, with sqlx and sea-query:
//! catalog, orders, idempotency keys, accounts, the durable job queue and the
//! outbox mailer, plus embedded migrations.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use ecolaura_store_pg::{PgConfig, PgStore};
//!
//! let store = Arc::new(PgStore::connect(&PgConfig::new("postgres://postgres@127.0.0.1/shop")).await?);
//! store.migrate().await?;
//! let app = ecolaura_core::Ecolaura::builder().store(store.clone()).build()?;
//! // Other hosts' catalog writes drop the cached reads they change:
//! let _listener = store.invalidate_on_catalog_changes(app.cache().clone());
//! # Ok(()) }
//! ```
//!
//! Every port method that writes runs in one transaction. Stock is taken by
//! conditional updates in product-id order (no deadlock between orders), jobs
//! are claimed with `FOR UPDATE SKIP LOCKED`, and `LISTEN/NOTIFY` wakes idle
//! workers and tells other hosts what each catalog write changed, so that
//! they drop the cached reads it touches.

mod announce;
mod discards;
mod error;
mod import;
mod invalidation;
mod notify;
mod outage;
mod ports;
mod rows;
mod sessions;
mod shipping;

use std::sync::Arc;
use std::time::Duration;

use ecolaura_core::ports::{Cache, StoreError};
use sea_query::PostgresQueryBuilder;
use sea_query_sqlx::SqlxBinder;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{AssertSqlSafe, PgPool};

pub use notify::{CATALOG_CHANNEL, JOBS_CHANNEL};

use crate::error::store_error;

/// The embedded migrations; run them with [`PgStore::migrate`] or
/// `MIGRATOR.run(&pool)`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connection settings. Defaults suit one host with a couple of workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgConfig {
    /// `postgres://user:password@host:port/database`.
    pub url: String,
    /// Pool size (10). Keep hosts × pool size under the server's `max_connections`.
    pub max_connections: u32,
    /// Connections kept open when idle (0).
    pub min_connections: u32,
    /// How long a caller waits for a free connection while the server
    /// answers (5 s): a busy pool makes callers queue, not fail.
    pub acquire_timeout: Duration,
    /// How long a caller waits before the store asks whether the server is
    /// there at all (500 ms). The question is one fresh connection, given
    /// `probe_timeout`, shared by every caller and asked at most once a
    /// second; if it fails the caller gets `Unavailable` at once. With the
    /// database gone, requests and readiness probes fail within a second.
    pub outage_timeout: Duration,
    /// How long that probe may take to connect (400 ms).
    pub probe_timeout: Duration,
    /// The server cancels a statement that runs longer (30 s).
    pub statement_timeout: Duration,
    /// Idle connections are closed after this long (10 min).
    pub idle_timeout: Duration,
}

impl PgConfig {
    /// Defaults for this URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(5),
            outage_timeout: Duration::from_millis(500),
            probe_timeout: Duration::from_millis(400),
            statement_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(600),
        }
    }
}

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL is not a Postgres URL.
    #[error("invalid Postgres URL: {0}")]
    InvalidUrl(String),
    /// The server did not answer or refused the connection.
    #[error("cannot reach Postgres: {0}")]
    Unreachable(#[source] sqlx::Error),
}

/// Every storage port of Ecolaura on one Postgres database.
pub struct PgStore {
    pool: PgPool,
    listener: notify::Listener,
    /// Sends the hot paths' notifications after their commits, batched.
    announcer: announce::Announcer,
    /// Tags this store's catalog notifications, so that its own listener
    /// skips them (the writer has applied its changes to its cache already).
    origin: uuid::Uuid,
    /// Fails fast when the server is gone, waits when the pool is busy.
    gate: outage::Gate,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("connections", &self.pool.size())
            .field("idle", &self.pool.num_idle())
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Open a pool and check that the server answers.
    ///
    /// # Errors
    /// [`ConnectError::InvalidUrl`] for a malformed URL,
    /// [`ConnectError::Unreachable`] when the server is down or refuses.
    pub async fn connect(config: &PgConfig) -> Result<Self, ConnectError> {
        if !(config.url.starts_with("postgres://") || config.url.starts_with("postgresql://")) {
            return Err(ConnectError::InvalidUrl(
                "it must start with postgres:// or postgresql://".into(),
            ));
        }
        let options: PgConnectOptions = config
            .url
            .parse()
            .map_err(|e: sqlx::Error| ConnectError::InvalidUrl(e.to_string()))?;
        let timeout_ms = config.statement_timeout.as_millis().to_string();
        let options = options.options([("statement_timeout", timeout_ms.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections)
            .min_connections(config.min_connections)
            .acquire_timeout(config.acquire_timeout)
            .idle_timeout(Some(config.idle_timeout))
            .connect_with(options)
            .await
            .map_err(ConnectError::Unreachable)?;
        let mut store = Self::from_pool(pool);
        store.gate = outage::Gate::new(config.outage_timeout, config.probe_timeout);
        Ok(store)
    }

    /// Use an existing pool (with the default outage timeouts).
    pub fn from_pool(pool: PgPool) -> Self {
        let listener = notify::Listener::new(pool.clone());
        let defaults = PgConfig::new("");
        let origin = uuid::Uuid::new_v4();
        Self {
            announcer: announce::Announcer::new(pool.clone(), origin),
            pool,
            listener,
            origin,
            gate: outage::Gate::new(defaults.outage_timeout, defaults.probe_timeout),
        }
    }

    /// Apply the embedded migrations not applied yet. Safe to run from
    /// several processes at once (sqlx takes an advisory lock).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e) => store_error(e),
            other => StoreError::backend(other),
        })
    }

    /// Whether the server answers (for readiness probes); `Unavailable`
    /// within about a second when it is gone.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        sqlx::query("SELECT 1")
            .execute(&mut *conn)
            .await
            .map(|_| ())
            .map_err(store_error)
    }

    /// A connection: at once when one is free, after a wait while the pool
    /// is busy, `Unavailable` quickly when the server is gone.
    pub(crate) async fn conn(
        &self,
    ) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>, StoreError> {
        self.gate.acquire(&self.pool).await
    }

    /// A transaction on such a connection.
    pub(crate) async fn begin(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        let conn = self.conn().await?;
        // What `PgPool::begin` does, on a connection the gate handed out.
        sqlx::Transaction::begin(conn, None)
            .await
            .map_err(store_error)
    }

    /// The pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Listen on [`CATALOG_CHANNEL`] and apply to `cache` what every other
    /// store (another process, or another `PgStore`) writes to the catalog,
    /// stock taken and given back included: `cache` drops the reads those
    /// changes touch. This store's own notifications are skipped, so `cache`
    /// must be the one of the application built on this store, which
    /// applies its own writes. Runs until the returned task is aborted;
    /// reconnects after connection loss, and drops the whole cache on
    /// reconnect, since notifications may have been missed.
    pub fn invalidate_on_catalog_changes(
        &self,
        cache: Arc<dyn Cache>,
    ) -> tokio::task::JoinHandle<()> {
        invalidation::invalidate_on_catalog_changes(self.pool.clone(), cache, self.origin)
    }
}

// ------------------------------------------------------------- statement helpers

fn render(stmt: &impl SqlxBinder) -> (AssertSqlSafe<String>, sea_query_sqlx::SqlxValues) {
    let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
    (AssertSqlSafe(sql), values)
}

async fn all<'e, R>(
    exec: impl sqlx::PgExecutor<'e>,
    stmt: &impl SqlxBinder,
) -> Result<Vec<R>, StoreError>
where
    R: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    let (sql, values) = render(stmt);
    sqlx::query_as_with::<_, R, _>(sql, values)
        .fetch_all(exec)
        .await
        .map_err(store_error)
}

async fn optional<'e, R>(
    exec: impl sqlx::PgExecutor<'e>,
    stmt: &impl SqlxBinder,
) -> Result<Option<R>, StoreError>
where
    R: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    let (sql, values) = render(stmt);
    sqlx::query_as_with::<_, R, _>(sql, values)
        .fetch_optional(exec)
        .await
        .map_err(store_error)
}

async fn execute<'e>(
    exec: impl sqlx::PgExecutor<'e>,
    stmt: &impl SqlxBinder,
) -> Result<u64, StoreError> {
    let (sql, values) = render(stmt);
    sqlx::query_with(sql, values)
        .execute(exec)
        .await
        .map(|r| r.rows_affected())
        .map_err(store_error)
}

fn built<T>(r: Result<T, sea_query::error::Error>) -> Result<T, StoreError> {
    r.map_err(StoreError::backend)
}
