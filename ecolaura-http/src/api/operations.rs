//! `/healthz`, `/readyz` and `/metrics`, outside `/api/v1`.

use std::sync::Arc;

use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use crate::state::AppState;

/// Operations endpoints.
pub(crate) struct OperationsApi {
    state: Arc<AppState>,
}

impl OperationsApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

/// A health answer.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub(crate) struct Health {
    /// `ok`, or `unavailable` when storage does not answer.
    pub(crate) status: String,
}

impl poem_openapi::types::Example for Health {
    fn example() -> Self {
        Self {
            status: "ok".into(),
        }
    }
}

#[derive(ApiResponse)]
enum Live {
    /// The process is alive.
    #[oai(status = 200)]
    Ok(Json<Health>),
}

#[derive(ApiResponse)]
enum Ready {
    /// Storage answers: send traffic.
    #[oai(status = 200)]
    Ok(Json<Health>),
    /// Storage does not answer: send no traffic for now.
    #[oai(status = 503)]
    Unavailable(Json<Health>),
}

#[derive(ApiResponse)]
enum MetricsText {
    /// Prometheus text exposition format 0.0.4.
    #[oai(status = 200, content_type = "text/plain; version=0.0.4")]
    Ok(PlainText<String>),
}

#[OpenApi(tag = "ApiTags::Operations")]
impl OperationsApi {
    /// Liveness: 200 while the process lives
    #[oai(path = "/healthz", method = "get", operation_id = "healthz")]
    async fn healthz(&self) -> Live {
        Live::Ok(Json(Health {
            status: "ok".into(),
        }))
    }

    /// Readiness: 200 when storage answers, else 503
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self) -> Ready {
        match self.state.readiness.check().await {
            Ok(()) => Ready::Ok(Json(Health {
                status: "ok".into(),
            })),
            Err(e) => {
                tracing::warn!(error = %crate::problem::ErrorChain(&e), "not ready");
                Ready::Unavailable(Json(Health {
                    status: "unavailable".into(),
                }))
            }
        }
    }

    /// Prometheus metrics
    ///
    /// Requests by route and status with latency histograms, jobs by kind
    /// and outcome, the job queue's depth by kind and state and the age of
    /// its oldest ready job, cache hits and misses.
    #[oai(path = "/metrics", method = "get", operation_id = "metrics")]
    async fn metrics(&self) -> MetricsText {
        let app = &self.state.app;
        self.state
            .metrics
            .refresh_queue(app.job_queue().as_ref(), app.clock().as_ref())
            .await;
        let core = self.state.app.cache().stats();
        MetricsText::Ok(PlainText(self.state.metrics.render(core)))
    }
}
