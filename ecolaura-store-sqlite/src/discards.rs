//! The discarded-stock ledger on SQLite.
//!
//! An entry and the stock it takes are one immediate transaction under the
//! store's write lock; the stock is taken by the same conditional decrement
//! as an order's, so it never goes below zero.

use async_trait::async_trait;
use ecolaura_core::domain::{Page, PageRequest, ProductId, Stock, Timestamp};
use ecolaura_core::ports::{DiscardStore, StoreError};
use ecolaura_core::sustainability::discards::{
    DiscardEntry, DiscardGroup, PreventionMeasures, ReportYear,
};
use ecolaura_store_sql::records::{self, DiscardGroupRow, DiscardRow, PreventionMeasuresRow};
use ecolaura_store_sql::statements as sql;

use crate::error::store_error;
use crate::ports::{convert, count};
use crate::{SqliteStore, all, built, execute, optional};

#[async_trait]
impl DiscardStore for SqliteStore {
    async fn record_discard(&self, entry: &DiscardEntry) -> Result<Stock, StoreError> {
        let (_writer, mut tx) = self.write().await?;
        let taken: Option<(i64,)> =
            optional(&mut *tx, &sql::take_stock(entry.product_id, entry.quantity)).await?;
        let Some((units,)) = taken else {
            let state: Option<(bool, i64)> =
                optional(&mut *tx, &sql::product_state(entry.product_id)).await?;
            tx.rollback().await.map_err(store_error)?;
            return Err(match state {
                Some((false, _)) => StoreError::ShortStock,
                _ => StoreError::NotFound,
            });
        };
        execute(&mut *tx, &built(sql::insert_discard(entry))?).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(records::stock_left(units)?)
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
            all(self.pool(), &sql::discard_groups(from, until)).await?;
        convert(rows)
    }

    async fn prevention_measures(
        &self,
        year: ReportYear,
    ) -> Result<Option<PreventionMeasures>, StoreError> {
        let row: Option<PreventionMeasuresRow> =
            optional(self.pool(), &sql::select_prevention_measures(year)).await?;
        Ok(row.map(PreventionMeasures::try_from).transpose()?)
    }

    async fn set_prevention_measures(
        &self,
        measures: &PreventionMeasures,
    ) -> Result<(), StoreError> {
        self.write_one(&built(sql::upsert_prevention_measures(measures))?)
            .await
            .map(|_| ())
    }
}
