//! Shipping methods on Postgres.

use async_trait::async_trait;
use ecolaura_core::domain::{Page, PageRequest, Slug, Timestamp};
use ecolaura_core::ports::{ShippingStore, StoreError};
use ecolaura_core::sustainability::shipping::{ShippingMethod, ShippingMethodChanges};
use ecolaura_store_sql::Postgres;
use ecolaura_store_sql::records::ShippingMethodRow;
use ecolaura_store_sql::statements as sql;
use rust_decimal::Decimal;

use crate::ports::{convert, count};
use crate::{PgStore, all, built, execute, optional};

/// A method as Postgres returns it: money and factor as `NUMERIC`.
type Row = ShippingMethodRow<Decimal, Decimal>;

#[async_trait]
impl ShippingStore for PgStore {
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
        let row: Option<Row> =
            optional(&mut *self.conn().await?, &sql::select_shipping_method(code)).await?;
        Ok(row.map(ShippingMethod::try_from).transpose()?)
    }

    async fn insert_shipping_method(&self, method: &ShippingMethod) -> Result<(), StoreError> {
        let insert = built(sql::insert_shipping_method::<Postgres>(method))?;
        execute(&mut *self.conn().await?, &insert).await.map(|_| ())
    }

    async fn update_shipping_method(
        &self,
        code: &Slug,
        changes: &ShippingMethodChanges,
        at: Timestamp,
    ) -> Result<Option<ShippingMethod>, StoreError> {
        let update = sql::update_shipping_method::<Postgres>(code, changes, at);
        let row: Option<Row> = optional(&mut *self.conn().await?, &update).await?;
        Ok(row.map(ShippingMethod::try_from).transpose()?)
    }
}
