//! [`CatalogImport`] on Postgres: one transaction; the products an import
//! that writes reads by SKU are locked (`FOR UPDATE`) until it ends. A dry
//! run is a read-only transaction that locks nothing.

use async_trait::async_trait;
use ecolaura_core::catalog::{CatalogChange, Category, ImportMode, Product};
use ecolaura_core::domain::{Gtin, ProductId, Sku, Slug};
use ecolaura_core::ports::{CatalogImport, StoreError};
use ecolaura_core::sustainability::Claim;
use ecolaura_store_sql::Postgres;
use ecolaura_store_sql::records::{self, ClaimRow};
use ecolaura_store_sql::statements as sql;
use uuid::Uuid;

use crate::invalidation::notify_catalog;
use crate::ports::convert;
use crate::rows::ProductRow;
use crate::{all, built, execute};

/// One import's transaction.
pub(crate) struct PgImport {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Postgres>,
    /// A dry run reads without locks.
    pub(crate) mode: ImportMode,
    /// This store's origin, for the cache notification at commit.
    pub(crate) origin: Uuid,
}

#[async_trait]
impl CatalogImport for PgImport {
    async fn live_products_by_sku(&mut self, skus: &[Sku]) -> Result<Vec<Product>, StoreError> {
        let rows: Vec<ProductRow> =
            all(&mut *self.tx, &sql::select_live_by_sku(skus, self.mode)).await?;
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
        execute(&mut *self.tx, &built(sql::insert_categories(categories))?).await?;
        Ok(())
    }

    async fn write_products(&mut self, products: &[Product]) -> Result<(), StoreError> {
        execute(
            &mut *self.tx,
            &built(sql::upsert_products::<Postgres>(products))?,
        )
        .await?;
        execute(&mut *self.tx, &built(sql::record_scores(products))?).await?;
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        let changes = [CatalogChange::Categories, CatalogChange::Everything];
        execute(&mut *self.tx, &notify_catalog(self.origin, &changes, &[])).await?;
        self.tx.commit().await.map_err(crate::error::store_error)
    }
}
