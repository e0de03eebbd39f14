//! Footprint records: the product's figure comes from its record.

use super::{Catalog, SideWrite};
use crate::auth::{Action, Actor, authorize};
use crate::catalog::{Product, SustainabilityMetrics};
use crate::domain::{CarbonKg, ProductId};
use crate::scoring::ScoreCause;
use crate::services::CatalogError;
use crate::sustainability::{FootprintDraft, FootprintRecord, FootprintSource};

impl Catalog {
    /// A live product's footprint record (anyone).
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`], [`CatalogError::NoFootprint`].
    pub async fn footprint(&self, id: ProductId) -> Result<FootprintRecord, CatalogError> {
        self.store
            .get_footprint(id)
            .await?
            .ok_or(CatalogError::NoFootprint)
    }

    /// Set a product's footprint record (staff). Its per-item figure
    /// becomes the product's `carbon_footprint_kg` (metrics are made, not
    /// recyclable nor biodegradable, where there were none) and the score
    /// follows, in one write.
    ///
    /// # Errors
    /// [`CatalogError::Invalid`] naming each broken rule,
    /// [`CatalogError::ProductNotFound`], [`CatalogError::ConcurrentUpdate`].
    pub async fn set_footprint(
        &self,
        actor: &Actor,
        id: ProductId,
        draft: FootprintDraft,
    ) -> Result<(Product, FootprintRecord), CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        let record = draft
            .validate(self.clock.now())
            .map_err(CatalogError::Invalid)?;
        let product = self
            .write_product(id, ScoreCause::Edit, |current, _| {
                let mut next = current.clone();
                next.metrics = Some(SustainabilityMetrics {
                    carbon_footprint_kg: record.per_item_carbon(),
                    ..current.metrics.unwrap_or(SustainabilityMetrics {
                        carbon_footprint_kg: CarbonKg::ZERO,
                        recyclable: false,
                        biodegradable: false,
                    })
                });
                next.footprint_source = FootprintSource::Record;
                Ok((next, SideWrite::SetFootprint(&record)))
            })
            .await?;
        Ok((product, record))
    }

    /// Remove a product's footprint record (staff). The product keeps the
    /// record's last per-item figure, now as declared.
    ///
    /// # Errors
    /// [`CatalogError::NoFootprint`], [`CatalogError::ProductNotFound`],
    /// [`CatalogError::ConcurrentUpdate`].
    pub async fn remove_footprint(
        &self,
        actor: &Actor,
        id: ProductId,
    ) -> Result<Product, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        self.write_product(id, ScoreCause::Edit, |current, _| {
            if current.footprint_source != FootprintSource::Record {
                return Err(CatalogError::NoFootprint);
            }
            let mut next = current.clone();
            next.footprint_source = FootprintSource::Declared;
            Ok((next, SideWrite::RemoveFootprint))
        })
        .await
    }
}
