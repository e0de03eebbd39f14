//! The store conformance suite on the in-memory adapter.

use std::sync::Arc;

use ecolaura_core::Store;
use ecolaura_core::memory::MemoryStore;

async fn fresh() -> Option<(Arc<dyn Store>, ())> {
    Some((Arc::new(MemoryStore::new()), ()))
}

ecolaura_core::store_conformance!(fresh);
