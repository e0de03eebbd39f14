//! sqlx errors as store errors. SQLite names the broken rule in its message
//! (`UNIQUE constraint failed: categories.slug`), not as a constraint name.

use ecolaura_core::ports::{StoreError, UniqueField};

/// Translate a driver error.
pub(crate) fn store_error(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let message = db.message();
        if message.contains("UNIQUE constraint failed: categories.slug") {
            return StoreError::Duplicate(UniqueField::CategorySlug);
        }
        if message.contains("UNIQUE constraint failed: shipping_methods.code") {
            return StoreError::Duplicate(UniqueField::ShippingMethodCode);
        }
        if message.contains("UNIQUE constraint failed: index 'users_email_key'") {
            return StoreError::Duplicate(UniqueField::UserEmail);
        }
        if message.contains("UNIQUE constraint failed: index 'products_live_sku'")
            || message.contains("UNIQUE constraint failed: products.sku")
        {
            return StoreError::Duplicate(UniqueField::ProductSku);
        }
        if message.contains("UNIQUE constraint failed: index 'products_live_gtin'")
            || message.contains("UNIQUE constraint failed: products.gtin")
        {
            return StoreError::Duplicate(UniqueField::ProductGtin);
        }
        if message.contains("UNIQUE constraint failed: score_policies.version") {
            return StoreError::Duplicate(UniqueField::ScorePolicyVersion);
        }
        // SQLITE_BUSY (5) / SQLITE_LOCKED (6) after the busy timeout, and
        // I/O or full-disk trouble: the storage is not usable right now.
        if matches!(db.code().as_deref(), Some("5" | "6" | "10" | "13" | "14")) {
            return StoreError::Unavailable(Box::new(e));
        }
        return StoreError::Backend(Box::new(e));
    }
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(Box::new(e)),
        other => StoreError::Backend(Box::new(other)),
    }
}

/// Whether an error is a broken foreign key (SQLite does not say which).
pub(crate) fn is_foreign_key_violation(e: &StoreError) -> bool {
    let StoreError::Backend(inner) = e else {
        return false;
    };
    inner
        .downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .is_some_and(|db| db.message().contains("FOREIGN KEY constraint failed"))
}
