//! Green claims: environmental statements a storefront may show, each with
//! the evidence behind it, refused when a rule of the markets it is made in
//! forbids it (see [`ClaimPolicy`]) and shown only while its evidence holds.

mod market;
mod policy;
mod shown;

pub use market::{EU_STATES, Market, MarketError};
pub use policy::{
    AgecArticle13, ClaimContext, ClaimPolicy, ClaimRule, ClaimVerdict, EmpCoGenericClaims,
    EmpCoOffsets, MetricsAgreement, Refusal, metrics_contradicting_claims,
};
pub use shown::ShownClaims;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::errors::Errors;
use super::vocabulary::vocabulary;
use crate::domain::{ClaimId, ProductId, Timestamp};

vocabulary!(
    /// What a claim says about the product.
    ClaimType {
        /// The product can be recycled.
        Recyclable = "recyclable",
        /// It is made of recycled material.
        RecycledContent = "recycled_content",
        /// It biodegrades.
        Biodegradable = "biodegradable",
        /// It can be composted.
        Compostable = "compostable",
        /// Organic production.
        Organic = "organic",
        /// Fair trade.
        FairTrade = "fair_trade",
        /// A lower carbon footprint.
        LowCarbon = "low_carbon",
        /// No plastic.
        PlasticFree = "plastic_free",
        /// It can be repaired.
        Repairable = "repairable",
        /// A generic claim ("eco-friendly", "green").
        EnvironmentallyFriendly = "environmentally_friendly",
        /// Neutral impact on the climate.
        CarbonNeutral = "carbon_neutral",
    }
);

/// The most characters of a statement.
pub const MAX_STATEMENT_CHARS: usize = 500;
/// The most characters of an evidence text field (scheme, issuer, …).
pub const MAX_EVIDENCE_CHARS: usize = 200;
/// The most characters of an evidence URL.
pub const MAX_URL_CHARS: usize = 2_000;

/// What a claim rests on: a certification or a test, valid for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The scheme or standard ("Global Recycled Standard").
    pub scheme: String,
    /// The certificate's number, if any (not shown to the public).
    pub certificate_id: Option<String>,
    /// Who issued it.
    pub issuer: String,
    /// First day it holds.
    pub valid_from: NaiveDate,
    /// Last day it holds (after `valid_from`).
    pub valid_until: NaiveDate,
    /// Whether it is an EN ISO 14024 type I ecolabel (EU Ecolabel, Blue
    /// Angel, Nordic Swan, …).
    pub ecolabel_type_i: bool,
    /// Where to read it, if published.
    pub url: Option<String>,
}

/// A claim as staff send it, before its rules are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimDraft {
    /// What it says.
    pub claim_type: ClaimType,
    /// The words a storefront shows (1..=500 characters, one line).
    pub statement: String,
    /// Where it is made (at least one; repeats are folded).
    pub markets: Vec<Market>,
    /// What it rests on.
    pub evidence: Evidence,
}

/// A claim on a product, its rules checked when it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// Its id.
    pub id: ClaimId,
    /// The product it is about.
    pub product_id: ProductId,
    /// What it says.
    pub claim_type: ClaimType,
    /// The words a storefront shows.
    pub statement: String,
    /// Where it is made, without repeats, in order.
    pub markets: Vec<Market>,
    /// What it rests on.
    pub evidence: Evidence,
    /// When it was made.
    pub created_at: Timestamp,
}

impl Claim {
    /// Roughly how many bytes this claim takes in memory.
    pub fn approx_bytes(&self) -> usize {
        let e = &self.evidence;
        std::mem::size_of::<Self>()
            + self.statement.len()
            + self.markets.len() * std::mem::size_of::<Market>()
            + e.scheme.len()
            + e.issuer.len()
            + e.certificate_id.as_ref().map_or(0, String::len)
            + e.url.as_ref().map_or(0, String::len)
    }

    /// Whether a reader in `market` sees it on `today`: made for that
    /// market (or the whole EU) and its evidence holds today.
    pub fn shown(&self, market: Market, today: NaiveDate) -> bool {
        self.markets.iter().any(|m| m.shows_in(market))
            && self.evidence.valid_from <= today
            && today <= self.evidence.valid_until
    }

    /// The first day after `today` on which [`Claim::shown`] may change
    /// for some market: when its evidence starts to hold, or the day after
    /// it lapses. `None` when it never changes again.
    pub fn next_change_after(&self, today: NaiveDate) -> Option<NaiveDate> {
        let lapse = self.evidence.valid_until.succ_opt();
        [Some(self.evidence.valid_from), lapse]
            .into_iter()
            .flatten()
            .filter(|d| *d > today)
            .min()
    }
}

/// The field errors of a draft's own form (texts, dates, markets), before
/// any market's rule: every one, in field order.
pub(crate) fn form_errors(draft: &ClaimDraft) -> Errors {
    let mut errors = Errors::default();
    errors.text("statement", &draft.statement, MAX_STATEMENT_CHARS);
    if draft.markets.is_empty() {
        errors.add("markets", "must name at least one market");
    }
    let e = &draft.evidence;
    errors.text("evidence.scheme", &e.scheme, MAX_EVIDENCE_CHARS);
    if let Some(id) = &e.certificate_id {
        errors.text("evidence.certificate_id", id, MAX_EVIDENCE_CHARS);
    }
    errors.text("evidence.issuer", &e.issuer, MAX_EVIDENCE_CHARS);
    if e.valid_until <= e.valid_from {
        errors.add("evidence.valid_until", "must be after evidence.valid_from");
    }
    if let Some(url) = &e.url
        && !is_evidence_url(url)
    {
        errors.add(
            "evidence.url",
            format!("must be an http(s) URL of at most {MAX_URL_CHARS} characters"),
        );
    }
    errors
}

/// Whether `url` is an `http://` or `https://` URL with something after
/// the scheme, no white space, at most [`MAX_URL_CHARS`] characters.
pub fn is_evidence_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.chars().any(char::is_whitespace))
        && url.chars().count() <= MAX_URL_CHARS
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub(crate) fn evidence() -> Evidence {
        Evidence {
            scheme: "Global Recycled Standard".into(),
            certificate_id: Some("GRS-2291".into()),
            issuer: "Control Union".into(),
            valid_from: day(2026, 1, 1),
            valid_until: day(2027, 6, 30),
            ecolabel_type_i: false,
            url: Some("https://example.org/grs-2291".into()),
        }
    }

    fn claim(markets: &[&str]) -> Claim {
        Claim {
            id: ClaimId::new(),
            product_id: ProductId::new(),
            claim_type: ClaimType::RecycledContent,
            statement: "Made with 80% recycled PET".into(),
            markets: markets.iter().map(|m| Market::parse(m).unwrap()).collect(),
            evidence: evidence(),
            created_at: Timestamp::default(),
        }
    }

    #[test]
    fn a_claim_shows_in_its_markets_while_its_evidence_holds() {
        let c = claim(&["FR"]);
        let fr = Market::parse("FR").unwrap();
        assert!(c.shown(fr, day(2026, 1, 1)));
        assert!(c.shown(fr, day(2027, 6, 30)));
        assert!(!c.shown(fr, day(2027, 7, 1)), "the day after it lapses");
        assert!(!c.shown(fr, day(2025, 12, 31)), "before it holds");
        assert!(!c.shown(Market::Eu, day(2026, 6, 1)));
        assert!(claim(&["EU"]).shown(fr, day(2026, 6, 1)));
    }

    #[test]
    fn the_next_change_is_the_start_or_the_day_after_the_lapse() {
        let c = claim(&["EU"]);
        assert_eq!(c.next_change_after(day(2025, 6, 1)), Some(day(2026, 1, 1)));
        assert_eq!(c.next_change_after(day(2026, 6, 1)), Some(day(2027, 7, 1)));
        assert_eq!(c.next_change_after(day(2027, 7, 1)), None);
    }

    #[test]
    fn form_errors_name_every_field() {
        let mut d = ClaimDraft {
            claim_type: ClaimType::Organic,
            statement: " ".into(),
            markets: Vec::new(),
            evidence: evidence(),
        };
        d.evidence.scheme = String::new();
        d.evidence.issuer = "a\u{7}b".into();
        d.evidence.valid_until = d.evidence.valid_from;
        d.evidence.url = Some("ftp://x".into());
        let fields: Vec<_> = form_errors(&d)
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "statement",
                "markets",
                "evidence.scheme",
                "evidence.issuer",
                "evidence.valid_until",
                "evidence.url"
            ]
        );
    }
}
