//! The rescoring job: the catalog rescored with a newly published policy.

use async_trait::async_trait;

use super::worker::{JobError, JobHandler};
use super::{Job, JobKind};
use crate::services::{Catalog, CatalogError};

/// Runs [`JobKind::RescoreCatalog`] jobs with [`Catalog::rescore_catalog`],
/// which resumes from the last batch that landed.
#[derive(Clone)]
pub struct RescoringHandler {
    catalog: Catalog,
}

impl RescoringHandler {
    /// Rescore with `catalog`.
    pub fn new(catalog: Catalog) -> Self {
        Self { catalog }
    }
}

#[async_trait]
impl JobHandler for RescoringHandler {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        if job.kind != JobKind::RescoreCatalog {
            return Err(JobError::Permanent(format!(
                "{} is not a rescoring job",
                job.kind
            )));
        }
        let payload = job
            .rescoring_job()
            .map_err(|e| JobError::Permanent(format!("bad payload: {e}")))?;
        match self.catalog.rescore_catalog(payload.version).await {
            Ok(done) => {
                tracing::info!(
                    version = payload.version,
                    rescored = done.rescored,
                    walked = done.walked,
                    superseded = done.superseded,
                    "catalog rescored"
                );
                Ok(())
            }
            Err(e @ CatalogError::Store(_)) => Err(JobError::Retry(e.to_string())),
            Err(e) => Err(JobError::Permanent(e.to_string())),
        }
    }
}
