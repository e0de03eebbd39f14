//! `/api/v1/orders` and the sustainability summary.

use std::sync::Arc;

use ecolaura_core::domain::{OrderId, ProductId, Quantity};
use ecolaura_core::idempotency::IdempotencyKey;
use ecolaura_core::orders::{Order, OrderRequest, OrderRequestLine};
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::ApiTags;
use super::query::page_request;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::{Fields, OrderDto, OrderInput, OrderPage, PageLinks, StatusInput, SummaryDto};

/// Orders.
pub struct OrdersApi {
    state: Arc<AppState>,
}

impl OrdersApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }

    fn dto(&self, order: &Order) -> OrderDto {
        OrderDto::new(order, &self.state.currency)
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

fn order_request(input: OrderInput) -> Result<OrderRequest, Problem> {
    let mut fields = Fields::default();
    let lines: Vec<Option<OrderRequestLine>> = input
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            fields
                .check(
                    &format!("lines[{i}].quantity"),
                    Quantity::new(line.quantity),
                )
                .map(|quantity| OrderRequestLine {
                    product_id: ProductId::from_uuid(line.product_id),
                    quantity,
                })
        })
        .collect();
    let Some(lines) = lines.into_iter().collect::<Option<Vec<_>>>() else {
        return Err(fields.into_problem());
    };
    OrderRequest::new(lines).map_err(|e| Problem::invalid_field("lines", e.to_string()))
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Orders")]
impl OrdersApi {
    /// Place an order
    ///
    /// Stock is taken for every line or for none. With an `Idempotency-Key`,
    /// a repeat of the same request gets the first response again and
    /// creates nothing; the same key with another body is 409.
    #[oai(path = "/orders", method = "post", operation_id = "place_order")]
    async fn place(
        &self,
        auth: BearerAuth,
        /// A key of 1..255 visible ASCII characters, unique per intended order;
        /// remembered for 24 hours.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<OrderInput>,
    ) -> Result<OrderPlaced, Problem> {
        let key = idempotency_key
            .0
            .as_deref()
            .map(IdempotencyKey::parse)
            .transpose()
            .map_err(|e| Problem::bad_request(e.to_string()))?;
        let request = order_request(body.0)?;
        let placed = self
            .state
            .app
            .orders()
            .place(&auth.0, &request, key)
            .await?;
        Ok(OrderPlaced::Created(Json(self.dto(&placed.order))))
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
        let found = self.state.app.orders().list(&auth.0, request).await?;
        let links = PageLinks::new(&self.state.public_url, req, Vec::new());
        Ok(OrderList::Ok(Json(OrderPage::new(found, &links, |o| {
            self.dto(&o)
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
            .get(&auth.0, OrderId::from_uuid(id.0))
            .await?;
        Ok(OrderFound::Ok(Json(self.dto(&order))))
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
            .cancel(&auth.0, OrderId::from_uuid(id.0))
            .await?;
        Ok(OrderFound::Ok(Json(self.dto(&order))))
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
            .set_status(&auth.0, OrderId::from_uuid(id.0), body.0.status.into())
            .await?;
        Ok(OrderFound::Ok(Json(self.dto(&order))))
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
        let summary = self.state.app.sustainability().summary(&auth.0).await?;
        Ok(SummaryFound::Ok(Json(summary.into())))
    }
}
