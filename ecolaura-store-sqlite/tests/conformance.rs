//! The store conformance suite, every case, on SQLite files.

use std::sync::Arc;

use ecolaura_core::Store;
use ecolaura_store_sqlite::{SqliteConfig, SqliteStore};

/// Deletes the test's database files when the test ends.
struct TempDb(std::path::PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

async fn fresh() -> Option<(Arc<dyn Store>, TempDb)> {
    let path =
        std::env::temp_dir().join(format!("ecolaura-conformance-{}.db", uuid::Uuid::new_v4()));
    let store = SqliteStore::open(&SqliteConfig::file(&path))
        .await
        .expect("open");
    store.migrate().await.expect("migrate");
    Some((Arc::new(store), TempDb(path)))
}

ecolaura_core::store_conformance!(fresh);
