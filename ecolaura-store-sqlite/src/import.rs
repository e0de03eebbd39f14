//! [`CatalogImport`] on SQLite: one immediate transaction, under the
//! store's write lock for as long as it lasts; its commit moves the
//! catalog epoch on, so that hosts in other processes drop their cached
//! reads. A dry run is a deferred transaction that only reads, without the
//! write lock.

use async_trait::async_trait;
use ecolaura_core::catalog::{Category, ImportMode, Product};
use ecolaura_core::domain::{Gtin, ProductId, Sku, Slug};
use ecolaura_core::ports::{CatalogImport, StoreError};
use ecolaura_core::sustainability::Claim;
use ecolaura_store_sql::Sqlite;
use ecolaura_store_sql::records::{self, ClaimRow};
use ecolaura_store_sql::statements as sql;
use tokio::sync::OwnedMutexGuard;
use uuid::Uuid;

use crate::error::store_error;
use crate::ports::{category_error, convert};
use crate::rows::ProductRow;
use crate::{all, built, execute};

/// One import's transaction, and the write lock it holds.
pub(crate) struct SqliteImport {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    /// The connection's page cache size before the import widened it; a
    /// dry run leaves the cache as it is.
    pub(crate) cache_size: Option<i64>,
    /// The store, for the catalog epoch the commit moves on.
    pub(crate) origin: Uuid,
    /// Released after the transaction ends (fields drop in order); `None`
    /// for a dry run, which takes no write lock and refuses writes.
    pub(crate) writer: Option<OwnedMutexGuard<()>>,
}

impl SqliteImport {
    /// An import that holds the write lock writes; one without is a dry run.
    fn mode(&self) -> ImportMode {
        match self.writer {
            Some(_) => ImportMode::Write,
            None => ImportMode::DryRun,
        }
    }

    fn writable(&self) -> Result<(), StoreError> {
        match self.mode() {
            ImportMode::Write => Ok(()),
            ImportMode::DryRun => Err(StoreError::dry_run_write()),
        }
    }
}

#[async_trait]
impl CatalogImport for SqliteImport {
    async fn live_products_by_sku(&mut self, skus: &[Sku]) -> Result<Vec<Product>, StoreError> {
        let statement = sql::select_live_by_sku(skus, self.mode());
        let rows: Vec<ProductRow> = all(&mut *self.tx, &statement).await?;
        convert(rows.into_iter().map(records::ProductRecord::from).collect())
    }

    async fn claims_of(&mut self, products: &[ProductId]) -> Result<Vec<Claim>, StoreError> {
        let rows: Vec<ClaimRow> = all(&mut *self.tx, &sql::select_claims(products)).await?;
        convert(rows)
    }

    async fn gtin_holders(&mut self, gtins: &[Gtin]) -> Result<Vec<(Gtin, ProductId)>, StoreError> {
        let rows: Vec<(String, Uuid)> =
            all(&mut *self.tx, &sql::select_gtin_holders(gtins)).await?;
        Ok(rows
            .into_iter()
            .map(records::gtin_holder)
            .collect::<Result<_, _>>()?)
    }

    async fn existing_categories(&mut self, slugs: &[Slug]) -> Result<Vec<Slug>, StoreError> {
        let rows: Vec<(String,)> = all(&mut *self.tx, &sql::select_category_slugs(slugs)).await?;
        Ok(rows
            .into_iter()
            .map(records::existing_slug)
            .collect::<Result<_, _>>()?)
    }

    async fn insert_categories(&mut self, categories: &[Category]) -> Result<(), StoreError> {
        self.writable()?;
        execute(&mut *self.tx, &built(sql::insert_categories(categories))?).await?;
        Ok(())
    }

    async fn write_products(&mut self, products: &[Product]) -> Result<(), StoreError> {
        self.writable()?;
        execute(
            &mut *self.tx,
            &built(sql::upsert_products::<Sqlite>(products))?,
        )
        .await
        .map_err(category_error)?;
        execute(&mut *self.tx, &built(sql::record_scores(products))?).await?;
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.writable()?;
        if let Some(size) = self.cache_size {
            let restore = format!("PRAGMA cache_size = {size}");
            sqlx::query(sqlx::AssertSqlSafe(restore))
                .execute(&mut *self.tx)
                .await
                .map_err(store_error)?;
        }
        crate::epoch::move_on(&mut self.tx, self.origin).await?;
        self.tx.commit().await.map_err(store_error)
    }
}

/// The page cache an import's connection uses, in KiB: an import updates
/// every index of the products table, and with SQLite's default 2 MiB it
/// reads and writes their pages again and again (a third of the time of
/// 100,000 rows). 32 MiB keeps a million-row import under 100 MiB of
/// memory in all.
const IMPORT_CACHE_KIB: i64 = 32 * 1024;

/// Widen the page cache of the transaction's connection for the import;
/// returns the size to restore (SQLite's `cache_size` form: pages, or
/// KiB when negative).
pub(crate) async fn widen_page_cache(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
) -> Result<i64, StoreError> {
    let (previous,): (i64,) = sqlx::query_as("PRAGMA cache_size")
        .fetch_one(&mut **tx)
        .await
        .map_err(store_error)?;
    let widen = format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}");
    sqlx::query(sqlx::AssertSqlSafe(widen))
        .execute(&mut **tx)
        .await
        .map_err(store_error)?;
    Ok(previous)
}
