//! The discarded-stock ledger on Postgres.
//!
//! An entry and the stock it takes are one transaction; the stock is taken
//! by the same conditional decrement as an order's (`stock >= quantity` in
//! the `WHERE`, re-checked after waiting for a concurrent writer of the
//! row), so concurrent discards and orders never take it below zero.

use async_trait::async_trait;
use ecolaura_core::catalog::CatalogChange;
use ecolaura_core::domain::{Page, PageRequest, ProductId, Stock, Timestamp};
use ecolaura_core::ports::{DiscardStore, StoreError};
use ecolaura_core::sustainability::discards::{
    DiscardEntry, DiscardGroup, PreventionMeasures, ReportYear,
};
use ecolaura_store_sql::records::{self, DiscardGroupRow, DiscardRow, PreventionMeasuresRow};
use ecolaura_store_sql::statements as sql;

use crate::error::store_error;
use crate::ports::{convert, count};
use crate::{PgStore, all, built, execute, optional};

#[async_trait]
impl DiscardStore for PgStore {
    async fn record_discard(&self, entry: &DiscardEntry) -> Result<Stock, StoreError> {
        let mut tx = self.begin().await?;
        let taken: Option<(i32,)> =
            optional(&mut *tx, &sql::take_stock(entry.product_id, entry.quantity)).await?;
        let Some((units,)) = taken else {
            let state: Option<(bool, i32)> =
                optional(&mut *tx, &sql::product_state(entry.product_id)).await?;
            tx.rollback().await.map_err(store_error)?;
            return Err(match state {
                Some((false, _)) => StoreError::ShortStock,
                _ => StoreError::NotFound,
            });
        };
        execute(&mut *tx, &built(sql::insert_discard(entry))?).await?;
        tx.commit().await.map_err(store_error)?;
        let left = records::stock_left(units.into())?;
        let changes = [CatalogChange::stock_taken(entry.product_id, left)];
        self.announcer.announce(false, &changes);
        Ok(left)
    }

    async fn list_discards(
        &self,
        product: ProductId,
        page: PageRequest,
    ) -> Result<Page<DiscardEntry>, StoreError> {
        let (select, total) = sql::list_discards(product, page);
        let mut conn = self.conn().await?;
        let rows: Vec<DiscardRow> = all(&mut *conn, &select).await?;
        Ok(Page {
            count: count(&mut conn, &total).await?,
            items: convert(rows)?,
            request: page,
        })
    }

    async fn discard_groups(
        &self,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<DiscardGroup>, StoreError> {
        let rows: Vec<DiscardGroupRow> =
            all(&mut *self.conn().await?, &sql::discard_groups(from, until)).await?;
        convert(rows)
    }

    async fn prevention_measures(
        &self,
        year: ReportYear,
    ) -> Result<Option<PreventionMeasures>, StoreError> {
        let row: Option<PreventionMeasuresRow> = optional(
            &mut *self.conn().await?,
            &sql::select_prevention_measures(year),
        )
        .await?;
        Ok(row.map(PreventionMeasures::try_from).transpose()?)
    }

    async fn set_prevention_measures(
        &self,
        measures: &PreventionMeasures,
    ) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            &built(sql::upsert_prevention_measures(measures))?,
        )
        .await
        .map(|_| ())
    }
}
