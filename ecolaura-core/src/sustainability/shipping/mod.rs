//! Shipping emissions (ISO 14083, the GLEC Framework): the shop's shipping
//! methods with their transport mode, distance and emission factor, the
//! emissions of a shipment ([`shipment_emissions`]) and a quote that ranks
//! the methods by them ([`quote`]).

mod emissions;
mod quote;

pub use emissions::{shipment_emissions, shipment_weight_kg};
pub use quote::{QuoteOption, quote};

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::vocabulary::vocabulary;
use crate::domain::{Price, ShippingName, Slug, Timestamp};

vocabulary!(
    /// How a shipment travels: the transport modes of ISO 14083 that a
    /// shop's parcels take.
    TransportMode {
        /// A truck on the road.
        Road = "road",
        /// A freight train.
        Rail = "rail",
        /// A sea vessel.
        Sea = "sea",
        /// A barge on rivers and canals.
        InlandWater = "inland_water",
        /// An aircraft.
        Air = "air",
        /// A light commercial vehicle (last-mile delivery).
        Van = "van",
        /// A cargo bike.
        CargoBike = "cargo_bike",
    }
);

/// Why a number is not a shipping distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be a whole number of kilometres, 1..=50000")]
pub struct DistanceError;

/// How far a method carries a shipment, in whole kilometres: 1 to 50,000
/// (more than the longest sea route between two ports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct DistanceKm(u32);

impl DistanceKm {
    /// The longest distance accepted.
    pub const MAX: u32 = 50_000;

    /// A distance of `km` kilometres.
    ///
    /// # Errors
    /// [`DistanceError`] outside `1..=50000`.
    pub fn new(km: i64) -> Result<Self, DistanceError> {
        match u32::try_from(km) {
            Ok(km) if (1..=Self::MAX).contains(&km) => Ok(Self(km)),
            _ => Err(DistanceError),
        }
    }

    /// The kilometres.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for DistanceKm {
    type Error = DistanceError;
    fn try_from(km: i64) -> Result<Self, DistanceError> {
        Self::new(km)
    }
}

impl From<DistanceKm> for i64 {
    fn from(d: DistanceKm) -> i64 {
        i64::from(d.0)
    }
}

/// Why a value is not an emission factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be a decimal from 0 to 100000 with at most 3 fraction digits")]
pub struct EmissionFactorError;

/// Grams of CO₂e emitted per tonne-kilometre (g CO₂e/t·km), well-to-wheel,
/// as the GLEC Framework publishes defaults per mode: a decimal from 0 to
/// 100,000 with at most three fraction digits. Factors are the shop's own:
/// its carrier's figures, or the GLEC defaults.
///
/// ```
/// use ecolaura_core::sustainability::shipping::EmissionFactor;
/// assert_eq!(EmissionFactor::parse("17.0").unwrap().to_string(), "17.0");
/// assert!(EmissionFactor::parse("-1").is_err());
/// assert!(EmissionFactor::parse("1.2345").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct EmissionFactor(Decimal);

impl EmissionFactor {
    /// The largest factor accepted.
    pub const MAX: Decimal = Decimal::from_parts(100_000, 0, 0, false, 0);
    /// Fraction digits kept.
    pub const SCALE: u32 = 3;

    /// A factor of `g_per_tkm`.
    ///
    /// # Errors
    /// [`EmissionFactorError`] below 0, above 100,000, or with more than
    /// three fraction digits.
    pub fn new(g_per_tkm: Decimal) -> Result<Self, EmissionFactorError> {
        let value = g_per_tkm.normalize();
        if value.is_sign_negative() && !value.is_zero()
            || value > Self::MAX
            || value.scale() > Self::SCALE
        {
            return Err(EmissionFactorError);
        }
        Ok(Self(value))
    }

    /// A factor from its decimal digits.
    ///
    /// # Errors
    /// [`EmissionFactorError`] for text that is not such a decimal.
    pub fn parse(text: &str) -> Result<Self, EmissionFactorError> {
        text.parse()
    }

    /// The grams per tonne-kilometre.
    pub fn g_per_tkm(self) -> Decimal {
        self.0
    }
}

impl FromStr for EmissionFactor {
    type Err = EmissionFactorError;
    fn from_str(s: &str) -> Result<Self, EmissionFactorError> {
        let d = Decimal::from_str_exact(s.trim()).map_err(|_| EmissionFactorError)?;
        Self::new(d)
    }
}

impl TryFrom<Decimal> for EmissionFactor {
    type Error = EmissionFactorError;
    fn try_from(d: Decimal) -> Result<Self, EmissionFactorError> {
        Self::new(d)
    }
}

impl From<EmissionFactor> for Decimal {
    fn from(f: EmissionFactor) -> Decimal {
        f.0
    }
}

impl fmt::Display for EmissionFactor {
    /// At least one fraction digit, as factors are published: `17.0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0;
        if shown.scale() == 0 {
            shown.rescale(1);
        }
        write!(f, "{shown}")
    }
}

/// A way the shop ships: a carrier's service over a transport mode and a
/// distance, with its emission factor and its price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingMethod {
    /// Its identifier in URLs and orders: `[a-z0-9-]{1,64}`.
    pub code: Slug,
    /// What customers read.
    pub name: ShippingName,
    /// How it travels.
    pub mode: TransportMode,
    /// How far.
    pub distance_km: DistanceKm,
    /// Its emission factor.
    pub emission_factor: EmissionFactor,
    /// What the customer pays for it, per order.
    pub price: Price,
    /// Whether customers may choose it.
    pub active: bool,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A new shipping method, its fields valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShippingMethod {
    /// Its code, unique.
    pub code: Slug,
    /// Its name.
    pub name: ShippingName,
    /// Its mode.
    pub mode: TransportMode,
    /// Its distance.
    pub distance_km: DistanceKm,
    /// Its factor.
    pub emission_factor: EmissionFactor,
    /// Its price.
    pub price: Price,
    /// Whether customers may choose it.
    pub active: bool,
}

impl NewShippingMethod {
    /// The method as made at `now`.
    pub fn made_at(self, now: Timestamp) -> ShippingMethod {
        ShippingMethod {
            code: self.code,
            name: self.name,
            mode: self.mode,
            distance_km: self.distance_km,
            emission_factor: self.emission_factor,
            price: self.price,
            active: self.active,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A change to a shipping method: fields left `None` stay as they are. The
/// code does not change: orders keep it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShippingMethodChanges {
    /// A new name.
    pub name: Option<ShippingName>,
    /// A new mode.
    pub mode: Option<TransportMode>,
    /// A new distance.
    pub distance_km: Option<DistanceKm>,
    /// A new factor.
    pub emission_factor: Option<EmissionFactor>,
    /// A new price.
    pub price: Option<Price>,
    /// Offer it to customers, or stop.
    pub active: Option<bool>,
}

impl ShippingMethodChanges {
    /// `method` with these changes, changed at `now`. Orders placed before
    /// keep the method as it was.
    pub fn apply(&self, method: &ShippingMethod, now: Timestamp) -> ShippingMethod {
        ShippingMethod {
            code: method.code.clone(),
            name: self.name.clone().unwrap_or_else(|| method.name.clone()),
            mode: self.mode.unwrap_or(method.mode),
            distance_km: self.distance_km.unwrap_or(method.distance_km),
            emission_factor: self.emission_factor.unwrap_or(method.emission_factor),
            price: self.price.unwrap_or(method.price),
            active: self.active.unwrap_or(method.active),
            created_at: method.created_at,
            updated_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_whole_kilometres_within_the_bound() {
        assert_eq!(DistanceKm::new(850).map(DistanceKm::get), Ok(850));
        assert!(DistanceKm::new(0).is_err());
        assert!(DistanceKm::new(50_001).is_err());
        assert!(DistanceKm::new(-3).is_err());
        assert!(DistanceKm::new(i64::MAX).is_err());
    }

    #[test]
    fn factors_keep_their_digits_and_refuse_what_is_out_of_range() {
        assert_eq!(EmissionFactor::parse("17").unwrap().to_string(), "17.0");
        assert_eq!(EmissionFactor::parse("0").unwrap().to_string(), "0.0");
        assert_eq!(
            EmissionFactor::parse("602.125").unwrap().to_string(),
            "602.125"
        );
        assert_eq!(EmissionFactor::parse("17.500").unwrap().to_string(), "17.5");
        assert!(EmissionFactor::parse("100000.001").is_err());
        assert!(EmissionFactor::parse("1e3").is_err());
        assert!(EmissionFactor::parse("abc").is_err());
        assert!(EmissionFactor::parse("100000").is_ok());
    }

    #[test]
    fn every_mode_reads_back_from_its_word() {
        for mode in TransportMode::ALL {
            assert_eq!(TransportMode::parse(mode.as_str()), Ok(*mode));
        }
        assert!(TransportMode::parse("teleport").is_err());
    }
}
