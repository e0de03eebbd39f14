//! Discarded stock: an append-only ledger of the units a shop takes out of
//! stock without selling them and where they went, the ban on destroying
//! unsold apparel and footwear (ESPR art. 25, see [`destruction_ban`]) and
//! the yearly disclosure of art. 24 ([`DiscardReport`]).

mod ban;
mod report;

pub use ban::{DESTRUCTION_BAN_RULE, DestructionBanned, destruction_ban};
pub use report::{
    CategoryTotals, DiscardGroup, DiscardReport, DiscardTotals, ReportRow, ReportYear,
    ReportYearError,
};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::FieldError;
use super::errors::Errors;
use super::vocabulary::vocabulary;
use crate::domain::{
    Description, DiscardId, Disclosure, ProductId, Slug, Stock, Timestamp, UserId, WeightKg,
};

vocabulary!(
    /// Why units leave the stock without being sold.
    DiscardReason {
        /// They did not sell.
        Unsold = "unsold",
        /// A customer returned them.
        Returned = "returned",
        /// They were damaged.
        Damaged = "damaged",
        /// Their shelf life ended.
        Expired = "expired",
        /// The manufacturer or an authority recalled them.
        Recalled = "recalled",
        /// They are unsafe.
        Safety = "safety",
    }
);

vocabulary!(
    /// Where discarded units go (the waste hierarchy of Directive
    /// 2008/98/EC art. 4, most preferred first).
    DiscardDestination {
        /// Prepared for reuse and sold or given on as they are.
        Reuse = "reuse",
        /// Given to a charity.
        Donation = "donation",
        /// Remanufactured into products.
        Remanufacture = "remanufacture",
        /// Recycled into materials.
        Recycling = "recycling",
        /// Burnt with energy recovery.
        EnergyRecovery = "energy_recovery",
        /// Burnt without energy recovery.
        Incineration = "incineration",
        /// Landfilled.
        Landfill = "landfill",
    }
);

impl DiscardDestination {
    /// Whether ESPR counts this as destruction: everything but preparing
    /// for reuse (Regulation (EU) 2024/1781, art. 2(44): "destruction" is
    /// the intentional damaging or discarding of a product as waste, except
    /// for the sole purpose of delivering it for preparing for reuse,
    /// including remanufacturing). Reuse, donation and remanufacture keep
    /// the product a product; the other four make it waste.
    pub fn is_destruction(self) -> bool {
        matches!(
            self,
            DiscardDestination::Recycling
                | DiscardDestination::EnergyRecovery
                | DiscardDestination::Incineration
                | DiscardDestination::Landfill
        )
    }

    /// Whether units sent here count in the report's
    /// `share_reuse_remanufacture_recycling` (ESPR art. 24(1)(c): the share
    /// delivered for preparing for reuse, remanufacturing or recycling;
    /// a donation is a reuse).
    pub fn is_reuse_remanufacture_or_recycling(self) -> bool {
        matches!(
            self,
            DiscardDestination::Reuse
                | DiscardDestination::Donation
                | DiscardDestination::Remanufacture
                | DiscardDestination::Recycling
        )
    }
}

vocabulary!(
    /// The derogations from the destruction ban that Delegated Regulation
    /// (EU) 2026/296 lays down (ESPR art. 25(5)).
    Derogation {
        /// Destroying them is necessary for health, safety or the
        /// environment (dangerous goods).
        Dangerous = "dangerous",
        /// They do not comply with Union or national law and cannot be
        /// made to.
        NonCompliant = "non_compliant",
        /// They infringe intellectual property rights (counterfeits).
        IpInfringement = "ip_infringement",
        /// The licence to sell them expired.
        LicenceExpired = "licence_expired",
        /// They carry marks (a brand, a defective print) that cannot be
        /// removed for reuse.
        UnremovableMarks = "unremovable_marks",
        /// They are damaged beyond repair at a reasonable cost.
        UnrepairableDamage = "unrepairable_damage",
        /// A manufacturing defect makes them unfit for their purpose.
        ManufacturingDefect = "manufacturing_defect",
        /// A donation was offered and refused.
        DonationRefused = "donation_refused",
        /// No charity could be found to take them.
        NoCharityRecipient = "no_charity_recipient",
        /// No one could be found to prepare them for reuse or to
        /// remanufacture them.
        NoReuseRecipient = "no_reuse_recipient",
    }
);

/// The most units one entry may discard: as many as a product can hold.
pub const MAX_DISCARD_UNITS: u32 = Stock::MAX;

/// A discard as staff ask for it, before its rules are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscardDraft {
    /// Units taken out of stock.
    pub quantity: i64,
    /// Why.
    pub reason: DiscardReason,
    /// Where they go.
    pub destination: DiscardDestination,
    /// The derogation that allows destroying them, if any.
    pub derogation: Option<Derogation>,
    /// Free text.
    pub note: Option<Description>,
}

impl DiscardDraft {
    /// The units, when `quantity` is in `1..=MAX_DISCARD_UNITS`.
    ///
    /// # Errors
    /// The broken rule of `quantity`.
    pub fn units(&self) -> Result<u32, Vec<FieldError>> {
        let mut errors = Errors::default();
        let units = u32::try_from(self.quantity)
            .ok()
            .filter(|q| (1..=MAX_DISCARD_UNITS).contains(q));
        if units.is_none() {
            errors.add(
                "quantity",
                format!("must be an integer between 1 and {MAX_DISCARD_UNITS}"),
            );
        }
        units.ok_or_else(|| errors.into_vec())
    }
}

/// One entry of the ledger: units of a product taken out of stock, with
/// what the report needs of the product as it was then (its category and
/// unit weight), so that a later change of the product does not rewrite
/// what was disclosed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscardEntry {
    /// Identifier (UUID v7).
    pub id: DiscardId,
    /// The product.
    pub product_id: ProductId,
    /// The product's category when the entry was made.
    pub category: Option<Slug>,
    /// Units taken out of stock.
    pub quantity: u32,
    /// The weight of one unit when the entry was made, if known.
    pub unit_weight_kg: Option<WeightKg>,
    /// Why.
    pub reason: DiscardReason,
    /// Where they went.
    pub destination: DiscardDestination,
    /// The derogation that allowed destroying them, if any.
    pub derogation: Option<Derogation>,
    /// Free text.
    pub note: Option<Description>,
    /// The staff member who made it (`None`: the library itself).
    pub recorded_by: Option<UserId>,
    /// When.
    pub recorded_at: Timestamp,
}

impl DiscardEntry {
    /// The entry's weight: `quantity` × the unit weight, when known.
    pub fn weight_kg(&self) -> Option<Decimal> {
        self.unit_weight_kg
            .map(|w| w.kg().saturating_mul(Decimal::from(self.quantity)))
    }
}

/// A year's statement of the measures taken or planned to prevent the
/// destruction of unsold products (ESPR art. 24(1)(d)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreventionMeasures {
    /// The year it covers.
    pub year: ReportYear,
    /// The statement.
    pub text: Disclosure,
    /// When it was last set.
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(quantity: i64) -> DiscardDraft {
        DiscardDraft {
            quantity,
            reason: DiscardReason::Unsold,
            destination: DiscardDestination::Donation,
            derogation: None,
            note: None,
        }
    }

    #[test]
    fn a_quantity_is_one_to_the_most_a_product_can_hold() {
        assert_eq!(draft(1).units(), Ok(1));
        assert_eq!(
            draft(i64::from(MAX_DISCARD_UNITS)).units(),
            Ok(MAX_DISCARD_UNITS)
        );
        for bad in [0, -1, i64::from(MAX_DISCARD_UNITS) + 1, i64::MAX] {
            let errors = draft(bad).units().unwrap_err();
            assert_eq!(errors[0].field, "quantity", "{bad}");
        }
    }

    #[test]
    fn only_preparing_for_reuse_is_not_destruction() {
        let kept: Vec<_> = DiscardDestination::ALL
            .iter()
            .filter(|d| !d.is_destruction())
            .map(|d| d.as_str())
            .collect();
        assert_eq!(kept, ["reuse", "donation", "remanufacture"]);
    }

    #[test]
    fn recycling_is_destruction_yet_counts_in_the_recovery_share() {
        assert!(DiscardDestination::Recycling.is_destruction());
        assert!(DiscardDestination::Recycling.is_reuse_remanufacture_or_recycling());
        assert!(!DiscardDestination::EnergyRecovery.is_reuse_remanufacture_or_recycling());
    }

    #[test]
    fn an_entry_weighs_its_units_times_the_unit_weight() {
        let entry = DiscardEntry {
            id: DiscardId::new(),
            product_id: ProductId::new(),
            category: None,
            quantity: 12,
            unit_weight_kg: Some("0.350".parse().unwrap()),
            reason: DiscardReason::Unsold,
            destination: DiscardDestination::Donation,
            derogation: None,
            note: None,
            recorded_by: None,
            recorded_at: chrono::Utc::now(),
        };
        assert_eq!(entry.weight_kg(), Some("4.200".parse().unwrap()));
        let unknown = DiscardEntry {
            unit_weight_kg: None,
            ..entry
        };
        assert_eq!(unknown.weight_kg(), None);
    }
}
