//! Green claims with their evidence (API-SUSTAINABILITY.md, section 2).

use chrono::NaiveDate;
use ecolaura_core::domain::ProductName;
use ecolaura_core::sustainability::{Claim, ClaimDraft, ClaimType, Evidence, Market};
use poem_openapi::{Enum, Object};

use super::Fields;
use super::date::Date;
use super::text::{ClaimStatementRule, LabelRule, MarketRule, Text, UrlRule};

/// What a claim says about the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "ClaimType", rename_all = "snake_case")]
pub(crate) enum ClaimTypeDto {
    /// The product can be recycled.
    Recyclable,
    /// It is made of recycled material.
    RecycledContent,
    /// It biodegrades (refused for France: AGEC art. 13).
    Biodegradable,
    /// It can be composted.
    Compostable,
    /// Organic production.
    Organic,
    /// Fair trade.
    FairTrade,
    /// A lower carbon footprint.
    LowCarbon,
    /// No plastic.
    PlasticFree,
    /// It can be repaired.
    Repairable,
    /// A generic claim: refused unless the evidence is an EN ISO 14024 type I
    /// ecolabel (EmpCo), and in France (AGEC art. 13).
    EnvironmentallyFriendly,
    /// Neutral climate impact: refused in the EU (EmpCo, offsets).
    CarbonNeutral,
}

same_terms!(
    ClaimTypeDto,
    ClaimType {
        Recyclable,
        RecycledContent,
        Biodegradable,
        Compostable,
        Organic,
        FairTrade,
        LowCarbon,
        PlasticFree,
        Repairable,
        EnvironmentallyFriendly,
        CarbonNeutral,
    }
);

/// The evidence a claim rests on.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "EvidenceInput")]
pub(crate) struct EvidenceInput {
    /// The scheme or standard ("Global Recycled Standard").
    pub scheme: Text<LabelRule>,
    /// The certificate's number; never shown to the public.
    #[oai(nullable)]
    pub certificate_id: Option<Text<LabelRule>>,
    /// Who issued it.
    pub issuer: Text<LabelRule>,
    /// First day it holds.
    pub valid_from: Date,
    /// Last day it holds: after `valid_from`.
    pub valid_until: Date,
    /// Whether it is an EN ISO 14024 type I ecolabel (default false).
    #[oai(nullable)]
    pub ecolabel_type_i: Option<bool>,
    /// Where to read it (http or https).
    #[oai(nullable)]
    pub url: Option<Text<UrlRule>>,
}

/// A new claim.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ClaimInput", example)]
pub(crate) struct ClaimInput {
    #[oai(rename = "type")]
    #[allow(missing_docs)]
    pub claim_type: ClaimTypeDto,
    /// The words a storefront shows, 1..500 characters, one line.
    pub statement: Text<ClaimStatementRule>,
    /// Where it is made: `EU` or EU member states' ISO 3166-1 alpha-2 codes.
    #[oai(validator(min_items = 1, max_items = 28))]
    pub markets: Vec<Text<MarketRule>>,
    /// What it rests on.
    pub evidence: EvidenceInput,
}

impl ClaimInput {
    pub(crate) fn sample() -> Self {
        let date = |y, m, d| Date(NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default());
        Self {
            claim_type: ClaimTypeDto::RecycledContent,
            statement: "Made with 80% recycled PET".into(),
            markets: vec!["EU".into(), "FR".into()],
            evidence: EvidenceInput {
                scheme: "Global Recycled Standard".into(),
                certificate_id: Some("GRS-2291".into()),
                issuer: "Control Union".into(),
                valid_from: date(2026, 1, 1),
                valid_until: date(2027, 6, 30),
                ecolabel_type_i: Some(false),
                url: Some("https://example.org/certificates/GRS-2291".into()),
            },
        }
    }
}

/// A draft for the core's policy; a market outside the EU is a field error.
impl TryFrom<&ClaimInput> for ClaimDraft {
    type Error = crate::problem::Problem;

    fn try_from(input: &ClaimInput) -> Result<Self, Self::Error> {
        let mut fields = Fields::default();
        let markets: Vec<Market> = input
            .markets
            .iter()
            .enumerate()
            .filter_map(|(i, m)| fields.check(&format!("markets[{i}]"), Market::parse(m)))
            .collect();
        fields.finish()?;
        let e = &input.evidence;
        Ok(ClaimDraft {
            claim_type: input.claim_type.into(),
            statement: input.statement.to_string(),
            markets,
            evidence: Evidence {
                scheme: e.scheme.to_string(),
                certificate_id: e.certificate_id.as_ref().map(|c| c.to_string()),
                issuer: e.issuer.to_string(),
                valid_from: e.valid_from.0,
                valid_until: e.valid_until.0,
                ecolabel_type_i: e.ecolabel_type_i.unwrap_or(false),
                url: e.url.as_ref().map(|u| u.to_string()),
            },
        })
    }
}

/// Whether a claim's evidence holds today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "ClaimStatus", rename_all = "snake_case")]
pub(crate) enum ClaimStatusDto {
    /// Its evidence holds today: it is shown in its markets.
    Active,
    /// Its evidence starts later.
    NotYetValid,
    /// Its evidence has lapsed: it is shown nowhere.
    Lapsed,
}

/// The evidence of a claim.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "Evidence")]
pub(crate) struct EvidenceDto {
    /// The scheme or standard.
    pub scheme: String,
    /// The certificate's number (staff only; null for others).
    #[oai(nullable)]
    pub certificate_id: Option<String>,
    /// Who issued it.
    pub issuer: String,
    /// First day it holds.
    pub valid_from: Date,
    /// Last day it holds.
    pub valid_until: Date,
    /// Whether it is an EN ISO 14024 type I ecolabel.
    pub ecolabel_type_i: bool,
    /// Where to read it.
    #[oai(nullable)]
    pub url: Option<String>,
}

/// A claim on a product.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "Claim", example)]
pub(crate) struct ClaimDto {
    /// The claim's id.
    pub id: uuid::Uuid,
    #[oai(rename = "type")]
    #[allow(missing_docs)]
    pub claim_type: ClaimTypeDto,
    /// The words a storefront shows.
    pub statement: String,
    /// Where it is made.
    pub markets: Vec<String>,
    /// What it rests on.
    pub evidence: EvidenceDto,
    #[allow(missing_docs)]
    pub status: ClaimStatusDto,
    /// When it was made.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl ClaimDto {
    /// The claim as read on `today`; `staff` see the certificate id.
    pub(crate) fn of(claim: Claim, today: NaiveDate, staff: bool) -> Self {
        let e = claim.evidence;
        let status = if today < e.valid_from {
            ClaimStatusDto::NotYetValid
        } else if today > e.valid_until {
            ClaimStatusDto::Lapsed
        } else {
            ClaimStatusDto::Active
        };
        Self {
            id: claim.id.as_uuid(),
            claim_type: claim.claim_type.into(),
            statement: claim.statement,
            markets: claim
                .markets
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect(),
            evidence: EvidenceDto {
                scheme: e.scheme,
                certificate_id: e.certificate_id.filter(|_| staff),
                issuer: e.issuer,
                valid_from: e.valid_from.into(),
                valid_until: e.valid_until.into(),
                ecolabel_type_i: e.ecolabel_type_i,
                url: e.url,
            },
            status,
            created_at: claim.created_at,
        }
    }

    pub(crate) fn sample() -> Self {
        let input = ClaimInput::sample();
        let date = |y, m, d| Date(NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default());
        Self {
            id: uuid::Uuid::nil(),
            claim_type: input.claim_type,
            statement: input.statement.to_string(),
            markets: vec!["EU".into(), "FR".into()],
            evidence: EvidenceDto {
                scheme: "Global Recycled Standard".into(),
                certificate_id: Some("GRS-2291".into()),
                issuer: "Control Union".into(),
                valid_from: date(2026, 1, 1),
                valid_until: date(2027, 6, 30),
                ecolabel_type_i: false,
                url: Some("https://example.org/certificates/GRS-2291".into()),
            },
            status: ClaimStatusDto::Active,
            created_at: "2026-11-24T09:30:00Z".parse().unwrap_or_default(),
        }
    }
}

/// A claim as a product read shows it: one that holds today in the
/// reader's market.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ShownClaim")]
pub(crate) struct ShownClaimDto {
    /// The claim's id.
    pub id: uuid::Uuid,
    #[oai(rename = "type")]
    #[allow(missing_docs)]
    pub claim_type: ClaimTypeDto,
    /// The words a storefront shows.
    pub statement: String,
    /// The scheme or standard its evidence comes from.
    pub scheme: String,
    /// The last day its evidence holds; the claim is gone from reads the
    /// day after.
    pub valid_until: Date,
}

impl From<Claim> for ShownClaimDto {
    fn from(claim: Claim) -> Self {
        Self {
            id: claim.id.as_uuid(),
            claim_type: claim.claim_type.into(),
            statement: claim.statement,
            scheme: claim.evidence.scheme,
            valid_until: claim.evidence.valid_until.into(),
        }
    }
}

impl ShownClaimDto {
    pub(crate) fn sample() -> Self {
        let claim = ClaimDto::sample();
        Self {
            id: claim.id,
            claim_type: claim.claim_type,
            statement: claim.statement,
            scheme: claim.evidence.scheme,
            valid_until: claim.evidence.valid_until,
        }
    }
}

/// A product, as a claim report names it.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ClaimProduct")]
pub(crate) struct ClaimProductDto {
    /// The product's id.
    pub id: uuid::Uuid,
    /// Its name.
    pub name: String,
}

/// A claim whose evidence lapses soon, with its product.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ExpiringClaim")]
pub(crate) struct ExpiringClaimDto {
    /// The claim.
    pub claim: ClaimDto,
    /// Its product.
    pub product: ClaimProductDto,
}

impl ExpiringClaimDto {
    /// A row of the report read on `today` (by staff).
    pub(crate) fn of((claim, name): (Claim, ProductName), today: NaiveDate) -> Self {
        let product = ClaimProductDto {
            id: claim.product_id.as_uuid(),
            name: name.as_str().to_owned(),
        };
        Self {
            claim: ClaimDto::of(claim, today, true),
            product,
        }
    }
}
