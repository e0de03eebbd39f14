//! The handler of every job the library enqueues: routes each kind.

use std::sync::Arc;

use async_trait::async_trait;

use super::worker::{JobError, JobHandler};
use super::{Job, JobKind, OrderJobHandler, PasswordResetHandler};

/// Runs the library's own jobs: order jobs and password-reset e-mails.
#[derive(Clone)]
pub struct LibraryJobHandler {
    orders: Arc<OrderJobHandler>,
    resets: Arc<PasswordResetHandler>,
}

impl LibraryJobHandler {
    /// Route order jobs to `orders` and reset jobs to `resets`.
    pub fn new(orders: Arc<OrderJobHandler>, resets: Arc<PasswordResetHandler>) -> Self {
        Self { orders, resets }
    }
}

#[async_trait]
impl JobHandler for LibraryJobHandler {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        match job.kind {
            JobKind::ProcessOrder | JobKind::SendOrderConfirmation => self.orders.handle(job).await,
            JobKind::SendPasswordReset => self.resets.handle(job).await,
        }
    }
}
