//! [`CatalogImport`] in memory: reads go to the store as it is, writes wait
//! in the import and land together at commit, on a copy of the store that
//! replaces it only when every write took.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::State;
use crate::catalog::{Category, ImportMode, Product};
use crate::domain::{Gtin, ProductId, Sku, Slug};
use crate::ports::{CatalogImport, StoreError};
use crate::sustainability::Claim;

/// One import into a [`MemoryStore`](super::MemoryStore).
pub(super) struct MemoryImport {
    /// A dry run refuses writes.
    pub(super) mode: ImportMode,
    pub(super) state: Arc<Mutex<State>>,
    pub(super) categories: Vec<Category>,
    pub(super) products: Vec<Product>,
}

impl MemoryImport {
    fn writable(&self) -> Result<(), StoreError> {
        match self.mode {
            ImportMode::Write => Ok(()),
            ImportMode::DryRun => Err(StoreError::dry_run_write()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl CatalogImport for MemoryImport {
    async fn live_products_by_sku(&mut self, skus: &[Sku]) -> Result<Vec<Product>, StoreError> {
        let wanted: HashSet<&Sku> = skus.iter().collect();
        let s = self.state();
        Ok(s.products
            .values()
            .filter(|p| !p.archived && p.sku.as_ref().is_some_and(|k| wanted.contains(k)))
            .cloned()
            .collect())
    }

    async fn claims_of(&mut self, products: &[ProductId]) -> Result<Vec<Claim>, StoreError> {
        let s = self.state();
        Ok(products
            .iter()
            .filter_map(|id| s.claims.get(id))
            .flatten()
            .cloned()
            .collect())
    }

    async fn gtin_holders(&mut self, gtins: &[Gtin]) -> Result<Vec<(Gtin, ProductId)>, StoreError> {
        let wanted: HashSet<&Gtin> = gtins.iter().collect();
        let s = self.state();
        Ok(s.products
            .values()
            .filter(|p| !p.archived)
            .filter_map(|p| Some((p.gtin.clone().filter(|g| wanted.contains(g))?, p.id)))
            .collect())
    }

    async fn existing_categories(&mut self, slugs: &[Slug]) -> Result<Vec<Slug>, StoreError> {
        let s = self.state();
        Ok(slugs
            .iter()
            .filter(|slug| s.categories.contains_key(slug.as_str()))
            .cloned()
            .collect())
    }

    async fn insert_categories(&mut self, categories: &[Category]) -> Result<(), StoreError> {
        self.writable()?;
        self.categories.extend_from_slice(categories);
        Ok(())
    }

    async fn write_products(&mut self, products: &[Product]) -> Result<(), StoreError> {
        self.writable()?;
        self.products.extend_from_slice(products);
        Ok(())
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let mut s = self.state();
        let mut next = s.clone();
        for category in &self.categories {
            next.categories
                .entry(category.slug.as_str().to_owned())
                .or_insert_with(|| category.clone());
        }
        for product in &self.products {
            if next.products.contains_key(&product.id) {
                next.replace_product(product)?;
            } else {
                next.insert_product(product)?;
            }
        }
        *s = next;
        Ok(())
    }
}
