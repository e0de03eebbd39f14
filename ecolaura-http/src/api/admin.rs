//! `/api/v1/admin/queue`: the job queue's health, for staff (the admin
//! page's queue screen).

use std::sync::Arc;

use ecolaura_core::jobs::{KindStats, QueueStats};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::{ApiTags, BearerAuth};
use crate::problem::Problem;
use crate::state::AppState;

/// The admin endpoints.
pub(crate) struct AdminApi {
    state: Arc<AppState>,
}

impl AdminApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

/// One job kind's queue.
#[derive(Debug, Clone, Object)]
pub(crate) struct QueueKindDto {
    /// The job kind, such as `process_order`.
    kind: String,
    /// Due and waiting for a worker.
    ready: u64,
    /// Waiting for a later time (retries backing off).
    scheduled: u64,
    /// Held by a worker now.
    running: u64,
    /// Failed their last attempt; kept until someone acts on them.
    dead: u64,
    /// Seconds the oldest ready job has waited (0 when none waits). Over
    /// 30 means the workers are falling behind.
    oldest_ready_age_seconds: u64,
}

/// The job queue's health, per kind.
#[derive(Debug, Clone, Object)]
pub(crate) struct QueueHealthDto {
    /// Every job kind, in a fixed order.
    kinds: Vec<QueueKindDto>,
}

impl QueueHealthDto {
    fn new(stats: QueueStats, now: ecolaura_core::domain::Timestamp) -> Self {
        let kind = |k: KindStats| QueueKindDto {
            kind: k.kind.as_str().to_owned(),
            ready: k.ready,
            scheduled: k.scheduled,
            running: k.running,
            dead: k.dead,
            oldest_ready_age_seconds: k
                .oldest_ready
                .map(|at| u64::try_from((now - at).num_seconds()).unwrap_or(0))
                .unwrap_or(0),
        };
        Self {
            kinds: stats.kinds.into_iter().map(kind).collect(),
        }
    }
}

#[derive(ApiResponse)]
enum QueueAnswer {
    /// The queue's depth by kind and state.
    #[oai(status = 200)]
    Ok(Json<QueueHealthDto>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Operations")]
impl AdminApi {
    /// The job queue's health (staff)
    ///
    /// What the `ecolaura_job_queue_depth` and
    /// `ecolaura_job_oldest_ready_age_seconds` metrics show, for the admin
    /// page: per job kind, the jobs ready, scheduled, running and dead, and
    /// how long the oldest ready one has waited.
    #[oai(path = "/admin/queue", method = "get", operation_id = "queue_health")]
    async fn queue(&self, auth: BearerAuth) -> Result<QueueAnswer, Problem> {
        let stats = self.state.app.queue_health().stats(auth.actor()).await?;
        let now = self.state.app.clock().now();
        Ok(QueueAnswer::Ok(Json(QueueHealthDto::new(stats, now))))
    }
}
