//! Which claims a reader sees on a set of products, and until when that
//! selection holds.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Claim, Market};
use crate::domain::{ProductId, Timestamp};

/// The claims shown in one market on one day, by product, and the first
/// day on which that may change with no write: a claim's evidence starting
/// to hold, or the day after it lapses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShownClaims {
    by_product: HashMap<ProductId, Vec<Claim>>,
    changes_on: Option<NaiveDate>,
}

impl ShownClaims {
    /// Select from `claims` those [shown](Claim::shown) in `market` on
    /// `today`, keeping their order within each product.
    pub fn select(
        claims: impl IntoIterator<Item = Claim>,
        market: Market,
        today: NaiveDate,
    ) -> Self {
        let mut selected = Self::default();
        for claim in claims {
            if !claim.markets.iter().any(|m| m.shows_in(market)) {
                continue; // never shown here, whatever the date
            }
            if let Some(day) = claim.next_change_after(today) {
                selected.changes_on = Some(selected.changes_on.map_or(day, |d| d.min(day)));
            }
            if claim.shown(market, today) {
                selected
                    .by_product
                    .entry(claim.product_id)
                    .or_default()
                    .push(claim);
            }
        }
        selected
    }

    /// Take the claims shown on `product` (none for a product not selected).
    pub fn take(&mut self, product: ProductId) -> Vec<Claim> {
        self.by_product.remove(&product).unwrap_or_default()
    }

    /// The first day on which the selection may change with no write.
    pub fn changes_on(&self) -> Option<NaiveDate> {
        self.changes_on
    }

    /// The first instant at which the selection may stop being true: the
    /// start (00:00 UTC) of [`ShownClaims::changes_on`]. `None`: true until
    /// a write changes the claims.
    pub fn true_until(&self) -> Option<Timestamp> {
        self.changes_on
            .and_then(|day| day.and_hms_opt(0, 0, 0))
            .map(|midnight| midnight.and_utc())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::ClaimId;
    use crate::sustainability::{ClaimType, Evidence};

    fn day(offset: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, 1).expect("date") + chrono::Duration::days(offset)
    }

    fn claim(product: ProductId, market: &str, from: i64, until: i64) -> Claim {
        Claim {
            id: ClaimId::new(),
            product_id: product,
            claim_type: ClaimType::Repairable,
            statement: "Repairable for ten years".into(),
            markets: vec![Market::parse(market).expect("market")],
            evidence: Evidence {
                scheme: "Repair index".into(),
                certificate_id: None,
                issuer: "Ministry".into(),
                valid_from: day(from),
                valid_until: day(until),
                ecolabel_type_i: false,
                url: None,
            },
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_selection_holds_until_the_day_after_a_shown_claim_lapses() {
        let p = ProductId::new();
        let lapsing = claim(p, "EU", -10, 5);
        let lasting = claim(p, "FR", -10, 50);
        let mut shown = ShownClaims::select(
            [lapsing.clone(), lasting.clone()],
            Market::parse("FR").expect("FR"),
            day(0),
        );
        assert_eq!(shown.changes_on(), Some(day(6)));
        assert_eq!(
            shown.true_until().map(|t| t.to_rfc3339()),
            Some("2027-01-07T00:00:00+00:00".to_owned())
        );
        assert_eq!(shown.take(p), [lapsing, lasting]);
        assert!(shown.take(ProductId::new()).is_empty());
    }

    #[test]
    fn a_claim_that_starts_later_bounds_the_selection_though_not_shown_yet() {
        let p = ProductId::new();
        let mut shown = ShownClaims::select([claim(p, "EU", 3, 30)], Market::Eu, day(0));
        assert!(shown.take(p).is_empty());
        assert_eq!(shown.changes_on(), Some(day(3)));
    }

    #[test]
    fn claims_of_another_market_neither_show_nor_bound_it() {
        let p = ProductId::new();
        let shown = ShownClaims::select(
            [claim(p, "DE", -3, 1)],
            Market::parse("FR").expect("FR"),
            day(0),
        );
        assert_eq!(shown, ShownClaims::default());
        assert_eq!(shown.true_until(), None);
    }

    proptest! {
        /// Until the day the selection names, every day selects the same
        /// claims; on that day, something changes.
        #[test]
        fn the_selection_is_the_same_every_day_until_it_says_it_changes(
            periods in proptest::collection::vec((-20i64..20, 1i64..20), 0..6),
            on in 0usize..3,
        ) {
            let p = ProductId::new();
            let markets = ["EU", "FR", "DE"];
            let claims: Vec<Claim> = periods
                .iter()
                .enumerate()
                .map(|(i, (from, len))| claim(p, markets[i % 3], *from, from + len))
                .collect();
            let market = Market::parse(markets[on]).expect("market");
            let ids = |today: NaiveDate| -> Vec<ClaimId> {
                ShownClaims::select(claims.clone(), market, today)
                    .take(p)
                    .into_iter()
                    .map(|c| c.id)
                    .collect()
            };
            let first = ShownClaims::select(claims.clone(), market, day(0));
            let end = first.changes_on().unwrap_or(day(60)).min(day(60));
            let mut today = day(0);
            while today < end {
                prop_assert_eq!(ids(today), ids(day(0)));
                today = today.succ_opt().expect("day");
            }
            if first.changes_on().is_some() {
                prop_assert_ne!(ids(end), ids(day(0)));
            }
        }
    }
}
