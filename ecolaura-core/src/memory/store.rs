//! One in-memory store implementing every storage port under one lock, so
//! each port method is atomic exactly as a transaction would make it.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::accounts::{
    PasswordHash, PasswordReset, ResetDigest, Revoke, Session, ThrottleKey, User,
};
use crate::catalog::{Category, Product, ProductFilter, ProductQuery, ProductSeek};
use chrono::NaiveDate;

use crate::domain::{
    ClaimId, Email, JobId, OrderId, Page, PageRequest, PersonName, ProductId, Seek, SessionId,
    Slug, Stock, Timestamp, UserId,
};
use crate::idempotency::{IdempotencyKey, IdempotencyRecord, IdempotencyStamp, IdempotentOutcome};
use crate::jobs::{
    ClaimedJob, Job, JobCounts, JobKind, JobStatus, LEASE_EXPIRED, NewJob, QueueStats,
    RetryDecision, StatsGroup, lease_end, rescued_status,
};
use crate::mail::{Delivery, OutgoingEmail, SentEmail};
use crate::orders::{Order, OrderPosition, OrderStatus, SustainabilitySummary};
use crate::ports::{
    AccountStore, CatalogStore, DiscardStore, IdempotencyStore, JobQueue, LoginThrottleStore,
    MailError, Mailer, NewPlacement, OrderStore, PlacementOutcome, SessionStore, ShippingStore,
    StatusChange, StoreError, UniqueField,
};
use crate::scoring::{PublishedPolicy, ScoreEntry};
use crate::sustainability::discards::{DiscardEntry, DiscardGroup, PreventionMeasures, ReportYear};
use crate::sustainability::passport::Composition;
use crate::sustainability::shipping::{ShippingMethod, ShippingMethodChanges};
use crate::sustainability::{Claim, FootprintRecord};

mod import;

#[derive(Default, Clone)]
struct State {
    categories: BTreeMap<String, Category>,
    products: HashMap<ProductId, Product>,
    footprints: HashMap<ProductId, FootprintRecord>,
    compositions: HashMap<ProductId, Composition>,
    /// Claims by product, oldest first.
    claims: HashMap<ProductId, Vec<Claim>>,
    orders: HashMap<OrderId, Order>,
    users: HashMap<UserId, User>,
    user_by_email: HashMap<String, UserId>,
    idempotency: HashMap<(UserId, String), IdempotencyRecord>,
    jobs: HashMap<JobId, (Job, Option<Uuid>)>,
    sent: HashMap<String, SentEmail>,
    sessions: HashMap<SessionId, Session>,
    /// Reset records by digest, with when each was used.
    resets: HashMap<ResetDigest, (PasswordReset, Option<Timestamp>)>,
    /// Failure times per throttle key, oldest first.
    login_failures: HashMap<String, Vec<Timestamp>>,
    /// Score histories by product, oldest first.
    score_history: HashMap<ProductId, Vec<ScoreEntry>>,
    /// Published score policies by version, with each one's rescoring cursor.
    score_policies: BTreeMap<u32, (PublishedPolicy, Option<ProductId>)>,
    /// The discard ledger, oldest first.
    discards: Vec<DiscardEntry>,
    /// Statements of prevention measures by year.
    prevention_measures: BTreeMap<ReportYear, PreventionMeasures>,
    /// Shipping methods by code.
    shipping_methods: BTreeMap<Slug, ShippingMethod>,
}

impl State {
    fn revoke_sessions(&mut self, user: UserId, which: Revoke, now: Timestamp) -> u64 {
        let mut revoked = 0;
        for s in self.sessions.values_mut() {
            if s.user_id == user && s.revoked_at.is_none() && which.ends(s.id) {
                s.revoked_at = Some(now);
                revoked += 1;
            }
        }
        revoked
    }
}

/// Every storage port, plus an outbox [`Mailer`], in memory.
///
/// ```
/// # tokio_test_block(async {
/// use std::sync::Arc;
/// use ecolaura_core::{Ecolaura, memory::MemoryStore};
/// let app = Ecolaura::builder().store(Arc::new(MemoryStore::new())).build().unwrap();
/// # });
/// # fn tokio_test_block<F: std::future::Future>(f: F) { tokio::runtime::Runtime::new().unwrap().block_on(f); }
/// ```
#[derive(Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
    wake: Notify,
    unavailable: AtomicBool,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Make every call fail with [`StoreError::Unavailable`] (or stop doing
    /// so), to test how callers behave when storage is down.
    pub fn set_unavailable(&self, down: bool) {
        self.unavailable.store(down, AtomicOrdering::SeqCst);
    }

    /// Every e-mail sent so far, oldest first.
    pub fn sent_emails(&self) -> Vec<SentEmail> {
        let s = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut sent: Vec<_> = s.sent.values().cloned().collect();
        sent.sort_by(|a, b| {
            a.sent_at
                .cmp(&b.sent_at)
                .then_with(|| a.email.dedup_key.cmp(&b.email.dedup_key))
        });
        sent
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>, StoreError> {
        if self.unavailable.load(AtomicOrdering::SeqCst) {
            return Err(StoreError::Unavailable(
                "the in-memory store was switched off".into(),
            ));
        }
        Ok(self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Every order, or `owner`'s only, in no order.
    fn owned_orders(&self, owner: Option<UserId>) -> Result<Vec<Order>, StoreError> {
        Ok(self
            .lock()?
            .orders
            .values()
            .filter(|o| owner.is_none_or(|u| o.user_id == u))
            .cloned()
            .collect())
    }
}

impl State {
    /// Compare-and-set a live product (see [`CatalogStore::update_product`]).
    fn insert_product(&mut self, product: &Product) -> Result<(), StoreError> {
        if product
            .category
            .as_ref()
            .is_some_and(|c| !self.categories.contains_key(c.as_str()))
        {
            return Err(StoreError::UnknownCategory);
        }
        self.identifiers_free_for(product)?;
        self.products.insert(product.id, product.clone());
        self.keep_score(product);
        Ok(())
    }

    fn replace_product(&mut self, product: &Product) -> Result<Product, StoreError> {
        if product
            .category
            .as_ref()
            .is_some_and(|c| !self.categories.contains_key(c.as_str()))
        {
            return Err(StoreError::UnknownCategory);
        }
        if self.products.get(&product.id).is_none_or(|p| p.archived) {
            return Err(StoreError::NotFound);
        }
        self.identifiers_free_for(product)?;
        let stored = self
            .products
            .get_mut(&product.id)
            .filter(|p| !p.archived)
            .ok_or(StoreError::NotFound)?;
        if stored.version != product.version {
            return Err(StoreError::StaleWrite);
        }
        *stored = Product {
            version: product.version + 1,
            archived: false,
            ..product.clone()
        };
        let stored = stored.clone();
        self.keep_score(&stored);
        Ok(stored)
    }

    /// Whether `product`'s SKU and GTIN are free: no other live product
    /// holds them (as the SQL stores' partial unique indexes say).
    fn identifiers_free_for(&self, product: &Product) -> Result<(), StoreError> {
        let others = || {
            self.products
                .values()
                .filter(|p| !p.archived && p.id != product.id)
        };
        if product.sku.is_some() && others().any(|p| p.sku == product.sku) {
            return Err(StoreError::Duplicate(UniqueField::ProductSku));
        }
        if product.gtin.is_some() && others().any(|p| p.gtin == product.gtin) {
            return Err(StoreError::Duplicate(UniqueField::ProductGtin));
        }
        Ok(())
    }

    /// Keep `product`'s current score in its history, once per computation.
    fn keep_score(&mut self, product: &Product) {
        let history = self.score_history.entry(product.id).or_default();
        if !history.iter().any(|e| e.at == product.score_computed_at) {
            history.push(ScoreEntry::of(product));
        }
    }

    fn live_product(&self, id: &ProductId) -> Option<&Product> {
        self.products.get(id).filter(|p| !p.archived)
    }

    fn live_record(
        &self,
        user: UserId,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> Option<&IdempotencyRecord> {
        self.idempotency
            .get(&(user, key.as_str().to_owned()))
            .filter(|r| r.expires_at > now)
    }

    fn record(&mut self, stamp: &IdempotencyStamp, outcome: IdempotentOutcome) {
        let record = IdempotencyRecord {
            fingerprint: stamp.fingerprint.clone(),
            outcome,
            expires_at: stamp.expires_at,
        };
        self.idempotency
            .insert((stamp.user_id, stamp.key.as_str().to_owned()), record);
    }

    /// Record `email` in the outbox unless its key is there.
    fn record_email(&mut self, email: &OutgoingEmail, now: Timestamp) -> Delivery {
        if self.sent.contains_key(&email.dedup_key) {
            return Delivery::AlreadySent;
        }
        self.sent.insert(
            email.dedup_key.clone(),
            SentEmail {
                email: email.clone(),
                sent_at: now,
                delivered_at: None,
            },
        );
        Delivery::Sent
    }

    fn enqueue(&mut self, job: NewJob, now: Timestamp) {
        let job = Job {
            id: job.id,
            kind: job.kind,
            payload: job.payload,
            status: JobStatus::Queued,
            attempts: 0,
            max_attempts: job.max_attempts,
            run_at: job.run_at,
            locked_until: None,
            last_error: None,
            created_at: now,
            updated_at: now,
        };
        self.jobs.insert(job.id, (job, None));
    }

    /// Rescue the running jobs `expired` picks (see [`JobQueue::rescue_expired`]).
    fn rescue(&mut self, now: Timestamp, expired: impl Fn(&Job) -> bool) -> u64 {
        let mut rescued = 0;
        for (job, held_by) in self.jobs.values_mut() {
            if job.status == JobStatus::Running && expired(job) {
                job.status = rescued_status(job.attempts, job.max_attempts);
                job.run_at = now;
                job.locked_until = None;
                job.last_error = Some(LEASE_EXPIRED.to_owned());
                job.updated_at = now;
                *held_by = None;
                rescued += 1;
            }
        }
        rescued
    }

    fn held_job(&mut self, claim: &ClaimedJob) -> Result<&mut Job, StoreError> {
        match self.jobs.get_mut(&claim.job.id) {
            Some((job, Some(token)))
                if *token == claim.token && job.status == JobStatus::Running =>
            {
                Ok(job)
            }
            _ => Err(StoreError::LeaseLost),
        }
    }
}

fn matches(query: &ProductQuery, p: &Product) -> bool {
    !p.archived && query.filter.matches(p)
}

#[async_trait]
impl CatalogStore for MemoryStore {
    async fn begin_import(
        &self,
        mode: crate::catalog::ImportMode,
    ) -> Result<Box<dyn crate::ports::CatalogImport>, StoreError> {
        drop(self.lock()?);
        Ok(Box::new(import::MemoryImport {
            mode,
            state: self.state.clone(),
            categories: Vec::new(),
            products: Vec::new(),
        }))
    }

    async fn insert_category(&self, category: &Category) -> Result<(), StoreError> {
        let mut s = self.lock()?;
        if s.categories.contains_key(category.slug.as_str()) {
            return Err(StoreError::Duplicate(UniqueField::CategorySlug));
        }
        s.categories
            .insert(category.slug.as_str().to_owned(), category.clone());
        Ok(())
    }

    async fn get_category(&self, slug: &Slug) -> Result<Option<Category>, StoreError> {
        Ok(self.lock()?.categories.get(slug.as_str()).cloned())
    }

    async fn update_category(&self, category: &Category) -> Result<(), StoreError> {
        let mut s = self.lock()?;
        let stored = s
            .categories
            .get_mut(category.slug.as_str())
            .ok_or(StoreError::NotFound)?;
        *stored = Category {
            created_at: stored.created_at,
            ..category.clone()
        };
        Ok(())
    }

    async fn list_categories(&self, page: PageRequest) -> Result<Page<Category>, StoreError> {
        let s = self.lock()?;
        Ok(Page::slice(s.categories.values().cloned().collect(), page))
    }

    async fn insert_product(&self, product: &Product) -> Result<(), StoreError> {
        self.lock()?.insert_product(product)
    }

    async fn get_product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        Ok(self.lock()?.live_product(&id).cloned())
    }

    async fn get_products(&self, ids: &[ProductId]) -> Result<Vec<Product>, StoreError> {
        let s = self.lock()?;
        Ok(ids
            .iter()
            .filter_map(|id| s.live_product(id).cloned())
            .collect())
    }

    async fn list_products(&self, query: &ProductQuery) -> Result<Page<Product>, StoreError> {
        let s = self.lock()?;
        let mut found: Vec<Product> = s
            .products
            .values()
            .filter(|p| matches(query, p))
            .cloned()
            .collect();
        drop(s);
        found.sort_by(|a, b| query.ordering.compare(a, b));
        Ok(Page::slice(found, query.page))
    }

    async fn seek_products(&self, query: &ProductSeek) -> Result<Vec<Product>, StoreError> {
        let s = self.lock()?;
        let mut found: Vec<Product> = s
            .products
            .values()
            .filter(|p| !p.archived && query.filter.matches(p))
            .cloned()
            .collect();
        drop(s);
        found.sort_by(|a, b| query.ordering.compare(a, b));
        Ok(query.seek.pick(found, |p, at| query.ordering.place(p, at)))
    }

    async fn count_products(&self, filter: &ProductFilter) -> Result<u64, StoreError> {
        let s = self.lock()?;
        Ok(s.products
            .values()
            .filter(|p| !p.archived && filter.matches(p))
            .count() as u64)
    }

    async fn update_product(&self, product: &Product) -> Result<Product, StoreError> {
        self.lock()?.replace_product(product)
    }

    async fn list_claims(&self, products: &[ProductId]) -> Result<Vec<Claim>, StoreError> {
        let s = self.lock()?;
        let mut live: Vec<&ProductId> = products
            .iter()
            .filter(|id| s.live_product(id).is_some())
            .collect();
        live.sort_unstable();
        live.dedup();
        Ok(live
            .into_iter()
            .filter_map(|id| s.claims.get(id))
            .flatten()
            .cloned()
            .collect())
    }

    async fn expiring_claims(
        &self,
        from: NaiveDate,
        until: NaiveDate,
        limit: u32,
    ) -> Result<Vec<Claim>, StoreError> {
        let s = self.lock()?;
        let mut found: Vec<Claim> = s
            .claims
            .iter()
            .filter(|(id, _)| s.live_product(id).is_some())
            .flat_map(|(_, claims)| claims.iter().cloned())
            .filter(|c| (from..=until).contains(&c.evidence.valid_until))
            .collect();
        found.sort_by_key(|c| (c.evidence.valid_until, c.id));
        found.truncate(limit as usize);
        Ok(found)
    }

    async fn products_with_claim_dates_in(
        &self,
        from: NaiveDate,
        until: NaiveDate,
        after: Option<ProductId>,
        limit: u32,
    ) -> Result<Vec<ProductId>, StoreError> {
        let s = self.lock()?;
        let within = |d: NaiveDate| (from..=until).contains(&d);
        let mut found: Vec<ProductId> = s
            .claims
            .iter()
            .filter(|(id, _)| s.live_product(id).is_some() && after.is_none_or(|a| **id > a))
            .filter(|(_, claims)| {
                claims
                    .iter()
                    .any(|c| within(c.evidence.valid_from) || within(c.evidence.valid_until))
            })
            .map(|(id, _)| *id)
            .collect();
        found.sort_unstable();
        found.truncate(limit as usize);
        Ok(found)
    }

    async fn add_claim(&self, product: &Product, claim: &Claim) -> Result<Product, StoreError> {
        let mut s = self.lock()?;
        let stored = s.replace_product(product)?;
        s.claims.entry(product.id).or_default().push(claim.clone());
        Ok(stored)
    }

    async fn remove_claim(&self, product: &Product, id: ClaimId) -> Result<Product, StoreError> {
        let mut s = self.lock()?;
        let has = s
            .claims
            .get(&product.id)
            .is_some_and(|claims| claims.iter().any(|c| c.id == id));
        if !has {
            return Err(StoreError::NotFound);
        }
        let stored = s.replace_product(product)?;
        if let Some(claims) = s.claims.get_mut(&product.id) {
            claims.retain(|c| c.id != id);
        }
        Ok(stored)
    }

    async fn get_footprint(&self, id: ProductId) -> Result<Option<FootprintRecord>, StoreError> {
        let s = self.lock()?;
        Ok(s.live_product(&id).and(s.footprints.get(&id)).cloned())
    }

    async fn set_footprint<'a>(
        &self,
        product: &Product,
        record: Option<&'a FootprintRecord>,
    ) -> Result<Product, StoreError> {
        let mut s = self.lock()?;
        let stored = s.replace_product(product)?;
        match record {
            Some(r) => s.footprints.insert(product.id, r.clone()),
            None => s.footprints.remove(&product.id),
        };
        Ok(stored)
    }

    async fn get_composition(&self, id: ProductId) -> Result<Option<Composition>, StoreError> {
        let s = self.lock()?;
        Ok(s.live_product(&id)
            .and_then(|_| s.compositions.get(&id).cloned()))
    }

    async fn set_composition(
        &self,
        product: &Product,
        composition: &Composition,
    ) -> Result<Product, StoreError> {
        let mut s = self.lock()?;
        let stored = s.replace_product(product)?;
        s.compositions.insert(product.id, composition.clone());
        Ok(stored)
    }

    async fn archive_product(&self, id: ProductId, at: Timestamp) -> Result<Product, StoreError> {
        let mut s = self.lock()?;
        let p = s
            .products
            .get_mut(&id)
            .filter(|p| !p.archived)
            .ok_or(StoreError::NotFound)?;
        p.archived = true;
        p.version += 1;
        p.updated_at = at;
        Ok(p.clone())
    }

    async fn score_history(
        &self,
        id: ProductId,
        limit: u32,
    ) -> Result<Vec<ScoreEntry>, StoreError> {
        let s = self.lock()?;
        let mut entries = s.score_history.get(&id).cloned().unwrap_or_default();
        entries.sort_by_key(|e| std::cmp::Reverse(e.at));
        entries.truncate(limit as usize);
        Ok(entries)
    }

    async fn score_policy(
        &self,
        version: Option<u32>,
    ) -> Result<Option<PublishedPolicy>, StoreError> {
        let s = self.lock()?;
        let found = match version {
            Some(v) => s.score_policies.get(&v),
            None => s.score_policies.values().next_back(),
        };
        Ok(found.map(|(policy, _)| policy.clone()))
    }

    async fn publish_score_policy(
        &self,
        policy: &PublishedPolicy,
        rescoring: &NewJob,
    ) -> Result<(), StoreError> {
        let mut s = self.lock()?;
        if s.score_policies.contains_key(&policy.version) {
            return Err(StoreError::Duplicate(UniqueField::ScorePolicyVersion));
        }
        s.score_policies
            .insert(policy.version, (policy.clone(), None));
        s.enqueue(rescoring.clone(), policy.published_at);
        drop(s);
        self.wake.notify_waiters();
        Ok(())
    }

    async fn rescoring_cursor(&self, version: u32) -> Result<Option<ProductId>, StoreError> {
        let s = self.lock()?;
        Ok(s.score_policies
            .get(&version)
            .and_then(|(_, cursor)| *cursor))
    }

    async fn products_after(
        &self,
        after: Option<ProductId>,
        limit: u32,
    ) -> Result<Vec<Product>, StoreError> {
        let s = self.lock()?;
        let mut found: Vec<Product> = s
            .products
            .values()
            .filter(|p| !p.archived && after.is_none_or(|a| p.id > a))
            .cloned()
            .collect();
        drop(s);
        found.sort_by_key(|p| p.id);
        found.truncate(limit as usize);
        Ok(found)
    }

    async fn write_rescored(
        &self,
        version: u32,
        rescored: &[Product],
        through: ProductId,
    ) -> Result<Vec<Product>, StoreError> {
        let mut s = self.lock()?;
        let mut written = Vec::with_capacity(rescored.len());
        for product in rescored {
            match s.replace_product(product) {
                Ok(stored) => written.push(stored),
                Err(StoreError::StaleWrite | StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        if let Some((_, cursor)) = s.score_policies.get_mut(&version) {
            *cursor = Some(through);
        }
        Ok(written)
    }
}

#[async_trait]
impl DiscardStore for MemoryStore {
    async fn record_discard(&self, entry: &DiscardEntry) -> Result<Stock, StoreError> {
        let mut s = self.lock()?;
        let product = s
            .products
            .get_mut(&entry.product_id)
            .filter(|p| !p.archived)
            .ok_or(StoreError::NotFound)?;
        let left = i64::from(product.stock.get()) - i64::from(entry.quantity);
        let left = Stock::new(left).map_err(|_| StoreError::ShortStock)?;
        product.stock = left;
        product.version += 1;
        s.discards.push(entry.clone());
        Ok(left)
    }

    async fn list_discards(
        &self,
        product: ProductId,
        page: PageRequest,
    ) -> Result<Page<DiscardEntry>, StoreError> {
        let s = self.lock()?;
        let mut found: Vec<DiscardEntry> = s
            .discards
            .iter()
            .filter(|e| e.product_id == product)
            .cloned()
            .collect();
        drop(s);
        found.sort_by_key(|e| std::cmp::Reverse((e.recorded_at, e.id)));
        Ok(Page::slice(found, page))
    }

    async fn discard_groups(
        &self,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<DiscardGroup>, StoreError> {
        let s = self.lock()?;
        let mut groups: Vec<DiscardGroup> = Vec::new();
        for e in s
            .discards
            .iter()
            .filter(|e| (from..until).contains(&e.recorded_at))
        {
            let same = |g: &&mut DiscardGroup| {
                g.category == e.category
                    && g.reason == e.reason
                    && g.destination == e.destination
                    && g.derogation == e.derogation
                    && g.unit_weight_kg == e.unit_weight_kg
            };
            match groups.iter_mut().find(same) {
                Some(g) => g.units += u64::from(e.quantity),
                None => groups.push(DiscardGroup {
                    category: e.category.clone(),
                    reason: e.reason,
                    destination: e.destination,
                    derogation: e.derogation,
                    unit_weight_kg: e.unit_weight_kg,
                    units: e.quantity.into(),
                }),
            }
        }
        Ok(groups)
    }

    async fn prevention_measures(
        &self,
        year: ReportYear,
    ) -> Result<Option<PreventionMeasures>, StoreError> {
        Ok(self.lock()?.prevention_measures.get(&year).cloned())
    }

    async fn set_prevention_measures(
        &self,
        measures: &PreventionMeasures,
    ) -> Result<(), StoreError> {
        self.lock()?
            .prevention_measures
            .insert(measures.year, measures.clone());
        Ok(())
    }
}

#[async_trait]
impl ShippingStore for MemoryStore {
    async fn list_shipping_methods(
        &self,
        active_only: bool,
        page: PageRequest,
    ) -> Result<Page<ShippingMethod>, StoreError> {
        let s = self.lock()?;
        let found: Vec<ShippingMethod> = s
            .shipping_methods
            .values()
            .filter(|m| m.active || !active_only)
            .cloned()
            .collect();
        Ok(Page::slice(found, page))
    }

    async fn get_shipping_method(&self, code: &Slug) -> Result<Option<ShippingMethod>, StoreError> {
        Ok(self.lock()?.shipping_methods.get(code).cloned())
    }

    async fn insert_shipping_method(&self, method: &ShippingMethod) -> Result<(), StoreError> {
        let mut s = self.lock()?;
        if s.shipping_methods.contains_key(&method.code) {
            return Err(StoreError::Duplicate(UniqueField::ShippingMethodCode));
        }
        s.shipping_methods
            .insert(method.code.clone(), method.clone());
        Ok(())
    }

    async fn update_shipping_method(
        &self,
        code: &Slug,
        changes: &ShippingMethodChanges,
        at: Timestamp,
    ) -> Result<Option<ShippingMethod>, StoreError> {
        let mut s = self.lock()?;
        Ok(s.shipping_methods.get_mut(code).map(|m| {
            *m = changes.apply(m, at);
            m.clone()
        }))
    }
}

#[async_trait]
impl OrderStore for MemoryStore {
    async fn place_order(&self, placement: NewPlacement) -> Result<PlacementOutcome, StoreError> {
        let NewPlacement {
            order,
            jobs,
            idempotency,
        } = placement;
        let mut s = self.lock()?;
        if let Some(stamp) = &idempotency
            && let Some(record) = s.live_record(stamp.user_id, &stamp.key, stamp.now)
        {
            return Ok(record.clone().replay_for(&stamp.fingerprint).into());
        }
        if let Some(rejection) = order.first_rejection(|id| s.live_product(&id)) {
            if let Some(stamp) = &idempotency {
                s.record(stamp, IdempotentOutcome::Rejected(rejection.clone()));
            }
            return Ok(PlacementOutcome::Rejected(rejection));
        }
        let mut stock_left = Vec::with_capacity(order.lines.len());
        for line in &order.lines {
            if let Some(p) = s.products.get_mut(&line.product_id) {
                p.stock = p.stock.take(line.quantity).ok_or(StoreError::StaleWrite)?;
                p.version += 1;
                stock_left.push((p.id, p.stock));
            }
        }
        let now = order.created_at;
        let wake = !jobs.is_empty();
        for job in jobs {
            s.enqueue(job, now);
        }
        if let Some(stamp) = &idempotency {
            s.record(stamp, IdempotentOutcome::Placed(Box::new(order.clone())));
        }
        s.orders.insert(order.id, order.clone());
        drop(s);
        if wake {
            self.wake.notify_waiters();
        }
        Ok(PlacementOutcome::Placed { order, stock_left })
    }

    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        Ok(self.lock()?.orders.get(&id).cloned())
    }

    async fn list_orders(
        &self,
        owner: Option<UserId>,
        page: PageRequest,
    ) -> Result<Page<Order>, StoreError> {
        let mut found = self.owned_orders(owner)?;
        found.sort_by(|a, b| OrderPosition::place(a, &OrderPosition::of(b)));
        Ok(Page::slice(found, page))
    }

    async fn seek_orders(
        &self,
        owner: Option<UserId>,
        seek: &Seek<OrderPosition>,
    ) -> Result<Vec<Order>, StoreError> {
        let mut found = self.owned_orders(owner)?;
        found.sort_by(|a, b| OrderPosition::place(a, &OrderPosition::of(b)));
        Ok(seek.pick(found, OrderPosition::place))
    }

    async fn count_orders(&self, owner: Option<UserId>) -> Result<u64, StoreError> {
        Ok(self.owned_orders(owner)?.len() as u64)
    }

    async fn change_status(&self, change: StatusChange) -> Result<Order, StoreError> {
        let mut s = self.lock()?;
        let order = s.orders.get(&change.order_id).ok_or(StoreError::NotFound)?;
        if order.status != change.from {
            return Err(StoreError::StaleWrite);
        }
        let lines = order.lines.clone();
        if change.restock {
            for line in &lines {
                if let Some(p) = s.products.get_mut(&line.product_id) {
                    p.stock = p.stock.give_back(line.quantity);
                    p.version += 1;
                }
            }
        }
        let wake = !change.enqueue.is_empty();
        for job in change.enqueue {
            s.enqueue(job, change.at);
        }
        let order = s
            .orders
            .get_mut(&change.order_id)
            .ok_or(StoreError::NotFound)?;
        order.status = change.to;
        order.updated_at = change.at;
        let order = order.clone();
        drop(s);
        if wake {
            self.wake.notify_waiters();
        }
        Ok(order)
    }

    async fn confirm_order(
        &self,
        id: OrderId,
        at: Timestamp,
        jobs: &[NewJob],
    ) -> Result<bool, StoreError> {
        let mut s = self.lock()?;
        let order = s.orders.get_mut(&id).ok_or(StoreError::NotFound)?;
        if order.status != OrderStatus::Pending {
            return Ok(false);
        }
        order.status = OrderStatus::Confirmed;
        order.updated_at = at;
        for job in jobs {
            s.enqueue(job.clone(), at);
        }
        drop(s);
        if !jobs.is_empty() {
            self.wake.notify_waiters();
        }
        Ok(true)
    }

    async fn mark_confirmation_sent(&self, id: OrderId, at: Timestamp) -> Result<(), StoreError> {
        let mut s = self.lock()?;
        let order = s.orders.get_mut(&id).ok_or(StoreError::NotFound)?;
        if order.confirmation_sent_at.is_none() {
            order.confirmation_sent_at = Some(at);
            order.updated_at = at;
        }
        Ok(())
    }

    async fn sustainability_summary(
        &self,
        user: UserId,
    ) -> Result<SustainabilitySummary, StoreError> {
        let s = self.lock()?;
        Ok(SustainabilitySummary::of(
            s.orders.values().filter(|o| o.user_id == user),
        ))
    }
}

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn find_idempotency(
        &self,
        user: UserId,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        Ok(self.lock()?.live_record(user, key, now).cloned())
    }

    async fn save_outcome(
        &self,
        stamp: &IdempotencyStamp,
        outcome: &IdempotentOutcome,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let mut s = self.lock()?;
        if let Some(existing) = s.live_record(stamp.user_id, &stamp.key, stamp.now) {
            return Ok(Some(existing.clone()));
        }
        s.record(stamp, outcome.clone());
        Ok(None)
    }

    async fn purge_expired_idempotency(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut s = self.lock()?;
        let before = s.idempotency.len();
        s.idempotency.retain(|_, r| r.expires_at > now);
        Ok((before - s.idempotency.len()) as u64)
    }
}

#[async_trait]
impl AccountStore for MemoryStore {
    async fn insert_user(&self, user: &User) -> Result<(), StoreError> {
        let mut s = self.lock()?;
        let email = user.email.as_str().to_lowercase();
        if s.user_by_email.contains_key(&email) {
            return Err(StoreError::Duplicate(UniqueField::UserEmail));
        }
        s.user_by_email.insert(email, user.id);
        s.users.insert(user.id, user.clone());
        Ok(())
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let s = self.lock()?;
        Ok(s.user_by_email
            .get(&email.as_str().to_lowercase())
            .and_then(|id| s.users.get(id))
            .cloned())
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(self.lock()?.users.get(&id).cloned())
    }

    async fn rename_user(&self, id: UserId, name: &PersonName) -> Result<Option<User>, StoreError> {
        let mut s = self.lock()?;
        Ok(s.users.get_mut(&id).map(|u| {
            u.name = name.clone();
            u.clone()
        }))
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn insert_session(&self, session: &Session) -> Result<(), StoreError> {
        self.lock()?.sessions.insert(session.id, session.clone());
        Ok(())
    }

    async fn get_session(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        Ok(self.lock()?.sessions.get(&id).cloned())
    }

    async fn rotate_refresh_token(
        &self,
        id: SessionId,
        spent: Uuid,
        next: Uuid,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut s = self.lock()?;
        match s.sessions.get_mut(&id) {
            Some(session) if session.is_live(now) && session.refresh_token_id == spent => {
                session.refresh_token_id = next;
                session.expires_at = expires_at;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn revoke_session(&self, id: SessionId, now: Timestamp) -> Result<bool, StoreError> {
        let mut s = self.lock()?;
        match s.sessions.get_mut(&id) {
            Some(session) if session.is_live(now) => {
                session.revoked_at = Some(now);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn revoke_sessions(
        &self,
        user: UserId,
        which: Revoke,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        Ok(self.lock()?.revoke_sessions(user, which, now))
    }

    async fn change_password(
        &self,
        user: UserId,
        hash: &PasswordHash,
        which: Revoke,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut s = self.lock()?;
        let Some(u) = s.users.get_mut(&user) else {
            return Ok(false);
        };
        u.password_hash = hash.clone();
        s.revoke_sessions(user, which, now);
        Ok(true)
    }

    async fn insert_password_reset(&self, reset: &PasswordReset) -> Result<(), StoreError> {
        self.lock()?
            .resets
            .insert(reset.digest.clone(), (reset.clone(), None));
        Ok(())
    }

    async fn count_live_password_resets(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let s = self.lock()?;
        let live = s
            .resets
            .values()
            .filter(|(r, used)| r.user_id == user && used.is_none() && now < r.expires_at)
            .count();
        Ok(live as u64)
    }

    async fn redeem_password_reset(
        &self,
        digest: &ResetDigest,
        hash: &PasswordHash,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError> {
        let mut s = self.lock()?;
        let user = match s.resets.get_mut(digest) {
            Some((reset, used @ None)) if now < reset.expires_at => {
                *used = Some(now);
                reset.user_id
            }
            _ => return Ok(None),
        };
        match s.users.get_mut(&user) {
            Some(u) => u.password_hash = hash.clone(),
            None => return Ok(None),
        }
        s.revoke_sessions(user, Revoke::All, now);
        Ok(Some(user))
    }

    async fn purge_sessions(&self, before: Timestamp) -> Result<u64, StoreError> {
        let mut s = self.lock()?;
        let (sessions, resets) = (s.sessions.len(), s.resets.len());
        s.sessions
            .retain(|_, x| x.expires_at >= before && x.revoked_at.is_none_or(|t| t >= before));
        s.resets
            .retain(|_, (r, used)| r.expires_at >= before && used.is_none_or(|t| t >= before));
        Ok((sessions - s.sessions.len() + resets - s.resets.len()) as u64)
    }
}

#[async_trait]
impl LoginThrottleStore for MemoryStore {
    async fn record_login_failure(
        &self,
        keys: &[ThrottleKey],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut s = self.lock()?;
        for key in keys {
            let times = s.login_failures.entry(key.to_string()).or_default();
            let at_or_after = times.partition_point(|t| *t <= at);
            times.insert(at_or_after, at);
        }
        Ok(())
    }

    async fn nth_latest_login_failure(
        &self,
        key: &ThrottleKey,
        n: u32,
        since: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        let s = self.lock()?;
        let Some(times) = s.login_failures.get(&key.to_string()) else {
            return Ok(None);
        };
        let nth = usize::try_from(n).unwrap_or(usize::MAX);
        Ok(times
            .iter()
            .rev()
            .take_while(|t| **t > since)
            .nth(nth.saturating_sub(1))
            .copied())
    }

    async fn purge_login_failures(&self, before: Timestamp) -> Result<u64, StoreError> {
        let mut s = self.lock()?;
        let mut purged = 0;
        s.login_failures.retain(|_, times| {
            let old = times.partition_point(|t| *t < before);
            times.drain(..old);
            purged += old as u64;
            !times.is_empty()
        });
        Ok(purged)
    }
}

#[async_trait]
impl JobQueue for MemoryStore {
    async fn enqueue(&self, job: NewJob, now: Timestamp) -> Result<(), StoreError> {
        self.lock()?.enqueue(job, now);
        self.wake.notify_waiters();
        Ok(())
    }

    async fn claim_batch(
        &self,
        kind: JobKind,
        now: Timestamp,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        let mut s = self.lock()?;
        let mut next: Vec<(Timestamp, JobId)> = s
            .jobs
            .values()
            .map(|(job, _)| job)
            .filter(|job| job.kind == kind && job.status == JobStatus::Queued && job.run_at <= now)
            .map(|job| (job.run_at, job.id))
            .collect();
        // The `limit` earliest, without sorting every due job.
        if next.len() > limit {
            next.select_nth_unstable(limit);
            next.truncate(limit);
        }
        next.sort_unstable();
        let until = lease_end(now, lease);
        let token = Uuid::new_v4();
        let mut claimed = Vec::with_capacity(next.len());
        for (_, id) in next {
            if let Some((job, held_by)) = s.jobs.get_mut(&id) {
                job.status = JobStatus::Running;
                job.attempts += 1;
                job.locked_until = Some(until);
                job.updated_at = now;
                *held_by = Some(token);
                claimed.push(ClaimedJob {
                    job: job.clone(),
                    token,
                });
            }
        }
        Ok(claimed)
    }

    async fn complete_batch(
        &self,
        claims: &[ClaimedJob],
        now: Timestamp,
    ) -> Result<Vec<JobId>, StoreError> {
        let mut s = self.lock()?;
        let mut lost = Vec::new();
        for claim in claims {
            match s.held_job(claim) {
                Ok(job) => {
                    job.status = JobStatus::Done;
                    job.locked_until = None;
                    job.updated_at = now;
                }
                Err(_) => lost.push(claim.job.id),
            }
        }
        Ok(lost)
    }

    async fn fail(
        &self,
        claim: &ClaimedJob,
        now: Timestamp,
        error: &str,
        decision: RetryDecision,
    ) -> Result<(), StoreError> {
        let mut s = self.lock()?;
        let job = s.held_job(claim)?;
        job.last_error = Some(error.to_owned());
        job.locked_until = None;
        job.updated_at = now;
        match decision {
            RetryDecision::RetryAt(at) => {
                job.status = JobStatus::Queued;
                job.run_at = at;
            }
            RetryDecision::Dead => job.status = JobStatus::Dead,
        }
        Ok(())
    }

    async fn extend_leases(
        &self,
        claims: &[ClaimedJob],
        now: Timestamp,
        lease: Duration,
    ) -> Result<Vec<JobId>, StoreError> {
        let mut s = self.lock()?;
        let until = lease_end(now, lease);
        let mut lost = Vec::new();
        for claim in claims {
            match s.held_job(claim) {
                Ok(job) => job.locked_until = Some(until),
                Err(_) => lost.push(claim.job.id),
            }
        }
        Ok(lost)
    }

    async fn rescue_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        Ok(self
            .lock()?
            .rescue(now, |job| job.locked_until.is_some_and(|t| t <= now)))
    }

    async fn vacuum(&self) -> Result<(), StoreError> {
        Ok(()) // removed jobs are gone at once
    }

    async fn take_back_orphans(&self, _now: Timestamp) -> Result<u64, StoreError> {
        // Memory dies with its process: no earlier process can have left jobs here.
        Ok(0)
    }

    async fn get_job(&self, id: JobId) -> Result<Option<Job>, StoreError> {
        Ok(self.lock()?.jobs.get(&id).map(|(job, _)| job.clone()))
    }

    async fn purge_done_jobs(
        &self,
        finished_before: Timestamp,
        limit: u64,
    ) -> Result<u64, StoreError> {
        let mut s = self.lock()?;
        let old: Vec<JobId> = s
            .jobs
            .values()
            .map(|(job, _)| job)
            .filter(|job| job.status == JobStatus::Done && job.updated_at < finished_before)
            .map(|job| job.id)
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .collect();
        for id in &old {
            s.jobs.remove(id);
        }
        Ok(old.len() as u64)
    }

    async fn queue_stats(&self, now: Timestamp) -> Result<QueueStats, StoreError> {
        let s = self.lock()?;
        Ok(QueueStats::from_groups(s.jobs.values().map(|(job, _)| {
            StatsGroup {
                kind: job.kind,
                status: job.status,
                due: job.run_at <= now,
                count: 1,
                earliest_run_at: Some(job.run_at),
            }
        })))
    }

    async fn job_counts(&self) -> Result<JobCounts, StoreError> {
        let s = self.lock()?;
        let mut c = JobCounts::default();
        for (job, _) in s.jobs.values() {
            match job.status {
                JobStatus::Queued => c.queued += 1,
                JobStatus::Running => c.running += 1,
                JobStatus::Done => c.done += 1,
                JobStatus::Dead => c.dead += 1,
            }
        }
        Ok(c)
    }

    async fn wait_for_jobs(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.wake.notified()).await;
    }
}

#[async_trait]
impl Mailer for MemoryStore {
    async fn send(&self, email: &OutgoingEmail, now: Timestamp) -> Result<Delivery, MailError> {
        let mut s = self
            .lock()
            .map_err(|e| MailError::Unavailable(Box::new(e)))?;
        Ok(s.record_email(email, now))
    }

    async fn send_for_delivery(
        &self,
        email: &OutgoingEmail,
        delivery: NewJob,
        now: Timestamp,
    ) -> Result<Delivery, MailError> {
        let recorded = {
            let mut s = self
                .lock()
                .map_err(|e| MailError::Unavailable(Box::new(e)))?;
            let recorded = s.record_email(email, now);
            if recorded == Delivery::Sent {
                s.enqueue(delivery, now);
            }
            recorded
        };
        if recorded == Delivery::Sent {
            self.wake.notify_waiters();
        }
        Ok(recorded)
    }

    async fn find_sent(&self, dedup_key: &str) -> Result<Option<SentEmail>, MailError> {
        let s = self
            .lock()
            .map_err(|e| MailError::Unavailable(Box::new(e)))?;
        Ok(s.sent.get(dedup_key).cloned())
    }

    async fn mark_delivered(&self, dedup_key: &str, at: Timestamp) -> Result<(), MailError> {
        let mut s = self
            .lock()
            .map_err(|e| MailError::Unavailable(Box::new(e)))?;
        let sent = s
            .sent
            .get_mut(dedup_key)
            .ok_or_else(|| MailError::not_in_outbox(dedup_key))?;
        sent.delivered_at.get_or_insert(at);
        Ok(())
    }
}
