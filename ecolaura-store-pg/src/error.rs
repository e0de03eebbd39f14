//! sqlx errors as store errors: constraint names become domain variants,
//! connection trouble becomes `Unavailable`, nothing driver-specific escapes.

use ecolaura_core::ports::{StoreError, UniqueField};

/// Translate a driver error.
pub(crate) fn store_error(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        match db.constraint() {
            Some("categories_pkey") => return StoreError::Duplicate(UniqueField::CategorySlug),
            Some("users_email_key") => return StoreError::Duplicate(UniqueField::UserEmail),
            Some("products_live_sku") => return StoreError::Duplicate(UniqueField::ProductSku),
            Some("products_live_gtin") => return StoreError::Duplicate(UniqueField::ProductGtin),
            Some("shipping_methods_pkey") => {
                return StoreError::Duplicate(UniqueField::ShippingMethodCode);
            }
            Some("score_policies_pkey") => {
                return StoreError::Duplicate(UniqueField::ScorePolicyVersion);
            }
            Some("products_category_fkey") => return StoreError::UnknownCategory,
            _ => {}
        }
        let code = db.code().unwrap_or_default();
        // 08: connection exceptions; 57P0x: the server is shutting down or
        // starting; 53300: too many connections.
        if code.starts_with("08") || code.starts_with("57P") || code == "53300" {
            return StoreError::Unavailable(Box::new(e));
        }
        return StoreError::Backend(Box::new(e));
    }
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(Box::new(e)),
        other => StoreError::Backend(Box::new(other)),
    }
}

/// Whether a transaction failed only because it raced another (deadlock or
/// serialization failure) and may simply be run again.
pub(crate) fn is_retryable(e: &StoreError) -> bool {
    let StoreError::Backend(inner) = e else {
        return false;
    };
    inner
        .downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .and_then(|db| db.code())
        .is_some_and(|code| code == "40P01" || code == "40001")
}
