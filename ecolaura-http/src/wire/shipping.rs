//! Shipping methods, quotes and an order's shipping
//! (API-SUSTAINABILITY.md, section 5).

use ecolaura_core::domain::{ShippingName, Slug};
use ecolaura_core::orders::{OrderRequest, OrderShipping};
use ecolaura_core::sustainability::shipping::{
    DistanceKm, EmissionFactor, NewShippingMethod, QuoteOption, ShippingMethod,
    ShippingMethodChanges, TransportMode,
};
use poem_openapi::{Enum, Object};

use super::catalog::sample_time;
use super::orders::{OrderLineInput, order_lines};
use super::text::{EmissionFactorRule, ShippingNameRule, SlugRule, Text};
use super::{Amount, Fields, PriceInput};

/// How a shipment travels (ISO 14083 transport modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "TransportMode", rename_all = "snake_case")]
pub(crate) enum TransportModeDto {
    /// A truck on the road.
    Road,
    /// A freight train.
    Rail,
    /// A sea vessel.
    Sea,
    /// A barge on rivers and canals.
    InlandWater,
    /// An aircraft.
    Air,
    /// A light commercial vehicle (last-mile delivery).
    Van,
    /// A cargo bike.
    CargoBike,
}

same_terms!(
    TransportModeDto,
    TransportMode {
        Road,
        Rail,
        Sea,
        InlandWater,
        Air,
        Van,
        CargoBike,
    }
);

/// A shipping method: a transport mode over a distance, with its emission
/// factor and its price.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "ShippingMethod", example)]
pub(crate) struct ShippingMethodDto {
    /// Its identifier: `[a-z0-9-]{1,64}`.
    pub code: String,
    /// What customers read.
    pub name: String,
    #[allow(missing_docs)]
    pub mode: TransportModeDto,
    /// How far it carries a shipment, in whole km.
    pub distance_km: u32,
    /// Grams of CO₂e per tonne-kilometre, as a decimal string.
    pub emission_factor_g_per_tkm: String,
    /// What the customer pays for it, per order.
    pub price: Amount,
    /// Whether customers may choose it.
    pub active: bool,
    /// When it was made.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl ShippingMethodDto {
    pub(crate) fn sample() -> Self {
        Self {
            code: "rail-eu".into(),
            name: "Rail freight, EU".into(),
            mode: TransportModeDto::Rail,
            distance_km: 850,
            emission_factor_g_per_tkm: "17.0".into(),
            price: Amount::sample("6.90"),
            active: true,
            created_at: sample_time(),
            updated_at: sample_time(),
        }
    }
}

impl From<ShippingMethod> for ShippingMethodDto {
    fn from(m: ShippingMethod) -> Self {
        Self {
            code: m.code.into(),
            name: m.name.as_str().to_owned(),
            mode: m.mode.into(),
            distance_km: m.distance_km.get(),
            emission_factor_g_per_tkm: m.emission_factor.to_string(),
            price: m.price.into(),
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new shipping method.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ShippingMethodInput", example)]
pub(crate) struct ShippingMethodInput {
    /// `[a-z0-9-]{1,64}`; unique; orders name it.
    pub code: Text<SlugRule>,
    /// What customers read, 1..100 characters.
    pub name: Text<ShippingNameRule>,
    #[allow(missing_docs)]
    pub mode: TransportModeDto,
    /// How far it carries a shipment, in whole km, 1..50000.
    #[oai(validator(minimum(value = "1"), maximum(value = "50000")))]
    pub distance_km: i64,
    /// Grams of CO₂e per tonne-kilometre, 0..100000 with at most 3
    /// fraction digits (the shop's carrier's figure, or a GLEC default).
    pub emission_factor_g_per_tkm: Text<EmissionFactorRule>,
    /// What the customer pays for it, per order.
    pub price: PriceInput,
    /// Whether customers may choose it (default true).
    #[oai(default = "default_active")]
    pub active: bool,
}

fn default_active() -> bool {
    true
}

impl ShippingMethodInput {
    pub(crate) fn sample() -> Self {
        Self {
            code: "rail-eu".into(),
            name: "Rail freight, EU".into(),
            mode: TransportModeDto::Rail,
            distance_km: 850,
            emission_factor_g_per_tkm: "17.0".into(),
            price: PriceInput::sample("6.90"),
            active: true,
        }
    }
}

impl TryFrom<&ShippingMethodInput> for NewShippingMethod {
    type Error = crate::problem::Problem;

    fn try_from(input: &ShippingMethodInput) -> Result<Self, Self::Error> {
        let mut fields = Fields::default();
        let code = fields.check("code", Slug::parse(&input.code));
        let name = fields.check("name", ShippingName::parse(&input.name));
        let distance = fields.check("distance_km", DistanceKm::new(input.distance_km));
        let factor = fields.check(
            "emission_factor_g_per_tkm",
            EmissionFactor::parse(&input.emission_factor_g_per_tkm),
        );
        let price = fields.check("price", input.price.to_price());
        let (Some(code), Some(name), Some(distance_km), Some(emission_factor), Some(price)) =
            (code, name, distance, factor, price)
        else {
            return Err(fields.into_problem());
        };
        Ok(Self {
            code,
            name,
            mode: input.mode.into(),
            distance_km,
            emission_factor,
            price,
            active: input.active,
        })
    }
}

/// A change to a shipping method: fields left out stay as they are. The
/// code does not change; orders placed with the method keep it as it was.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ShippingMethodPatch", example)]
pub(crate) struct ShippingMethodPatch {
    /// What customers read, 1..100 characters.
    pub name: Option<Text<ShippingNameRule>>,
    #[allow(missing_docs)]
    pub mode: Option<TransportModeDto>,
    /// How far, in whole km, 1..50000.
    #[oai(validator(minimum(value = "1"), maximum(value = "50000")))]
    pub distance_km: Option<i64>,
    /// Grams of CO₂e per tonne-kilometre, 0..100000.
    pub emission_factor_g_per_tkm: Option<Text<EmissionFactorRule>>,
    /// The price per order.
    pub price: Option<PriceInput>,
    /// Offer it to customers, or stop.
    pub active: Option<bool>,
}

impl ShippingMethodPatch {
    pub(crate) fn sample() -> Self {
        Self {
            name: None,
            mode: None,
            distance_km: None,
            emission_factor_g_per_tkm: Some("15.5".into()),
            price: None,
            active: Some(true),
        }
    }
}

impl TryFrom<&ShippingMethodPatch> for ShippingMethodChanges {
    type Error = crate::problem::Problem;

    fn try_from(input: &ShippingMethodPatch) -> Result<Self, Self::Error> {
        let mut fields = Fields::default();
        let name = input
            .name
            .as_ref()
            .and_then(|n| fields.check("name", ShippingName::parse(n)));
        let distance_km = input
            .distance_km
            .and_then(|km| fields.check("distance_km", DistanceKm::new(km)));
        let emission_factor = input
            .emission_factor_g_per_tkm
            .as_ref()
            .and_then(|f| fields.check("emission_factor_g_per_tkm", EmissionFactor::parse(f)));
        let price = input
            .price
            .as_ref()
            .and_then(|p| fields.check("price", p.to_price()));
        fields.finish()?;
        Ok(Self {
            name,
            mode: input.mode.map(Into::into),
            distance_km,
            emission_factor,
            price,
            active: input.active,
        })
    }
}

/// A basket to quote shipping for: 1..100 lines.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "ShippingQuoteInput", example)]
pub(crate) struct ShippingQuoteInput {
    /// The lines, 1..100; a product at most once.
    #[oai(validator(min_items = "1", max_items = "100"))]
    pub lines: Vec<OrderLineInput>,
}

impl ShippingQuoteInput {
    pub(crate) fn sample() -> Self {
        Self {
            lines: vec![OrderLineInput::sample()],
        }
    }
}

impl TryFrom<&ShippingQuoteInput> for OrderRequest {
    type Error = crate::problem::Problem;

    fn try_from(input: &ShippingQuoteInput) -> Result<Self, Self::Error> {
        order_lines(&input.lines)
            .map_err(|invalid| crate::problem::Problem::invalid(invalid.into_errors()))
    }
}

/// One shipping option for a basket.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ShippingOption", example)]
pub(crate) struct ShippingOptionDto {
    /// The method's code, to name as the order's `shipping_method`.
    pub code: String,
    /// Its name.
    pub name: String,
    #[allow(missing_docs)]
    pub mode: TransportModeDto,
    /// Its price.
    pub price: Amount,
    /// The shipment's emissions in kg CO₂e: tonnes × distance_km × factor
    /// ÷ 1000; null when a product of the basket has no `weight_kg`.
    #[oai(nullable)]
    pub carbon_footprint_kg: Option<f64>,
    /// True for the option(s) that emit least.
    pub lowest_carbon: bool,
}

impl ShippingOptionDto {
    pub(crate) fn sample() -> Self {
        Self {
            code: "rail-eu".into(),
            name: "Rail freight, EU".into(),
            mode: TransportModeDto::Rail,
            price: Amount::sample("6.90"),
            carbon_footprint_kg: Some(0.0289),
            lowest_carbon: true,
        }
    }
}

impl From<QuoteOption> for ShippingOptionDto {
    fn from(o: QuoteOption) -> Self {
        Self {
            code: o.code.into(),
            name: o.name.as_str().to_owned(),
            mode: o.mode.into(),
            price: o.price.into(),
            carbon_footprint_kg: o.carbon_footprint_kg.map(|kg| kg.to_f64()),
            lowest_carbon: o.lowest_carbon,
        }
    }
}

/// The shipping options for a basket, the lowest emissions first.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ShippingQuote", example)]
pub(crate) struct ShippingQuoteDto {
    /// Every active method; ties by price, then by code.
    pub options: Vec<ShippingOptionDto>,
}

impl ShippingQuoteDto {
    pub(crate) fn sample() -> Self {
        Self {
            options: vec![ShippingOptionDto::sample()],
        }
    }
}

/// The shipping an order was placed with, as the method was then.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "OrderShipping", example)]
pub(crate) struct OrderShippingDto {
    /// The method's code.
    pub code: String,
    /// Its name when ordered.
    pub name: String,
    /// Its price when ordered, part of the order's total.
    pub price: Amount,
    /// The shipment's emissions in kg CO₂e; null when a product had no
    /// `weight_kg`.
    #[oai(nullable)]
    pub carbon_footprint_kg: Option<f64>,
}

impl OrderShippingDto {
    pub(crate) fn sample() -> Self {
        Self {
            code: "rail-eu".into(),
            name: "Rail freight, EU".into(),
            price: Amount::sample("6.90"),
            carbon_footprint_kg: Some(0.0289),
        }
    }
}

impl From<&OrderShipping> for OrderShippingDto {
    fn from(s: &OrderShipping) -> Self {
        Self {
            code: s.code.as_str().to_owned(),
            name: s.name.as_str().to_owned(),
            price: s.price.into(),
            carbon_footprint_kg: s.carbon_footprint_kg.map(|kg| kg.to_f64()),
        }
    }
}
