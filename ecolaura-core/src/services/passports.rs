//! The passport service: a product's Digital Product Passport for its
//! reader, and the product a GTIN names.

use std::sync::Arc;

use serde_json::Value;

use crate::auth::{Action, Actor, authorize};
use crate::catalog::{ProductFilter, ProductQuery};
use crate::domain::{Gtin, PageRequest, ProductId};
use crate::ports::{Clock, DiscardStore};
use crate::sustainability::passport::{
    MAX_PASSPORT_DISCARDS, PassportFacts, PassportView, ResolverBase, passport,
};

use super::{Catalog, CatalogError};

/// Digital Product Passports.
#[derive(Clone)]
pub struct Passports {
    catalog: Catalog,
    discards: Arc<dyn DiscardStore>,
    clock: Arc<dyn Clock>,
}

impl Passports {
    /// Wire the service.
    pub fn new(catalog: Catalog, discards: Arc<dyn DiscardStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            catalog,
            discards,
            clock,
        }
    }

    /// The passport of a live product as `view` shows it (anyone for the
    /// public view; staff, acting for an authority, for the authority
    /// view), its identity under `resolver`.
    ///
    /// # Errors
    /// [`CatalogError::Denied`] for an authority view asked by another
    /// than staff, [`CatalogError::ProductNotFound`].
    pub async fn passport(
        &self,
        actor: &Actor,
        id: ProductId,
        view: PassportView,
        resolver: &ResolverBase,
    ) -> Result<Value, CatalogError> {
        if view == PassportView::Authority {
            authorize(actor, Action::ManageCatalog)?;
        }
        let product = self.catalog.product(id).await?;
        let composition = match self.catalog.composition(id).await {
            Ok(c) => Some(c),
            Err(CatalogError::NoComposition) => None,
            Err(e) => return Err(e),
        };
        let footprint = match self.catalog.footprint(id).await {
            Ok(r) => Some(r),
            Err(CatalogError::NoFootprint) => None,
            Err(e) => return Err(e),
        };
        let claims = self.catalog.claims(id).await?;
        let discards = match view {
            PassportView::Authority => {
                let newest = PageRequest::new(1, MAX_PASSPORT_DISCARDS as u32)
                    .map_err(|e| CatalogError::Store(crate::ports::StoreError::backend(e)))?;
                let page = self.discards.list_discards(id, newest).await?;
                (page.items, page.count)
            }
            PassportView::Public => (Vec::new(), 0),
        };
        Ok(passport(
            PassportFacts {
                product: &product,
                composition: composition.as_ref(),
                claims: &claims,
                footprint: footprint.as_ref(),
                discards: (&discards.0, discards.1),
                resolver,
                today: self.clock.now().date_naive(),
            },
            view,
        ))
    }

    /// The live product with this GTIN, if any (GTINs are unique among
    /// live products).
    pub async fn product_with_gtin(&self, gtin: Gtin) -> Result<Option<ProductId>, CatalogError> {
        let query = ProductQuery {
            filter: ProductFilter {
                gtin: Some(gtin),
                ..ProductFilter::default()
            },
            ordering: Default::default(),
            page: PageRequest::default(),
        };
        let found = self.catalog.products(&query).await?;
        Ok(found.items.first().map(|p| p.id))
    }
}
