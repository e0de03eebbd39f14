//! Orders: what a customer asked for, the lines as they were when ordered,
//! and the state machine that moves an order from `pending` to `delivered`.

mod request;
mod status;

pub use request::{
    InvalidOrder, OrderRequest, OrderRequestError, OrderRequestLine, OrderSubmission,
};
pub use status::{OrderStatus, UnknownStatus};

use serde::{Deserialize, Serialize};

use crate::domain::{
    CarbonKg, Currency, Money, OrderId, Price, ProductId, ProductName, Quantity, Score,
    ShippingName, Slug, Timestamp, UserId,
};
use crate::scoring::ScoreMethod;

/// One line of an order: the product as it was when ordered, and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The product ordered.
    pub product_id: ProductId,
    /// Its name when ordered.
    pub name: ProductName,
    /// Its price when ordered.
    pub unit_price: Price,
    /// Units ordered.
    pub quantity: Quantity,
    /// Its footprint per unit when ordered, `None` if it had no metrics.
    pub unit_carbon_footprint_kg: Option<CarbonKg>,
    /// Its sustainability score when ordered.
    pub sustainability_score: Score,
    /// The method of that score; `None` for lines ordered before methods
    /// were kept.
    #[serde(default)]
    pub score_method: Option<ScoreMethod>,
}

impl OrderLine {
    /// `unit_price × quantity`. Cannot overflow: at most 99999999.99 × 1000.
    pub fn line_total(&self) -> Money {
        self.unit_price
            .money()
            .times(self.quantity.get())
            .unwrap_or(Money::ZERO)
    }

    /// `quantity × unit footprint`, `None` where the product had no metrics.
    pub fn carbon_footprint_kg(&self) -> Option<CarbonKg> {
        self.unit_carbon_footprint_kg
            .map(|kg| kg.times(self.quantity.get()))
    }
}

/// The shipping an order was placed with, as the method was then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderShipping {
    /// The method's code.
    pub code: Slug,
    /// Its name when ordered.
    pub name: ShippingName,
    /// Its price when ordered, part of the order's total.
    pub price: Price,
    /// The shipment's emissions
    /// ([`shipment_emissions`](crate::sustainability::shipping::shipment_emissions)),
    /// `None` when a line's product had no weight.
    pub carbon_footprint_kg: Option<CarbonKg>,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Identifier (UUID v7).
    pub id: OrderId,
    /// The customer who placed it.
    pub user_id: UserId,
    /// Where it is in its life.
    pub status: OrderStatus,
    /// The shop's currency when it was placed: its prices and totals are in
    /// it for good, whatever the shop's currency becomes later.
    pub currency: Currency,
    /// What was ordered, in the order the customer listed it.
    pub lines: Vec<OrderLine>,
    /// The shipping chosen, `None` when the order named none (or was placed
    /// before shipping methods existed).
    #[serde(default)]
    pub shipping: Option<OrderShipping>,
    /// When the confirmation e-mail went out.
    pub confirmation_sent_at: Option<Timestamp>,
    /// When it was placed.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl Order {
    /// The sum of the line totals and the shipping price. At most 100 lines
    /// of at most 99999999999.00 each, far inside the decimal range.
    pub fn total(&self) -> Money {
        let shipping = self
            .shipping
            .as_ref()
            .map_or(Money::ZERO, |s| s.price.money());
        self.lines
            .iter()
            .map(OrderLine::line_total)
            .try_fold(shipping, Money::checked_add)
            .unwrap_or(Money::ZERO)
    }

    /// The sum of the known line footprints, `None` if no line is known.
    pub fn products_carbon_footprint_kg(&self) -> Option<CarbonKg> {
        self.lines
            .iter()
            .filter_map(OrderLine::carbon_footprint_kg)
            .reduce(CarbonKg::plus)
    }

    /// The shipment's footprint, `None` without shipping or when unknown.
    pub fn shipping_carbon_footprint_kg(&self) -> Option<CarbonKg> {
        self.shipping.as_ref().and_then(|s| s.carbon_footprint_kg)
    }

    /// Products and shipping: the sum of the known parts, `None` if none
    /// is known.
    pub fn carbon_footprint_kg(&self) -> Option<CarbonKg> {
        match (
            self.products_carbon_footprint_kg(),
            self.shipping_carbon_footprint_kg(),
        ) {
            (Some(products), Some(shipping)) => Some(products.plus(shipping)),
            (products, shipping) => products.or(shipping),
        }
    }

    /// Whether every line's footprint is known and, when the order ships
    /// with a method, the shipment's too.
    pub fn footprint_complete(&self) -> bool {
        self.lines
            .iter()
            .all(|l| l.unit_carbon_footprint_kg.is_some())
            && self
                .shipping
                .as_ref()
                .is_none_or(|s| s.carbon_footprint_kg.is_some())
    }

    /// Units ordered across all lines.
    pub fn units(&self) -> u64 {
        self.lines.iter().map(|l| u64::from(l.quantity.get())).sum()
    }

    /// The first line, in order, that the catalog cannot serve: its product
    /// is not among the `live` ones (missing or archived), or has too little
    /// stock. Stores use it to say why a placement was refused.
    pub fn first_rejection<'a>(
        &self,
        live: impl Fn(ProductId) -> Option<&'a crate::catalog::Product>,
    ) -> Option<OrderRejection> {
        self.lines
            .iter()
            .find_map(|line| match live(line.product_id) {
                None => Some(OrderRejection::ProductUnavailable {
                    product_id: line.product_id,
                }),
                Some(p) if p.stock.take(line.quantity).is_none() => {
                    Some(OrderRejection::InsufficientStock {
                        product_id: p.id,
                        requested: line.quantity.get(),
                        available: p.stock.get(),
                    })
                }
                Some(_) => None,
            })
    }
}

/// Why an order could not be placed, given the state of the catalog at the
/// time. Unlike [`OrderRequestError`], the same request may succeed later, so a
/// rejection is stored under the request's idempotency key and replayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OrderRejection {
    /// Not enough stock for one line; nothing was taken for any line.
    #[error(
        "not enough stock for product {product_id}: {requested} requested, {available} available"
    )]
    InsufficientStock {
        /// The product short of stock.
        product_id: ProductId,
        /// Units asked for.
        requested: u32,
        /// Units there were.
        available: u32,
    },
    /// A product does not exist or is archived.
    #[error("product {product_id} does not exist or is no longer sold")]
    ProductUnavailable {
        /// The missing product.
        product_id: ProductId,
    },
    /// The shipping method named does not exist or is not offered.
    #[error("shipping method {code} does not exist or is not offered")]
    ShippingUnavailable {
        /// The code named.
        code: Slug,
    },
}

/// A customer's sustainability figures over the orders that are not cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SustainabilitySummary {
    /// Orders counted.
    pub orders_count: u64,
    /// Units ordered (sum of quantities).
    pub items_count: u64,
    /// Sum of the orders' known footprints.
    pub total_carbon_footprint_kg: CarbonKg,
    /// Unit-weighted mean of the lines' scores, `None` with no orders.
    pub average_score: Option<rust_decimal::Decimal>,
}

impl SustainabilitySummary {
    /// The summary of `orders`, skipping cancelled ones. Stores that cannot
    /// aggregate in their query language use this.
    pub fn of<'a>(orders: impl IntoIterator<Item = &'a Order>) -> Self {
        let mut s = SustainabilitySummary::default();
        let mut weighted = rust_decimal::Decimal::ZERO;
        for order in orders
            .into_iter()
            .filter(|o| o.status != OrderStatus::Cancelled)
        {
            s.orders_count += 1;
            s.items_count += order.units();
            if let Some(kg) = order.carbon_footprint_kg() {
                s.total_carbon_footprint_kg = s.total_carbon_footprint_kg.plus(kg);
            }
            for line in &order.lines {
                weighted += rust_decimal::Decimal::from(line.quantity.get())
                    * rust_decimal::Decimal::from(line.sustainability_score.value());
            }
        }
        s.average_score = Self::average(weighted, s.items_count);
        s
    }

    /// `weighted / units` rounded to two places, `None` for no units.
    pub fn average(weighted: rust_decimal::Decimal, units: u64) -> Option<rust_decimal::Decimal> {
        (units > 0).then(|| {
            (weighted / rust_decimal::Decimal::from(units))
                .round_dp(2)
                .normalize()
        })
    }
}

/// An order's place in a list of orders, which runs newest first (ties by
/// id descending): its creation time and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrderPosition {
    /// When the order was placed.
    #[serde(rename = "c")]
    pub created_at: Timestamp,
    /// The order.
    #[serde(rename = "i")]
    pub id: OrderId,
}

impl OrderPosition {
    /// Where `order` stands.
    pub fn of(order: &Order) -> Self {
        Self {
            created_at: order.created_at,
            id: order.id,
        }
    }

    /// Whether `order` comes before (`Less`, it is newer) or after
    /// (`Greater`) `position`; `Equal` only for the order at it.
    pub fn place(order: &Order, position: &Self) -> std::cmp::Ordering {
        (position.created_at, position.id).cmp(&(order.created_at, order.id))
    }
}
