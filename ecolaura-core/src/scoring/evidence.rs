//! What a score may count beside a product's metrics: its active certified
//! claims.

use chrono::NaiveDate;

use crate::sustainability::Claim;

/// The evidence a score counts beside the metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoreEvidence {
    /// Claims whose evidence is a certificate (a certificate number, or an
    /// EN ISO 14024 type I ecolabel) that holds on the day of scoring.
    pub certified_claims: u32,
}

impl ScoreEvidence {
    /// The evidence in `claims` on `today`: a claim counts when its
    /// evidence is certified and holds today, in any market.
    pub fn of<'a>(claims: impl IntoIterator<Item = &'a Claim>, today: NaiveDate) -> Self {
        let certified = claims
            .into_iter()
            .filter(|c| {
                is_certified(c) && c.evidence.valid_from <= today && today <= c.evidence.valid_until
            })
            .count();
        Self {
            certified_claims: u32::try_from(certified).unwrap_or(u32::MAX),
        }
    }
}

/// Whether a claim's evidence is a certificate, not only a declaration.
fn is_certified(claim: &Claim) -> bool {
    claim.evidence.ecolabel_type_i
        || claim
            .evidence
            .certificate_id
            .as_deref()
            .is_some_and(|id| !id.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClaimId, ProductId};
    use crate::sustainability::{ClaimType, Evidence, Market};

    fn claim(certificate: Option<&str>, type_i: bool, from: &str, until: &str) -> Claim {
        Claim {
            id: ClaimId::new(),
            product_id: ProductId::new(),
            claim_type: ClaimType::RecycledContent,
            statement: "Made with recycled PET".into(),
            markets: vec![Market::Eu],
            evidence: Evidence {
                scheme: "Global Recycled Standard".into(),
                certificate_id: certificate.map(str::to_owned),
                issuer: "Control Union".into(),
                valid_from: from.parse().expect("date"),
                valid_until: until.parse().expect("date"),
                ecolabel_type_i: type_i,
                url: None,
            },
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn only_certified_claims_that_hold_today_count() {
        let today: NaiveDate = "2026-12-07".parse().expect("date");
        let claims = [
            claim(Some("GRS-1"), false, "2026-01-01", "2026-12-07"), // last day: counts
            claim(None, true, "2026-12-07", "2027-01-01"),           // first day, type I
            claim(None, false, "2026-01-01", "2027-01-01"),          // declared only
            claim(Some(" "), false, "2026-01-01", "2027-01-01"),     // blank number
            claim(Some("GRS-2"), false, "2026-01-01", "2026-12-06"), // lapsed
            claim(Some("GRS-3"), false, "2026-12-08", "2027-01-01"), // not yet
        ];
        assert_eq!(ScoreEvidence::of(&claims, today).certified_claims, 2);
    }
}
