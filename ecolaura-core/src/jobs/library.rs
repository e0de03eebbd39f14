//! The handler of every job the library enqueues: routes each kind.

use std::sync::Arc;

use async_trait::async_trait;

use super::worker::{JobError, JobHandler};
use super::{
    DeliveryHandler, Job, JobKind, OrderJobHandler, PasswordResetHandler, RescoringHandler,
};

/// Runs the library's own jobs: order jobs, password-reset e-mails, the
/// catalog's rescoring, and, where a relay is configured, the delivery of
/// e-mail to it.
#[derive(Clone)]
pub struct LibraryJobHandler {
    orders: Arc<OrderJobHandler>,
    resets: Arc<PasswordResetHandler>,
    rescoring: Arc<RescoringHandler>,
    deliveries: Option<Arc<DeliveryHandler>>,
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
            deliveries: None,
        }
    }

    /// Also run `deliver_email` jobs, with `deliveries`. Without it, this
    /// handler does not run them, and its workers leave them queued for
    /// workers that do.
    pub fn with_deliveries(mut self, deliveries: Arc<DeliveryHandler>) -> Self {
        self.deliveries = Some(deliveries);
        self
    }
}

#[async_trait]
impl JobHandler for LibraryJobHandler {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        match job.kind {
            JobKind::ProcessOrder | JobKind::SendOrderConfirmation => self.orders.handle(job).await,
            JobKind::SendPasswordReset => self.resets.handle(job).await,
            JobKind::RescoreCatalog => self.rescoring.handle(job).await,
            JobKind::DeliverEmail => match &self.deliveries {
                Some(deliveries) => deliveries.handle(job).await,
                None => Err(JobError::Retry(
                    "no mail relay is configured in this process".into(),
                )),
            },
        }
    }

    fn handles(&self, kind: JobKind) -> bool {
        kind != JobKind::DeliverEmail || self.deliveries.is_some()
    }
}
