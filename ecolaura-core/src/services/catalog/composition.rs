//! Compositions: what a product is made of, for its passport.

use super::{Catalog, SideWrite};
use crate::auth::{Action, Actor, authorize};
use crate::domain::ProductId;
use crate::scoring::ScoreCause;
use crate::services::CatalogError;
use crate::sustainability::passport::{Composition, CompositionDraft};

impl Catalog {
    /// A live product's composition (anyone).
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`], [`CatalogError::NoComposition`].
    pub async fn composition(&self, id: ProductId) -> Result<Composition, CatalogError> {
        self.product(id).await?;
        self.store
            .get_composition(id)
            .await?
            .ok_or(CatalogError::NoComposition)
    }

    /// Set a product's composition (staff), in one write with a version
    /// bump of the product.
    ///
    /// # Errors
    /// [`CatalogError::Invalid`] naming each broken rule,
    /// [`CatalogError::ProductNotFound`], [`CatalogError::ConcurrentUpdate`].
    pub async fn set_composition(
        &self,
        actor: &Actor,
        id: ProductId,
        draft: CompositionDraft,
    ) -> Result<Composition, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        let composition = draft
            .validate(self.clock.now())
            .map_err(CatalogError::Invalid)?;
        self.write_product(id, ScoreCause::Edit, |current, _| {
            Ok((current.clone(), SideWrite::SetComposition(&composition)))
        })
        .await?;
        Ok(composition)
    }
}
