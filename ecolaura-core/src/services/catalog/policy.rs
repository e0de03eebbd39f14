//! The published score policy: read by anyone, published by staff, and
//! the rescoring of the catalog that a publication sets off; and each
//! product's score history.

use super::{Catalog, Scoring};
use crate::auth::{Action, Actor, authorize};
use crate::catalog::{CatalogChange, ScoreSource};
use crate::domain::ProductId;
use crate::jobs::NewJob;
use crate::ports::{StoreError, UniqueField};
use crate::scoring::{
    MAX_HISTORY_ENTRIES, PublishedPolicy, ScoreCause, ScoreEntry, ScoreEvidence, ScoreRules,
    ScoringPolicy,
};
use crate::services::CatalogError;

/// Products per batch of the rescoring job: each batch is one read, one
/// transaction and one cache update, so the job holds no more than a
/// batch in memory and no lock longer than a batch's transaction.
pub const RESCORING_BATCH: u32 = 500;

/// How often a publication retries when another took its version.
const PUBLISH_ATTEMPTS: usize = 8;

/// How many days back [`Catalog::rescore_for_claim_dates`] looks: a shop
/// whose workers were all down for less than this catches up.
pub const CLAIM_DATES_LOOKBACK_DAYS: u64 = 7;

/// What a run of the rescoring job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rescoring {
    /// Live products walked over in this run (a resumed run starts after
    /// the last batch that landed).
    pub walked: u64,
    /// Products given a new score in this run.
    pub rescored: u64,
    /// Whether a newer version was published meanwhile (whose own job
    /// rescores the rest): the run stopped there.
    pub superseded: bool,
}

impl Catalog {
    /// The latest published version of the default policy's rules (version
    /// 1, [`PublishedPolicy::first`], until staff publish one).
    pub(super) async fn latest_policy(&self) -> Result<PublishedPolicy, StoreError> {
        Ok(self
            .store
            .score_policy(None)
            .await?
            .unwrap_or_else(PublishedPolicy::first))
    }

    /// The score policy in force: its version, rules and publication time.
    ///
    /// # Errors
    /// [`CatalogError::ScoringIsCode`] when the shop plugged in its own
    /// policy, which has no rules to show.
    pub async fn score_policy(&self) -> Result<PublishedPolicy, CatalogError> {
        match self.scoring {
            Scoring::Published => Ok(self.latest_policy().await?),
            Scoring::Custom(_) => Err(CatalogError::ScoringIsCode),
        }
    }

    /// Publish new rules (staff) as the next version, even when they equal
    /// the current ones, and enqueue the one job that rescores the catalog
    /// with them, in one transaction. New writes score with them at once;
    /// the rest of the catalog as the job's batches land.
    ///
    /// # Errors
    /// [`CatalogError::Invalid`] naming each broken rule,
    /// [`CatalogError::ScoringIsCode`] for a shop's own policy,
    /// [`CatalogError::ConcurrentUpdate`] when other publications kept
    /// taking the next version.
    pub async fn publish_score_rules(
        &self,
        actor: &Actor,
        rules: ScoreRules,
    ) -> Result<PublishedPolicy, CatalogError> {
        authorize(actor, Action::ManageCatalog)?;
        if let Scoring::Custom(_) = self.scoring {
            return Err(CatalogError::ScoringIsCode);
        }
        rules.validate().map_err(CatalogError::Invalid)?;
        for _ in 0..PUBLISH_ATTEMPTS {
            let now = self.clock.now();
            let next = self.latest_policy().await?.next(rules.clone(), now);
            let job = NewJob::rescoring(next.version, now);
            match self.store.publish_score_policy(&next, &job).await {
                Ok(()) => return Ok(next),
                Err(StoreError::Duplicate(UniqueField::ScorePolicyVersion)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(CatalogError::ConcurrentUpdate)
    }

    /// Rescore the catalog with policy `version` (the rescoring job's
    /// work): walk the live products by id in batches of
    /// [`RESCORING_BATCH`], from where the last run stopped, rescoring
    /// each whose score is from its metrics by another method; each batch
    /// lands in one transaction with the new cursor, and then in the cache.
    /// Stops early when a newer version is published (its own job carries
    /// on), and does nothing for a version that was never published.
    ///
    /// # Errors
    /// [`CatalogError::Store`]: run it again, it resumes.
    pub async fn rescore_catalog(&self, version: u32) -> Result<Rescoring, CatalogError> {
        let mut done = Rescoring::default();
        let Some(policy) = self.store.score_policy(Some(version)).await? else {
            return Ok(done);
        };
        let method = policy.method();
        let mut cursor = self.store.rescoring_cursor(version).await?;
        loop {
            if self.latest_policy().await?.version > version {
                done.superseded = true;
                return Ok(done);
            }
            let batch = self.store.products_after(cursor, RESCORING_BATCH).await?;
            let Some(through) = batch.last().map(|p| p.id) else {
                return Ok(done);
            };
            done.walked += batch.len() as u64;
            let stale: Vec<_> = batch
                .into_iter()
                .filter(|p| p.score_source == ScoreSource::Metrics && p.score_method != method)
                .collect();
            let rescored = self.rescored_with(&policy, &stale).await?;
            let written = self
                .store
                .write_rescored(version, &rescored, through)
                .await?;
            done.rescored += written.len() as u64;
            let changes: Vec<_> = written
                .into_iter()
                .filter_map(|after| {
                    let before = stale.iter().find(|p| p.id == after.id)?.clone();
                    Some(CatalogChange::updated(before, after))
                })
                .collect();
            if !changes.is_empty() {
                self.cache.apply(&changes).await;
            }
            cursor = Some(through);
        }
    }

    /// `products` scored by `policy` with their active certified claims
    /// today.
    async fn rescored_with(
        &self,
        policy: &PublishedPolicy,
        products: &[crate::catalog::Product],
    ) -> Result<Vec<crate::catalog::Product>, StoreError> {
        if products.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<ProductId> = products.iter().map(|p| p.id).collect();
        let claims = self.store.list_claims(&ids).await?;
        let now = self.clock.now();
        let today = now.date_naive();
        Ok(products
            .iter()
            .map(|p| {
                let evidence =
                    ScoreEvidence::of(claims.iter().filter(|c| c.product_id == p.id), today);
                Self::scored(
                    policy as &dyn ScoringPolicy,
                    p.clone(),
                    Some(p),
                    &evidence,
                    ScoreCause::Policy,
                    now,
                )
            })
            .collect())
    }

    /// Rescore the products whose claims started or stopped holding in the
    /// last [`CLAIM_DATES_LOOKBACK_DAYS`] days, today included: a certified
    /// claim counts in a score only while its evidence holds, and a claim
    /// lapses with no write. Every process with workers runs this once a
    /// day; products whose score is already right are not written, so
    /// running it again (or on several hosts) changes nothing. Walks the
    /// products by id in batches, holding one batch at a time. Returns how
    /// many products got a new score.
    ///
    /// # Errors
    /// [`CatalogError::Store`]: run it again.
    pub async fn rescore_for_claim_dates(&self) -> Result<u64, CatalogError> {
        let today = self.clock.now().date_naive();
        let from = today
            .checked_sub_days(chrono::Days::new(CLAIM_DATES_LOOKBACK_DAYS))
            .unwrap_or(today);
        let mut after = None;
        let mut rescored = 0;
        loop {
            let ids = self
                .store
                .products_with_claim_dates_in(from, today, after, RESCORING_BATCH)
                .await?;
            let Some(last) = ids.last().copied() else {
                return Ok(rescored);
            };
            for id in ids {
                if self
                    .rescore_product(id, ScoreCause::Claims)
                    .await?
                    .is_some()
                {
                    rescored += 1;
                }
            }
            after = Some(last);
        }
    }

    /// Score a live product again, as it and its claims are now, with the
    /// policy in force; write it (compare-and-set, retried) only if the
    /// score, its method or its points change. `None` when nothing was
    /// written (the same score, or the product is gone).
    pub(super) async fn rescore_product(
        &self,
        id: ProductId,
        cause: ScoreCause,
    ) -> Result<Option<crate::catalog::Product>, CatalogError> {
        for _ in 0..super::UPDATE_ATTEMPTS {
            let Some(current) = self.store.get_product(id).await? else {
                return Ok(None);
            };
            let claims = self.store.list_claims(&[id]).await?;
            let now = self.clock.now();
            let evidence = ScoreEvidence::of(&claims, now.date_naive());
            let policy = self.policy_in_force().await?;
            let next = Self::scored(
                policy.as_ref(),
                current.clone(),
                Some(&current),
                &evidence,
                cause,
                now,
            );
            if next == current {
                return Ok(None);
            }
            match self.store.update_product(&next).await {
                Ok(stored) => {
                    self.cache
                        .apply(&[CatalogChange::updated(current, stored.clone())])
                        .await;
                    return Ok(Some(stored));
                }
                Err(StoreError::StaleWrite) => continue,
                Err(StoreError::NotFound) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        }
        Err(CatalogError::ConcurrentUpdate)
    }

    /// A live product's score history, newest first (at most the newest
    /// [`MAX_HISTORY_ENTRIES`]).
    ///
    /// # Errors
    /// [`CatalogError::ProductNotFound`].
    ///
    /// The product's current score is always the newest entry: a score
    /// stored before histories were kept (migration 0008) has no row until
    /// the product's next new score, and reads as its only entry.
    pub async fn score_history(&self, id: ProductId) -> Result<Vec<ScoreEntry>, CatalogError> {
        let product = self.product_uncached(id).await?;
        let mut entries = self.store.score_history(id, MAX_HISTORY_ENTRIES).await?;
        if entries
            .first()
            .is_none_or(|newest| newest.at < product.score_computed_at)
        {
            entries.insert(0, ScoreEntry::of(&product));
            entries.truncate(MAX_HISTORY_ENTRIES as usize);
        }
        Ok(entries)
    }
}
