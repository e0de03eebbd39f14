//! The yearly disclosure of discarded unsold products (ESPR art. 24(1)):
//! units and weight, by reason, destination, derogation and category, and
//! the share delivered for reuse, remanufacturing or recycling. The store
//! sums a year's entries into [`DiscardGroup`]s; [`DiscardReport::fold`]
//! makes the report from them, so both SQL backends and the in-memory one
//! report by the same rule.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Derogation, DiscardDestination, DiscardReason};
use crate::domain::{Disclosure, Slug, Timestamp, WeightKg};

/// Why a number is not a report year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "must be a year between {} and {}",
    ReportYear::FIRST,
    ReportYear::LAST
)]
pub struct ReportYearError;

/// A calendar year (UTC) a report covers: `1970..=9999`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct ReportYear(i32);

impl ReportYear {
    /// The first year accepted.
    pub const FIRST: i32 = 1970;
    /// The last year accepted.
    pub const LAST: i32 = 9999;

    /// A year in `FIRST..=LAST`.
    ///
    /// # Errors
    /// [`ReportYearError`] outside that range.
    pub fn new(year: i64) -> Result<Self, ReportYearError> {
        i32::try_from(year)
            .ok()
            .filter(|y| (Self::FIRST..=Self::LAST).contains(y))
            .map(Self)
            .ok_or(ReportYearError)
    }

    /// The year.
    pub fn get(self) -> i32 {
        self.0
    }

    /// Its first instant and the first instant of the next year: entries
    /// recorded in `start..end` belong to it.
    pub fn bounds(self) -> (Timestamp, Timestamp) {
        (Self::start_of(self.0), Self::start_of(self.0 + 1))
    }

    fn start_of(year: i32) -> Timestamp {
        let day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MAX);
        Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN))
    }
}

impl TryFrom<i32> for ReportYear {
    type Error = ReportYearError;
    fn try_from(year: i32) -> Result<Self, ReportYearError> {
        Self::new(year.into())
    }
}

impl From<ReportYear> for i32 {
    fn from(y: ReportYear) -> i32 {
        y.0
    }
}

impl std::fmt::Display for ReportYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A year's entries of one kind, summed by the store: every entry with the
/// same category, reason, destination, derogation and unit weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscardGroup {
    /// The product's category when the entries were made.
    pub category: Option<Slug>,
    /// Why.
    pub reason: DiscardReason,
    /// Where to.
    pub destination: DiscardDestination,
    /// Under which derogation.
    pub derogation: Option<Derogation>,
    /// The weight of one unit, if known.
    pub unit_weight_kg: Option<WeightKg>,
    /// The units of those entries.
    pub units: u64,
}

/// Units and weight of some discarded products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscardTotals {
    /// Units.
    pub units: u64,
    /// Weight of the units whose weight is known, kg (three fraction digits).
    pub weight_kg: Decimal,
    /// Units whose product had no weight: not in `weight_kg`.
    pub units_unknown_weight: u64,
}

impl Default for DiscardTotals {
    fn default() -> Self {
        Self {
            units: 0,
            weight_kg: Decimal::new(0, WeightKg::SCALE),
            units_unknown_weight: 0,
        }
    }
}

impl DiscardTotals {
    fn add(&mut self, group: &DiscardGroup) {
        self.units = self.units.saturating_add(group.units);
        match group.unit_weight_kg {
            Some(w) => {
                let weight = w.kg().saturating_mul(Decimal::from(group.units));
                self.weight_kg = self.weight_kg.saturating_add(weight);
            }
            None => {
                self.units_unknown_weight = self.units_unknown_weight.saturating_add(group.units);
            }
        }
    }
}

/// The totals of one category (`None`: products without one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryTotals {
    /// The category.
    pub category: Option<Slug>,
    /// Its totals.
    pub totals: DiscardTotals,
}

/// One row of the report's table: a category × reason × destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    /// The category (`None`: products without one).
    pub category: Option<Slug>,
    /// Why.
    pub reason: DiscardReason,
    /// Where to.
    pub destination: DiscardDestination,
    /// Its totals.
    pub totals: DiscardTotals,
}

/// What was discarded in a year (ESPR art. 24(1)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscardReport {
    /// The year.
    pub year: ReportYear,
    /// Everything.
    pub totals: DiscardTotals,
    /// By reason, every reason in documentation order (zero where none).
    pub by_reason: Vec<(DiscardReason, DiscardTotals)>,
    /// By destination, every destination in documentation order.
    pub by_destination: Vec<(DiscardDestination, DiscardTotals)>,
    /// By derogation, every derogation in documentation order (entries
    /// without one are in no row).
    pub by_derogation: Vec<(Derogation, DiscardTotals)>,
    /// By category, by slug, products without a category last; only
    /// categories with entries.
    pub by_category: Vec<CategoryTotals>,
    /// The share of units delivered for reuse (donations included),
    /// remanufacturing or recycling, in `0..=1` with four fraction digits;
    /// `None` when nothing was discarded.
    pub share_reuse_remanufacture_recycling: Option<Decimal>,
    /// The year's statement of prevention measures, if set.
    pub prevention_measures: Option<Disclosure>,
    /// The table: one row per category × reason × destination with
    /// entries, by category (as `by_category`), reason, destination.
    pub rows: Vec<ReportRow>,
}

/// Fraction digits of the share.
const SHARE_SCALE: u32 = 4;

impl DiscardReport {
    /// The report of `year` from the store's groups of its entries.
    pub fn fold(
        year: ReportYear,
        groups: &[DiscardGroup],
        prevention_measures: Option<Disclosure>,
    ) -> Self {
        let mut totals = DiscardTotals::default();
        let mut by_reason = vec![DiscardTotals::default(); DiscardReason::ALL.len()];
        let mut by_destination = vec![DiscardTotals::default(); DiscardDestination::ALL.len()];
        let mut by_derogation = vec![DiscardTotals::default(); Derogation::ALL.len()];
        // `None` sorts first in a BTreeMap; the report lists it last.
        let mut by_category: BTreeMap<Option<&Slug>, DiscardTotals> = BTreeMap::new();
        let mut rows: BTreeMap<(Option<&Slug>, usize, usize), DiscardTotals> = BTreeMap::new();
        let mut recovered: u64 = 0;
        for g in groups {
            let reason = position(DiscardReason::ALL, g.reason);
            let destination = position(DiscardDestination::ALL, g.destination);
            totals.add(g);
            by_reason[reason].add(g);
            by_destination[destination].add(g);
            if let Some(d) = g.derogation {
                by_derogation[position(Derogation::ALL, d)].add(g);
            }
            by_category.entry(g.category.as_ref()).or_default().add(g);
            rows.entry((g.category.as_ref(), reason, destination))
                .or_default()
                .add(g);
            if g.destination.is_reuse_remanufacture_or_recycling() {
                recovered = recovered.saturating_add(g.units);
            }
        }
        let share = (totals.units > 0).then(|| {
            (Decimal::from(recovered) / Decimal::from(totals.units))
                .round_dp(SHARE_SCALE)
                .trunc_with_scale(SHARE_SCALE)
        });
        let named_last = |c: &Option<&Slug>| c.is_none();
        let mut categories: Vec<_> = by_category.into_iter().collect();
        categories.sort_by_key(|(c, _)| named_last(c));
        let mut table: Vec<_> = rows.into_iter().collect();
        table.sort_by_key(|((c, _, _), _)| named_last(c));
        Self {
            year,
            totals,
            by_reason: DiscardReason::ALL.iter().copied().zip(by_reason).collect(),
            by_destination: DiscardDestination::ALL
                .iter()
                .copied()
                .zip(by_destination)
                .collect(),
            by_derogation: Derogation::ALL.iter().copied().zip(by_derogation).collect(),
            by_category: categories
                .into_iter()
                .map(|(category, totals)| CategoryTotals {
                    category: category.cloned(),
                    totals,
                })
                .collect(),
            share_reuse_remanufacture_recycling: share,
            prevention_measures,
            rows: table
                .into_iter()
                .map(|((category, reason, destination), totals)| ReportRow {
                    category: category.cloned(),
                    reason: DiscardReason::ALL[reason],
                    destination: DiscardDestination::ALL[destination],
                    totals,
                })
                .collect(),
        }
    }
}

/// Where `term` is in `all` (a vocabulary's `ALL`, which holds every term).
fn position<T: PartialEq + Copy>(all: &[T], term: T) -> usize {
    all.iter().position(|t| *t == term).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn slug(s: &str) -> Option<Slug> {
        Some(Slug::parse(s).unwrap())
    }

    fn group(
        category: Option<Slug>,
        reason: DiscardReason,
        destination: DiscardDestination,
        weight: Option<&str>,
        units: u64,
    ) -> DiscardGroup {
        DiscardGroup {
            category,
            reason,
            destination,
            derogation: None,
            unit_weight_kg: weight.map(|w| w.parse().unwrap()),
            units,
        }
    }

    fn year() -> ReportYear {
        ReportYear::new(2026).unwrap()
    }

    #[test]
    fn a_year_runs_from_its_first_instant_to_the_next_years() {
        let (start, end) = year().bounds();
        assert_eq!(start.to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2027-01-01T00:00:00+00:00");
        assert!(ReportYear::new(1969).is_err());
        assert!(ReportYear::new(10_000).is_err());
        use chrono::Datelike;
        assert_eq!(ReportYear::new(9999).unwrap().bounds().1.year(), 10_000);
    }

    #[test]
    fn an_empty_year_reports_zeros_and_no_share() {
        let report = DiscardReport::fold(year(), &[], None);
        assert_eq!(report.totals, DiscardTotals::default());
        assert_eq!(report.totals.weight_kg.to_string(), "0.000");
        assert_eq!(report.by_reason.len(), 6);
        assert_eq!(report.by_destination.len(), 7);
        assert_eq!(report.by_derogation.len(), 10);
        assert!(report.by_category.is_empty() && report.rows.is_empty());
        assert_eq!(report.share_reuse_remanufacture_recycling, None);
    }

    #[test]
    fn weights_are_units_times_unit_weight_and_unknown_weights_are_counted_apart() {
        use DiscardDestination::*;
        use DiscardReason::*;
        let groups = [
            group(slug("shoes"), Unsold, Donation, Some("0.350"), 12),
            group(slug("shoes"), Unsold, Donation, Some("1.000"), 3),
            group(slug("shoes"), Damaged, Recycling, None, 5),
            group(None, Expired, Landfill, Some("2.5"), 2),
        ];
        let report = DiscardReport::fold(year(), &groups, None);
        assert_eq!(report.totals.units, 22);
        assert_eq!(report.totals.weight_kg.to_string(), "12.200");
        assert_eq!(report.totals.units_unknown_weight, 5);
        let unsold = report.by_reason[0].1;
        assert_eq!(
            (unsold.units, unsold.weight_kg.to_string()),
            (15, "7.200".into())
        );
        let cats: Vec<_> = report
            .by_category
            .iter()
            .map(|c| c.category.clone())
            .collect();
        assert_eq!(cats, [slug("shoes"), None]);
        assert_eq!(report.rows.len(), 3, "the two donation groups are one row");
        assert_eq!(report.rows[0].totals.units, 15);
        assert_eq!(report.rows[2].category, None);
        // 12 + 3 donated, 5 recycled of 22.
        assert_eq!(
            report
                .share_reuse_remanufacture_recycling
                .unwrap()
                .to_string(),
            "0.9091"
        );
    }

    #[test]
    fn derogations_are_reported_apart_and_only_where_named() {
        let mut g = group(
            slug("shirts"),
            DiscardReason::Safety,
            DiscardDestination::Incineration,
            None,
            4,
        );
        g.derogation = Some(Derogation::Dangerous);
        let plain = group(
            slug("shirts"),
            DiscardReason::Unsold,
            DiscardDestination::Reuse,
            None,
            1,
        );
        let report = DiscardReport::fold(year(), &[g, plain], None);
        let dangerous = report.by_derogation[0];
        assert_eq!(dangerous.0, Derogation::Dangerous);
        assert_eq!(dangerous.1.units, 4);
        let named: u64 = report.by_derogation.iter().map(|(_, t)| t.units).sum();
        assert_eq!(named, 4);
    }

    fn any_group() -> impl Strategy<Value = DiscardGroup> {
        (
            prop::option::of(prop::sample::select(vec!["a", "b", "c"])),
            prop::sample::select(DiscardReason::ALL),
            prop::sample::select(DiscardDestination::ALL),
            prop::option::of(prop::sample::select(Derogation::ALL)),
            prop::option::of(1u32..5_000_000),
            0u64..2_000_000_000,
        )
            .prop_map(
                |(c, reason, destination, derogation, grams, units)| DiscardGroup {
                    category: c.and_then(slug),
                    reason,
                    destination,
                    derogation,
                    unit_weight_kg: grams
                        .map(|g| WeightKg::new(Decimal::new(g.into(), 3)).unwrap()),
                    units,
                },
            )
    }

    proptest! {
        #[test]
        fn every_breakdown_adds_up_to_the_totals(groups in prop::collection::vec(any_group(), 0..40)) {
            let r = DiscardReport::fold(year(), &groups, None);
            let sum = |ts: &mut dyn Iterator<Item = DiscardTotals>| {
                ts.fold(DiscardTotals::default(), |mut acc, t| {
                    acc.units += t.units;
                    acc.weight_kg += t.weight_kg;
                    acc.units_unknown_weight += t.units_unknown_weight;
                    acc
                })
            };
            prop_assert_eq!(sum(&mut r.by_reason.iter().map(|x| x.1)), r.totals);
            prop_assert_eq!(sum(&mut r.by_destination.iter().map(|x| x.1)), r.totals);
            prop_assert_eq!(sum(&mut r.by_category.iter().map(|x| x.totals)), r.totals);
            prop_assert_eq!(sum(&mut r.rows.iter().map(|x| x.totals)), r.totals);
            prop_assert_eq!(r.totals.units, groups.iter().map(|g| g.units).sum::<u64>());
            if let Some(share) = r.share_reuse_remanufacture_recycling {
                prop_assert!(share >= Decimal::ZERO && share <= Decimal::ONE);
            }
        }
    }
}
