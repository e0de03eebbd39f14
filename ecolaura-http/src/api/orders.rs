//! `/api/v1/orders` and the sustainability summary.

use std::sync::Arc;

use ecolaura_core::domain::{OrderId, Seek};
use ecolaura_core::idempotency::IdempotencyKey;
use ecolaura_core::orders::{InvalidOrder, OrderRequest, OrderSubmission};
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::ApiTags;
use super::BearerAuth;
use super::query::{keyset_limit, opened_cursor, page_request};
use crate::body::{JsonBody, ReceivedJson};
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::text::{IdempotencyKeyRule, Text};
use crate::wire::{
    Cursors, OrderCursorPage, OrderDto, OrderInput, OrderPage, PageLinks, StatusInput, SummaryDto,
};

/// Orders.
pub(crate) struct OrdersApi {
    state: Arc<AppState>,
}

impl OrdersApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

#[derive(ApiResponse)]
enum OrderPlaced {
    /// The order was placed (or, for a repeated `Idempotency-Key`, this is
    /// the order the first request placed).
    #[oai(status = 201)]
    Created(Json<OrderDto>),
}

#[derive(ApiResponse)]
enum OrderList {
    /// A page of orders, newest first.
    #[oai(status = 200)]
    Ok(Json<OrderPage>),
}

#[derive(ApiResponse)]
enum OrderFound {
    /// The order.
    #[oai(status = 200)]
    Ok(Json<OrderDto>),
}

#[derive(ApiResponse)]
enum SummaryFound {
    /// The summary.
    #[oai(status = 200)]
    Ok(Json<SummaryDto>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Orders")]
impl OrdersApi {
    /// Place an order
    ///
    /// Stock is taken for every line or for none. With an `Idempotency-Key`,
    /// the response to a body that is JSON of the right types (its 201, or
    /// its 409 or 422, a malformed line's included) is stored: a repeat of
    /// the same body gets it again and creates nothing; the same key with
    /// another body is 409.
    #[oai(path = "/orders", method = "post", operation_id = "place_order")]
    async fn place(
        &self,
        auth: BearerAuth,
        /// A key of 1..255 visible ASCII characters, unique per intended order;
        /// remembered for 24 hours.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<Text<IdempotencyKeyRule>>>,
        body: ReceivedJson<OrderInput>,
    ) -> Result<OrderPlaced, Problem> {
        let key = idempotency_key
            .0
            .as_deref()
            .map(IdempotencyKey::parse)
            .transpose()
            .map_err(|e| Problem::bad_request(e.to_string()))?;
        let request = body
            .decoded
            .map_err(InvalidOrder::new)
            .and_then(OrderRequest::try_from);
        let submission = OrderSubmission::received(&body.value, request);
        let placed = self
            .state
            .app
            .orders()
            .submit(auth.actor(), &submission, key)
            .await?;
        Ok(OrderPlaced::Created(Json(OrderDto::new(&placed.order))))
    }

    /// List orders
    ///
    /// A customer sees their own orders; staff see every order.
    #[oai(path = "/orders", method = "get", operation_id = "list_orders")]
    async fn list(
        &self,
        req: &Request,
        auth: BearerAuth,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1"), maximum(value = "4294967295")))]
        page: Query<Option<u32>>,
        /// Items per page, 1..100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        page_size: Query<Option<u32>>,
    ) -> Result<OrderList, Problem> {
        let request = page_request(page.0, page_size.0)?;
        let found = self.state.app.orders().list(auth.actor(), request).await?;
        let links = PageLinks::new(&self.state.public_url, req, Vec::new());
        Ok(OrderList::Ok(Json(OrderPage::new(found, &links, |o| {
            OrderDto::new(&o)
        }))))
    }

    /// An order (its owner or staff)
    #[oai(path = "/orders/:id", method = "get", operation_id = "get_order")]
    async fn get(
        &self,
        auth: BearerAuth,
        /// The order's id.
        id: Path<uuid::Uuid>,
    ) -> Result<OrderFound, Problem> {
        let order = self
            .state
            .app
            .orders()
            .get(auth.actor(), OrderId::from_uuid(id.0))
            .await?;
        Ok(OrderFound::Ok(Json(OrderDto::new(&order))))
    }

    /// Cancel an order (its owner or staff)
    ///
    /// Only a `pending` or `confirmed` order can be cancelled; its stock is
    /// given back.
    #[oai(
        path = "/orders/:id/cancel",
        method = "post",
        operation_id = "cancel_order"
    )]
    async fn cancel(
        &self,
        auth: BearerAuth,
        /// The order's id.
        id: Path<uuid::Uuid>,
    ) -> Result<OrderFound, Problem> {
        let order = self
            .state
            .app
            .orders()
            .cancel(auth.actor(), OrderId::from_uuid(id.0))
            .await?;
        Ok(OrderFound::Ok(Json(OrderDto::new(&order))))
    }

    /// Move an order along (staff)
    ///
    /// Allowed moves: `confirmed → shipped → delivered`.
    #[oai(
        path = "/orders/:id/status",
        method = "post",
        operation_id = "set_order_status"
    )]
    async fn set_status(
        &self,
        auth: BearerAuth,
        /// The order's id.
        id: Path<uuid::Uuid>,
        body: JsonBody<StatusInput>,
    ) -> Result<OrderFound, Problem> {
        let order = self
            .state
            .app
            .orders()
            .set_status(auth.actor(), OrderId::from_uuid(id.0), body.0.status.into())
            .await?;
        Ok(OrderFound::Ok(Json(OrderDto::new(&order))))
    }

    /// The caller's sustainability summary
    ///
    /// Over the caller's orders that are not cancelled.
    #[oai(
        path = "/sustainability/summary",
        method = "get",
        operation_id = "sustainability_summary",
        tag = "ApiTags::Sustainability"
    )]
    async fn summary(&self, auth: BearerAuth) -> Result<SummaryFound, Problem> {
        let summary = self
            .state
            .app
            .sustainability()
            .summary(auth.actor())
            .await?;
        Ok(SummaryFound::Ok(Json(summary.into())))
    }
}

/// Orders, paged by cursors.
pub(crate) struct OrdersV2Api {
    state: Arc<AppState>,
}

impl OrdersV2Api {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

#[derive(ApiResponse)]
enum OrderCursorList {
    /// A page of orders, newest first.
    #[oai(status = 200)]
    Ok(Json<OrderCursorPage>),
}

#[OpenApi(prefix_path = "/api/v2", tag = "ApiTags::Orders")]
impl OrdersV2Api {
    /// List orders by cursor
    ///
    /// A customer sees their own orders; staff see every order; newest
    /// first, as `/api/v1/orders`, paged from a position instead of an
    /// offset. A cursor is opaque and works only for the user it was
    /// handed to (else 400).
    #[oai(path = "/orders", method = "get", operation_id = "list_orders_v2")]
    async fn list(
        &self,
        auth: BearerAuth,
        /// Items per page, 1..100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` or `previous_cursor` of an earlier page; none for
        /// the first page.
        #[oai(validator(min_length = 1, max_length = 2048, pattern = "^[A-Za-z0-9_-]+$"))]
        cursor: Query<Option<String>>,
        /// `true`: also count the orders over all pages (`count`).
        with_count: Query<Option<bool>>,
    ) -> Result<OrderCursorList, Problem> {
        let actor = auth.actor();
        let scope = format!(
            "orders|{}",
            actor.user_id().map(|u| u.to_string()).unwrap_or_default()
        );
        let seek = Seek {
            from: opened_cursor(&self.state.cursors, &scope, cursor.0.as_deref())?,
            limit: keyset_limit(limit.0)?,
        };
        let found = self
            .state
            .app
            .orders()
            .list_from(actor, &seek, with_count.0.unwrap_or(false))
            .await?;
        let cursors = Cursors {
            key: &self.state.cursors,
            scope: &scope,
        };
        Ok(OrderCursorList::Ok(Json(OrderCursorPage::new(
            found,
            &cursors,
            |o| OrderDto::new(&o),
        ))))
    }
}
