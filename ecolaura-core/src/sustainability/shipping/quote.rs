//! A shipping quote: every method a customer may choose for a basket, the
//! lowest emissions first.

use rust_decimal::Decimal;

use super::{ShippingMethod, TransportMode, shipment_emissions};
use crate::domain::{CarbonKg, Price, ShippingName, Slug};

/// One method in a quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteOption {
    /// The method's code, to name in the order.
    pub code: Slug,
    /// Its name.
    pub name: ShippingName,
    /// How it travels.
    pub mode: TransportMode,
    /// What it costs.
    pub price: Price,
    /// The shipment's emissions by this method; `None` when a product of
    /// the basket has no weight.
    pub carbon_footprint_kg: Option<CarbonKg>,
    /// Whether no other option emits less.
    pub lowest_carbon: bool,
}

/// The quote for a shipment of `weight_kg` (`None`: unknown): every
/// active method in `methods`, ranked by emissions, lowest first; ties by
/// price, then by code.
///
/// The ranking does not need the weight: for one shipment, every method
/// carries the same mass, so its emissions order is the order of
/// `distance × factor`. A basket with a product of unknown weight is ranked
/// the same way, with every footprint `null` (all options are "unknown",
/// so none is ranked after a known one), and `lowest_carbon` still marks the
/// methods that emit least whatever the weight. Inactive methods are left
/// out.
///
/// ```
/// use ecolaura_core::sustainability::shipping::{quote, NewShippingMethod, TransportMode, DistanceKm, EmissionFactor};
/// let method = |code: &str, mode, factor: &str| NewShippingMethod {
///     code: code.parse().unwrap(), name: ecolaura_core::domain::ShippingName::parse(code).unwrap(),
///     mode, distance_km: DistanceKm::new(850).unwrap(),
///     emission_factor: EmissionFactor::parse(factor).unwrap(),
///     price: "4.90".parse().unwrap(), active: true,
/// }.made_at(chrono::Utc::now());
/// let options = quote(&[method("truck", TransportMode::Road, "62"), method("rail-eu", TransportMode::Rail, "17")],
///     Some("2".parse().unwrap()));
/// assert_eq!(options[0].code.as_str(), "rail-eu");
/// assert!(options[0].lowest_carbon && !options[1].lowest_carbon);
/// ```
pub fn quote(methods: &[ShippingMethod], weight_kg: Option<Decimal>) -> Vec<QuoteOption> {
    let mut ranked: Vec<(Decimal, &ShippingMethod)> = methods
        .iter()
        .filter(|m| m.active)
        .map(|m| (intensity(m), m))
        .collect();
    ranked.sort_by(|(a, m), (b, n)| {
        a.cmp(b)
            .then_with(|| m.price.cmp(&n.price))
            .then_with(|| m.code.cmp(&n.code))
    });
    let least = ranked.first().map(|(i, _)| *i);
    ranked
        .into_iter()
        .map(|(i, m)| QuoteOption {
            code: m.code.clone(),
            name: m.name.clone(),
            mode: m.mode,
            price: m.price,
            carbon_footprint_kg: shipment_emissions(weight_kg, m.distance_km, m.emission_factor),
            lowest_carbon: Some(i) == least,
        })
        .collect()
}

/// Grams of CO₂e per tonne carried by the method: distance × factor.
fn intensity(m: &ShippingMethod) -> Decimal {
    Decimal::from(m.distance_km.get()) * m.emission_factor.g_per_tkm()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sustainability::shipping::{DistanceKm, EmissionFactor, NewShippingMethod};

    fn method(code: &str, km: i64, factor: &str, price: &str, active: bool) -> ShippingMethod {
        NewShippingMethod {
            code: code.parse().unwrap(),
            name: ShippingName::parse(code).unwrap(),
            mode: TransportMode::Road,
            distance_km: DistanceKm::new(km).unwrap(),
            emission_factor: EmissionFactor::parse(factor).unwrap(),
            price: price.parse().unwrap(),
            active,
        }
        .made_at(chrono::Utc::now())
    }

    fn codes(options: &[QuoteOption]) -> Vec<&str> {
        options.iter().map(|o| o.code.as_str()).collect()
    }

    #[test]
    fn options_come_lowest_emissions_first_and_inactive_ones_not_at_all() {
        let methods = [
            method("air", 900, "602", "19.00", true),
            method("bike", 5, "0", "7.00", true),
            method("rail", 850, "17", "6.90", true),
            method("old-truck", 850, "90", "3.00", false),
            method("road", 850, "62", "4.90", true),
        ];
        let options = quote(&methods, Some("2.5".parse().unwrap()));
        assert_eq!(codes(&options), ["bike", "rail", "road", "air"]);
        assert_eq!(
            options.iter().map(|o| o.lowest_carbon).collect::<Vec<_>>(),
            [true, false, false, false]
        );
        // 0.0025 t × 850 km × 17 g = 36.125 g.
        assert_eq!(
            options[1].carbon_footprint_kg.map(CarbonKg::kg),
            Some("0.036125".parse().unwrap())
        );
    }

    #[test]
    fn equal_emissions_share_the_flag_and_go_by_price_then_code() {
        let methods = [
            method("b-rail", 100, "20", "5.00", true),
            method("a-rail", 200, "10", "5.00", true),
            method("cheap", 400, "5", "1.00", true),
        ];
        let options = quote(&methods, Some("1".parse().unwrap()));
        assert_eq!(codes(&options), ["cheap", "a-rail", "b-rail"]);
        assert!(options.iter().all(|o| o.lowest_carbon));
    }

    #[test]
    fn an_unknown_weight_keeps_the_ranking_without_figures() {
        let methods = [
            method("road", 850, "62", "4.90", true),
            method("rail", 850, "17", "6.90", true),
        ];
        let options = quote(&methods, None);
        assert_eq!(codes(&options), ["rail", "road"]);
        assert!(options.iter().all(|o| o.carbon_footprint_kg.is_none()));
        assert!(options[0].lowest_carbon);
    }

    #[test]
    fn no_active_method_is_an_empty_quote() {
        assert!(quote(&[method("off", 1, "1", "1.00", false)], None).is_empty());
    }
}
