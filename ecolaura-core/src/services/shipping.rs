//! The shipping service: the shop's shipping methods (staff keep them,
//! customers see the active ones) and the quote that ranks them by
//! emissions for a basket.

use std::collections::HashMap;
use std::sync::Arc;

use crate::auth::{AccessDenied, Action, Actor, authorize};
use crate::domain::{Page, PageRequest, Slug, truncate_to_micros};
use crate::orders::OrderRequest;
use crate::ports::{CatalogStore, Clock, ShippingStore, StoreError, UniqueField};
use crate::sustainability::shipping::{
    NewShippingMethod, QuoteOption, ShippingMethod, ShippingMethodChanges, quote,
    shipment_weight_kg,
};

/// The most shipping methods a shop keeps, active or not: a quote weighs
/// every active one, so their number is bounded.
pub const MAX_SHIPPING_METHODS: u64 = 100;

/// Why a shipping operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ShippingError {
    /// The actor may not do this.
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    /// No such shipping method.
    #[error("shipping method not found")]
    NotFound,
    /// A method with this code exists.
    #[error("a shipping method with this code already exists")]
    CodeTaken,
    /// The shop keeps the most methods it may.
    #[error("the shop has {MAX_SHIPPING_METHODS} shipping methods, the most it may")]
    TooMany,
    /// A line's product does not exist or is archived.
    #[error("product {0} does not exist or is no longer sold")]
    ProductUnavailable(crate::domain::ProductId),
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ShippingError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(UniqueField::ShippingMethodCode) => ShippingError::CodeTaken,
            other => ShippingError::Store(other),
        }
    }
}

/// Shipping methods and quotes.
#[derive(Clone)]
pub struct Shipping {
    methods: Arc<dyn ShippingStore>,
    catalog: Arc<dyn CatalogStore>,
    clock: Arc<dyn Clock>,
}

impl Shipping {
    /// Wire the service.
    pub fn new(
        methods: Arc<dyn ShippingStore>,
        catalog: Arc<dyn CatalogStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            methods,
            catalog,
            clock,
        }
    }

    /// Methods by code: every one for staff, the active ones for anyone else.
    pub async fn methods(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<ShippingMethod>, ShippingError> {
        let active_only = authorize(actor, Action::ManageCatalog).is_err();
        Ok(self
            .methods
            .list_shipping_methods(active_only, page)
            .await?)
    }

    /// Add a method (staff).
    ///
    /// # Errors
    /// [`ShippingError::CodeTaken`], [`ShippingError::TooMany`] when the
    /// shop has [`MAX_SHIPPING_METHODS`] already (concurrent additions may
    /// pass the bound by their number, never more).
    pub async fn create(
        &self,
        actor: &Actor,
        new: NewShippingMethod,
    ) -> Result<ShippingMethod, ShippingError> {
        authorize(actor, Action::ManageCatalog)?;
        let one = PageRequest::new(1, 1).map_err(StoreError::backend)?;
        let existing = self.methods.list_shipping_methods(false, one).await?.count;
        if existing >= MAX_SHIPPING_METHODS {
            return Err(ShippingError::TooMany);
        }
        let method = new.made_at(truncate_to_micros(self.clock.now()));
        self.methods.insert_shipping_method(&method).await?;
        tracing::info!(code = %method.code, mode = %method.mode, "shipping method added");
        Ok(method)
    }

    /// Change a method (staff). Orders placed with it keep it as it was.
    ///
    /// # Errors
    /// [`ShippingError::NotFound`].
    pub async fn update(
        &self,
        actor: &Actor,
        code: &Slug,
        changes: &ShippingMethodChanges,
    ) -> Result<ShippingMethod, ShippingError> {
        authorize(actor, Action::ManageCatalog)?;
        let at = truncate_to_micros(self.clock.now());
        self.methods
            .update_shipping_method(code, changes, at)
            .await?
            .ok_or(ShippingError::NotFound)
    }

    /// Every active method for shipping the basket of `request` (anyone),
    /// the lowest emissions first ([`quote`]). The weight is the
    /// products' `weight_kg` times their units; a product without a weight
    /// makes every footprint unknown.
    ///
    /// # Errors
    /// [`ShippingError::ProductUnavailable`] for a product that does not
    /// exist or is archived.
    pub async fn quote(&self, request: &OrderRequest) -> Result<Vec<QuoteOption>, ShippingError> {
        let ids: Vec<_> = request.lines().iter().map(|l| l.product_id).collect();
        let weights: HashMap<_, _> = self
            .catalog
            .get_products(&ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p.weight_kg))
            .collect();
        let mut lines = Vec::with_capacity(ids.len());
        for line in request.lines() {
            let weight = weights
                .get(&line.product_id)
                .ok_or(ShippingError::ProductUnavailable(line.product_id))?;
            lines.push((*weight, line.quantity));
        }
        let methods = self.active_methods().await?;
        Ok(quote(&methods, shipment_weight_kg(lines)))
    }

    /// Every active method: one page of [`MAX_SHIPPING_METHODS`], or a few
    /// more when concurrent additions passed the bound.
    async fn active_methods(&self) -> Result<Vec<ShippingMethod>, StoreError> {
        let mut methods = Vec::new();
        for number in 1.. {
            let request = PageRequest::new(number, PageRequest::MAX_PAGE_SIZE)
                .map_err(StoreError::backend)?;
            let page = self.methods.list_shipping_methods(true, request).await?;
            let last = !page.has_next();
            methods.extend(page.items);
            if last {
                break;
            }
        }
        Ok(methods)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::fixtures::product;
    use crate::domain::{ProductId, Quantity, ShippingName, UserId};
    use crate::memory::ManualClock;
    use crate::orders::OrderRequestLine;
    use crate::ports::{MockCatalogStore, MockShippingStore};
    use crate::sustainability::shipping::{DistanceKm, EmissionFactor, TransportMode};

    fn service(methods: MockShippingStore, catalog: MockCatalogStore) -> Shipping {
        Shipping::new(
            Arc::new(methods),
            Arc::new(catalog),
            Arc::new(ManualClock::default()),
        )
    }

    fn new_method(code: &str) -> NewShippingMethod {
        NewShippingMethod {
            code: code.parse().unwrap(),
            name: ShippingName::parse("Rail").unwrap(),
            mode: TransportMode::Rail,
            distance_km: DistanceKm::new(850).unwrap(),
            emission_factor: EmissionFactor::parse("17.0").unwrap(),
            price: "6.90".parse().unwrap(),
            active: true,
        }
    }

    fn page_of(count: u64) -> Page<ShippingMethod> {
        Page {
            count,
            items: Vec::new(),
            request: PageRequest::default(),
        }
    }

    #[tokio::test]
    async fn customers_see_active_methods_and_staff_see_all() {
        let mut methods = MockShippingStore::new();
        methods
            .expect_list_shipping_methods()
            .withf(|active_only, _| *active_only)
            .times(2)
            .returning(|_, _| Ok(page_of(0)));
        methods
            .expect_list_shipping_methods()
            .withf(|active_only, _| !*active_only)
            .times(1)
            .returning(|_, _| Ok(page_of(0)));
        let s = service(methods, MockCatalogStore::new());
        let page = PageRequest::default();
        s.methods(&Actor::Anonymous, page).await.unwrap();
        s.methods(&Actor::customer(UserId::new()), page)
            .await
            .unwrap();
        s.methods(&Actor::staff(UserId::new()), page).await.unwrap();
    }

    #[tokio::test]
    async fn the_hundred_and_first_method_is_refused_before_any_write() {
        let mut methods = MockShippingStore::new();
        methods
            .expect_list_shipping_methods()
            .returning(|_, _| Ok(page_of(MAX_SHIPPING_METHODS)));
        methods.expect_insert_shipping_method().never();
        let err = service(methods, MockCatalogStore::new())
            .create(&Actor::System, new_method("rail-eu"))
            .await
            .unwrap_err();
        assert!(matches!(err, ShippingError::TooMany));
    }

    #[tokio::test]
    async fn a_taken_code_and_a_customer_are_refused() {
        let mut methods = MockShippingStore::new();
        methods
            .expect_list_shipping_methods()
            .returning(|_, _| Ok(page_of(1)));
        methods
            .expect_insert_shipping_method()
            .returning(|_| Err(StoreError::Duplicate(UniqueField::ShippingMethodCode)));
        let s = service(methods, MockCatalogStore::new());
        let err = s
            .create(&Actor::System, new_method("rail-eu"))
            .await
            .unwrap_err();
        assert!(matches!(err, ShippingError::CodeTaken));
        let err = s
            .create(&Actor::customer(UserId::new()), new_method("x"))
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            ShippingError::Denied(AccessDenied::Forbidden)
        ));
    }

    #[tokio::test]
    async fn a_quote_weighs_the_basket_and_names_a_missing_product() {
        let mut bottle = product("Bottle", "10.00", 5);
        bottle.weight_kg = Some("0.500".parse().unwrap());
        let known = bottle.clone();
        let mut catalog = MockCatalogStore::new();
        catalog
            .expect_get_products()
            .returning(move |_| Ok(vec![known.clone()]));
        let mut methods = MockShippingStore::new();
        methods.expect_list_shipping_methods().returning(|_, _| {
            Ok(Page {
                count: 1,
                items: vec![new_method("rail-eu").made_at(chrono::Utc::now())],
                request: PageRequest::default(),
            })
        });
        let s = service(methods, catalog);
        let line = |id, q| OrderRequestLine {
            product_id: id,
            quantity: Quantity::new(q).unwrap(),
        };
        let options = s
            .quote(&OrderRequest::new(vec![line(bottle.id, 4)]).unwrap())
            .await
            .unwrap();
        // 2 kg × 850 km × 17 g/t·km = 28.9 g.
        assert_eq!(
            options[0].carbon_footprint_kg.map(|kg| kg.to_string()),
            Some("0.0289".to_owned())
        );
        let missing = ProductId::new();
        let err = s
            .quote(&OrderRequest::new(vec![line(bottle.id, 1), line(missing, 1)]).unwrap())
            .await
            .unwrap_err();
        assert!(matches!(err, ShippingError::ProductUnavailable(id) if id == missing));
    }
}
