//! Discarded stock and the ESPR disclosure (API-SUSTAINABILITY.md, section 6).

use std::collections::BTreeMap;

use ecolaura_core::domain::Description;
use ecolaura_core::sustainability::discards::{
    Derogation, DiscardDestination, DiscardDraft, DiscardEntry, DiscardReason, DiscardReport,
    DiscardTotals, PreventionMeasures,
};
use poem_openapi::{Enum, Object};

use super::Fields;
use super::catalog::sample_time;
use super::text::{DescriptionRule, DisclosureRule, Text};

/// Why units leave the stock without being sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "DiscardReason", rename_all = "snake_case")]
pub(crate) enum DiscardReasonDto {
    /// They did not sell.
    Unsold,
    /// A customer returned them.
    Returned,
    /// They were damaged.
    Damaged,
    /// Their shelf life ended.
    Expired,
    /// The manufacturer or an authority recalled them.
    Recalled,
    /// They are unsafe.
    Safety,
}

same_terms!(
    DiscardReasonDto,
    DiscardReason {
        Unsold,
        Returned,
        Damaged,
        Expired,
        Recalled,
        Safety,
    }
);

/// Where discarded units go. `recycling`, `energy_recovery`,
/// `incineration` and `landfill` are destruction under ESPR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "DiscardDestination", rename_all = "snake_case")]
pub(crate) enum DiscardDestinationDto {
    /// Prepared for reuse.
    Reuse,
    /// Given to a charity.
    Donation,
    /// Remanufactured.
    Remanufacture,
    /// Recycled into materials.
    Recycling,
    /// Burnt with energy recovery.
    EnergyRecovery,
    /// Burnt without energy recovery.
    Incineration,
    /// Landfilled.
    Landfill,
}

same_terms!(
    DiscardDestinationDto,
    DiscardDestination {
        Reuse,
        Donation,
        Remanufacture,
        Recycling,
        EnergyRecovery,
        Incineration,
        Landfill,
    }
);

/// A discard: units taken out of stock, and where they go.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "DiscardInput", example)]
pub(crate) struct DiscardInput {
    /// Units; at most the product's stock.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000000000")))]
    pub quantity: i64,
    #[allow(missing_docs)]
    pub reason: DiscardReasonDto,
    #[allow(missing_docs)]
    pub destination: DiscardDestinationDto,
    /// The derogation of Delegated Regulation (EU) 2026/296 that allows
    /// destroying products of a category under the ban (one of `dangerous`,
    /// `non_compliant`, `ip_infringement`, `licence_expired`,
    /// `unremovable_marks`, `unrepairable_damage`, `manufacturing_defect`,
    /// `donation_refused`, `no_charity_recipient`, `no_reuse_recipient`);
    /// kept as given on other categories.
    #[oai(
        nullable,
        validator(
            pattern = r"^(dangerous|non_compliant|ip_infringement|licence_expired|unremovable_marks|unrepairable_damage|manufacturing_defect|donation_refused|no_charity_recipient|no_reuse_recipient)$"
        )
    )]
    pub derogation: Option<String>,
    /// Free text, up to 5000 characters.
    #[oai(nullable)]
    pub note: Option<Text<DescriptionRule>>,
}

impl DiscardInput {
    pub(crate) fn sample() -> Self {
        Self {
            quantity: 12,
            reason: DiscardReasonDto::Unsold,
            destination: DiscardDestinationDto::Donation,
            derogation: None,
            note: Some("Given to the local clothing bank.".into()),
        }
    }
}

impl TryFrom<&DiscardInput> for DiscardDraft {
    type Error = crate::problem::Problem;

    fn try_from(input: &DiscardInput) -> Result<Self, Self::Error> {
        let mut fields = Fields::default();
        let note = match &input.note {
            Some(text) => fields.check("note", Description::parse(text)).map(Some),
            None => Some(None),
        };
        let derogation = match &input.derogation {
            Some(word) => fields
                .check("derogation", Derogation::parse(word))
                .map(Some),
            None => Some(None),
        };
        fields.finish()?;
        Ok(DiscardDraft {
            quantity: input.quantity,
            reason: input.reason.into(),
            destination: input.destination.into(),
            derogation: derogation.flatten(),
            note: note.flatten(),
        })
    }
}

/// An entry of the discard ledger.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Discard", example)]
pub(crate) struct DiscardDto {
    /// The entry's id.
    pub id: uuid::Uuid,
    /// The product.
    pub product_id: uuid::Uuid,
    /// The product's category when the entry was made.
    #[oai(nullable)]
    pub category: Option<String>,
    /// Units taken out of stock.
    pub quantity: u32,
    /// The product's unit weight when the entry was made, kg; null when unknown.
    #[oai(nullable)]
    pub unit_weight_kg: Option<String>,
    /// `quantity` × `unit_weight_kg`; null when unknown.
    #[oai(nullable)]
    pub weight_kg: Option<String>,
    #[allow(missing_docs)]
    pub reason: DiscardReasonDto,
    #[allow(missing_docs)]
    pub destination: DiscardDestinationDto,
    /// The derogation named, if any (see `DiscardInput.derogation`).
    #[oai(nullable)]
    pub derogation: Option<String>,
    /// Free text.
    #[oai(nullable)]
    pub note: Option<String>,
    /// The staff member who made it.
    #[oai(nullable)]
    pub recorded_by: Option<uuid::Uuid>,
    /// When.
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

impl From<DiscardEntry> for DiscardDto {
    fn from(e: DiscardEntry) -> Self {
        Self {
            id: e.id.as_uuid(),
            product_id: e.product_id.as_uuid(),
            category: e.category.as_ref().map(|c| c.as_str().to_owned()),
            quantity: e.quantity,
            unit_weight_kg: e.unit_weight_kg.map(|w| w.to_string()),
            weight_kg: e.weight_kg().map(|w| w.to_string()),
            reason: e.reason.into(),
            destination: e.destination.into(),
            derogation: e.derogation.map(|d| d.as_str().to_owned()),
            note: e.note.map(|n| n.as_str().to_owned()),
            recorded_by: e.recorded_by.map(|u| u.as_uuid()),
            recorded_at: e.recorded_at,
        }
    }
}

impl DiscardDto {
    pub(crate) fn sample() -> Self {
        Self {
            id: uuid::Uuid::nil(),
            product_id: uuid::Uuid::nil(),
            category: Some("shoes".into()),
            quantity: 12,
            unit_weight_kg: Some("0.350".into()),
            weight_kg: Some("4.200".into()),
            reason: DiscardReasonDto::Unsold,
            destination: DiscardDestinationDto::Donation,
            derogation: None,
            note: Some("Given to the local clothing bank.".into()),
            recorded_by: Some(uuid::Uuid::nil()),
            recorded_at: sample_time(),
        }
    }
}

/// Units and weight of discarded products.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "DiscardTotals", example)]
pub(crate) struct DiscardTotalsDto {
    /// Units.
    pub units: u64,
    /// Weight of the units whose product had a weight, kg (a decimal string).
    pub weight_kg: String,
    /// Units whose product had no weight (not in `weight_kg`).
    pub units_unknown_weight: u64,
}

impl From<DiscardTotals> for DiscardTotalsDto {
    fn from(t: DiscardTotals) -> Self {
        Self {
            units: t.units,
            weight_kg: t.weight_kg.to_string(),
            units_unknown_weight: t.units_unknown_weight,
        }
    }
}

impl DiscardTotalsDto {
    pub(crate) fn sample() -> Self {
        Self {
            units: 15,
            weight_kg: "7.200".into(),
            units_unknown_weight: 0,
        }
    }
}

/// One category's totals.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "CategoryDiscardTotals", example)]
pub(crate) struct CategoryTotalsDto {
    /// The category's slug; null for products without a category.
    #[oai(nullable)]
    pub category: Option<String>,
    /// Units.
    pub units: u64,
    /// Weight, kg.
    pub weight_kg: String,
    /// Units without a weight.
    pub units_unknown_weight: u64,
}

impl CategoryTotalsDto {
    pub(crate) fn sample() -> Self {
        let t = DiscardTotalsDto::sample();
        Self {
            category: Some("shoes".into()),
            units: t.units,
            weight_kg: t.weight_kg,
            units_unknown_weight: t.units_unknown_weight,
        }
    }
}

/// What was discarded in a year (ESPR art. 24).
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "DiscardReport", example)]
pub(crate) struct DiscardReportDto {
    /// The calendar year (UTC).
    pub year: i32,
    /// Units discarded.
    pub units: u64,
    /// Their weight, kg, where known.
    pub weight_kg: String,
    /// Units without a weight.
    pub units_unknown_weight: u64,
    /// Totals by reason (every reason, zero where none).
    pub by_reason: BTreeMap<String, DiscardTotalsDto>,
    /// Totals by destination (every destination).
    pub by_destination: BTreeMap<String, DiscardTotalsDto>,
    /// Totals by derogation (every derogation; entries without one are in none).
    pub by_derogation: BTreeMap<String, DiscardTotalsDto>,
    /// Totals by category, by slug; products without a category last.
    pub by_category: Vec<CategoryTotalsDto>,
    /// Units delivered for reuse (donations included), remanufacturing or
    /// recycling over all units, four fraction digits; null when nothing
    /// was discarded.
    #[oai(nullable)]
    pub share_reuse_remanufacture_recycling: Option<String>,
    /// The year's statement of prevention measures; null until set.
    #[oai(nullable)]
    pub prevention_measures: Option<String>,
}

fn by_term<T: Copy>(
    rows: &[(T, DiscardTotals)],
    word: impl Fn(T) -> &'static str,
) -> BTreeMap<String, DiscardTotalsDto> {
    rows.iter()
        .map(|&(term, totals)| (word(term).to_owned(), totals.into()))
        .collect()
}

impl From<&DiscardReport> for DiscardReportDto {
    fn from(r: &DiscardReport) -> Self {
        Self {
            year: r.year.get(),
            units: r.totals.units,
            weight_kg: r.totals.weight_kg.to_string(),
            units_unknown_weight: r.totals.units_unknown_weight,
            by_reason: by_term(&r.by_reason, DiscardReason::as_str),
            by_destination: by_term(&r.by_destination, DiscardDestination::as_str),
            by_derogation: by_term(&r.by_derogation, Derogation::as_str),
            by_category: r
                .by_category
                .iter()
                .map(|c| CategoryTotalsDto {
                    category: c.category.as_ref().map(|s| s.as_str().to_owned()),
                    units: c.totals.units,
                    weight_kg: c.totals.weight_kg.to_string(),
                    units_unknown_weight: c.totals.units_unknown_weight,
                })
                .collect(),
            share_reuse_remanufacture_recycling: r
                .share_reuse_remanufacture_recycling
                .map(|s| s.to_string()),
            prevention_measures: r
                .prevention_measures
                .as_ref()
                .map(|m| m.as_str().to_owned()),
        }
    }
}

impl DiscardReportDto {
    pub(crate) fn sample() -> Self {
        let totals = |units| DiscardTotalsDto {
            units,
            ..DiscardTotalsDto::sample()
        };
        Self {
            year: 2026,
            units: 15,
            weight_kg: "7.200".into(),
            units_unknown_weight: 0,
            by_reason: [("unsold".to_owned(), totals(15))].into(),
            by_destination: [("donation".to_owned(), totals(15))].into(),
            by_derogation: BTreeMap::new(),
            by_category: vec![CategoryTotalsDto::sample()],
            share_reuse_remanufacture_recycling: Some("1.0000".into()),
            prevention_measures: Some(
                "Unsold shoes go to the outlet store after six months, then to charity.".into(),
            ),
        }
    }
}

/// The report's table as CSV (RFC 4180): a header, then one row per
/// category × reason × destination with entries.
///
/// # Errors
/// When the writer fails (it writes to memory, so only on a bug).
pub(crate) fn report_csv(r: &DiscardReport) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "year",
        "category",
        "reason",
        "destination",
        "units",
        "weight_kg",
        "units_unknown_weight",
    ])?;
    let year = r.year.to_string();
    for row in &r.rows {
        out.write_record([
            year.as_str(),
            row.category.as_ref().map_or("", |c| c.as_str()),
            row.reason.as_str(),
            row.destination.as_str(),
            &row.totals.units.to_string(),
            &row.totals.weight_kg.to_string(),
            &row.totals.units_unknown_weight.to_string(),
        ])?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A year's statement of prevention measures.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "PreventionMeasuresInput", example)]
pub(crate) struct PreventionMeasuresInput {
    /// The measures taken or planned to prevent destroying unsold
    /// products, up to 20000 characters (ESPR art. 24(1)(d)).
    pub prevention_measures: Text<DisclosureRule>,
}

impl PreventionMeasuresInput {
    pub(crate) fn sample() -> Self {
        Self {
            prevention_measures: DiscardReportDto::sample()
                .prevention_measures
                .unwrap_or_default()
                .as_str()
                .into(),
        }
    }
}

/// A year's statement of prevention measures, as set.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "PreventionMeasures", example)]
pub(crate) struct PreventionMeasuresDto {
    /// The year.
    pub year: i32,
    /// The statement.
    pub prevention_measures: String,
    /// When it was set.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<PreventionMeasures> for PreventionMeasuresDto {
    fn from(m: PreventionMeasures) -> Self {
        Self {
            year: m.year.get(),
            prevention_measures: m.text.as_str().to_owned(),
            updated_at: m.updated_at,
        }
    }
}

impl PreventionMeasuresDto {
    pub(crate) fn sample() -> Self {
        Self {
            year: 2026,
            prevention_measures: (*PreventionMeasuresInput::sample().prevention_measures)
                .to_owned(),
            updated_at: sample_time(),
        }
    }
}
