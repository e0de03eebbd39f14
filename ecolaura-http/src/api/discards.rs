//! Discarded stock (`/api/v1/products/{id}/discards`) and the yearly ESPR
//! disclosure (`/api/v1/reports/discards`).

use std::sync::Arc;

use ecolaura_core::domain::{Disclosure, ProductId};
use ecolaura_core::sustainability::discards::{DiscardDraft, ReportYear};
use poem::Request;
use poem::web::Accept;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, OpenApi, ResponseContent};

use super::negotiate::prefers;
use super::query::page_request;
use super::{ApiTags, BearerAuth};
use crate::body::JsonBody;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::{
    DiscardDto, DiscardInput, DiscardPage, DiscardReportDto, PageLinks, PreventionMeasuresDto,
    PreventionMeasuresInput, report_csv,
};

/// The discard ledger and its report.
pub(crate) struct DiscardsApi {
    state: Arc<AppState>,
}

impl DiscardsApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

#[derive(ApiResponse)]
enum DiscardRecorded {
    /// The units left the stock and the entry is in the ledger.
    #[oai(status = 201)]
    Created(Json<DiscardDto>),
}

#[derive(ApiResponse)]
enum DiscardList {
    /// A page of the product's entries, newest first.
    #[oai(status = 200)]
    Ok(Json<DiscardPage>),
}

/// The report, as JSON or as CSV.
#[derive(ResponseContent)]
enum ReportBody {
    Json(Json<DiscardReportDto>),
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(PlainText<String>),
}

#[derive(ApiResponse)]
enum ReportFound {
    /// The year's report: JSON, or CSV (`Accept: text/csv`) with one row
    /// per category × reason × destination.
    #[oai(status = 200)]
    Ok(ReportBody),
}

#[derive(ApiResponse)]
enum MeasuresSet {
    /// The year's statement, as set.
    #[oai(status = 200)]
    Ok(Json<PreventionMeasuresDto>),
}

/// A year the parameter's validator let through (400 otherwise, as for
/// any malformed parameter).
fn year_in_range(year: i32) -> Result<ReportYear, Problem> {
    ReportYear::new(year.into()).map_err(|e| Problem::bad_request(format!("`year` {e}")))
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Sustainability")]
impl DiscardsApi {
    /// Discard units of a product (staff)
    ///
    /// Stock goes down by `quantity` in the same transaction as the ledger
    /// entry: 409 when the stock is short (nothing written). For a category
    /// with `destruction_banned` (ESPR art. 25), `recycling`,
    /// `energy_recovery`, `incineration` and `landfill` are 422 (rule
    /// `espr-art-25-destruction-ban`) unless the entry names a `derogation`.
    #[oai(
        path = "/products/:id/discards",
        method = "post",
        operation_id = "record_discard"
    )]
    async fn record(
        &self,
        auth: BearerAuth,
        /// The product's id.
        id: Path<uuid::Uuid>,
        body: JsonBody<DiscardInput>,
    ) -> Result<DiscardRecorded, Problem> {
        let draft = DiscardDraft::try_from(&body.0)?;
        let discarded = self
            .state
            .app
            .discards()
            .record(auth.actor(), ProductId::from_uuid(id.0), draft)
            .await?;
        Ok(DiscardRecorded::Created(Json(discarded.entry.into())))
    }

    /// A product's discard ledger (staff)
    ///
    /// Append-only: entries are never changed nor removed.
    #[oai(
        path = "/products/:id/discards",
        method = "get",
        operation_id = "list_discards"
    )]
    async fn list(
        &self,
        req: &Request,
        auth: BearerAuth,
        /// The product's id.
        id: Path<uuid::Uuid>,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1"), maximum(value = "4294967295")))]
        page: Query<Option<u32>>,
        /// Items per page, 1..100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        page_size: Query<Option<u32>>,
    ) -> Result<DiscardList, Problem> {
        let request = page_request(page.0, page_size.0)?;
        let found = self
            .state
            .app
            .discards()
            .entries(auth.actor(), ProductId::from_uuid(id.0), request)
            .await?;
        let links = PageLinks::new(&self.state.public_url, req, Vec::new());
        Ok(DiscardList::Ok(Json(DiscardPage::new(
            found,
            &links,
            Into::into,
        ))))
    }

    /// The yearly disclosure of discarded products (staff)
    ///
    /// ESPR art. 24: units and weight discarded in the calendar year (UTC),
    /// by reason, destination, derogation and category, the share
    /// delivered for reuse, remanufacturing or recycling, and the year's
    /// prevention measures. `Accept: text/csv` gives the table, one row per
    /// category × reason × destination. A year that is not a number is 400.
    #[oai(
        path = "/reports/discards",
        method = "get",
        operation_id = "discard_report"
    )]
    async fn report(
        &self,
        auth: BearerAuth,
        accept: Accept,
        /// The calendar year (UTC).
        #[oai(validator(minimum(value = "1970"), maximum(value = "9999")))]
        year: Query<i32>,
    ) -> Result<ReportFound, Problem> {
        let year = year_in_range(year.0)?;
        let report = self.state.app.discards().report(auth.actor(), year).await?;
        Ok(ReportFound::Ok(
            if prefers(&accept, "text/csv", "application/json") {
                let csv = report_csv(&report).map_err(|e| Problem::internal(&e))?;
                ReportBody::Csv(PlainText(csv))
            } else {
                ReportBody::Json(Json(DiscardReportDto::from(&report)))
            },
        ))
    }

    /// Set a year's prevention measures (staff)
    ///
    /// The statement of measures taken or planned to prevent the
    /// destruction of unsold products (ESPR art. 24(1)(d)), shown in the
    /// year's report. A year that is not a number is 400.
    #[oai(
        path = "/reports/discards/:year",
        method = "put",
        operation_id = "set_prevention_measures"
    )]
    async fn set_measures(
        &self,
        auth: BearerAuth,
        /// The calendar year (UTC).
        #[oai(validator(minimum(value = "1970"), maximum(value = "9999")))]
        year: Path<i32>,
        body: JsonBody<PreventionMeasuresInput>,
    ) -> Result<MeasuresSet, Problem> {
        let year = year_in_range(year.0)?;
        let text = Disclosure::parse(&body.0.prevention_measures)
            .map_err(|e| Problem::invalid_field("prevention_measures", e.to_string()))?;
        let measures = self
            .state
            .app
            .discards()
            .set_prevention_measures(auth.actor(), year, text)
            .await?;
        Ok(MeasuresSet::Ok(Json(measures.into())))
    }
}
