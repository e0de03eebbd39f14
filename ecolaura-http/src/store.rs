//! Opening the store a URL names: Postgres, or the embedded SQLite default.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ecolaura_core::Store;
use ecolaura_core::ports::StoreError;

use crate::state::Readiness;

/// The embedded default's file name, in the working directory.
pub(crate) const DEFAULT_SQLITE_FILE: &str = "ecolaura.db";

/// An open store and what the host needs beside it.
pub(crate) struct OpenedStore {
    /// Every port.
    pub store: Arc<dyn Store>,
    /// Answers `/readyz`.
    pub readiness: Arc<dyn Readiness>,
    /// Where the data lives, for the start-up message (no credentials).
    pub location: String,
    /// The Postgres store, for cross-host cache invalidation.
    #[cfg(feature = "postgres")]
    pub postgres: Option<Arc<ecolaura_store_pg::PgStore>>,
    /// The SQLite store, for the catalog epoch other processes move.
    #[cfg(feature = "sqlite")]
    pub sqlite: Option<Arc<ecolaura_store_sqlite::SqliteStore>>,
}

/// How often a host on SQLite reads the catalog epoch: the longest a
/// catalog import by another process waits to show.
#[cfg(feature = "sqlite")]
const SQLITE_EPOCH_POLL: std::time::Duration = std::time::Duration::from_secs(1);

impl OpenedStore {
    /// Start applying to `cache` the catalog writes other processes make:
    /// Postgres notifications, or the SQLite catalog epoch read every
    /// second. `None` when the store has no such thing.
    pub(crate) fn invalidate_on_catalog_changes(
        &self,
        cache: Arc<dyn ecolaura_core::ports::Cache>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = &self.postgres {
            return Some(pg.invalidate_on_catalog_changes(cache));
        }
        #[cfg(feature = "sqlite")]
        if let Some(sqlite) = &self.sqlite {
            return Some(sqlite.invalidate_on_catalog_changes(cache, SQLITE_EPOCH_POLL));
        }
        let _ = cache;
        None
    }
}

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OpenStoreError {
    /// The URL names no supported database.
    #[error("ECOLAURA_DATABASE_URL must start with postgres://, postgresql:// or sqlite:")]
    UnsupportedUrl,
    /// Postgres refused.
    #[cfg(feature = "postgres")]
    #[error(transparent)]
    Postgres(#[from] ecolaura_store_pg::ConnectError),
    /// SQLite refused.
    #[cfg(feature = "sqlite")]
    #[error(transparent)]
    Sqlite(#[from] ecolaura_store_sqlite::OpenError),
    /// Migrations failed.
    #[error("migrations failed: {0}")]
    Migrate(#[source] StoreError),
}

/// Where the data is and how to open it.
#[derive(Debug, Clone)]
pub(crate) struct StoreSettings<'a> {
    /// `postgres://…`, `sqlite:…`, or `None` for the SQLite file in `dir`.
    pub url: Option<&'a str>,
    /// The directory of the embedded default.
    pub dir: &'a Path,
    /// Postgres connections in the pool.
    pub pool: u32,
    /// Apply migrations first.
    pub migrate: bool,
}

/// The database the settings name (the SQLite file in `dir` when there is
/// no URL), migrated first when asked.
///
/// # Errors
/// [`OpenStoreError`].
pub(crate) async fn open(settings: StoreSettings<'_>) -> Result<OpenedStore, OpenStoreError> {
    let StoreSettings {
        url,
        dir,
        pool,
        migrate,
    } = settings;
    match url {
        #[cfg(feature = "postgres")]
        Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
            let config = ecolaura_store_pg::PgConfig {
                max_connections: pool,
                ..ecolaura_store_pg::PgConfig::new(u)
            };
            let store = Arc::new(ecolaura_store_pg::PgStore::connect(&config).await?);
            if migrate {
                store.migrate().await.map_err(OpenStoreError::Migrate)?;
            }
            Ok(OpenedStore {
                store: store.clone(),
                readiness: store.clone(),
                location: redact(u),
                postgres: Some(store),
                #[cfg(feature = "sqlite")]
                sqlite: None,
            })
        }
        #[cfg(feature = "sqlite")]
        Some(u) if u.starts_with("sqlite:") => {
            let config = ecolaura_store_sqlite::SqliteConfig::from_url(u)?;
            open_sqlite(config, u.to_owned(), migrate).await
        }
        #[cfg(feature = "sqlite")]
        None => {
            let path: PathBuf = dir.join(DEFAULT_SQLITE_FILE);
            let location = format!("embedded SQLite file {}", path.display());
            open_sqlite(
                ecolaura_store_sqlite::SqliteConfig::file(path),
                location,
                migrate,
            )
            .await
        }
        _ => Err(OpenStoreError::UnsupportedUrl),
    }
}

#[cfg(feature = "sqlite")]
async fn open_sqlite(
    config: ecolaura_store_sqlite::SqliteConfig,
    location: String,
    migrate: bool,
) -> Result<OpenedStore, OpenStoreError> {
    let store = Arc::new(ecolaura_store_sqlite::SqliteStore::open(&config).await?);
    if migrate {
        store.migrate().await.map_err(OpenStoreError::Migrate)?;
    }
    Ok(OpenedStore {
        store: store.clone(),
        readiness: store.clone(),
        location,
        #[cfg(feature = "postgres")]
        postgres: None,
        sqlite: Some(store),
    })
}

/// The URL without its password, for logs.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/shop"),
            "postgres://app:***@db:5432/shop"
        );
        assert_eq!(
            redact("postgres://localhost/shop"),
            "postgres://localhost/shop"
        );
    }
}
