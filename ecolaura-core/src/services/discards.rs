//! The discard service: staff take unsold, returned or damaged units out of
//! stock into the ledger, under the destruction ban, and read the yearly
//! disclosure.

use std::sync::Arc;

use crate::auth::{Action, Actor, authorize};
use crate::catalog::CatalogChange;
use crate::domain::{DiscardId, Disclosure, Page, PageRequest, ProductId, Stock};
use crate::ports::{Cache, CatalogStore, Clock, DiscardStore, StoreError};
use crate::sustainability::discards::{
    DiscardDraft, DiscardEntry, DiscardReport, PreventionMeasures, ReportYear, destruction_ban,
};

use super::CatalogError;

/// A recorded discard and the stock it left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discarded {
    /// The ledger entry.
    pub entry: DiscardEntry,
    /// The product's stock after it.
    pub stock_left: Stock,
}

/// Discarded stock and its disclosure.
#[derive(Clone)]
pub struct Discards {
    catalog: Arc<dyn CatalogStore>,
    ledger: Arc<dyn DiscardStore>,
    cache: Arc<dyn Cache>,
    clock: Arc<dyn Clock>,
}

impl Discards {
    /// Wire the service.
    pub fn new(
        catalog: Arc<dyn CatalogStore>,
        ledger: Arc<dyn DiscardStore>,
        cache: Arc<dyn Cache>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            catalog,
            ledger,
            cache,
            clock,
        }
    }

    /// Take units of a live product out of stock into the ledger (staff).
    /// The entry keeps the product's category and unit weight as they are
    /// now.
    ///
    /// # Errors
    /// [`CatalogError::Invalid`] for a quantity out of range,
    /// [`CatalogError::ProductNotFound`],
    /// [`CatalogError::DestructionBanned`] when the product's category is
    /// under the ban and the destination destroys without a derogation,
    /// [`CatalogError::ShortStock`] (nothing written).
    pub async fn record(
        &self,
        actor: &Actor,
        product_id: ProductId,
        draft: DiscardDraft,
    ) -> Result<Discarded, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        let quantity = draft.units().map_err(CatalogError::Invalid)?;
        let product = self
            .catalog
            .get_product(product_id)
            .await?
            .ok_or(CatalogError::ProductNotFound)?;
        let banned = match &product.category {
            Some(slug) => self
                .catalog
                .get_category(slug)
                .await?
                .is_some_and(|c| c.destruction_banned),
            None => false,
        };
        destruction_ban(banned, draft.destination, draft.derogation)
            .map_err(CatalogError::DestructionBanned)?;
        let entry = DiscardEntry {
            id: DiscardId::new(),
            product_id,
            category: product.category.clone(),
            quantity,
            unit_weight_kg: product.weight_kg,
            reason: draft.reason,
            destination: draft.destination,
            derogation: draft.derogation,
            note: draft.note,
            recorded_by: actor.user_id(),
            recorded_at: crate::domain::truncate_to_micros(self.clock.now()),
        };
        let stock_left = match self.ledger.record_discard(&entry).await {
            Ok(left) => left,
            Err(StoreError::ShortStock) => {
                let available = self
                    .catalog
                    .get_product(product_id)
                    .await?
                    .map_or(Stock::ZERO, |p| p.stock);
                return Err(CatalogError::ShortStock { available });
            }
            Err(e) => return Err(e.into()),
        };
        self.cache
            .apply(&[CatalogChange::stock_taken(product_id, stock_left)])
            .await;
        tracing::info!(
            product_id = %product_id,
            quantity,
            destination = %entry.destination,
            "stock discarded"
        );
        Ok(Discarded { entry, stock_left })
    }

    /// A live product's ledger, newest first (staff).
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`].
    pub async fn entries(
        &self,
        actor: &Actor,
        product_id: ProductId,
        page: PageRequest,
    ) -> Result<Page<DiscardEntry>, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        if self.catalog.get_product(product_id).await?.is_none() {
            return Err(CatalogError::ProductNotFound);
        }
        Ok(self.ledger.list_discards(product_id, page).await?)
    }

    /// What was discarded in `year` (staff): ESPR art. 24's disclosure.
    pub async fn report(
        &self,
        actor: &Actor,
        year: ReportYear,
    ) -> Result<DiscardReport, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        let (from, until) = year.bounds();
        let groups = self.ledger.discard_groups(from, until).await?;
        let measures = self.ledger.prevention_measures(year).await?;
        Ok(DiscardReport::fold(year, &groups, measures.map(|m| m.text)))
    }

    /// Set `year`'s statement of the measures taken or planned to prevent
    /// destruction (staff).
    pub async fn set_prevention_measures(
        &self,
        actor: &Actor,
        year: ReportYear,
        text: Disclosure,
    ) -> Result<PreventionMeasures, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        let measures = PreventionMeasures {
            year,
            text,
            updated_at: crate::domain::truncate_to_micros(self.clock.now()),
        };
        self.ledger.set_prevention_measures(&measures).await?;
        Ok(measures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AccessDenied;
    use crate::catalog::Category;
    use crate::conformance::fixtures::{category, product, slug_of};
    use crate::domain::UserId;
    use crate::memory::ManualClock;
    use crate::ports::{MockCache, MockCatalogStore, MockDiscardStore};
    use crate::sustainability::discards::{Derogation, DiscardDestination, DiscardReason};

    fn service(catalog: MockCatalogStore, ledger: MockDiscardStore, cache: MockCache) -> Discards {
        Discards::new(
            Arc::new(catalog),
            Arc::new(ledger),
            Arc::new(cache),
            Arc::new(ManualClock::default()),
        )
    }

    fn draft(quantity: i64, destination: DiscardDestination) -> DiscardDraft {
        DiscardDraft {
            quantity,
            reason: DiscardReason::Unsold,
            destination,
            derogation: None,
            note: None,
        }
    }

    /// A store holding one product in `shoes`, a category under the ban
    /// when `banned`.
    fn shop(banned: bool, stock: u32) -> (MockCatalogStore, crate::catalog::Product) {
        let mut p = product("Boots", "80.00", stock);
        p.category = Some(slug_of("shoes"));
        p.weight_kg = Some("1.250".parse().unwrap());
        let mut store = MockCatalogStore::new();
        let found = p.clone();
        store
            .expect_get_product()
            .returning(move |_| Ok(Some(found.clone())));
        store.expect_get_category().returning(move |_| {
            Ok(Some(Category {
                destruction_banned: banned,
                ..category("shoes")
            }))
        });
        (store, p)
    }

    #[tokio::test]
    async fn a_banned_destruction_is_refused_before_the_ledger_is_reached() {
        let (catalog, p) = shop(true, 10);
        let ledger = MockDiscardStore::new(); // no expectations: any call panics
        let err = service(catalog, ledger, MockCache::new())
            .record(&Actor::System, p.id, draft(1, DiscardDestination::Landfill))
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            CatalogError::DestructionBanned(b) if b.destination == DiscardDestination::Landfill
        ));
    }

    #[tokio::test]
    async fn an_entry_keeps_the_product_as_it_is_and_drops_its_cached_reads() {
        let (catalog, p) = shop(true, 10);
        let mut ledger = MockDiscardStore::new();
        let staff = UserId::new();
        let expected = p.clone();
        ledger
            .expect_record_discard()
            .withf(move |e| {
                e.product_id == expected.id
                    && e.category == expected.category
                    && e.unit_weight_kg == expected.weight_kg
                    && e.quantity == 4
                    && e.derogation == Some(Derogation::Dangerous)
                    && e.recorded_by == Some(staff)
            })
            .times(1)
            .returning(|_| Ok(Stock::new(6).unwrap()));
        let mut cache = MockCache::new();
        let id = p.id;
        cache
            .expect_apply()
            .withf(move |changes| {
                changes == [CatalogChange::stock_taken(id, Stock::new(6).unwrap())]
            })
            .times(1)
            .returning(|_| ());
        let mut burn = draft(4, DiscardDestination::Incineration);
        burn.derogation = Some(Derogation::Dangerous);
        let done = service(catalog, ledger, cache)
            .record(&Actor::staff(staff), p.id, burn)
            .await
            .unwrap();
        assert_eq!(done.stock_left.get(), 6);
        assert_eq!(done.entry.weight_kg(), Some("5.000".parse().unwrap()));
    }

    #[tokio::test]
    async fn short_stock_reports_the_units_there_are() {
        let (catalog, p) = shop(false, 3);
        let mut ledger = MockDiscardStore::new();
        ledger
            .expect_record_discard()
            .returning(|_| Err(StoreError::ShortStock));
        let err = service(catalog, ledger, MockCache::new())
            .record(&Actor::System, p.id, draft(5, DiscardDestination::Reuse))
            .await
            .unwrap_err();
        assert!(matches!(err, CatalogError::ShortStock { available } if available.get() == 3));
    }

    #[tokio::test]
    async fn customers_reach_no_store_and_bad_quantities_no_ledger() {
        let customer = Actor::customer(UserId::new());
        let none = || {
            service(
                MockCatalogStore::new(),
                MockDiscardStore::new(),
                MockCache::new(),
            )
        };
        let id = crate::domain::ProductId::new();
        let denied = none()
            .record(&customer, id, draft(1, DiscardDestination::Reuse))
            .await
            .unwrap_err();
        assert!(matches!(
            denied,
            CatalogError::Denied(AccessDenied::Forbidden)
        ));
        let year = ReportYear::new(2026).unwrap();
        let denied = none().report(&customer, year).await.unwrap_err();
        assert!(matches!(
            denied,
            CatalogError::Denied(AccessDenied::Forbidden)
        ));
        let invalid = none()
            .record(&Actor::System, id, draft(0, DiscardDestination::Reuse))
            .await
            .unwrap_err();
        assert!(matches!(invalid, CatalogError::Invalid(e) if e[0].field == "quantity"));
    }
}
