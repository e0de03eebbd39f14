//! The catalog epoch (migration 0017): how a host on SQLite hears of a
//! catalog import made by another process, which its read cache would
//! otherwise serve stale until the entries expire.

use std::sync::Arc;
use std::time::Duration;

use ecolaura_core::catalog::CatalogChange;
use ecolaura_core::ports::{Cache, StoreError};
use sqlx::SqlitePool;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::error::store_error;

/// Move the epoch on, in the transaction that writes the import.
pub(crate) async fn move_on(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    origin: Uuid,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE catalog_epoch SET epoch = epoch + 1, origin = ? WHERE id = 1")
        .bind(origin)
        .execute(&mut **tx)
        .await
        .map_err(store_error)?;
    Ok(())
}

/// The epoch and the store that moved it last.
async fn read(pool: &SqlitePool) -> Result<Option<(i64, Option<Uuid>)>, sqlx::Error> {
    sqlx::query_as("SELECT epoch, origin FROM catalog_epoch WHERE id = 1")
        .fetch_optional(pool)
        .await
}

/// Whether a move of the epoch from `seen` to `now` (last by `by`) may
/// hide another store's import: anything but exactly one move by `own`.
fn moved_by_another(seen: i64, now: i64, by: Option<Uuid>, own: Uuid) -> bool {
    now != seen && !(now == seen + 1 && by == Some(own))
}

/// Poll the epoch every `every`, and drop every read `cache` holds when
/// another store moved it. Runs until the task is aborted.
pub(crate) fn follow(
    pool: SqlitePool,
    cache: Arc<dyn Cache>,
    own: Uuid,
    every: Duration,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut seen: Option<i64> = None;
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match read(&pool).await {
                Ok(Some((now, by))) => {
                    if seen.is_some_and(|seen| moved_by_another(seen, now, by, own)) {
                        tracing::info!(
                            epoch = now,
                            "another process imported a catalog; dropping every cached read"
                        );
                        cache.apply(&[CatalogChange::Everything]).await;
                    }
                    seen = Some(now);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read the catalog epoch"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_single_move_by_this_store_is_its_own() {
        let (own, other) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(!moved_by_another(3, 3, Some(other), own));
        assert!(!moved_by_another(3, 4, Some(own), own));
        assert!(moved_by_another(3, 4, Some(other), own));
        assert!(
            moved_by_another(3, 5, Some(own), own),
            "one of two may be another's"
        );
        assert!(moved_by_another(3, 4, None, own));
    }
}
