//! Orders, their lines and the sustainability summary.

use ecolaura_core::domain::{ProductId, Quantity, Slug};
use ecolaura_core::orders::{
    InvalidOrder, Order, OrderLine, OrderRequest, OrderRequestLine, OrderStatus,
    SustainabilitySummary,
};
use poem_openapi::{Enum, Object};

use super::shipping::OrderShippingDto;
use super::text::{SlugRule, Text};
use super::{Amount, Fields};

/// Where an order is in its life. Staff may move an order
/// `confirmed → shipped → delivered`; the workers confirm it; cancelling
/// has its own operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "OrderStatus", rename_all = "snake_case")]
pub enum OrderStatusDto {
    /// Placed; stock taken; waiting for confirmation.
    Pending,
    /// Confirmed by the shop.
    Confirmed,
    /// Handed to the carrier.
    Shipped,
    /// Arrived.
    Delivered,
    /// Cancelled; its stock was given back.
    Cancelled,
}

impl From<OrderStatus> for OrderStatusDto {
    fn from(s: OrderStatus) -> Self {
        match s {
            OrderStatus::Pending => Self::Pending,
            OrderStatus::Confirmed => Self::Confirmed,
            OrderStatus::Shipped => Self::Shipped,
            OrderStatus::Delivered => Self::Delivered,
            OrderStatus::Cancelled => Self::Cancelled,
        }
    }
}

impl From<OrderStatusDto> for OrderStatus {
    fn from(s: OrderStatusDto) -> Self {
        match s {
            OrderStatusDto::Pending => Self::Pending,
            OrderStatusDto::Confirmed => Self::Confirmed,
            OrderStatusDto::Shipped => Self::Shipped,
            OrderStatusDto::Delivered => Self::Delivered,
            OrderStatusDto::Cancelled => Self::Cancelled,
        }
    }
}

/// One line of an order, as the product was when ordered.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "OrderLine", example)]
pub(crate) struct OrderLineDto {
    /// The product ordered.
    pub product_id: uuid::Uuid,
    /// The product's name when ordered.
    pub name: String,
    /// The unit price when ordered.
    pub unit_price: Amount,
    /// Units ordered.
    pub quantity: u32,
    /// `unit_price × quantity`.
    pub line_total: Amount,
    /// quantity × the product's footprint, in kg CO₂e; null when the product had no metrics.
    #[oai(nullable)]
    pub carbon_footprint_kg: Option<f64>,
    /// The product's score when ordered.
    pub sustainability_score: u8,
    /// The method of that score (`ecolaura-default@1`, or `manual`); null
    /// for lines ordered before methods were kept.
    #[oai(nullable)]
    pub score_method: Option<String>,
}

impl OrderLineDto {
    pub(crate) fn sample() -> Self {
        Self {
            product_id: uuid::Uuid::from_u128(0x019a_b5c0_0000_7000_8000_0000_0000_0001),
            name: "Eco Bottle".into(),
            unit_price: Amount::sample("19.99"),
            quantity: 2,
            line_total: Amount::sample("39.98"),
            carbon_footprint_kg: Some(2.4),
            sustainability_score: 95,
            score_method: Some("ecolaura-default@1".into()),
        }
    }
}

impl From<&OrderLine> for OrderLineDto {
    fn from(l: &OrderLine) -> Self {
        Self {
            product_id: l.product_id.as_uuid(),
            name: l.name.as_str().to_owned(),
            unit_price: l.unit_price.into(),
            quantity: l.quantity.get(),
            line_total: l.line_total().into(),
            carbon_footprint_kg: l.carbon_footprint_kg().map(|kg| kg.to_f64()),
            sustainability_score: l.sustainability_score.value(),
            score_method: l.score_method.as_ref().map(|m| m.as_str().to_owned()),
        }
    }
}

/// An order.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "Order", example)]
pub(crate) struct OrderDto {
    /// The order's id (UUID v7).
    pub id: uuid::Uuid,
    // No field doc: a described `$ref` becomes `allOf`, which generators
    // refuse for enums; the enum's own schema carries the description.
    #[allow(missing_docs)]
    pub status: OrderStatusDto,
    /// The currency the order was placed in (ISO 4217): the shop's currency
    /// at that time, kept when the shop's currency changes.
    pub currency: String,
    /// The sum of the line totals and the shipping price.
    pub total: Amount,
    /// Products and shipping, in kg CO₂e: the sum of the known parts; null
    /// when none is known.
    #[oai(nullable)]
    pub carbon_footprint_kg: Option<f64>,
    /// The sum of the known line footprints; null when no line is known.
    #[oai(nullable)]
    pub products_carbon_footprint_kg: Option<f64>,
    /// The shipment's emissions; null without shipping, or when a
    /// product had no `weight_kg`.
    #[oai(nullable)]
    pub shipping_carbon_footprint_kg: Option<f64>,
    /// False when some line's product had no metrics, or the order ships
    /// and the shipment's emissions are unknown.
    pub footprint_complete: bool,
    /// The shipping chosen, as it was when ordered; null when none was.
    #[oai(nullable)]
    pub shipping: Option<OrderShippingDto>,
    /// When the confirmation e-mail was sent; null until then.
    #[oai(nullable)]
    pub confirmation_sent_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The lines, in the order they were requested.
    pub lines: Vec<OrderLineDto>,
    /// When the order was placed.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When the order last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl OrderDto {
    /// The wire form of `o`.
    pub(crate) fn new(o: &Order) -> Self {
        Self {
            id: o.id.as_uuid(),
            status: o.status.into(),
            currency: o.currency.to_string(),
            total: o.total().into(),
            carbon_footprint_kg: o.carbon_footprint_kg().map(|kg| kg.to_f64()),
            products_carbon_footprint_kg: o.products_carbon_footprint_kg().map(|kg| kg.to_f64()),
            shipping_carbon_footprint_kg: o.shipping_carbon_footprint_kg().map(|kg| kg.to_f64()),
            footprint_complete: o.footprint_complete(),
            shipping: o.shipping.as_ref().map(Into::into),
            confirmation_sent_at: o.confirmation_sent_at,
            lines: o.lines.iter().map(Into::into).collect(),
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }

    pub(crate) fn sample() -> Self {
        let at = "2026-11-24T09:30:00Z".parse().unwrap_or_default();
        Self {
            id: uuid::Uuid::from_u128(0x019a_b5c1_0000_7000_8000_0000_0000_0002),
            status: OrderStatusDto::Pending,
            currency: "EUR".into(),
            total: Amount::sample("46.88"),
            carbon_footprint_kg: Some(2.4289),
            products_carbon_footprint_kg: Some(2.4),
            shipping_carbon_footprint_kg: Some(0.0289),
            footprint_complete: true,
            shipping: Some(OrderShippingDto::sample()),
            confirmation_sent_at: None,
            lines: vec![OrderLineDto::sample()],
            created_at: at,
            updated_at: at,
        }
    }
}

/// One line of a new order.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "OrderLineInput")]
pub(crate) struct OrderLineInput {
    /// A product on sale, at most once per order.
    pub product_id: uuid::Uuid,
    /// Units, 1..1000.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub quantity: i64,
}

impl OrderLineInput {
    pub(crate) fn sample() -> Self {
        Self {
            product_id: uuid::Uuid::from_u128(0x019a_b5c0_0000_7000_8000_0000_0000_0001),
            quantity: 2,
        }
    }
}

/// A new order: 1..100 lines, and optionally how to ship it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "OrderInput", example)]
pub(crate) struct OrderInput {
    /// The lines, 1..100; a product at most once.
    #[oai(validator(min_items = "1", max_items = "100"))]
    pub lines: Vec<OrderLineInput>,
    /// The code of an active shipping method (422 when unknown or
    /// inactive); its price is added to the total and its emissions to the
    /// footprint.
    pub shipping_method: Option<Text<SlugRule>>,
}

impl OrderInput {
    pub(crate) fn sample() -> Self {
        Self {
            lines: vec![OrderLineInput::sample()],
            shipping_method: Some("rail-eu".into()),
        }
    }
}

/// A status to move an order to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Object)]
#[oai(rename = "StatusInput", example)]
pub(crate) struct StatusInput {
    // No field doc: a described `$ref` becomes `allOf`, which generators
    // refuse for enums; the enum's own schema carries the description.
    #[allow(missing_docs)]
    pub status: OrderStatusDto,
}

impl StatusInput {
    pub(crate) fn sample() -> Self {
        Self {
            status: OrderStatusDto::Shipped,
        }
    }
}

/// The environmental summary of the caller's orders that are not cancelled.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "SustainabilitySummary", example)]
pub(crate) struct SummaryDto {
    /// How many orders.
    pub orders_count: u64,
    /// How many units over those orders.
    pub items_count: u64,
    /// The orders' known footprints added up, in kg CO₂e.
    pub total_carbon_footprint_kg: f64,
    /// The unit-weighted mean of the lines' scores; null with no orders.
    #[oai(nullable)]
    pub average_score: Option<f64>,
}

impl SummaryDto {
    pub(crate) fn sample() -> Self {
        Self {
            orders_count: 3,
            items_count: 7,
            total_carbon_footprint_kg: 8.4,
            average_score: Some(81.43),
        }
    }
}

impl From<SustainabilitySummary> for SummaryDto {
    fn from(s: SustainabilitySummary) -> Self {
        use rust_decimal::prelude::ToPrimitive;
        Self {
            orders_count: s.orders_count,
            items_count: s.items_count,
            total_carbon_footprint_kg: s.total_carbon_footprint_kg.to_f64(),
            average_score: s.average_score.and_then(|d| d.to_f64()),
        }
    }
}

/// The request of these lines, or every rule they break with its path.
pub(super) fn order_lines(input: &[OrderLineInput]) -> Result<OrderRequest, InvalidOrder> {
    let mut fields = Fields::default();
    let lines: Vec<Option<OrderRequestLine>> = input
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
        return Err(InvalidOrder::new(fields.into_errors()));
    };
    OrderRequest::new(lines).map_err(InvalidOrder::from)
}

/// The request in an order body, or every rule it breaks with its path.
impl TryFrom<OrderInput> for OrderRequest {
    type Error = InvalidOrder;

    fn try_from(input: OrderInput) -> Result<Self, InvalidOrder> {
        let shipping = input
            .shipping_method
            .as_deref()
            .map(Slug::parse)
            .transpose();
        match (order_lines(&input.lines), shipping) {
            (Ok(request), Ok(None)) => Ok(request),
            (Ok(request), Ok(Some(code))) => Ok(request.shipped_by(code)),
            (lines, shipping) => {
                // Every broken rule at once: the lines' and the method's.
                let mut errors = lines
                    .err()
                    .map(InvalidOrder::into_errors)
                    .unwrap_or_default();
                if let Err(e) = shipping {
                    errors.insert("shipping_method".to_owned(), vec![e.to_string()]);
                }
                Err(InvalidOrder::new(errors))
            }
        }
    }
}
