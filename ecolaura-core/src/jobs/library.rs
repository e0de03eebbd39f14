//! The handler of every job the library enqueues: routes each kind.

use std::sync::Arc;

use async_trait::async_trait;

use super::worker::{JobError, JobHandler};
use super::{Job, JobKind, OrderJobHandler, PasswordResetHandler, RescoringHandler};

/// Runs the library's own jobs: order jobs, password-reset e-mails and
/// the catalog's rescoring.
#[derive(Clone)]
pub struct LibraryJobHandler {
    orders: Arc<OrderJobHandler>,
    resets: Arc<PasswordResetHandler>,
    rescoring: Arc<RescoringHandler>,
}

impl LibraryJobHandler {
    /// Route order jobs to `orders`, reset jobs to `resets` and rescoring
    /// jobs to `rescoring`.
    pub fn new(
        orders: Arc<OrderJobHandler>,
        resets: Arc<PasswordResetHandler>,
        rescoring: Arc<RescoringHandler>,
    ) -> Self {
        Self {
            orders,
            resets,
            rescoring,
        }
    }
}

#[async_trait]
impl JobHandler for LibraryJobHandler {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        match job.kind {
            JobKind::ProcessOrder | JobKind::SendOrderConfirmation => self.orders.handle(job).await,
            JobKind::SendPasswordReset => self.resets.handle(job).await,
            JobKind::RescoreCatalog => self.rescoring.handle(job).await,
        }
    }
}
