//! The ports of `ecolaura-core`, implemented on SQLite.

use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use ecolaura_core::accounts::User;
use ecolaura_core::catalog::{
    Category, ImportMode, Product, ProductFilter, ProductQuery, ProductSeek,
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
use ecolaura_core::orders::{Order, OrderPosition, SustainabilitySummary};
use ecolaura_core::ports::{
    AccountStore, CatalogStore, IdempotencyStore, JobQueue, MailError, Mailer, NewPlacement,
    OrderStore, PlacementOutcome, StatusChange, StoreError,
};
use ecolaura_core::scoring::{PublishedPolicy, ScoreEntry};
use ecolaura_core::sustainability::passport::Composition;
use ecolaura_core::sustainability::{Claim, FootprintRecord};
use ecolaura_store_sql::Sqlite;
use ecolaura_store_sql::records::{
    self, ClaimRow, FootprintRow, ScoreEntryRow, ScorePolicyRow, SummaryRecord,
    kg_total_to_decimal, micro_kg_total_to_decimal,
};
use ecolaura_store_sql::statements as sql;
use sqlx::SqliteConnection;
use tokio::sync::MutexGuard;
use uuid::Uuid;

use crate::error::{is_foreign_key_violation, store_error};
use crate::rows::*;
use crate::{SqliteStore, all, built, execute, optional};

type WriteTx = sqlx::Transaction<'static, sqlx::Sqlite>;

pub(crate) fn convert<R, T>(rows: Vec<R>) -> Result<Vec<T>, StoreError>
where
    T: TryFrom<R, Error = records::CorruptRow>,
{
    rows.into_iter()
        .map(|r| T::try_from(r).map_err(StoreError::from))
        .collect()
}

fn one<R, T>(row: Option<R>) -> Result<Option<T>, StoreError>
where
    T: TryFrom<R, Error = records::CorruptRow>,
{
    Ok(row.map(T::try_from).transpose()?)
}

pub(crate) async fn count(
    conn: &mut SqliteConnection,
    stmt: &sea_query::SelectStatement,
) -> Result<u64, StoreError> {
    let row: Option<(i64,)> = optional(conn, stmt).await?;
    Ok(row.map_or(0, |(n,)| u64::try_from(n).unwrap_or(0)))
}

/// An `orders` row as this backend returns it.
type OrderRow = records::OrderRecord<i64, String>;

/// A product whose category is unknown: the only foreign key a product has.
pub(crate) fn category_error(e: StoreError) -> StoreError {
    if is_foreign_key_violation(&e) {
        StoreError::UnknownCategory
    } else {
        e
    }
}

impl SqliteStore {
    /// The write lock and an immediate transaction: nobody else writes until
    /// both are released, so what this transaction reads stays true.
    pub(crate) async fn write(&self) -> Result<(MutexGuard<'_, ()>, WriteTx), StoreError> {
        let guard = self.write.lock().await;
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(store_error)?;
        Ok((guard, tx))
    }

    /// One write statement, under the write lock.
    pub(crate) async fn write_one(
        &self,
        stmt: &impl sea_query_sqlx::SqlxBinder,
    ) -> Result<u64, StoreError> {
        let _writer = self.write.lock().await;
        execute(&self.pool, stmt).await
    }

    /// One write statement with `RETURNING`, under the write lock.
    pub(crate) async fn write_returning<R>(
        &self,
        stmt: &impl sea_query_sqlx::SqlxBinder,
    ) -> Result<Vec<R>, StoreError>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    {
        let _writer = self.write.lock().await;
        all(&self.pool, stmt).await
    }

    /// Rescue running jobs and wake the workers if any came back.
    async fn rescue(&self, now: Timestamp, which: sql::Rescue) -> Result<u64, StoreError> {
        let rescued = self.write_one(&sql::rescue_jobs(now, which)).await?;
        if rescued > 0 {
            self.jobs_enqueued.notify_waiters();
        }
        Ok(rescued)
    }

    pub(crate) async fn conn(
        &self,
    ) -> Result<sqlx::pool::PoolConnection<sqlx::Sqlite>, StoreError> {
        self.pool.acquire().await.map_err(store_error)
    }

    async fn orders_with_lines(
        conn: &mut SqliteConnection,
        rows: Vec<OrderRow>,
    ) -> Result<Vec<Order>, StoreError> {
        let orders = rows;
        if orders.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = orders.iter().map(|o| o.id).collect();
        let lines: Vec<OrderLineRow> = all(conn, &sql::select_order_lines(&ids)).await?;
        Ok(records::assemble_orders(
            orders,
            lines.into_iter().map(Into::into).collect(),
        )?)
    }

    async fn order_in(
        conn: &mut SqliteConnection,
        id: OrderId,
    ) -> Result<Option<Order>, StoreError> {
        let row: Option<OrderRow> = optional(&mut *conn, &sql::select_order(id)).await?;
        Ok(Self::orders_with_lines(conn, row.into_iter().collect())
            .await?
            .pop())
    }

    async fn live_record(
        conn: &mut SqliteConnection,
        user: UserId,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let row: Option<records::IdempotencyRow> =
            optional(conn, &sql::find_idempotency(user, key, now)).await?;
        one(row)
    }

    /// Claim the key, then take stock for every line and write the order;
    /// all inside one immediate transaction.
    async fn place_in(tx: &mut WriteTx, p: &NewPlacement) -> Result<PlacementOutcome, StoreError> {
        let order = &p.order;
        if let Some(stamp) = &p.idempotency {
            let placed = serde_json::to_value(IdempotentOutcome::Placed(Box::new(order.clone())))
                .map_err(StoreError::backend)?;
            let claimed: Option<(String,)> = optional(
                &mut **tx,
                &built(sql::claim_idempotency_key(stamp, placed))?,
            )
            .await?;
            if claimed.is_none() {
                let record = Self::live_record(tx, stamp.user_id, &stamp.key, stamp.now).await?;
                let record =
                    record.ok_or_else(|| StoreError::backend("idempotency record vanished"))?;
                return Ok(record.replay_for(&stamp.fingerprint).into());
            }
        }
        // Under the write lock nothing changes between this read and the
        // updates below; the updates stay conditional all the same.
        let ids: Vec<ProductId> = order.lines.iter().map(|l| l.product_id).collect();
        let live: Vec<ProductRow> = all(&mut **tx, &sql::select_products(&ids)).await?;
        let live: Vec<Product> =
            convert(live.into_iter().map(records::ProductRecord::from).collect())?;
        if let Some(rejection) = order.first_rejection(|id| live.iter().find(|p| p.id == id)) {
            if let Some(stamp) = &p.idempotency {
                let refused = serde_json::to_value(IdempotentOutcome::Rejected(rejection.clone()))
                    .map_err(StoreError::backend)?;
                execute(&mut **tx, &sql::set_idempotency_outcome(stamp, refused)).await?;
            }
            return Ok(PlacementOutcome::Rejected(rejection));
        }
        let mut stock_left = Vec::with_capacity(order.lines.len());
        for line in &order.lines {
            let taken: Option<(i64,)> = optional(
                &mut **tx,
                &sql::take_stock(line.product_id, line.quantity.get()),
            )
            .await?;
            let Some((units,)) = taken else {
                return Err(StoreError::backend("stock changed under the write lock"));
            };
            stock_left.push((line.product_id, records::stock_left(units)?));
        }
        execute(&mut **tx, &built(sql::insert_order::<Sqlite>(order))?).await?;
        execute(&mut **tx, &built(sql::insert_order_lines::<Sqlite>(order))?).await?;
        if !p.jobs.is_empty() {
            execute(
                &mut **tx,
                &built(sql::insert_jobs(&p.jobs, order.created_at))?,
            )
            .await?;
        }
        Ok(PlacementOutcome::Placed {
            order: order.clone(),
            stock_left,
        })
    }
}

impl SqliteStore {
    /// Compare-and-set a live product (see `CatalogStore::update_product`)
    /// and, in the same transaction, make the `side` change.
    async fn replace_product(
        &self,
        product: &Product,
        side: sql::ProductSide<'_>,
    ) -> Result<Product, StoreError> {
        let (_writer, mut tx) = self.write().await?;
        let row: Option<ProductRow> = optional(&mut *tx, &sql::update_product::<Sqlite>(product))
            .await
            .map_err(category_error)?;
        let Some(row) = row else {
            let state: Option<(bool, i64)> =
                optional(&mut *tx, &sql::product_state(product.id)).await?;
            return Err(match state {
                Some((false, _)) => StoreError::StaleWrite,
                _ => StoreError::NotFound,
            });
        };
        execute(&mut *tx, &built(sql::record_score(product))?).await?;
        let written = match built(side.statement::<Sqlite>(product.id))? {
            None => 0,
            Some(sql::SideStatement::Insert(q)) => execute(&mut *tx, &q).await?,
            Some(sql::SideStatement::Delete(q)) => execute(&mut *tx, &q).await?,
        };
        if written == 0 && side.must_touch_a_row() {
            tx.rollback().await.map_err(store_error)?;
            return Err(StoreError::NotFound);
        }
        tx.commit().await.map_err(store_error)?;
        Ok(Product::try_from(records::ProductRecord::from(row))?)
    }
}

#[async_trait]
impl CatalogStore for SqliteStore {
    async fn begin_import(
        &self,
        mode: ImportMode,
    ) -> Result<Box<dyn ecolaura_core::ports::CatalogImport>, StoreError> {
        if mode == ImportMode::DryRun {
            // A deferred transaction that only reads: one snapshot, no
            // write lock, so writers carry on while it checks the file.
            let tx = self.pool.begin().await.map_err(store_error)?;
            return Ok(Box::new(crate::import::SqliteImport {
                tx,
                cache_size: None,
                origin: self.origin,
                writer: None,
            }));
        }
        let writer = self.write.clone().lock_owned().await;
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(store_error)?;
        let cache_size = crate::import::widen_page_cache(&mut tx).await?;
        Ok(Box::new(crate::import::SqliteImport {
            tx,
            cache_size: Some(cache_size),
            origin: self.origin,
            writer: Some(writer),
        }))
    }

    async fn insert_category(&self, category: &Category) -> Result<(), StoreError> {
        self.write_one(&built(sql::insert_category(category))?)
            .await
            .map(|_| ())
    }

    async fn get_category(&self, slug: &Slug) -> Result<Option<Category>, StoreError> {
        let row: Option<records::CategoryRecord> =
            optional(&self.pool, &sql::select_category(slug)).await?;
        Ok(row.map(Category::try_from).transpose()?)
    }

    async fn update_category(&self, category: &Category) -> Result<(), StoreError> {
        match self.write_one(&sql::update_category(category)).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn list_categories(&self, page: PageRequest) -> Result<Page<Category>, StoreError> {
        let (select, total) = sql::list_categories(page);
        let mut conn = self.conn().await?;
        let rows: Vec<records::CategoryRecord> = all(&mut *conn, &select).await?;
        let count = count(&mut conn, &total).await?;
        Ok(Page {
            count,
            items: convert(rows)?,
            request: page,
        })
    }

    async fn insert_product(&self, product: &Product) -> Result<(), StoreError> {
        let (_writer, mut tx) = self.write().await?;
        execute(&mut *tx, &built(sql::insert_product::<Sqlite>(product))?)
            .await
            .map_err(category_error)?;
        execute(&mut *tx, &built(sql::record_score(product))?).await?;
        tx.commit().await.map_err(store_error)
    }

    async fn get_product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        let row: Option<ProductRow> = optional(&self.pool, &sql::select_product(id)).await?;
        one(row.map(records::ProductRecord::from))
    }

    async fn get_products(&self, ids: &[ProductId]) -> Result<Vec<Product>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<ProductRow> = all(&self.pool, &sql::select_products(ids)).await?;
        convert(rows.into_iter().map(records::ProductRecord::from).collect())
    }

    async fn list_products(&self, query: &ProductQuery) -> Result<Page<Product>, StoreError> {
        let (select, total) = sql::list_products::<Sqlite>(query);
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
        let rows: Vec<ProductRow> = all(&self.pool, &sql::seek_products::<Sqlite>(query)).await?;
        convert(rows.into_iter().map(records::ProductRecord::from).collect())
    }

    async fn count_products(&self, filter: &ProductFilter) -> Result<u64, StoreError> {
        count(
            &mut *self.conn().await?,
            &sql::count_products::<Sqlite>(filter),
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
        let mut conn = self.conn().await?;
        let rows: Vec<ClaimRow> = all(&mut *conn, &sql::select_claims(products)).await?;
        convert(rows)
    }

    async fn expiring_claims(
        &self,
        from: NaiveDate,
        until: NaiveDate,
        limit: u32,
    ) -> Result<Vec<Claim>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<ClaimRow> = all(
            &mut *conn,
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
        let mut conn = self.conn().await?;
        let row: Option<FootprintRow<String>> =
            optional(&mut *conn, &sql::select_footprint(id)).await?;
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
        let row: Option<(String,)> = optional(&self.pool, &sql::select_composition(id)).await?;
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
        let rows: Vec<ProductRow> = self.write_returning(&sql::archive_product(id, at)).await?;
        let row = rows.into_iter().next().map(records::ProductRecord::from);
        one(row)?.ok_or(StoreError::NotFound)
    }

    async fn score_history(
        &self,
        id: ProductId,
        limit: u32,
    ) -> Result<Vec<ScoreEntry>, StoreError> {
        let rows: Vec<ScoreEntryRow> =
            all(&self.pool, &sql::select_score_history(id, limit)).await?;
        convert(rows)
    }

    async fn score_policy(
        &self,
        version: Option<u32>,
    ) -> Result<Option<PublishedPolicy>, StoreError> {
        let row: Option<ScorePolicyRow> =
            optional(&self.pool, &sql::select_score_policy(version)).await?;
        one(row)
    }

    async fn publish_score_policy(
        &self,
        policy: &PublishedPolicy,
        rescoring: &NewJob,
    ) -> Result<(), StoreError> {
        let (_writer, mut tx) = self.write().await?;
        execute(&mut *tx, &built(sql::insert_score_policy(policy))?).await?;
        let job = std::slice::from_ref(rescoring);
        execute(
            &mut *tx,
            &built(sql::insert_jobs(job, policy.published_at))?,
        )
        .await?;
        tx.commit().await.map_err(store_error)?;
        self.jobs_enqueued.notify_waiters();
        Ok(())
    }

    async fn rescoring_cursor(&self, version: u32) -> Result<Option<ProductId>, StoreError> {
        let row: Option<(Option<Uuid>,)> =
            optional(&self.pool, &sql::select_rescoring_cursor(version)).await?;
        Ok(row.and_then(|(cursor,)| cursor).map(ProductId::from))
    }

    async fn products_after(
        &self,
        after: Option<ProductId>,
        limit: u32,
    ) -> Result<Vec<Product>, StoreError> {
        let rows: Vec<ProductRow> =
            all(&self.pool, &sql::select_products_after(after, limit)).await?;
        Ok(convert::<records::ProductRecord, _>(
            rows.into_iter().map(Into::into).collect(),
        )?)
    }

    async fn write_rescored(
        &self,
        version: u32,
        rescored: &[Product],
        through: ProductId,
    ) -> Result<Vec<Product>, StoreError> {
        let (_writer, mut tx) = self.write().await?;
        let mut written = Vec::with_capacity(rescored.len());
        for product in rescored {
            let row: Option<ProductRow> =
                optional(&mut *tx, &sql::update_product::<Sqlite>(product)).await?;
            if let Some(row) = row {
                written.push(Product::try_from(records::ProductRecord::from(row))?);
            }
        }
        if !written.is_empty() {
            execute(&mut *tx, &built(sql::record_scores(&written))?).await?;
        }
        execute(&mut *tx, &sql::set_rescoring_cursor(version, through)).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(written)
    }
}

#[async_trait]
impl OrderStore for SqliteStore {
    async fn place_order(&self, placement: NewPlacement) -> Result<PlacementOutcome, StoreError> {
        let (_writer, mut tx) = self.write().await?;
        let outcome = Self::place_in(&mut tx, &placement).await?;
        // A rejection without a key changed nothing; with one, it is recorded.
        tx.commit().await.map_err(store_error)?;
        if matches!(outcome, PlacementOutcome::Placed { .. }) && !placement.jobs.is_empty() {
            self.jobs_enqueued.notify_waiters();
        }
        Ok(outcome)
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
        let (_writer, mut tx) = self.write().await?;
        if execute(&mut *tx, &sql::change_status(&change)).await? == 0 {
            let exists = Self::order_in(&mut tx, change.order_id).await?.is_some();
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
            for line in &order.lines {
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
        tx.commit().await.map_err(store_error)?;
        if !change.enqueue.is_empty() {
            self.jobs_enqueued.notify_waiters();
        }
        Ok(order)
    }

    async fn confirm_order(
        &self,
        id: OrderId,
        at: Timestamp,
        jobs: &[NewJob],
    ) -> Result<bool, StoreError> {
        let (_writer, mut tx) = self.write().await?;
        if execute(
            &mut *tx,
            &sql::change_status(&StatusChange::confirm(id, at)),
        )
        .await?
            == 0
        {
            let exists: Option<(Uuid,)> = optional(&mut *tx, &sql::order_exists(id)).await?;
            return exists.map(|_| false).ok_or(StoreError::NotFound);
        }
        if !jobs.is_empty() {
            execute(&mut *tx, &built(sql::insert_jobs(jobs, at))?).await?;
        }
        tx.commit().await.map_err(store_error)?;
        if !jobs.is_empty() {
            self.jobs_enqueued.notify_waiters();
        }
        Ok(true)
    }

    async fn mark_confirmation_sent(&self, id: OrderId, at: Timestamp) -> Result<(), StoreError> {
        if self.write_one(&sql::mark_confirmation_sent(id, at)).await? == 0 {
            let exists: Option<(Uuid,)> = optional(&self.pool, &sql::order_exists(id)).await?;
            exists.ok_or(StoreError::NotFound)?;
        }
        Ok(())
    }

    async fn sustainability_summary(
        &self,
        user: UserId,
    ) -> Result<SustainabilitySummary, StoreError> {
        let row: Option<(i64, i64, f64, i64, f64)> =
            optional(&self.pool, &sql::summary::<Sqlite>(user)).await?;
        let (orders_count, items_count, micro_kg, weighted_score, shipping_kg) =
            row.unwrap_or_default();
        Ok(SustainabilitySummary::try_from(SummaryRecord {
            orders_count,
            items_count,
            carbon: micro_kg_total_to_decimal(micro_kg),
            weighted_score,
            shipping_carbon: kg_total_to_decimal(shipping_kg),
        })?)
    }
}

#[async_trait]
impl IdempotencyStore for SqliteStore {
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
        let (_writer, mut tx) = self.write().await?;
        let claimed: Option<(String,)> =
            optional(&mut *tx, &built(sql::claim_idempotency_key(stamp, json))?).await?;
        let existing = match claimed {
            Some(_) => None,
            None => Self::live_record(&mut tx, stamp.user_id, &stamp.key, stamp.now).await?,
        };
        tx.commit().await.map_err(store_error)?;
        Ok(existing)
    }

    async fn purge_expired_idempotency(&self, now: Timestamp) -> Result<u64, StoreError> {
        self.write_one(&sql::purge_idempotency(now)).await
    }
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn insert_user(&self, user: &User) -> Result<(), StoreError> {
        self.write_one(&built(sql::insert_user(user))?)
            .await
            .map(|_| ())
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let row: Option<records::UserRecord> =
            optional(&self.pool, &sql::select_user_by_email(email)).await?;
        one(row)
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let row: Option<records::UserRecord> = optional(&self.pool, &sql::select_user(id)).await?;
        one(row)
    }

    async fn rename_user(&self, id: UserId, name: &PersonName) -> Result<Option<User>, StoreError> {
        let rows: Vec<records::UserRecord> =
            self.write_returning(&sql::rename_user(id, name)).await?;
        one(rows.into_iter().next())
    }
}

#[async_trait]
impl JobQueue for SqliteStore {
    async fn enqueue(&self, job: NewJob, now: Timestamp) -> Result<(), StoreError> {
        self.write_one(&built(sql::insert_jobs(std::slice::from_ref(&job), now))?)
            .await?;
        self.jobs_enqueued.notify_waiters();
        Ok(())
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
        let statement = sql::claim_jobs::<Sqlite>(kind, now, lease, token, limit);
        let rows: Vec<records::JobRecord> = self.write_returning(&statement).await?;
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
        let marked: Vec<(Uuid, Uuid)> = self
            .write_returning(&sql::complete_jobs(claims, now))
            .await?;
        Ok(records::not_among(claims, marked))
    }

    async fn fail(
        &self,
        claim: &ClaimedJob,
        now: Timestamp,
        error: &str,
        decision: RetryDecision,
    ) -> Result<(), StoreError> {
        match self
            .write_one(&sql::fail_job(claim, now, error, decision))
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
        let moved: Vec<(Uuid, Uuid)> = self
            .write_returning(&sql::extend_leases(claims, now, lease))
            .await?;
        Ok(records::not_among(claims, moved))
    }

    async fn rescue_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        self.rescue(now, sql::Rescue::Expired).await
    }

    async fn vacuum(&self) -> Result<(), StoreError> {
        Ok(()) // SQLite frees a row's entries when it changes; no dead versions
    }

    async fn take_back_orphans(&self, now: Timestamp) -> Result<u64, StoreError> {
        // One process owns the file: whatever is running now was left by an
        // earlier process that is gone.
        self.rescue(now, sql::Rescue::All).await
    }

    async fn queue_stats(&self, now: Timestamp) -> Result<QueueStats, StoreError> {
        let rows: Vec<records::StatsRow> = all(&self.pool, &sql::queue_stats(now)).await?;
        Ok(records::queue_stats(rows)?)
    }

    async fn get_job(&self, id: JobId) -> Result<Option<Job>, StoreError> {
        let row: Option<records::JobRecord> = optional(&self.pool, &sql::select_job(id)).await?;
        one(row)
    }

    async fn purge_done_jobs(
        &self,
        finished_before: Timestamp,
        limit: u64,
    ) -> Result<u64, StoreError> {
        self.write_one(&sql::purge_done_jobs(finished_before, limit))
            .await
    }

    async fn job_counts(&self) -> Result<JobCounts, StoreError> {
        let rows: Vec<(String, i64)> = all(&self.pool, &sql::job_counts()).await?;
        let mut counts = JobCounts::default();
        for (status, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            match status.parse::<JobStatus>().map_err(StoreError::backend)? {
                JobStatus::Queued => counts.queued = n,
                JobStatus::Running => counts.running = n,
                JobStatus::Done => counts.done = n,
                JobStatus::Dead => counts.dead = n,
            }
        }
        Ok(counts)
    }

    async fn wait_for_jobs(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.jobs_enqueued.notified()).await;
    }
}

#[async_trait]
impl Mailer for SqliteStore {
    async fn send(&self, email: &OutgoingEmail, now: Timestamp) -> Result<Delivery, MailError> {
        let stmt =
            sql::insert_sent_email(email, now).map_err(|e| MailError::Refused(e.to_string()))?;
        let recorded: Option<(String,)> = {
            let _writer = self.write.lock().await;
            optional(&self.pool, &stmt)
                .await
                .map_err(|e| MailError::Unavailable(Box::new(e)))?
        };
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
        let unavailable = |e: StoreError| MailError::Unavailable(Box::new(e));
        {
            let (_writer, mut tx) = self.write().await.map_err(unavailable)?;
            let recorded: Option<(String,)> =
                optional(&mut *tx, &stmt).await.map_err(unavailable)?;
            if recorded.is_none() {
                return Ok(Delivery::AlreadySent);
            }
            execute(
                &mut *tx,
                &built(sql::insert_jobs(std::slice::from_ref(&delivery), now))
                    .map_err(unavailable)?,
            )
            .await
            .map_err(unavailable)?;
            tx.commit().await.map_err(|e| unavailable(store_error(e)))?;
        }
        self.jobs_enqueued.notify_waiters();
        Ok(Delivery::Sent)
    }

    async fn find_sent(&self, dedup_key: &str) -> Result<Option<SentEmail>, MailError> {
        let row: Option<records::SentEmailRecord> =
            optional(&self.pool, &sql::select_sent_email(dedup_key))
                .await
                .map_err(|e| MailError::Unavailable(Box::new(e)))?;
        one(row).map_err(|e| MailError::Unavailable(Box::new(e)))
    }

    async fn mark_delivered(&self, dedup_key: &str, at: Timestamp) -> Result<(), MailError> {
        let marked = self
            .write_one(&sql::mark_email_delivered(dedup_key, at))
            .await
            .map_err(|e| MailError::Unavailable(Box::new(e)))?;
        if marked == 0 {
            return Err(MailError::not_in_outbox(dedup_key));
        }
        Ok(())
    }
}
