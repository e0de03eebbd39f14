//! # Ecolaura on SQLite: the embedded default
//!
//! Every port of `ecolaura-core` in one SQLite file (or in memory), with the
//! same guarantees as on Postgres: orders atomic, no oversell, idempotent
//! placement, a durable job queue with leases, retries and dead jobs. SQLite is
//! bundled: nothing needs installing.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use ecolaura_store_sqlite::{SqliteConfig, SqliteStore};
//!
//! let store = Arc::new(SqliteStore::open(&SqliteConfig::file("ecolaura.db")).await?);
//! store.migrate().await?;
//! let app = ecolaura_core::Ecolaura::builder().store(store).build()?;
//! # Ok(()) }
//! ```
//!
//! One process owns the file. Inside it, write transactions are serialized
//! by an async lock and each starts with `BEGIN IMMEDIATE`, so two writers can
//! never both read the old stock; readers run in parallel (WAL mode).

mod discards;
mod epoch;
mod error;
mod import;
mod ports;
mod rows;
mod sessions;
mod shipping;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use ecolaura_core::ports::StoreError;
use sea_query::SqliteQueryBuilder;
use sea_query_sqlx::SqlxBinder;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, SqlitePool};
use tokio::sync::{Mutex, Notify};

use crate::error::store_error;

/// The embedded migrations; [`SqliteStore::migrate`] runs them.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Where the database lives and how it is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteConfig {
    /// A file path, or `None` for a private in-memory database.
    pub path: Option<PathBuf>,
    /// Make the file if it does not exist (true).
    pub create_if_missing: bool,
    /// Read connections (4). Writes go through one connection at a time.
    pub max_connections: u32,
    /// How long a statement waits for a lock held by another connection (5 s).
    pub busy_timeout: Duration,
    /// `synchronous = FULL` (true): a committed transaction survives a power
    /// cut. `false` gives `NORMAL`: it survives a crash of the process only.
    pub full_sync: bool,
}

impl SqliteConfig {
    /// A database in this file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self {
            path: Some(path.into()),
            create_if_missing: true,
            max_connections: 4,
            busy_timeout: Duration::from_secs(5),
            full_sync: true,
        }
    }

    /// A private in-memory database (gone with the store).
    pub fn in_memory() -> Self {
        Self {
            path: None,
            max_connections: 1,
            ..Self::file("")
        }
    }

    /// From a URL: `sqlite://path/to/file.db`, `sqlite:file.db` or `sqlite::memory:`.
    ///
    /// # Errors
    /// [`OpenError::InvalidUrl`] for anything else.
    pub fn from_url(url: &str) -> Result<Self, OpenError> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| OpenError::InvalidUrl(format!("{url:?} does not start with sqlite:")))?;
        let path = rest.split('?').next().unwrap_or_default();
        match path {
            ":memory:" => Ok(Self::in_memory()),
            "" => Err(OpenError::InvalidUrl(format!("{url:?} names no file"))),
            file => Ok(Self::file(file)),
        }
    }
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The URL is not an SQLite URL.
    #[error("invalid SQLite URL: {0}")]
    InvalidUrl(String),
    /// The file cannot be opened or made (missing directory, no permission),
    /// or it is not an SQLite database.
    #[error("cannot open SQLite database {path}: {source}")]
    Open {
        /// The file.
        path: String,
        /// What SQLite said.
        #[source]
        source: sqlx::Error,
    },
}

/// Every storage port of Ecolaura on one SQLite database.
pub struct SqliteStore {
    pool: SqlitePool,
    /// One writer at a time, in this process.
    write: std::sync::Arc<Mutex<()>>,
    /// Wakes idle workers when a job is enqueued.
    jobs_enqueued: Notify,
    /// This store, as the catalog epoch names it (migration 0017).
    origin: uuid::Uuid,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("connections", &self.pool.size())
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Open (or make) the database and check that it is one.
    ///
    /// # Errors
    /// [`OpenError::Open`] when the file cannot be opened or made, or is not
    /// an SQLite database.
    pub async fn open(config: &SqliteConfig) -> Result<Self, OpenError> {
        let shown = config
            .path
            .as_ref()
            .map_or(":memory:".into(), |p| p.display().to_string());
        let open_error = |source| OpenError::Open {
            path: shown.clone(),
            source,
        };
        let base = match &config.path {
            Some(path) => SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(config.create_if_missing),
            None => SqliteConnectOptions::from_str("sqlite::memory:").map_err(open_error)?,
        };
        let options = base
            .journal_mode(if config.path.is_some() {
                SqliteJournalMode::Wal
            } else {
                SqliteJournalMode::Memory
            })
            .synchronous(if config.full_sync {
                SqliteSynchronous::Full
            } else {
                SqliteSynchronous::Normal
            })
            .foreign_keys(true)
            .busy_timeout(config.busy_timeout);
        let mut pool = SqlitePoolOptions::new().max_connections(config.max_connections.max(1));
        if config.path.is_none() {
            // An in-memory database lives as long as its one connection.
            pool = pool
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
        let pool = pool.connect_with(options).await.map_err(open_error)?;
        // Opening is lazy about the file's contents: read it now, so a file
        // that is not a database fails here, clearly.
        sqlx::query("SELECT count(*) FROM sqlite_master")
            .execute(&pool)
            .await
            .map_err(open_error)?;
        Ok(Self {
            pool,
            write: std::sync::Arc::new(Mutex::new(())),
            jobs_enqueued: Notify::new(),
            origin: uuid::Uuid::new_v4(),
        })
    }

    /// Poll the catalog epoch every `every` and drop every read `cache`
    /// holds when a catalog import made through another store (another
    /// process, say `ecolaura catalog import`) committed. `cache` must be
    /// the one of the application built on this store, which applies its
    /// own writes. Runs until the returned task is aborted.
    pub fn invalidate_on_catalog_changes(
        &self,
        cache: std::sync::Arc<dyn ecolaura_core::ports::Cache>,
        every: Duration,
    ) -> tokio::task::JoinHandle<()> {
        epoch::follow(self.pool.clone(), cache, self.origin, every)
    }

    /// Apply the embedded migrations not applied yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let _writer = self.write.lock().await;
        MIGRATOR.run(&self.pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e) => store_error(e),
            other => StoreError::backend(other),
        })
    }

    /// Whether the database answers (for readiness probes).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(store_error)
    }

    /// The pool.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Close every connection (the file is then complete on disk).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

// ------------------------------------------------------------- statement helpers

fn render(stmt: &impl SqlxBinder) -> (AssertSqlSafe<String>, sea_query_sqlx::SqlxValues) {
    let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
    (AssertSqlSafe(sql), values)
}

async fn all<'e, R>(
    exec: impl sqlx::SqliteExecutor<'e>,
    stmt: &impl SqlxBinder,
) -> Result<Vec<R>, StoreError>
where
    R: for<'r> sqlx::FromRow<'r, SqliteRow> + Send + Unpin,
{
    let (sql, values) = render(stmt);
    sqlx::query_as_with::<_, R, _>(sql, values)
        .fetch_all(exec)
        .await
        .map_err(store_error)
}

async fn optional<'e, R>(
    exec: impl sqlx::SqliteExecutor<'e>,
    stmt: &impl SqlxBinder,
) -> Result<Option<R>, StoreError>
where
    R: for<'r> sqlx::FromRow<'r, SqliteRow> + Send + Unpin,
{
    let (sql, values) = render(stmt);
    sqlx::query_as_with::<_, R, _>(sql, values)
        .fetch_optional(exec)
        .await
        .map_err(store_error)
}

async fn execute<'e>(
    exec: impl sqlx::SqliteExecutor<'e>,
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
