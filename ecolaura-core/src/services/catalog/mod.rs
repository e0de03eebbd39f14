//! The catalog service: categories and products, scored and cached.

use std::sync::Arc;

use crate::auth::{Action, Actor, authorize};
use crate::catalog::{
    CatalogChange, Category, CategoryChanges, NewCategory, NewProduct, Product, ProductChanges,
    ProductFilter, ProductOrdering, ProductPosition, ProductQuery, ProductSeek, ReadScope,
    ScoreSource,
};
use crate::domain::{
    ClaimId, KeysetPage, Limit, Page, PageRequest, ProductId, Seek, Slug, Timestamp,
};
use crate::ports::{Cache, CacheEntry, CatalogStore, Clock, StoreError};
use crate::scoring::{ScoreCause, ScoreEvidence, ScoringPolicy, score_product, stamp};
use crate::sustainability::claims::metrics_contradicting_claims;
use crate::sustainability::footprint::metrics_change_conflict;
use crate::sustainability::{Claim, ClaimPolicy, FootprintRecord};

mod claims;
mod composition;
mod footprint;
mod import;
mod policy;

pub use claims::{MAX_CLAIMS_PER_PRODUCT, MAX_EXPIRING_CLAIMS};
pub use import::{ImportMode, ImportSummary};
pub use policy::{CLAIM_DATES_LOOKBACK_DAYS, RESCORING_BATCH, Rescoring};

use super::{CatalogError, CatalogExportError};

/// How often an update re-reads and retries when the product moved on
/// under it (stock taken by orders moves its version too).
const UPDATE_ATTEMPTS: usize = 8;

/// What a product write also changes, in the same transaction.
enum SideWrite<'a> {
    /// Nothing else.
    Nothing,
    /// Set the footprint record.
    SetFootprint(&'a FootprintRecord),
    /// Remove the footprint record.
    RemoveFootprint,
    /// Add a claim.
    AddClaim(&'a Claim),
    /// Remove a claim.
    RemoveClaim(ClaimId),
    /// Set the composition.
    SetComposition(&'a crate::sustainability::passport::Composition),
}

impl SideWrite<'_> {
    /// The evidence a product's score counts once this write lands, from
    /// the claims it has before.
    fn evidence_after(&self, claims: &[Claim], today: chrono::NaiveDate) -> ScoreEvidence {
        let kept = claims
            .iter()
            .filter(|c| !matches!(self, SideWrite::RemoveClaim(id) if c.id == *id));
        let added = match self {
            SideWrite::AddClaim(c) => Some(*c),
            _ => None,
        };
        ScoreEvidence::of(kept.chain(added), today)
    }
}

/// How the catalog scores its products.
#[derive(Clone)]
enum Scoring {
    /// With the latest published version of the default policy's rules,
    /// read from the store on every write (so every host scores with the
    /// version published last, wherever it was published).
    Published,
    /// With a policy the shop plugged in (code, not data).
    Custom(Arc<dyn ScoringPolicy>),
}

/// Which products a page of a list shows, in order, and how many match.
#[derive(Debug, Clone)]
struct Membership {
    count: u64,
    ids: Arc<[ProductId]>,
}

/// Categories and products.
///
/// Reads are served from the [`Cache`], each kept with what it shows; every
/// write tells the cache what it changed, so the next read sees the write
/// while reads it did not change stay cached.
#[derive(Clone)]
pub struct Catalog {
    store: Arc<dyn CatalogStore>,
    cache: Arc<dyn Cache>,
    scoring: Scoring,
    claim_policy: Arc<ClaimPolicy>,
    clock: Arc<dyn Clock>,
}

impl Catalog {
    /// Wire the service; products are scored with the published rules of
    /// the default policy ([`Catalog::publish_score_rules`]).
    pub fn new(store: Arc<dyn CatalogStore>, cache: Arc<dyn Cache>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            cache,
            scoring: Scoring::Published,
            claim_policy: Arc::new(ClaimPolicy::default()),
            clock,
        }
    }

    /// The same service scoring with `policy`, a shop's own (which then
    /// has no published rules to read or change).
    pub fn with_scoring(mut self, policy: Arc<dyn ScoringPolicy>) -> Self {
        self.scoring = Scoring::Custom(policy);
        self
    }

    /// The same service with another claim policy (the default's rules and
    /// a market's own, say).
    pub fn with_claim_policy(mut self, policy: ClaimPolicy) -> Self {
        self.claim_policy = Arc::new(policy);
        self
    }

    /// The policy that scores a write now.
    async fn policy_in_force(&self) -> Result<Arc<dyn ScoringPolicy>, StoreError> {
        Ok(match &self.scoring {
            Scoring::Custom(policy) => policy.clone(),
            Scoring::Published => Arc::new(self.latest_policy().await?),
        })
    }

    /// `next` scored by `policy` with `evidence`, stamped against `before`.
    fn scored(
        policy: &dyn ScoringPolicy,
        mut next: Product,
        before: Option<&Product>,
        evidence: &ScoreEvidence,
        cause: ScoreCause,
        now: Timestamp,
    ) -> Product {
        score_product(policy, &mut next, evidence);
        stamp(&mut next, before, cause, now);
        next
    }

    /// Make a category (staff).
    ///
    /// # Errors
    /// [`CatalogError::CategoryExists`] when the slug is taken.
    pub async fn create_category(
        &self,
        actor: &Actor,
        new: NewCategory,
    ) -> Result<Category, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        let category = Category {
            slug: new.slug,
            name: new.name,
            description: new.description,
            destruction_banned: new.destruction_banned,
            created_at: self.clock.now(),
        };
        self.store.insert_category(&category).await?;
        self.cache.apply(&[CatalogChange::Categories]).await;
        Ok(category)
    }

    /// Change a category (staff): its name, description or
    /// `destruction_banned`.
    ///
    /// # Errors
    /// [`CatalogError::CategoryNotFound`] when there is no such category.
    pub async fn update_category(
        &self,
        actor: &Actor,
        slug: &Slug,
        changes: &CategoryChanges,
    ) -> Result<Category, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        let current = self
            .store
            .get_category(slug)
            .await?
            .ok_or(CatalogError::CategoryNotFound)?;
        let next = changes.apply_to(&current);
        match self.store.update_category(&next).await {
            Err(StoreError::NotFound) => return Err(CatalogError::CategoryNotFound),
            other => other?,
        }
        self.cache.apply(&[CatalogChange::Categories]).await;
        Ok(next)
    }

    /// Categories by slug.
    pub async fn categories(&self, page: PageRequest) -> Result<Page<Category>, CatalogError> {
        let key = format!("categories|{}/{}", page.page(), page.page_size());
        let mut result = self
            .cached(
                key,
                || self.store.list_categories(page),
                |found| {
                    let bytes = found.approx_bytes(Category::approx_bytes);
                    (ReadScope::Categories, bytes)
                },
            )
            .await?;
        result.request = page;
        Ok(result)
    }

    /// Make a product (staff). Its score is computed here.
    ///
    /// # Errors
    /// [`CatalogError::UnknownCategory`] when the category does not exist.
    pub async fn create_product(
        &self,
        actor: &Actor,
        new: NewProduct,
    ) -> Result<Product, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        let now = self.clock.now();
        let policy = self.policy_in_force().await?;
        let product = Self::scored(
            policy.as_ref(),
            Product::made_of(new, now),
            None,
            &ScoreEvidence::default(),
            ScoreCause::Edit,
            now,
        );
        self.store.insert_product(&product).await?;
        self.cache
            .apply(&[CatalogChange::created(product.clone())])
            .await;
        self.settle_score(product).await
    }

    /// A live product.
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`] when missing or archived.
    pub async fn product(&self, id: ProductId) -> Result<Product, CatalogError> {
        self.cached(
            format!("product|{id}"),
            || self.store.get_product(id),
            |found| {
                let bytes = found.as_ref().map_or(0, Product::approx_bytes);
                (ReadScope::Product(id), bytes)
            },
        )
        .await?
        .ok_or(CatalogError::ProductNotFound)
    }

    /// A page of live products.
    pub async fn products(&self, query: &ProductQuery) -> Result<Page<Product>, CatalogError> {
        let key = format!("products|{}", query.cache_key());
        let mut page = self
            .cached(
                key,
                || self.load_page(query),
                |found| {
                    let scope = ReadScope::list(query, found.items.iter().map(|p| p.id));
                    (scope, found.approx_bytes(Product::approx_bytes))
                },
            )
            .await?;
        page.request = query.page;
        Ok(page)
    }

    /// A page of live products as stored now. When the cache holds the
    /// page's membership (its ids and count) and no write has moved a
    /// product in or out of it or within it since, the products are read by
    /// id: a write that only changed a shown product's fields (an order's
    /// stock change) costs one lookup by key, not the list query. Otherwise
    /// the list query runs and its membership is kept.
    async fn load_page(&self, query: &ProductQuery) -> Result<Page<Product>, StoreError> {
        let key = format!("members|{}", query.cache_key());
        let known = self
            .cache
            .get(&key)
            .await
            .and_then(|e| e.value.downcast_ref::<Membership>().cloned());
        if let Some(members) = known
            && let Some(page) = self.page_of(members, query.page).await?
        {
            return Ok(page);
        }
        let ticket = self.cache.ticket();
        let page = self.store.list_products(query).await?;
        let members = Membership {
            count: page.count,
            ids: page.items.iter().map(|p| p.id).collect(),
        };
        let entry = CacheEntry {
            scope: Arc::new(ReadScope::membership(query, members.ids.iter().copied())),
            bytes: members.ids.len() * std::mem::size_of::<ProductId>(),
            true_until: None,
            value: Arc::new(members),
        };
        self.cache.insert(key, entry, ticket).await;
        Ok(page)
    }

    /// The page that `members` describe, with the products as stored now;
    /// `None` when one of them has left the catalog meanwhile.
    async fn page_of(
        &self,
        members: Membership,
        request: PageRequest,
    ) -> Result<Option<Page<Product>>, StoreError> {
        let mut found = if members.ids.is_empty() {
            Vec::new()
        } else {
            self.store.get_products(&members.ids).await?
        };
        let mut items = Vec::with_capacity(members.ids.len());
        for id in members.ids.iter() {
            let Some(at) = found.iter().position(|p| p.id == *id) else {
                return Ok(None);
            };
            items.push(found.swap_remove(at));
        }
        Ok(Some(Page {
            count: members.count,
            items,
            request,
        }))
    }

    /// A live product, read from the store without the cache: for callers
    /// that keep what they make of it in the cache themselves (the HTTP host
    /// keeps the rendered response), so that one read is not kept twice.
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`] when missing or archived.
    pub async fn product_uncached(&self, id: ProductId) -> Result<Product, CatalogError> {
        self.store
            .get_product(id)
            .await?
            .ok_or(CatalogError::ProductNotFound)
    }

    /// A page of live products, not kept in the cache as a page (see
    /// [`Catalog::product_uncached`]); only its membership is, so that a
    /// write that leaves the page's membership alone costs a lookup by id.
    pub async fn products_uncached(
        &self,
        query: &ProductQuery,
    ) -> Result<Page<Product>, CatalogError> {
        let mut page = self.load_page(query).await?;
        page.request = query.page;
        Ok(page)
    }

    /// A keyset page of live products, and the count of the whole list
    /// when `with_count`. Not cached: it is read from the position in an
    /// index, at any depth, so the store answers it as cheaply as a cache
    /// lookup that missed would.
    pub async fn products_from(
        &self,
        query: &ProductSeek,
        with_count: bool,
    ) -> Result<KeysetPage<Product, ProductPosition>, CatalogError> {
        let found = self.store.seek_products(query).await?;
        let mut page = KeysetPage::assemble(&query.seek, found, |p| query.ordering.position_of(p));
        if with_count {
            page.count = Some(self.store.count_products(&query.filter).await?);
        }
        Ok(page)
    }

    /// Every live product, oldest first, handed to `each` in batches of up
    /// to [`Limit::BATCH`] (1,000): the whole catalog read by keyset pages, so that
    /// memory holds one batch whatever the catalog's size. A product that
    /// exists throughout the walk is handed over exactly once; one made or
    /// archived meanwhile may or may not be. Returns how many were handed
    /// over; stops at the first error of `each`.
    ///
    /// # Errors
    /// [`CatalogExportError::Store`] when a read fails,
    /// [`CatalogExportError::Sink`] with `each`'s error.
    pub async fn export_products<E>(
        &self,
        mut each: impl FnMut(&[Product]) -> Result<(), E>,
    ) -> Result<u64, CatalogExportError<E>> {
        let ordering = ProductOrdering::CreatedAsc;
        let mut query = ProductSeek {
            filter: ProductFilter::default(),
            ordering,
            seek: Seek::first(Limit::BATCH),
        };
        let mut handed = 0u64;
        loop {
            let found = self
                .store
                .seek_products(&query)
                .await
                .map_err(CatalogExportError::Store)?;
            let page = KeysetPage::assemble(&query.seek, found, |p| ordering.position_of(p));
            each(&page.items).map_err(CatalogExportError::Sink)?;
            handed += page.items.len() as u64;
            match page.next {
                Some(next) => query.seek.from = Some(next),
                None => return Ok(handed),
            }
        }
    }

    /// Change a product (staff): a full replacement or a partial change.
    /// The score is recomputed (with the product's active certified claims). Retries when stock moved on concurrently, so
    /// an update never overwrites stock that an order just took.
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`], [`CatalogError::UnknownCategory`],
    /// [`CatalogError::ConcurrentUpdate`] when it lost the race too often.
    pub async fn update_product(
        &self,
        actor: &Actor,
        id: ProductId,
        changes: &ProductChanges,
    ) -> Result<Product, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        self.write_product(id, ScoreCause::Edit, |current, claims| {
            if let Some(why) = metrics_change_conflict(current, changes) {
                return Err(CatalogError::FootprintConflict(why));
            }
            if let Some(Some(metrics)) = changes.metrics {
                let denied = metrics_contradicting_claims(&metrics, claims);
                if !denied.is_empty() {
                    return Err(CatalogError::ClaimConflict(
                        denied.iter().map(|c| c.id).collect(),
                    ));
                }
            }
            Ok((changes.apply_to(current), SideWrite::Nothing))
        })
        .await
    }

    /// Read, change and write a live product until the write lands on the
    /// version read (stock taken by orders moves it), then tell the cache,
    /// and make sure the score is by the policy in force
    /// ([`Catalog::settle_score`]). `change` makes the next product
    /// (scored here) from the current one and its claims (every claim
    /// write moves the product's version, so they are current when the
    /// write lands), and says what else the write changes; `cause` says
    /// why a new score would be computed.
    async fn write_product<'r>(
        &self,
        id: ProductId,
        cause: ScoreCause,
        change: impl Fn(&Product, &[Claim]) -> Result<(Product, SideWrite<'r>), CatalogError>,
    ) -> Result<Product, CatalogError> {
        let stored = self.write_product_once(id, cause, change).await?;
        self.settle_score(stored).await
    }

    /// [`Catalog::write_product`] without the settling.
    async fn write_product_once<'r>(
        &self,
        id: ProductId,
        cause: ScoreCause,
        change: impl Fn(&Product, &[Claim]) -> Result<(Product, SideWrite<'r>), CatalogError>,
    ) -> Result<Product, CatalogError> {
        for _ in 0..UPDATE_ATTEMPTS {
            let current = self
                .store
                .get_product(id)
                .await?
                .ok_or(CatalogError::ProductNotFound)?;
            let claims = self.store.list_claims(&[id]).await?;
            let (next, side) = change(&current, &claims)?;
            let now = self.clock.now();
            let evidence = side.evidence_after(&claims, now.date_naive());
            let policy = self.policy_in_force().await?;
            let mut next =
                Self::scored(policy.as_ref(), next, Some(&current), &evidence, cause, now);
            next.updated_at = now;
            let written = match side {
                SideWrite::Nothing => self.store.update_product(&next).await,
                SideWrite::SetFootprint(r) => self.store.set_footprint(&next, Some(r)).await,
                SideWrite::RemoveFootprint => self.store.set_footprint(&next, None).await,
                SideWrite::AddClaim(c) => self.store.add_claim(&next, c).await,
                SideWrite::RemoveClaim(c) => self.store.remove_claim(&next, c).await,
                SideWrite::SetComposition(c) => self.store.set_composition(&next, c).await,
            };
            match written {
                Ok(stored) => {
                    self.cache
                        .apply(&[CatalogChange::updated(current, stored.clone())])
                        .await;
                    return Ok(stored);
                }
                Err(StoreError::StaleWrite) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(CatalogError::ConcurrentUpdate)
    }

    /// `stored`, rescored until its score is by the policy in force once
    /// the write has landed.
    ///
    /// A write scores with the policy it read before writing; a policy
    /// published in between would leave the product scored by the older
    /// one if the rescoring job had already walked past it. Reading the
    /// policy again *after* the write closes that gap: if it is still the
    /// same, any later publication's job starts after this write and finds
    /// the product; if not, the product is rescored here.
    async fn settle_score(&self, mut stored: Product) -> Result<Product, CatalogError> {
        for _ in 0..UPDATE_ATTEMPTS {
            if stored.score_source == ScoreSource::Manual {
                return Ok(stored);
            }
            let policy = self.policy_in_force().await?;
            if policy.method() == stored.score_method {
                return Ok(stored);
            }
            match self.rescore_product(stored.id, ScoreCause::Policy).await? {
                Some(rescored) => stored = rescored,
                None => return Ok(stored),
            }
        }
        Ok(stored)
    }

    /// Archive a product (staff): gone from the catalog, kept on orders.
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`] when missing or already archived.
    pub async fn archive_product(&self, actor: &Actor, id: ProductId) -> Result<(), CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        let archived = self.store.archive_product(id, self.clock.now()).await?;
        self.cache.apply(&[CatalogChange::archived(archived)]).await;
        Ok(())
    }

    /// Read through the cache. The ticket is taken *before* loading, so a
    /// value loaded across a write that changes it is not kept;
    /// `describe` says what the value shows and roughly what it weighs.
    async fn cached<T, F, Fut>(
        &self,
        key: String,
        load: F,
        describe: impl FnOnce(&T) -> (ReadScope, usize),
    ) -> Result<T, StoreError>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        if let Some(hit) = self
            .cache
            .get(&key)
            .await
            .and_then(|e| e.value.downcast_ref::<T>().cloned())
        {
            return Ok(hit);
        }
        let ticket = self.cache.ticket();
        let value = load().await?;
        let (scope, bytes) = describe(&value);
        let entry = CacheEntry {
            value: Arc::new(value.clone()),
            scope: Arc::new(scope),
            bytes,
            true_until: None,
        };
        self.cache.insert(key, entry, ticket).await;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AccessDenied;
    use crate::catalog::SustainabilityMetrics;
    use crate::domain::{CarbonKg, Description, Price, ProductName, Score, Stock};
    use crate::memory::ManualClock;
    use crate::ports::{MockCache, MockCatalogStore};
    use crate::scoring::DefaultScoringPolicy;
    use crate::sustainability::{FootprintDraft, FootprintSource};
    use mockall::predicate::always;

    fn passthrough_cache() -> MockCache {
        let mut c = MockCache::new();
        c.expect_ticket().return_const(ReadTicket(7));
        c.expect_get().returning(|_| None);
        c.expect_insert().returning(|_, _, _| true);
        c.expect_apply().returning(|_| ());
        c
    }

    fn catalog(store: MockCatalogStore, cache: MockCache) -> Catalog {
        Catalog::new(
            Arc::new(store),
            Arc::new(cache),
            Arc::new(ManualClock::default()),
        )
        .with_scoring(Arc::new(DefaultScoringPolicy))
    }

    fn new_product(metrics: Option<SustainabilityMetrics>) -> NewProduct {
        NewProduct {
            name: ProductName::parse("Eco Bottle").unwrap(),
            description: Description::default(),
            price: "19.99".parse::<Price>().unwrap(),
            category: None,
            stock: Stock::new(10).unwrap(),
            metrics,
            manual_score: Score::new(42).unwrap(),
            sku: None,
            gtin: None,
            weight_kg: None,
        }
    }

    fn metrics() -> SustainabilityMetrics {
        SustainabilityMetrics {
            carbon_footprint_kg: CarbonKg::from_f64(0.2).unwrap(),
            recyclable: true,
            biodegradable: false,
        }
    }

    #[tokio::test]
    async fn a_product_with_metrics_is_scored_by_the_policy() {
        let mut store = MockCatalogStore::new();
        store
            .expect_insert_product()
            .withf(|p| {
                p.score.value() == 80
                    && p.score_source == ScoreSource::Metrics
                    && p.manual_score.value() == 42
            })
            .times(1)
            .returning(|_| Ok(()));
        let p = catalog(store, passthrough_cache())
            .create_product(&Actor::System, new_product(Some(metrics())))
            .await
            .unwrap();
        assert_eq!(p.score.value(), 80);
    }

    #[tokio::test]
    async fn a_product_without_metrics_keeps_its_manual_score() {
        let mut store = MockCatalogStore::new();
        store.expect_insert_product().returning(|_| Ok(()));
        let p = catalog(store, passthrough_cache())
            .create_product(&Actor::System, new_product(None))
            .await
            .unwrap();
        assert_eq!((p.score.value(), p.score_source), (42, ScoreSource::Manual));
    }

    #[tokio::test]
    async fn customers_cannot_write_and_the_store_is_never_reached() {
        let store = MockCatalogStore::new(); // no expectations: any call panics
        let err = catalog(store, MockCache::new())
            .create_product(
                &Actor::customer(crate::domain::UserId::new()),
                new_product(None),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, CatalogError::Denied(AccessDenied::Forbidden)));
    }

    #[tokio::test]
    async fn an_update_that_loses_a_race_rereads_and_retries() {
        let mut store = MockCatalogStore::new();
        let base = made().await;
        let reread = base.clone();
        store
            .expect_get_product()
            .times(2)
            .returning(move |_| Ok(Some(reread.clone())));
        store.expect_list_claims().returning(|_| Ok(Vec::new()));
        let mut seq = mockall::Sequence::new();
        store
            .expect_update_product()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_| Err(StoreError::StaleWrite));
        store
            .expect_update_product()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|p| Ok(p.clone()));
        let changes = ProductChanges {
            metrics: Some(Some(metrics())),
            ..Default::default()
        };
        let p = catalog(store, passthrough_cache())
            .update_product(&Actor::System, base.id, &changes)
            .await
            .unwrap();
        assert_eq!(p.score_source, ScoreSource::Metrics);
    }

    /// A product as `create_product` makes it.
    async fn made() -> Product {
        let mut s = MockCatalogStore::new();
        s.expect_insert_product().returning(|_| Ok(()));
        catalog(s, passthrough_cache())
            .create_product(&Actor::System, new_product(None))
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn an_archive_tells_the_cache_which_product_left() {
        let p = made().await;
        let mut store = MockCatalogStore::new();
        let archived = p.clone();
        store
            .expect_archive_product()
            .with(always(), always())
            .returning(move |_, _| Ok(archived.clone()));
        let mut cache = MockCache::new();
        let expected = vec![CatalogChange::archived(p.clone())];
        cache
            .expect_apply()
            .withf(move |c| c == expected.as_slice())
            .times(1)
            .returning(|_| ());
        catalog(store, cache)
            .archive_product(&Actor::System, p.id)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_update_tells_the_cache_the_product_before_and_after() {
        let before = made().await;
        let mut store = MockCatalogStore::new();
        let read = before.clone();
        store
            .expect_get_product()
            .returning(move |_| Ok(Some(read.clone())));
        store.expect_list_claims().returning(|_| Ok(Vec::new()));
        store.expect_update_product().returning(|p| Ok(p.clone()));
        let mut cache = MockCache::new();
        let was = before.clone();
        cache
            .expect_apply()
            .withf(move |c| match c {
                [CatalogChange::Product(change)] => {
                    change.before.as_ref() == Some(&was)
                        && change.after.as_ref().map(|p| p.price.to_string())
                            == Some("5.00".to_owned())
                }
                _ => false,
            })
            .times(1)
            .returning(|_| ());
        let changes = ProductChanges {
            price: Some("5.00".parse().unwrap()),
            ..Default::default()
        };
        catalog(store, cache)
            .update_product(&Actor::System, before.id, &changes)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_list_is_kept_with_the_ticket_taken_before_loading_and_the_ids_it_shows() {
        let p = made().await;
        let mut store = MockCatalogStore::new();
        let listed = p.clone();
        store.expect_list_products().returning(move |q| {
            Ok(Page {
                count: 1,
                items: vec![listed.clone()],
                request: q.page,
            })
        });
        let mut cache = MockCache::new();
        let mut seq = mockall::Sequence::new();
        let query = ProductQuery::default();
        let page_key = format!("products|{}", query.cache_key());
        let members_key = format!("members|{}", query.cache_key());
        for (key, ticket) in [(page_key.clone(), 41), (members_key.clone(), 42)] {
            cache
                .expect_get()
                .withf(move |k| k == key)
                .times(1)
                .in_sequence(&mut seq)
                .returning(|_| None);
            cache
                .expect_ticket()
                .times(1)
                .in_sequence(&mut seq)
                .return_const(ReadTicket(ticket));
        }
        let members = ReadScope::membership(&query, [p.id]);
        cache
            .expect_insert()
            .withf(move |k, e, t| *k == members_key && *t == ReadTicket(42) && *e.scope == members)
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| true);
        let scope = ReadScope::list(&query, [p.id]);
        cache
            .expect_insert()
            .withf(move |k, e, t| {
                *k == page_key && *t == ReadTicket(41) && *e.scope == scope && e.bytes > 0
            })
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| true);
        let page = catalog(store, cache).products(&query).await.unwrap();
        assert_eq!(page.items, [p]);
    }

    #[tokio::test]
    async fn a_page_whose_membership_is_known_is_read_by_id_not_listed() {
        let first = made().await;
        let second = made().await;
        let query = ProductQuery::default();
        let members = Membership {
            count: 7,
            ids: vec![first.id, second.id].into(),
        };
        let members_key = format!("members|{}", query.cache_key());
        let mut cache = passthrough_cache_except(members_key, members);
        cache.expect_insert().returning(|_, _, _| true);
        let mut store = MockCatalogStore::new(); // no expect_list_products: a list would panic
        let (a, b) = (first.clone(), second.clone());
        store
            .expect_get_products()
            .withf(move |ids| ids == [a.id, b.id])
            .times(1)
            // The store answers in any order; the page keeps the list's.
            .returning(move |_| Ok(vec![b.clone(), a.clone()]));
        let page = catalog(store, cache)
            .products_uncached(&query)
            .await
            .unwrap();
        assert_eq!(page.count, 7);
        assert_eq!(page.items, [first, second]);
    }

    #[tokio::test]
    async fn a_member_gone_from_the_store_sends_the_page_back_to_the_list_query() {
        let kept = made().await;
        let query = ProductQuery::default();
        let members = Membership {
            count: 2,
            ids: vec![ProductId::new(), kept.id].into(),
        };
        let mut cache = passthrough_cache_except(format!("members|{}", query.cache_key()), members);
        cache.expect_insert().returning(|_, _, _| true);
        let mut store = MockCatalogStore::new();
        let found = kept.clone();
        store
            .expect_get_products()
            .returning(move |_| Ok(vec![found.clone()]));
        let listed = kept.clone();
        store.expect_list_products().times(1).returning(move |q| {
            Ok(Page {
                count: 1,
                items: vec![listed.clone()],
                request: q.page,
            })
        });
        let page = catalog(store, cache)
            .products_uncached(&query)
            .await
            .unwrap();
        assert_eq!((page.count, page.items), (1, vec![kept]));
    }

    /// A cache that holds `members` under `key` and nothing else.
    fn passthrough_cache_except(key: String, members: Membership) -> MockCache {
        let mut c = MockCache::new();
        c.expect_ticket().return_const(ReadTicket(7));
        let scope = Arc::new(ReadScope::Categories);
        c.expect_get().returning(move |k| {
            (k == key).then(|| CacheEntry {
                value: Arc::new(members.clone()),
                scope: scope.clone(),
                bytes: 0,
                true_until: None,
            })
        });
        c
    }

    #[tokio::test]
    async fn a_cached_read_does_not_reach_the_store() {
        let p = made().await;
        let cached = CacheEntry {
            value: Arc::new(Some(p.clone())),
            scope: Arc::new(ReadScope::Product(p.id)),
            bytes: p.approx_bytes(),
            true_until: None,
        };
        let mut cache = MockCache::new();
        let id = p.id;
        cache
            .expect_get()
            .withf(move |k| k == format!("product|{id}"))
            .returning(move |_| Some(cached.clone()));
        let store = MockCatalogStore::new(); // a store call would panic
        assert_eq!(catalog(store, cache).product(p.id).await.unwrap(), p);
    }

    use crate::ports::ReadTicket;

    fn footprint_draft() -> FootprintDraft {
        use crate::sustainability::{DeclaredUnit, SystemBoundary};
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        FootprintDraft {
            declared_unit: DeclaredUnit::Kilogram,
            unitary_product_amount: "0.350".parse().unwrap(),
            pcf_excluding_biogenic_kg: "4.100".parse().unwrap(),
            pcf_including_biogenic_kg: "3.900".parse().unwrap(),
            boundary: SystemBoundary::CradleToGate,
            reference_period_start: day(2025, 1, 1),
            reference_period_end: day(2025, 12, 31),
            valid_until: None,
            geography: "FR".into(),
            primary_data_share: None,
            standards: Vec::new(),
            verification: None,
        }
    }

    #[tokio::test]
    async fn a_footprint_record_sets_the_products_figure_and_score_in_one_write() {
        let base = made().await;
        let mut store = MockCatalogStore::new();
        let read = base.clone();
        store
            .expect_get_product()
            .returning(move |_| Ok(Some(read.clone())));
        store.expect_list_claims().returning(|_| Ok(Vec::new()));
        store
            .expect_set_footprint()
            .withf(|p, r| {
                p.footprint_source == FootprintSource::Record
                    && p.metrics.is_some_and(|m| {
                        m.carbon_footprint_kg.to_string() == "1.435"
                            && !m.recyclable
                            && !m.biodegradable
                    })
                    && p.score_source == ScoreSource::Metrics
                    && r.is_some_and(|r| r.per_item_kg().to_string() == "1.435")
            })
            .times(1)
            .returning(|p, _| Ok(p.clone()));
        let (p, record) = catalog(store, passthrough_cache())
            .set_footprint(&Actor::System, base.id, footprint_draft())
            .await
            .unwrap();
        assert_eq!(p.footprint_source, FootprintSource::Record);
        assert_eq!(record.valid_until.to_string(), "2028-12-31");
    }

    #[tokio::test]
    async fn a_broken_footprint_rule_reaches_no_store() {
        let store = MockCatalogStore::new(); // no expectations: any call panics
        let mut draft = footprint_draft();
        draft.reference_period_end = draft.reference_period_start;
        let err = catalog(store, MockCache::new())
            .set_footprint(&Actor::System, ProductId::new(), draft)
            .await
            .unwrap_err();
        let CatalogError::Invalid(errors) = err else {
            panic!("{err:?}");
        };
        assert_eq!(errors[0].field, "reference_period_end");
    }

    #[tokio::test]
    async fn another_figure_for_a_product_with_a_record_is_refused_unwritten() {
        let mut owned = made().await;
        owned.metrics = Some(metrics());
        owned.footprint_source = FootprintSource::Record;
        let mut store = MockCatalogStore::new(); // no update expected
        store
            .expect_get_product()
            .returning(move |_| Ok(Some(owned.clone())));
        store.expect_list_claims().returning(|_| Ok(Vec::new()));
        let mut other = metrics();
        other.carbon_footprint_kg = CarbonKg::from_f64(7.0).unwrap();
        let changes = ProductChanges {
            metrics: Some(Some(other)),
            ..Default::default()
        };
        let err = catalog(store, MockCache::new())
            .update_product(&Actor::System, ProductId::new(), &changes)
            .await
            .unwrap_err();
        assert!(matches!(err, CatalogError::FootprintConflict(_)), "{err:?}");
    }

    #[tokio::test]
    async fn metrics_that_would_deny_a_claim_are_refused_unwritten() {
        use crate::sustainability::{Claim, ClaimType, Market};
        let mut p = made().await;
        p.metrics = Some(metrics()); // recyclable
        let claim = Claim {
            id: ClaimId::new(),
            product_id: p.id,
            claim_type: ClaimType::Recyclable,
            statement: "Recyclable".into(),
            markets: vec![Market::Eu],
            evidence: crate::sustainability::claims::tests::evidence(),
            created_at: p.created_at,
        };
        let claim_id = claim.id;
        let mut store = MockCatalogStore::new(); // no update expected
        store
            .expect_get_product()
            .returning(move |_| Ok(Some(p.clone())));
        store
            .expect_list_claims()
            .returning(move |_| Ok(vec![claim.clone()]));
        let mut denying = metrics();
        denying.recyclable = false;
        let changes = ProductChanges {
            metrics: Some(Some(denying)),
            ..Default::default()
        };
        let err = catalog(store, MockCache::new())
            .update_product(&Actor::System, ProductId::new(), &changes)
            .await
            .unwrap_err();
        let CatalogError::ClaimConflict(ids) = err else {
            panic!("{err:?}");
        };
        assert_eq!(ids, [claim_id]);
    }
}
