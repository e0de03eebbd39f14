//! The emission formula of ISO 14083 for one transport leg: the mass
//! carried, times the distance, times the mode's emission intensity.

use rust_decimal::Decimal;

use super::{DistanceKm, EmissionFactor};
use crate::domain::{CarbonKg, Quantity, WeightKg};

/// The weight of a shipment in kilograms: every line's unit weight times
/// its units, or `None` when any line's product has no weight (a partial
/// weight would understate the emissions).
///
/// ```
/// use ecolaura_core::domain::{Quantity, WeightKg};
/// use ecolaura_core::sustainability::shipping::shipment_weight_kg;
/// let bottle: WeightKg = "0.350".parse().unwrap();
/// let two = Quantity::new(2).unwrap();
/// assert_eq!(shipment_weight_kg([(Some(bottle), two)]), Some("0.700".parse().unwrap()));
/// assert_eq!(shipment_weight_kg([(Some(bottle), two), (None, two)]), None);
/// ```
pub fn shipment_weight_kg(
    lines: impl IntoIterator<Item = (Option<WeightKg>, Quantity)>,
) -> Option<Decimal> {
    lines
        .into_iter()
        .try_fold(Decimal::ZERO, |sum, (weight, q)| {
            let weight = weight?;
            // At most 100 lines × 1000 units × 10⁷ kg: far inside the decimal range.
            Some(sum + weight.kg() * Decimal::from(q.get()))
        })
}

/// The emissions of carrying `weight_kg` over `distance` at `factor`, in
/// kg CO₂e: tonnes × km × g/t·km ÷ 1000, kept to six fraction digits
/// (milligrams, as every footprint is), rounded half to even.
///
/// `None` when the weight is unknown: the footprint of a shipment whose
/// mass is not known is not known either, and is not guessed.
///
/// ```
/// use ecolaura_core::sustainability::shipping::{shipment_emissions, DistanceKm, EmissionFactor};
/// // 2 kg by rail over 850 km at 17 g/t·km: 0.002 t × 850 km × 17 g = 28.9 g.
/// let kg = shipment_emissions(Some("2".parse().unwrap()), DistanceKm::new(850).unwrap(),
///     EmissionFactor::parse("17.0").unwrap());
/// assert_eq!(kg.unwrap().to_string(), "0.0289");
/// ```
pub fn shipment_emissions(
    weight_kg: Option<Decimal>,
    distance: DistanceKm,
    factor: EmissionFactor,
) -> Option<CarbonKg> {
    let tonnes = weight_kg? / Decimal::ONE_THOUSAND;
    let grams = tonnes
        .checked_mul(Decimal::from(distance.get()))?
        .checked_mul(factor.g_per_tkm())?;
    CarbonKg::total(grams / Decimal::ONE_THOUSAND).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kg(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn the_formula_follows_the_glec_worked_example() {
        // GLEC Framework v3, a road leg: 10 t over 100 km at 62 g/t·km
        // emits 62 kg CO₂e.
        let e = shipment_emissions(
            Some(kg("10000")),
            DistanceKm::new(100).unwrap(),
            EmissionFactor::parse("62").unwrap(),
        );
        assert_eq!(e.unwrap().kg(), kg("62"));
    }

    #[test]
    fn a_light_parcel_by_air_rounds_to_milligrams() {
        // 0.000351 t × 1234 km × 602.125 g/t·km = 260.80080975 g.
        let e = shipment_emissions(
            Some(kg("0.351")),
            DistanceKm::new(1234).unwrap(),
            EmissionFactor::parse("602.125").unwrap(),
        );
        assert_eq!(e.unwrap().kg(), kg("0.260801"));
    }

    #[test]
    fn an_unknown_weight_is_an_unknown_footprint() {
        let e = shipment_emissions(
            None,
            DistanceKm::new(10).unwrap(),
            EmissionFactor::parse("10").unwrap(),
        );
        assert_eq!(e, None);
    }

    #[test]
    fn a_zero_factor_emits_nothing() {
        let e = shipment_emissions(
            Some(kg("12.5")),
            DistanceKm::new(3).unwrap(),
            EmissionFactor::parse("0").unwrap(),
        );
        assert_eq!(e, Some(CarbonKg::ZERO));
    }

    proptest! {
        #[test]
        fn emissions_grow_with_weight_distance_and_factor(
            grams in 1u64..10_000_000_000,
            more_grams in 0u64..1_000_000,
            km in 1i64..=50_000,
            factor in 0u32..=100_000_000,
        ) {
            let w = Decimal::new(grams as i64, 3);
            let heavier = Decimal::new((grams + more_grams) as i64, 3);
            let d = DistanceKm::new(km).unwrap();
            let f = EmissionFactor::new(Decimal::new(i64::from(factor), 3)).unwrap();
            let light = shipment_emissions(Some(w), d, f).unwrap();
            let heavy = shipment_emissions(Some(heavier), d, f).unwrap();
            prop_assert!(light <= heavy);
            let exact = w / Decimal::ONE_THOUSAND * Decimal::from(km) * f.g_per_tkm() / Decimal::ONE_THOUSAND;
            prop_assert!((light.kg() - exact).abs() <= Decimal::new(5, 7));
        }
    }
}
