//! Shipping methods on SQLite.

use async_trait::async_trait;
use ecolaura_core::domain::{Page, PageRequest, Slug, Timestamp};
use ecolaura_core::ports::{ShippingStore, StoreError};
use ecolaura_core::sustainability::shipping::{ShippingMethod, ShippingMethodChanges};
use ecolaura_store_sql::Sqlite;
use ecolaura_store_sql::records::ShippingMethodRow;
use ecolaura_store_sql::statements as sql;

use crate::ports::{convert, count};
use crate::{SqliteStore, all, built, optional};

/// A method as SQLite returns it: the price in integer cents, the factor's
/// digits as text.
type Row = ShippingMethodRow<i64, String>;

#[async_trait]
impl ShippingStore for SqliteStore {
    async fn list_shipping_methods(
        &self,
        active_only: bool,
        page: PageRequest,
    ) -> Result<Page<ShippingMethod>, StoreError> {
        let (select, total) = sql::list_shipping_methods(active_only, page);
        let mut conn = self.conn().await?;
        let rows: Vec<Row> = all(&mut *conn, &select).await?;
        Ok(Page {
            count: count(&mut conn, &total).await?,
            items: convert(rows)?,
            request: page,
        })
    }

    async fn get_shipping_method(&self, code: &Slug) -> Result<Option<ShippingMethod>, StoreError> {
        let row: Option<Row> = optional(self.pool(), &sql::select_shipping_method(code)).await?;
        Ok(row.map(ShippingMethod::try_from).transpose()?)
    }

    async fn insert_shipping_method(&self, method: &ShippingMethod) -> Result<(), StoreError> {
        self.write_one(&built(sql::insert_shipping_method::<Sqlite>(method))?)
            .await
            .map(|_| ())
    }

    async fn update_shipping_method(
        &self,
        code: &Slug,
        changes: &ShippingMethodChanges,
        at: Timestamp,
    ) -> Result<Option<ShippingMethod>, StoreError> {
        let update = sql::update_shipping_method::<Sqlite>(code, changes, at);
        let rows: Vec<Row> = self.write_returning(&update).await?;
        Ok(rows
            .into_iter()
            .next()
            .map(ShippingMethod::try_from)
            .transpose()?)
    }
}
