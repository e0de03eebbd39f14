//! The ports of `ecolaura-core`, implemented on Postgres.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use ecolaura_core::accounts::User;
use ecolaura_core::catalog::{
    CatalogChange, Category, ImportMode, Product, ProductFilter, ProductQuery, ProductSeek,
};
use ecolaura_core::domain::{ClaimId, Seek};
use ecolaura_core::domain::{
    Email, JobId, OrderId, Page, PageRequest, PersonName, ProductId, Slug, Timestamp, UserId,
};
use ecolaura_core::idempotency::{
    IdempotencyKey, IdempotencyRecord, IdempotencyStamp, IdempotentOutcome,
};
use ecolaura_core::jobs::{
    ClaimedJob, Job, JobCounts, JobKind, JobStatus, NewJob, QueueStats, RetryDecision,
};
use ecolaura_core::mail::{Delivery, OutgoingEmail, SentEmail};
use ecolaura_core::orders::{Order, OrderPosition, OrderRejection, SustainabilitySummary};
use ecolaura_core::ports::{
    AccountStore, CatalogStore, IdempotencyStore, JobQueue, MailError, Mailer, NewPlacement,
    OrderStore, PlacementOutcome, StatusChange, StoreError,
};
use ecolaura_core::scoring::{PublishedPolicy, ScoreEntry};
use ecolaura_core::sustainability::passport::Composition;
use ecolaura_core::sustainability::{Claim, FootprintRecord};
use ecolaura_store_sql::Postgres;
use ecolaura_store_sql::records::{
    self, ClaimRow, FootprintRow, ScoreEntryRow, ScorePolicyRow, SummaryRecord,
};
use ecolaura_store_sql::statements as sql;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::is_retryable;
use crate::invalidation::notify_catalog;
use crate::notify::{JOBS_CHANNEL, notify};
use crate::rows::*;
use crate::{PgStore, all, built, execute, optional};

/// An `orders` row as this backend returns it.
type OrderRow = records::OrderRecord<Decimal, Decimal>;

/// Attempts for a transaction that lost a deadlock or serialization race.
const TX_ATTEMPTS: usize = 3;

pub(crate) fn convert<R, T>(rows: Vec<R>) -> Result<Vec<T>, StoreError>
where
    T: TryFrom<R, Error = records::CorruptRow>,
{
    rows.into_iter()
        .map(|r| T::try_from(r).map_err(StoreError::from))
        .collect()
}

pub(crate) async fn count(
    conn: &mut PgConnection,
    stmt: &sea_query::SelectStatement,
) -> Result<u64, StoreError> {
    let row: Option<(i64,)> = optional(conn, stmt).await?;
    Ok(row.map_or(0, |(n,)| u64::try_from(n).unwrap_or(0)))
}

impl PgStore {
    async fn orders_with_lines(
        conn: &mut PgConnection,
        orders: Vec<OrderRow>,
    ) -> Result<Vec<Order>, StoreError> {
        let records = orders;
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = records.iter().map(|o| o.id).collect();
        let lines: Vec<OrderLineRow> = all(conn, &sql::select_order_lines(&ids)).await?;
        Ok(records::assemble_orders(
            records,
            lines.into_iter().map(Into::into).collect(),
        )?)
    }

    async fn order_in(conn: &mut PgConnection, id: OrderId) -> Result<Option<Order>, StoreError> {
        let row: Option<OrderRow> = optional(&mut *conn, &sql::select_order(id)).await?;
        Ok(Self::orders_with_lines(conn, row.into_iter().collect())
            .await?
            .pop())
    }

    /// Compare-and-set a live product (see `CatalogStore::update_product`)
    /// and, in the same transaction, make the `side` change; then tell the other hosts what
    /// changed.
    async fn replace_product(
        &self,
        product: &Product,
        side: sql::ProductSide<'_>,
    ) -> Result<Product, StoreError> {
        let mut tx = self.begin().await?;
        // The update applies only to the version read here, so when it
        // does, this is exactly the product it replaced.
        let before: Option<ProductRow> =
            optional(&mut *tx, &sql::select_product(product.id)).await?;
        let row: Option<ProductRow> =
            optional(&mut *tx, &sql::update_product::<Postgres>(product)).await?;
        let Some(row) = row else {
            let state: Option<(bool, i32)> =
                optional(&mut *tx, &sql::product_state(product.id)).await?;
            tx.rollback().await.map_err(crate::error::store_error)?;
            return Err(match state {
                Some((false, _)) => StoreError::StaleWrite,
                _ => StoreError::NotFound,
            });
        };
        execute(&mut *tx, &built(sql::record_score(product))?).await?;
        let written = match built(side.statement::<Postgres>(product.id))? {
            None => 0,
            Some(sql::SideStatement::Insert(q)) => execute(&mut *tx, &q).await?,
            Some(sql::SideStatement::Delete(q)) => execute(&mut *tx, &q).await?,
        };
        if written == 0 && side.must_touch_a_row() {
            tx.rollback().await.map_err(crate::error::store_error)?;
            return Err(StoreError::NotFound);
        }
        let after = Product::try_from(records::ProductRecord::from(row))?;
        let change = match before {
            Some(before) => CatalogChange::updated(
                Product::try_from(records::ProductRecord::from(before))?,
                after.clone(),
            ),
            None => CatalogChange::Everything,
        };
        execute(&mut *tx, &notify_catalog(self.origin, &[change], &[])).await?;
        tx.commit().await.map_err(crate::error::store_error)?;
        Ok(after)
    }

    async fn live_record(
        conn: &mut PgConnection,
        user: UserId,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let row: Option<records::IdempotencyRow> =
            optional(conn, &sql::find_idempotency(user, key, now)).await?;
        Ok(row.map(IdempotencyRecord::try_from).transpose()?)
    }

    /// The first line, in request order, that cannot be served now.
    async fn first_unservable(&self, order: &Order) -> Result<Option<OrderRejection>, StoreError> {
        let ids: Vec<ProductId> = order.lines.iter().map(|l| l.product_id).collect();
        let live: Vec<Product> = self.get_products(&ids).await?;
        Ok(order.first_rejection(|id| live.iter().find(|p| p.id == id)))
    }

    /// One attempt at a placement. `Ok(None)`: stock was short when taken
    /// but is not any more; try again.
    async fn try_place(&self, p: &NewPlacement) -> Result<Option<PlacementOutcome>, StoreError> {
        let order = &p.order;
        let mut tx = self.begin().await?;
        if let Some(stamp) = &p.idempotency {
            let placeholder = serde_json::json!({ "outcome": "in_progress" });
            let claimed: Option<(String,)> = optional(
                &mut *tx,
                &built(sql::claim_idempotency_key(stamp, placeholder))?,
            )
            .await?;
            if claimed.is_none() {
                // A live record exists (if it was being written, the insert
                // waited for that transaction to commit).
                let record =
                    Self::live_record(&mut tx, stamp.user_id, &stamp.key, stamp.now).await?;
                tx.rollback().await.map_err(crate::error::store_error)?;
                let record =
                    record.ok_or_else(|| StoreError::backend("idempotency record vanished"))?;
                return Ok(Some(record.replay_for(&stamp.fingerprint).into()));
            }
        }

        // Take stock in product-id order, so that concurrent orders lock rows
        // in one order and cannot deadlock.
        let mut lines: Vec<_> = order.lines.iter().collect();
        lines.sort_by_key(|l| l.product_id);
        let mut left = HashMap::with_capacity(lines.len());
        for line in lines {
            let taken: Option<(i32,)> = optional(
                &mut *tx,
                &sql::take_stock(line.product_id, line.quantity.get()),
            )
            .await?;
            if let Some((units,)) = taken {
                left.insert(line.product_id, records::stock_left(units.into())?);
            } else {
                tx.rollback().await.map_err(crate::error::store_error)?;
                let Some(rejection) = self.first_unservable(order).await? else {
                    return Ok(None);
                };
                return Ok(Some(match &p.idempotency {
                    None => PlacementOutcome::Rejected(rejection),
                    Some(stamp) => {
                        let outcome = IdempotentOutcome::Rejected(rejection.clone());
                        match self.save_outcome(stamp, &outcome).await? {
                            None => PlacementOutcome::Rejected(rejection),
                            Some(existing) => existing.replay_for(&stamp.fingerprint).into(),
                        }
                    }
                }));
            }
        }

        execute(&mut *tx, &built(sql::insert_order::<Postgres>(order))?).await?;
        execute(
            &mut *tx,
            &built(sql::insert_order_lines::<Postgres>(order))?,
        )
        .await?;
        if !p.jobs.is_empty() {
            execute(
                &mut *tx,
                &built(sql::insert_jobs(&p.jobs, order.created_at))?,
            )
            .await?;
        }
        if let Some(stamp) = &p.idempotency {
            let outcome = serde_json::to_value(IdempotentOutcome::Placed(Box::new(order.clone())))
                .map_err(StoreError::backend)?;
            execute(&mut *tx, &sql::set_idempotency_outcome(stamp, outcome)).await?;
        }
        let stock_left: Vec<_> = order
            .lines
            .iter()
            .filter_map(|l| left.get(&l.product_id).map(|n| (l.product_id, *n)))
            .collect();
        let changes: Vec<_> = stock_left
            .iter()
            .map(|&(id, n)| CatalogChange::stock_taken(id, n))
            .collect();
        tx.commit().await.map_err(crate::error::store_error)?;
        self.announcer.announce(!p.jobs.is_empty(), &changes);
        Ok(Some(PlacementOutcome::Placed {
            order: order.clone(),
            stock_left,
        }))
    }

    async fn try_change_status(&self, change: &StatusChange) -> Result<Order, StoreError> {
        let mut tx = self.begin().await?;
        if execute(&mut *tx, &sql::change_status(change)).await? == 0 {
            let exists = Self::order_in(&mut tx, change.order_id).await?.is_some();
            tx.rollback().await.map_err(crate::error::store_error)?;
            return Err(if exists {
                StoreError::StaleWrite
            } else {
                StoreError::NotFound
            });
        }
        let order = Self::order_in(&mut tx, change.order_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if change.restock {
            let mut lines: Vec<_> = order.lines.iter().collect();
            lines.sort_by_key(|l| l.product_id);
            for line in lines {
                execute(
                    &mut *tx,
                    &sql::give_back_stock(line.product_id, line.quantity),
                )
                .await?;
            }
        }
        if !change.enqueue.is_empty() {
            execute(
                &mut *tx,
                &built(sql::insert_jobs(&change.enqueue, change.at))?,
            )
            .await?;
        }
        let restocked: Vec<_> = if change.restock {
            order
                .lines
                .iter()
                .map(|l| CatalogChange::stock_given_back(l.product_id))
                .collect()
        } else {
            Vec::new()
        };
        tx.commit().await.map_err(crate::error::store_error)?;
        self.announcer
            .announce(!change.enqueue.is_empty(), &restocked);
        Ok(order)
    }
}

#[async_trait]
impl CatalogStore for PgStore {
    async fn begin_import(
        &self,
        mode: ImportMode,
    ) -> Result<Box<dyn ecolaura_core::ports::CatalogImport>, StoreError> {
        let mut tx = self.begin().await?;
        if mode == ImportMode::DryRun {
            // Postgres itself refuses any write of a dry run.
            sqlx::query("SET TRANSACTION READ ONLY")
                .execute(&mut *tx)
                .await
                .map_err(crate::error::store_error)?;
        }
        Ok(Box::new(crate::import::PgImport {
            tx,
            mode,
            origin: self.origin,
        }))
    }

    async fn insert_category(&self, category: &Category) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        execute(&mut *tx, &built(sql::insert_category(category))?).await?;
        let changes = [CatalogChange::Categories];
        execute(&mut *tx, &notify_catalog(self.origin, &changes, &[])).await?;
        tx.commit().await.map_err(crate::error::store_error)
    }

    async fn get_category(&self, slug: &Slug) -> Result<Option<Category>, StoreError> {
        let row: Option<records::CategoryRecord> =
            optional(&mut *self.conn().await?, &sql::select_category(slug)).await?;
        Ok(row.map(Category::try_from).transpose()?)
    }

    async fn update_category(&self, category: &Category) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        if execute(&mut *tx, &sql::update_category(category)).await? == 0 {
            tx.rollback().await.map_err(crate::error::store_error)?;
            return Err(StoreError::NotFound);
        }
        let changes = [CatalogChange::Categories];
        execute(&mut *tx, &notify_catalog(self.origin, &changes, &[])).await?;
        tx.commit().await.map_err(crate::error::store_error)
    }

    async fn list_categories(
        &self,
        page: PageRequest,
    ) -> Result<Page<ecolaura_core::catalog::Category>, StoreError> {
        let (select, total) = sql::list_categories(page);
        let mut conn = self.conn().await?;
        let rows: Vec<records::CategoryRecord> = all(&mut *conn, &select).await?;
        let count = count(&mut conn, &total).await?;
        let items = convert(rows)?;
        Ok(Page {
            count,
            items,
            request: page,
        })
    }

    async fn insert_product(&self, product: &Product) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        execute(&mut *tx, &built(sql::insert_product::<Postgres>(product))?).await?;
        execute(&mut *tx, &built(sql::record_score(product))?).await?;
        let changes = [CatalogChange::created(product.clone())];
        execute(&mut *tx, &notify_catalog(self.origin, &changes, &[])).await?;
        tx.commit().await.map_err(crate::error::store_error)
    }

    async fn get_product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        let row: Option<ProductRow> =
            optional(&mut *self.conn().await?, &sql::select_product(id)).await?;
        Ok(row
            .map(|r| Product::try_from(records::ProductRecord::from(r)))
            .transpose()?)
    }

    async fn get_products(&self, ids: &[ProductId]) -> Result<Vec<Product>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<ProductRow> =
            all(&mut *self.conn().await?, &sql::select_products(ids)).await?;
        convert(rows.into_iter().map(records::ProductRecord::from).collect())
    }

    async fn list_products(&self, query: &ProductQuery) -> Result<Page<Product>, StoreError> {
        let (select, total) = sql::list_products::<Postgres>(query);
        let mut conn = self.conn().await?;
        let rows: Vec<ListedProductRow> = all(&mut *conn, &select).await?;
        let rows = rows.into_iter().map(Into::into).collect();
        if let Some(page) = records::listed_page(rows, query.page)? {
            return Ok(page);
        }
        Ok(Page {
            count: count(&mut conn, &total).await?,
            items: Vec::new(),
            request: query.page,
        })
    }

    async fn seek_products(&self, query: &ProductSeek) -> Result<Vec<Product>, StoreError> {
        let rows: Vec<ProductRow> = all(
            &mut *self.conn().await?,
            &sql::seek_products::<Postgres>(query),
        )
        .await?;
        convert(rows.into_iter().map(records::ProductRecord::from).collect())
    }

    async fn count_products(&self, filter: &ProductFilter) -> Result<u64, StoreError> {
        count(
            &mut *self.conn().await?,
            &sql::count_products::<Postgres>(filter),
        )
        .await
    }

    async fn update_product(&self, product: &Product) -> Result<Product, StoreError> {
        self.replace_product(product, sql::ProductSide::Nothing)
            .await
    }

    async fn list_claims(&self, products: &[ProductId]) -> Result<Vec<Claim>, StoreError> {
        if products.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<ClaimRow> =
            all(&mut *self.conn().await?, &sql::select_claims(products)).await?;
        convert(rows)
    }

    async fn expiring_claims(
        &self,
        from: NaiveDate,
        until: NaiveDate,
        limit: u32,
    ) -> Result<Vec<Claim>, StoreError> {
        let rows: Vec<ClaimRow> = all(
            &mut *self.conn().await?,
            &sql::select_expiring_claims(from, until, u64::from(limit)),
        )
        .await?;
        convert(rows)
    }

    async fn products_with_claim_dates_in(
        &self,
        from: NaiveDate,
        until: NaiveDate,
        after: Option<ProductId>,
        limit: u32,
    ) -> Result<Vec<ProductId>, StoreError> {
        let stmt = sql::select_products_with_claim_dates_in(from, until, after, u64::from(limit));
        let rows: Vec<(Uuid,)> = all(&mut *self.conn().await?, &stmt).await?;
        Ok(rows.into_iter().map(|(id,)| ProductId::from(id)).collect())
    }

    async fn add_claim(&self, product: &Product, claim: &Claim) -> Result<Product, StoreError> {
        self.replace_product(product, sql::ProductSide::AddClaim(claim))
            .await
    }

    async fn remove_claim(&self, product: &Product, id: ClaimId) -> Result<Product, StoreError> {
        self.replace_product(product, sql::ProductSide::RemoveClaim(id))
            .await
    }

    async fn get_footprint(&self, id: ProductId) -> Result<Option<FootprintRecord>, StoreError> {
        let row: Option<FootprintRow<Decimal>> =
            optional(&mut *self.conn().await?, &sql::select_footprint(id)).await?;
        Ok(row.map(FootprintRecord::try_from).transpose()?)
    }

    async fn set_footprint<'a>(
        &self,
        product: &Product,
        record: Option<&'a FootprintRecord>,
    ) -> Result<Product, StoreError> {
        let side = match record {
            Some(r) => sql::ProductSide::SetFootprint(r),
            None => sql::ProductSide::RemoveFootprint,
        };
        self.replace_product(product, side).await
    }

    async fn get_composition(&self, id: ProductId) -> Result<Option<Composition>, StoreError> {
        let row: Option<(String,)> =
            optional(&mut *self.conn().await?, &sql::select_composition(id)).await?;
        Ok(row.map(|(doc,)| records::composition(&doc)).transpose()?)
    }

    async fn set_composition(
        &self,
        product: &Product,
        composition: &Composition,
    ) -> Result<Product, StoreError> {
        self.replace_product(product, sql::ProductSide::SetComposition(composition))
            .await
    }

    async fn archive_product(&self, id: ProductId, at: Timestamp) -> Result<Product, StoreError> {
        let mut tx = self.begin().await?;
        let row: Option<ProductRow> = optional(&mut *tx, &sql::archive_product(id, at)).await?;
        let archived = Product::try_from(records::ProductRecord::from(
            row.ok_or(StoreError::NotFound)?,
        ))?;
        let changes = [CatalogChange::archived(archived.clone())];
        execute(&mut *tx, &notify_catalog(self.origin, &changes, &[])).await?;
        tx.commit().await.map_err(crate::error::store_error)?;
        Ok(archived)
    }

    async fn score_history(
        &self,
        id: ProductId,
        limit: u32,
    ) -> Result<Vec<ScoreEntry>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<ScoreEntryRow> =
            all(&mut *conn, &sql::select_score_history(id, limit)).await?;
        convert(rows)
    }

    async fn score_policy(
        &self,
        version: Option<u32>,
    ) -> Result<Option<PublishedPolicy>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ScorePolicyRow> =
            optional(&mut *conn, &sql::select_score_policy(version)).await?;
        Ok(row.map(PublishedPolicy::try_from).transpose()?)
    }

    async fn publish_score_policy(
        &self,
        policy: &PublishedPolicy,
        rescoring: &NewJob,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        execute(&mut *tx, &built(sql::insert_score_policy(policy))?).await?;
        let job = std::slice::from_ref(rescoring);
        execute(
            &mut *tx,
            &built(sql::insert_jobs(job, policy.published_at))?,
        )
        .await?;
        execute(&mut *tx, &notify(&[JOBS_CHANNEL])).await?;
        tx.commit().await.map_err(crate::error::store_error)
    }

    async fn rescoring_cursor(&self, version: u32) -> Result<Option<ProductId>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(Option<Uuid>,)> =
            optional(&mut *conn, &sql::select_rescoring_cursor(version)).await?;
        Ok(row.and_then(|(cursor,)| cursor).map(ProductId::from))
    }

    async fn products_after(
        &self,
        after: Option<ProductId>,
        limit: u32,
    ) -> Result<Vec<Product>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<ProductRow> =
            all(&mut *conn, &sql::select_products_after(after, limit)).await?;
        convert(rows.into_iter().map(records::ProductRecord::from).collect())
    }

    /// The products as they were come from one read in the transaction;
    /// each update applies only to the version read by the rescoring, so
    /// where it applies, that read is exactly what it replaced.
    async fn write_rescored(
        &self,
        version: u32,
        rescored: &[Product],
        through: ProductId,
    ) -> Result<Vec<Product>, StoreError> {
        let ids: Vec<ProductId> = rescored.iter().map(|p| p.id).collect();
        let mut tx = self.begin().await?;
        let mut before: HashMap<Uuid, ProductRow> = HashMap::new();
        if !ids.is_empty() {
            let rows: Vec<ProductRow> = all(&mut *tx, &sql::select_products(&ids)).await?;
            before = rows.into_iter().map(|r| (r.id(), r)).collect();
        }
        let mut written = Vec::with_capacity(rescored.len());
        let mut changes = Vec::with_capacity(rescored.len());
        for product in rescored {
            let row: Option<ProductRow> =
                optional(&mut *tx, &sql::update_product::<Postgres>(product)).await?;
            let Some(row) = row else { continue };
            let after = Product::try_from(records::ProductRecord::from(row))?;
            changes.push(match before.remove(&product.id.as_uuid()) {
                Some(was) => CatalogChange::updated(
                    Product::try_from(records::ProductRecord::from(was))?,
                    after.clone(),
                ),
                None => CatalogChange::Everything,
            });
            written.push(after);
        }
        if !written.is_empty() {
            execute(&mut *tx, &built(sql::record_scores(&written))?).await?;
        }
        execute(&mut *tx, &sql::set_rescoring_cursor(version, through)).await?;
        if !changes.is_empty() {
            execute(&mut *tx, &notify_catalog(self.origin, &changes, &[])).await?;
        }
        tx.commit().await.map_err(crate::error::store_error)?;
        Ok(written)
    }
}

#[async_trait]
impl OrderStore for PgStore {
    async fn place_order(&self, placement: NewPlacement) -> Result<PlacementOutcome, StoreError> {
        let mut last = None;
        for _ in 0..TX_ATTEMPTS {
            match self.try_place(&placement).await {
                Ok(Some(outcome)) => return Ok(outcome),
                Ok(None) => continue,
                Err(e) if is_retryable(&e) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| StoreError::backend("stock kept changing under the placement")))
    }

    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        let mut conn = self.conn().await?;
        Self::order_in(&mut conn, id).await
    }

    async fn list_orders(
        &self,
        owner: Option<UserId>,
        page: PageRequest,
    ) -> Result<Page<Order>, StoreError> {
        let (select, total) = sql::list_orders(owner, page);
        let mut conn = self.conn().await?;
        let rows: Vec<OrderRow> = all(&mut *conn, &select).await?;
        let count = count(&mut conn, &total).await?;
        let items = Self::orders_with_lines(&mut conn, rows).await?;
        Ok(Page {
            count,
            items,
            request: page,
        })
    }

    async fn seek_orders(
        &self,
        owner: Option<UserId>,
        seek: &Seek<OrderPosition>,
    ) -> Result<Vec<Order>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<OrderRow> = all(&mut *conn, &sql::seek_orders(owner, seek)).await?;
        Self::orders_with_lines(&mut conn, rows).await
    }

    async fn count_orders(&self, owner: Option<UserId>) -> Result<u64, StoreError> {
        count(&mut *self.conn().await?, &sql::count_orders(owner)).await
    }

    async fn change_status(&self, change: StatusChange) -> Result<Order, StoreError> {
        let mut last = None;
        for _ in 0..TX_ATTEMPTS {
            match self.try_change_status(&change).await {
                Err(e) if is_retryable(&e) => last = Some(e),
                other => return other,
            }
        }
        Err(last.unwrap_or_else(|| StoreError::backend("status change kept racing")))
    }

    async fn confirm_order(
        &self,
        id: OrderId,
        at: Timestamp,
        jobs: &[NewJob],
    ) -> Result<bool, StoreError> {
        // One statement, one round trip: the update feeds the insert. Idle
        // workers are woken after the commit.
        let mut conn = self.conn().await?;
        let moved = if jobs.is_empty() {
            execute(
                &mut *conn,
                &sql::change_status(&StatusChange::confirm(id, at)),
            )
            .await?
                > 0
        } else {
            let statement = built(sql::confirm_order_and_enqueue(id, at, jobs))?;
            execute(&mut *conn, &statement).await? > 0
        };
        if moved {
            self.announcer.announce(!jobs.is_empty(), &[]);
            return Ok(true);
        }
        let exists: Option<(Uuid,)> = optional(&mut *conn, &sql::order_exists(id)).await?;
        exists.map(|_| false).ok_or(StoreError::NotFound)
    }

    async fn mark_confirmation_sent(&self, id: OrderId, at: Timestamp) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        if execute(&mut *conn, &sql::mark_confirmation_sent(id, at)).await? == 0 {
            let exists: Option<(Uuid,)> = optional(&mut *conn, &sql::order_exists(id)).await?;
            exists.ok_or(StoreError::NotFound)?;
        }
        Ok(())
    }

    async fn sustainability_summary(
        &self,
        user: UserId,
    ) -> Result<SustainabilitySummary, StoreError> {
        let row: Option<(i64, i64, Decimal, i64, Decimal)> =
            optional(&mut *self.conn().await?, &sql::summary::<Postgres>(user)).await?;
        let (orders_count, items_count, carbon, weighted_score, shipping_carbon) =
            row.unwrap_or((0, 0, Decimal::ZERO, 0, Decimal::ZERO));
        Ok(SustainabilitySummary::try_from(SummaryRecord {
            orders_count,
            items_count,
            carbon,
            weighted_score,
            shipping_carbon,
        })?)
    }
}

#[async_trait]
impl IdempotencyStore for PgStore {
    async fn find_idempotency(
        &self,
        user: UserId,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let mut conn = self.conn().await?;
        Self::live_record(&mut conn, user, key, now).await
    }

    async fn save_outcome(
        &self,
        stamp: &IdempotencyStamp,
        outcome: &IdempotentOutcome,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let json = serde_json::to_value(outcome).map_err(StoreError::backend)?;
        let mut conn = self.conn().await?;
        let claimed: Option<(String,)> =
            optional(&mut *conn, &built(sql::claim_idempotency_key(stamp, json))?).await?;
        if claimed.is_some() {
            return Ok(None);
        }
        Self::live_record(&mut conn, stamp.user_id, &stamp.key, stamp.now).await
    }

    async fn purge_expired_idempotency(&self, now: Timestamp) -> Result<u64, StoreError> {
        execute(&mut *self.conn().await?, &sql::purge_idempotency(now)).await
    }
}

#[async_trait]
impl AccountStore for PgStore {
    async fn insert_user(&self, user: &User) -> Result<(), StoreError> {
        execute(&mut *self.conn().await?, &built(sql::insert_user(user))?)
            .await
            .map(|_| ())
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let row: Option<records::UserRecord> =
            optional(&mut *self.conn().await?, &sql::select_user_by_email(email)).await?;
        Ok(row.map(User::try_from).transpose()?)
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let row: Option<records::UserRecord> =
            optional(&mut *self.conn().await?, &sql::select_user(id)).await?;
        Ok(row.map(User::try_from).transpose()?)
    }

    async fn rename_user(&self, id: UserId, name: &PersonName) -> Result<Option<User>, StoreError> {
        let row: Option<records::UserRecord> =
            optional(&mut *self.conn().await?, &sql::rename_user(id, name)).await?;
        Ok(row.map(User::try_from).transpose()?)
    }
}

#[async_trait]
impl JobQueue for PgStore {
    async fn enqueue(&self, job: NewJob, now: Timestamp) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        execute(
            &mut *tx,
            &built(sql::insert_jobs(std::slice::from_ref(&job), now))?,
        )
        .await?;
        execute(&mut *tx, &notify(&[JOBS_CHANNEL])).await?;
        tx.commit().await.map_err(crate::error::store_error)
    }

    async fn claim_batch(
        &self,
        kind: JobKind,
        now: Timestamp,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        let token = Uuid::new_v4();
        let limit = u64::try_from(limit).unwrap_or(u64::MAX);
        let statement = sql::claim_jobs::<Postgres>(kind, now, lease, token, limit);
        let rows: Vec<records::JobRecord> = all(&mut *self.conn().await?, &statement).await?;
        let mut jobs: Vec<Job> = convert(rows)?;
        // RETURNING gives no order: restore the claim order.
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs
            .into_iter()
            .map(|job| ClaimedJob { job, token })
            .collect())
    }

    async fn complete_batch(
        &self,
        claims: &[ClaimedJob],
        now: Timestamp,
    ) -> Result<Vec<JobId>, StoreError> {
        if claims.is_empty() {
            return Ok(Vec::new());
        }
        let marked: Vec<(Uuid, Uuid)> =
            all(&mut *self.conn().await?, &sql::complete_jobs(claims, now)).await?;
        Ok(records::not_among(claims, marked))
    }

    async fn fail(
        &self,
        claim: &ClaimedJob,
        now: Timestamp,
        error: &str,
        decision: RetryDecision,
    ) -> Result<(), StoreError> {
        match execute(
            &mut *self.conn().await?,
            &sql::fail_job(claim, now, error, decision),
        )
        .await?
        {
            0 => Err(StoreError::LeaseLost),
            _ => Ok(()),
        }
    }

    async fn extend_leases(
        &self,
        claims: &[ClaimedJob],
        now: Timestamp,
        lease: Duration,
    ) -> Result<Vec<JobId>, StoreError> {
        if claims.is_empty() {
            return Ok(Vec::new());
        }
        let moved: Vec<(Uuid, Uuid)> = all(
            &mut *self.conn().await?,
            &sql::extend_leases(claims, now, lease),
        )
        .await?;
        Ok(records::not_among(claims, moved))
    }

    async fn rescue_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let rescued = execute(&mut *tx, &sql::rescue_jobs(now, sql::Rescue::Expired)).await?;
        if rescued > 0 {
            execute(&mut *tx, &notify(&[JOBS_CHANNEL])).await?;
        }
        tx.commit().await.map_err(crate::error::store_error)?;
        Ok(rescued)
    }

    async fn vacuum(&self) -> Result<(), StoreError> {
        // VACUUM cannot run in a transaction, so each command goes alone
        // (simple protocol) on one connection, without the statement timeout
        // a large table could outlast; SKIP_LOCKED: another host is at it.
        let mut conn = self.conn().await?;
        for command in [
            "SET statement_timeout = 0",
            // INDEX_CLEANUP ON: never skip the indexes, whose dead entries
            // are what claims pass over.
            "VACUUM (SKIP_LOCKED, INDEX_CLEANUP ON) jobs",
            "RESET statement_timeout",
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(command))
                .execute(&mut *conn)
                .await
                .map_err(crate::error::store_error)?;
        }
        Ok(())
    }

    async fn take_back_orphans(&self, _now: Timestamp) -> Result<u64, StoreError> {
        // Other hosts' workers share this database: their running jobs are
        // not orphans. The periodic rescue takes back those that are.
        Ok(0)
    }

    async fn queue_stats(&self, now: Timestamp) -> Result<QueueStats, StoreError> {
        let rows: Vec<records::StatsRow> =
            all(&mut *self.conn().await?, &sql::queue_stats(now)).await?;
        Ok(records::queue_stats(rows)?)
    }

    async fn get_job(&self, id: JobId) -> Result<Option<Job>, StoreError> {
        let row: Option<records::JobRecord> =
            optional(&mut *self.conn().await?, &sql::select_job(id)).await?;
        Ok(row.map(Job::try_from).transpose()?)
    }

    async fn purge_done_jobs(
        &self,
        finished_before: Timestamp,
        limit: u64,
    ) -> Result<u64, StoreError> {
        execute(
            &mut *self.conn().await?,
            &sql::purge_done_jobs(finished_before, limit),
        )
        .await
    }

    async fn job_counts(&self) -> Result<JobCounts, StoreError> {
        let rows: Vec<(String, i64)> = all(&mut *self.conn().await?, &sql::job_counts()).await?;
        let mut counts = JobCounts::default();
        for (status, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            match status.parse::<JobStatus>() {
                Ok(JobStatus::Queued) => counts.queued = n,
                Ok(JobStatus::Running) => counts.running = n,
                Ok(JobStatus::Done) => counts.done = n,
                Ok(JobStatus::Dead) => counts.dead = n,
                Err(e) => return Err(StoreError::backend(e)),
            }
        }
        Ok(counts)
    }

    async fn wait_for_jobs(&self, timeout: Duration) {
        self.listener.wait(timeout).await;
    }
}

#[async_trait]
impl Mailer for PgStore {
    async fn send(&self, email: &OutgoingEmail, now: Timestamp) -> Result<Delivery, MailError> {
        let stmt =
            sql::insert_sent_email(email, now).map_err(|e| MailError::Refused(e.to_string()))?;
        let recorded: Option<(String,)> =
            optional(&mut *self.conn().await.map_err(mail_error)?, &stmt)
                .await
                .map_err(mail_error)?;
        Ok(if recorded.is_some() {
            Delivery::Sent
        } else {
            Delivery::AlreadySent
        })
    }

    async fn send_for_delivery(
        &self,
        email: &OutgoingEmail,
        delivery: NewJob,
        now: Timestamp,
    ) -> Result<Delivery, MailError> {
        let stmt =
            sql::insert_sent_email(email, now).map_err(|e| MailError::Refused(e.to_string()))?;
        let mut tx = self.begin().await.map_err(mail_error)?;
        let recorded: Option<(String,)> = optional(&mut *tx, &stmt).await.map_err(mail_error)?;
        if recorded.is_none() {
            return Ok(Delivery::AlreadySent);
        }
        execute(
            &mut *tx,
            &built(sql::insert_jobs(std::slice::from_ref(&delivery), now)).map_err(mail_error)?,
        )
        .await
        .map_err(mail_error)?;
        execute(&mut *tx, &notify(&[JOBS_CHANNEL]))
            .await
            .map_err(mail_error)?;
        tx.commit()
            .await
            .map_err(|e| mail_error(crate::error::store_error(e)))?;
        Ok(Delivery::Sent)
    }

    async fn find_sent(&self, dedup_key: &str) -> Result<Option<SentEmail>, MailError> {
        let row: Option<records::SentEmailRecord> = optional(
            &mut *self.conn().await.map_err(mail_error)?,
            &sql::select_sent_email(dedup_key),
        )
        .await
        .map_err(mail_error)?;
        row.map(SentEmail::try_from)
            .transpose()
            .map_err(|e| MailError::Unavailable(Box::new(e)))
    }

    async fn mark_delivered(&self, dedup_key: &str, at: Timestamp) -> Result<(), MailError> {
        let marked = execute(
            &mut *self.conn().await.map_err(mail_error)?,
            &sql::mark_email_delivered(dedup_key, at),
        )
        .await
        .map_err(mail_error)?;
        if marked == 0 {
            return Err(MailError::not_in_outbox(dedup_key));
        }
        Ok(())
    }
}

fn mail_error(e: StoreError) -> MailError {
    MailError::Unavailable(Box::new(e))
}
