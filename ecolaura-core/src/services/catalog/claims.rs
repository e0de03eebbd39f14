//! Green claims: made under the claim policy, removed by staff, and a
//! change of metrics that would deny one refused.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Days, NaiveDate};

use super::{Catalog, SideWrite};
use crate::auth::{Action, Actor, authorize};
use crate::catalog::ReadScope;
use crate::domain::{ClaimId, ProductId, ProductName};
use crate::ports::{CacheEntry, StoreError};
use crate::scoring::ScoreCause;
use crate::services::CatalogError;
use crate::sustainability::claims::{ClaimContext, ClaimVerdict};
use crate::sustainability::{Claim, ClaimDraft, Market, ShownClaims};

/// The most claims one product holds.
pub const MAX_CLAIMS_PER_PRODUCT: usize = 50;

/// The most claims one expiry report lists.
pub const MAX_EXPIRING_CLAIMS: u32 = 1_000;

impl Catalog {
    /// Make a claim on a live product (staff). The claim policy checks it
    /// against the product's metrics as they are when it is written.
    ///
    /// # Errors
    /// [`CatalogError::Invalid`] naming each field that breaks its form,
    /// [`CatalogError::ClaimRefused`] naming the rule and market that
    /// refuse it, [`CatalogError::TooManyClaims`] past
    /// [`MAX_CLAIMS_PER_PRODUCT`], [`CatalogError::ProductNotFound`],
    /// [`CatalogError::ConcurrentUpdate`].
    pub async fn add_claim(
        &self,
        actor: &Actor,
        product: ProductId,
        mut draft: ClaimDraft,
    ) -> Result<Claim, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        let mut seen = Vec::with_capacity(draft.markets.len());
        draft.markets.retain(|m| {
            let first = !seen.contains(m);
            seen.push(*m);
            first
        });
        let claim = Claim {
            id: ClaimId::new(),
            product_id: product,
            claim_type: draft.claim_type,
            statement: draft.statement.clone(),
            markets: draft.markets.clone(),
            evidence: draft.evidence.clone(),
            created_at: self.clock.now(),
        };
        self.write_product(product, ScoreCause::Claims, |current, claims| {
            if claims.len() >= MAX_CLAIMS_PER_PRODUCT {
                return Err(CatalogError::TooManyClaims);
            }
            let ctx = ClaimContext {
                metrics: current.metrics.as_ref(),
            };
            self.claim_policy.check(&draft, ctx).map_err(|v| match v {
                ClaimVerdict::Invalid(errors) => CatalogError::Invalid(errors),
                ClaimVerdict::Refused(refusal) => CatalogError::ClaimRefused(refusal),
            })?;
            Ok((current.clone(), SideWrite::AddClaim(&claim)))
        })
        .await?;
        Ok(claim)
    }

    /// Remove a claim of a live product (staff).
    ///
    /// # Errors
    /// [`CatalogError::NoClaim`], [`CatalogError::ProductNotFound`],
    /// [`CatalogError::ConcurrentUpdate`].
    pub async fn remove_claim(
        &self,
        actor: &Actor,
        product: ProductId,
        claim: ClaimId,
    ) -> Result<(), CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        self.write_product(product, ScoreCause::Claims, |current, claims| {
            if !claims.iter().any(|c| c.id == claim) {
                return Err(CatalogError::NoClaim);
            }
            Ok((current.clone(), SideWrite::RemoveClaim(claim)))
        })
        .await?;
        Ok(())
    }

    /// Every claim of a live product, oldest first, whatever its markets
    /// and dates (callers show what [`Claim::shown`] allows).
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`].
    pub async fn claims(&self, product: ProductId) -> Result<Vec<Claim>, CatalogError> {
        self.product(product).await?;
        Ok(self.store.list_claims(&[product]).await?)
    }

    /// The claims a reader in `market` sees today on `products` (live
    /// ones), with the day that selection may change on: what a product
    /// read shows beside each product.
    ///
    /// # Errors
    /// [`CatalogError::Store`].
    pub async fn shown_claims(
        &self,
        products: &[ProductId],
        market: Market,
    ) -> Result<ShownClaims, CatalogError> {
        let today = self.clock.now().date_naive();
        let claims = self.claims_of(products).await?;
        Ok(ShownClaims::select(claims, market, today))
    }

    /// Every claim of `products`, each product's from the cache where it
    /// holds them (kept per product under [`ReadScope::Claims`], which only
    /// a write of that product affects, so orders leave them cached) and
    /// the rest in one store read.
    async fn claims_of(&self, products: &[ProductId]) -> Result<Vec<Claim>, StoreError> {
        let ticket = self.cache.ticket();
        let mut claims = Vec::new();
        let mut missing = Vec::new();
        for id in products {
            let cached = self.cache.get(&claims_key(*id)).await;
            match cached
                .as_ref()
                .and_then(|e| e.value.downcast_ref::<Vec<Claim>>())
            {
                Some(held) => claims.extend(held.iter().cloned()),
                None => missing.push(*id),
            }
        }
        if missing.is_empty() {
            return Ok(claims);
        }
        let mut loaded: HashMap<ProductId, Vec<Claim>> =
            missing.iter().map(|id| (*id, Vec::new())).collect();
        for claim in self.store.list_claims(&missing).await? {
            if let Some(of_product) = loaded.get_mut(&claim.product_id) {
                of_product.push(claim);
            }
        }
        for (id, of_product) in loaded {
            claims.extend(of_product.iter().cloned());
            let entry = CacheEntry {
                bytes: of_product.iter().map(Claim::approx_bytes).sum(),
                value: Arc::new(of_product),
                scope: Arc::new(ReadScope::Claims(id)),
                true_until: None,
            };
            self.cache.insert(claims_key(id), entry, ticket).await;
        }
        Ok(claims)
    }

    /// Claims whose evidence lapses from today to `days` days ahead
    /// (staff), soonest first, with their products' names; at most
    /// [`MAX_EXPIRING_CLAIMS`].
    ///
    /// # Errors
    /// [`CatalogError::Denied`].
    pub async fn expiring_claims(
        &self,
        actor: &Actor,
        days: u32,
    ) -> Result<Vec<(Claim, ProductName)>, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        let today = self.clock.now().date_naive();
        let until = today
            .checked_add_days(Days::new(u64::from(days)))
            .unwrap_or(NaiveDate::MAX);
        let claims = self
            .store
            .expiring_claims(today, until, MAX_EXPIRING_CLAIMS)
            .await?;
        let mut ids: Vec<ProductId> = claims.iter().map(|c| c.product_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let names: HashMap<ProductId, ProductName> = self
            .store
            .get_products(&ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        // A product archived between the two reads leaves with its claims.
        Ok(claims
            .into_iter()
            .filter_map(|c| names.get(&c.product_id).cloned().map(|n| (c, n)))
            .collect())
    }
}

/// The cache key of one product's claims.
fn claims_key(id: ProductId) -> String {
    format!("claims|{id}")
}
