//! RFC 9457 problem details: the one error shape of the API, and the one
//! place where every error of the core becomes a status code.
//!
//! Handlers return `Result<_, Problem>`. Errors raised outside handlers
//! (a malformed path id, a missing bearer token, an unknown route, a body
//! over the limit) are poem errors; [`crate::middleware::problems`] turns
//! those into the same shape, so a client sees one error format whatever
//! failed.

use std::collections::BTreeMap;
use std::fmt;

use ecolaura_core::accounts::HashingError;
use ecolaura_core::auth::AccessDenied;
use ecolaura_core::orders::OrderRejection;
use ecolaura_core::ports::StoreError;
use ecolaura_core::services::{
    AccountError, CatalogError, MAX_SHIPPING_METHODS, OrderError, ShippingError,
};
use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object};
use serde::Serialize;

/// The media type of every error body.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// Field errors: a field path (`price`, `lines[0].quantity`) to what is
/// wrong with it.
pub(crate) type FieldErrors = BTreeMap<String, Vec<String>>;

/// A problem details body (RFC 9457).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Object)]
#[oai(rename = "Problem", example)]
pub(crate) struct ProblemBody {
    /// A URI reference naming the kind of problem; `about:blank` when the
    /// status says it all.
    #[serde(rename = "type")]
    #[oai(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence, for a person to read.
    pub detail: String,
    /// Field errors by field path; present only for invalid input.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[oai(skip_serializing_if_is_none)]
    pub errors: Option<FieldErrors>,
    /// The product that a stock conflict is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[oai(skip_serializing_if_is_none)]
    pub product_id: Option<uuid::Uuid>,
    /// The rule that refused a claim (`empco-generic-claim`, `agec-art-13`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[oai(skip_serializing_if_is_none)]
    pub rule: Option<String>,
    /// The market a claim was refused in.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[oai(skip_serializing_if_is_none)]
    pub market: Option<String>,
}

impl poem_openapi::types::Example for ProblemBody {
    fn example() -> Self {
        Problem::invalid(FieldErrors::from([(
            "price".to_owned(),
            vec!["must be >= 0".to_owned()],
        )]))
        .body
        .as_ref()
        .clone()
    }
}

/// An error response: a status and a problem details body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    body: Box<ProblemBody>,
    retry_after_secs: Option<u64>,
}

impl Problem {
    /// A problem with the given status, a type, a title and a detail.
    pub(crate) fn new(
        status: StatusCode,
        kind: &str,
        title: &str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            body: Box::new(ProblemBody {
                kind: kind.to_owned(),
                title: title.to_owned(),
                status: status.as_u16(),
                detail: detail.into(),
                errors: None,
                product_id: None,
                rule: None,
                market: None,
            }),
            retry_after_secs: None,
        }
    }

    /// A problem whose type is `about:blank` and whose title is the status's
    /// reason phrase.
    pub(crate) fn status(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::new(
            status,
            "about:blank",
            status.canonical_reason().unwrap_or("Error"),
            detail,
        )
    }

    /// 400: the request could not be read (bad JSON, wrong JSON type, bad
    /// parameter or header).
    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        Self::status(StatusCode::BAD_REQUEST, detail)
    }

    /// 400 with field errors.
    pub(crate) fn malformed(errors: FieldErrors) -> Self {
        let mut p = Self::new(
            StatusCode::BAD_REQUEST,
            "/problems/malformed-request",
            "Malformed request",
            "The request has values of the wrong type; see errors.",
        );
        p.body.errors = Some(errors);
        p
    }

    /// 422 with field errors.
    pub(crate) fn invalid(errors: FieldErrors) -> Self {
        let mut p = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "/problems/validation",
            "Invalid input",
            "The request breaks field rules; see errors.",
        );
        p.body.errors = Some(errors);
        p
    }

    /// 422 for one field.
    pub(crate) fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(FieldErrors::from([(
            field.to_owned(),
            vec![message.into()],
        )]))
    }

    /// 401.
    pub(crate) fn unauthorized(detail: impl Into<String>) -> Self {
        Self::status(StatusCode::UNAUTHORIZED, detail)
    }

    /// 403.
    pub(crate) fn forbidden() -> Self {
        Self::status(StatusCode::FORBIDDEN, "You are not allowed to do this.")
    }

    /// 404.
    pub(crate) fn not_found(what: &str) -> Self {
        Self::status(StatusCode::NOT_FOUND, format!("{what} not found."))
    }

    /// 409.
    pub(crate) fn conflict(kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, kind, title, detail)
    }

    /// 429, with the seconds after which to try again.
    pub(crate) fn too_many_requests(detail: impl Into<String>, retry_after_secs: u64) -> Self {
        let mut p = Self::status(StatusCode::TOO_MANY_REQUESTS, detail);
        p.retry_after_secs = Some(retry_after_secs);
        p
    }

    /// 503 for a host too busy to take the request now, with the seconds
    /// after which to try again.
    pub(crate) fn busy(detail: impl Into<String>, retry_after_secs: u64) -> Self {
        let mut p = Self::status(StatusCode::SERVICE_UNAVAILABLE, detail);
        p.retry_after_secs = Some(retry_after_secs);
        p
    }

    /// 503: storage does not answer. The cause is logged, never sent.
    pub(crate) fn unavailable(cause: &dyn std::error::Error) -> Self {
        tracing::warn!(error = %ErrorChain(cause), "storage unavailable");
        Self::status(
            StatusCode::SERVICE_UNAVAILABLE,
            "Storage is unavailable; try again shortly.",
        )
    }

    /// 500: a bug or a broken backend. The cause is logged, never sent.
    pub(crate) fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %ErrorChain(cause), "internal error");
        Self::status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side.",
        )
    }

    /// The HTTP status.
    pub(crate) fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The body.
    #[cfg(test)]
    pub(crate) fn body(&self) -> &ProblemBody {
        &self.body
    }

    fn with_product(mut self, id: uuid::Uuid) -> Self {
        self.body.product_id = Some(id);
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.body.status, self.body.title, self.body.detail
        )
    }
}

impl std::error::Error for Problem {}

impl poem::error::ResponseError for Problem {
    fn status(&self) -> StatusCode {
        self.status_code()
    }

    fn as_response(&self) -> Response {
        let body = serde_json::to_vec(&self.body).unwrap_or_default();
        let mut response = Response::builder()
            .status(self.status_code())
            .header(header::CONTENT_TYPE, PROBLEM_JSON)
            .body(body);
        if self.body.status == 401 {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        poem::error::ResponseError::as_response(&self)
    }
}

/// The error statuses every `/api/v1` operation may answer, as the OpenAPI
/// document declares them.
const DECLARED: [(u16, &str); 13] = [
    (
        400,
        "Unparsable JSON, a value of the wrong JSON type, or a bad parameter or header.",
    ),
    (401, "Missing or invalid credentials."),
    (403, "Authenticated but not allowed."),
    (404, "Not found (also for another customer's resource)."),
    (
        409,
        "Conflict: stock, a duplicate, an illegal state change, a reused idempotency key, or a figure that a footprint record owns.",
    ),
    (408, "The request body did not arrive in time."),
    (413, "The body is over 1 MiB."),
    (414, "The request target (path and query) is over 8 KiB."),
    (
        422,
        "Well-formed input that breaks a field rule; `errors` says which.",
    ),
    (429, "Too many requests; see `Retry-After`."),
    (431, "The request headers are over 32 KiB in all."),
    (
        500,
        "A fault on the server's side; nothing about it is disclosed.",
    ),
    (
        503,
        "Storage is unavailable, or too many sign-ins are being checked at once; try again (see `Retry-After` when sent).",
    ),
];

impl ApiResponse for Problem {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: DECLARED
                .iter()
                .map(|&(status, description)| MetaResponse {
                    description,
                    status: Some(status),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: PROBLEM_JSON,
                        schema: ProblemBody::schema_ref(),
                    }],
                    headers: vec![],
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        ProblemBody::register(registry);
    }
}

/// Displays an error with its sources, for logs.
pub(crate) struct ErrorChain<'a>(pub(crate) &'a dyn std::error::Error);

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => Problem::unavailable(&e),
            StoreError::NotFound => Problem::not_found("Resource"),
            _ => Problem::internal(&e),
        }
    }
}

impl From<AccessDenied> for Problem {
    fn from(e: AccessDenied) -> Self {
        match e {
            AccessDenied::Unauthenticated => Problem::unauthorized("Sign in first."),
            AccessDenied::Forbidden => Problem::forbidden(),
            AccessDenied::NotFound => Problem::not_found("Resource"),
        }
    }
}

impl From<ecolaura_core::services::QueueHealthError> for Problem {
    fn from(e: ecolaura_core::services::QueueHealthError) -> Self {
        use ecolaura_core::services::QueueHealthError;
        match e {
            QueueHealthError::Denied(denied) => denied.into(),
            QueueHealthError::Store(store) => store.into(),
        }
    }
}

impl From<CatalogError> for Problem {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::Denied(d) => d.into(),
            CatalogError::ProductNotFound => Problem::not_found("Product"),
            CatalogError::CategoryNotFound => Problem::not_found("Category"),
            CatalogError::DestructionBanned(banned) => {
                let mut p = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "/problems/destruction-banned",
                    "Destruction banned",
                    format!("{banned} ({})", banned.rule()),
                );
                p.body.rule = Some(banned.rule().to_owned());
                p
            }
            CatalogError::ShortStock { available } => Problem::conflict(
                "/problems/insufficient-stock",
                "Insufficient stock",
                format!(
                    "The product has {} units in stock; nothing was discarded.",
                    available.get()
                ),
            ),
            CatalogError::CategoryExists => Problem::conflict(
                "/problems/duplicate",
                "Already exists",
                "A category with this slug already exists.",
            ),
            CatalogError::UnknownCategory => {
                Problem::invalid_field("category", "no category has this slug")
            }
            CatalogError::NoMetrics => Problem::not_found("Sustainability metrics"),
            CatalogError::NoFootprint => Problem::not_found("Footprint record"),
            CatalogError::NoComposition => Problem::not_found("Composition"),
            CatalogError::Invalid(errors) => {
                let mut fields = FieldErrors::new();
                for e in errors {
                    fields.entry(e.field).or_default().push(e.message);
                }
                Problem::invalid(fields)
            }
            CatalogError::ClaimRefused(refusal) => {
                let mut p = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "/problems/claim-refused",
                    "Claim refused",
                    format!(
                        "{} ({} in market {})",
                        refusal.detail, refusal.rule, refusal.market
                    ),
                );
                p.body.rule = Some(refusal.rule.to_owned());
                p.body.market = Some(refusal.market.as_str().to_owned());
                p
            }
            CatalogError::NoClaim => Problem::not_found("Claim"),
            CatalogError::IdentifierTaken(field) => Problem::conflict(
                "/problems/duplicate",
                "Already exists",
                format!("Another product has this {field}."),
            ),
            CatalogError::ScoringIsCode => Problem::conflict(
                "/problems/scoring-is-code",
                "The score policy is code",
                "This shop scores with its own policy, which has no published rules to read or change.",
            ),
            CatalogError::TooManyClaims => Problem::conflict(
                "/problems/too-many-claims",
                "Too many claims",
                format!(
                    "A product holds at most {} claims; remove one first.",
                    ecolaura_core::services::MAX_CLAIMS_PER_PRODUCT
                ),
            ),
            CatalogError::ClaimConflict(ids) => {
                let list: Vec<String> = ids.iter().map(ToString::to_string).collect();
                Problem::conflict(
                    "/problems/claim-contradicted",
                    "The change contradicts claims",
                    format!(
                        "These metrics would deny the product's claims {}; remove them first.",
                        list.join(", ")
                    ),
                )
            }
            CatalogError::FootprintConflict(why) => Problem::conflict(
                "/problems/footprint-record",
                "The footprint comes from its record",
                why,
            ),
            CatalogError::ConcurrentUpdate => Problem::conflict(
                "/problems/concurrent-update",
                "Concurrent update",
                "The product kept changing while it was updated; try again.",
            ),
            CatalogError::Store(s) => s.into(),
        }
    }
}

impl From<OrderRejection> for Problem {
    fn from(r: OrderRejection) -> Self {
        match r {
            OrderRejection::InsufficientStock {
                product_id,
                requested,
                available,
            } => Problem::conflict(
                "/problems/insufficient-stock",
                "Insufficient stock",
                format!(
                    "Product {product_id} has {available} in stock; {requested} were requested. Nothing was taken."
                ),
            )
            .with_product(product_id.as_uuid()),
            OrderRejection::ProductUnavailable { product_id } => {
                let mut p = Problem::invalid(FieldErrors::from([(
                    "lines".to_owned(),
                    vec![format!("product {product_id} does not exist or is archived")],
                )]));
                p.body.product_id = Some(product_id.as_uuid());
                p
            }
            OrderRejection::ShippingUnavailable { code } => Problem::invalid_field(
                "shipping_method",
                format!("no shipping method {code} is offered"),
            ),
        }
    }
}

impl From<ShippingError> for Problem {
    fn from(e: ShippingError) -> Self {
        match e {
            ShippingError::Denied(d) => d.into(),
            ShippingError::NotFound => Problem::not_found("Shipping method"),
            ShippingError::CodeTaken => Problem::conflict(
                "/problems/duplicate",
                "Already exists",
                "A shipping method with this code already exists.",
            ),
            ShippingError::TooMany => Problem::conflict(
                "/problems/too-many-shipping-methods",
                "Too many shipping methods",
                format!(
                    "The shop has {MAX_SHIPPING_METHODS} shipping methods, the most it may; \
                     change one instead."
                ),
            ),
            ShippingError::ProductUnavailable(product_id) => {
                OrderRejection::ProductUnavailable { product_id }.into()
            }
            ShippingError::Store(s) => s.into(),
        }
    }
}

impl From<OrderError> for Problem {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::Denied(d) => d.into(),
            OrderError::NotFound => Problem::not_found("Order"),
            OrderError::Rejected(r) => r.into(),
            OrderError::Invalid(i) => Problem::invalid(i.into_errors()),
            OrderError::IllegalTransition { from, to } => Problem::conflict(
                "/problems/illegal-transition",
                "Illegal status change",
                format!("An order cannot go from {from} to {to}."),
            ),
            OrderError::IdempotencyKeyReused => Problem::conflict(
                "/problems/idempotency-key-reused",
                "Idempotency key reused",
                "This Idempotency-Key was used with a different request.",
            ),
            OrderError::ConcurrentUpdate => Problem::conflict(
                "/problems/concurrent-update",
                "Concurrent update",
                "The order changed while this request ran; try again.",
            ),
            OrderError::Store(s) => s.into(),
        }
    }
}

impl From<AccountError> for Problem {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Denied(d) => d.into(),
            AccountError::EmailTaken => Problem::conflict(
                "/problems/duplicate",
                "Already exists",
                "An account with this e-mail address already exists.",
            ),
            AccountError::InvalidCredentials => {
                Problem::unauthorized("Invalid e-mail address or password.")
            }
            // A valid token for an account that is gone.
            AccountError::NotFound => Problem::unauthorized("The account no longer exists."),
            AccountError::InvalidToken => {
                Problem::unauthorized("The token is invalid, expired or revoked.")
            }
            AccountError::Throttled { retry_after } => Problem::too_many_requests(
                "Too many failed logins for this address or from this client; try again later.",
                retry_after.as_secs().max(1),
            ),
            AccountError::WrongPassword => {
                Problem::invalid_field("current_password", "is not the account's password")
            }
            AccountError::InvalidResetToken => {
                Problem::invalid_field("token", "is unknown, used or expired")
            }
            AccountError::NoRandomness(e) => Problem::internal(&e),
            AccountError::Hashing(HashingError::Busy) => Problem::busy(
                "Too many sign-ins and registrations are being checked at once; try again shortly.",
                1,
            ),
            AccountError::Hashing(h) => Problem::internal(&h),
            AccountError::Store(s) => s.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_outage_is_a_503_that_says_nothing_about_the_cause() {
        let p = Problem::from(StoreError::Unavailable(
            "connection refused to 10.0.0.1".into(),
        ));
        assert_eq!(p.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(!p.body().detail.contains("10.0.0.1"));
    }

    #[test]
    fn a_backend_failure_is_a_500_without_details() {
        let p = Problem::from(StoreError::backend("syntax error at or near SELECT"));
        assert_eq!(p.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!p.body().detail.contains("SELECT"));
    }

    #[test]
    fn the_body_is_problem_json_with_errors_only_for_field_errors() {
        let r = Problem::not_found("Order").into_response();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(r.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        let body = serde_json::to_value(Problem::not_found("Order").body()).unwrap();
        assert!(body.get("errors").is_none());
        assert_eq!(body["type"], "about:blank");
        assert_eq!(body["title"], "Not Found");
    }
}
