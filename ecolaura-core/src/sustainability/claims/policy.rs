//! The claim policy: one pure function over a claim, its markets and the
//! product's metrics, made of rules that each name their legal source.
//! A market's own rule is one more [`ClaimRule`].

use super::{Claim, ClaimDraft, ClaimType, Market, form_errors};
use crate::catalog::SustainabilityMetrics;
use crate::sustainability::FieldError;

/// What a rule may look at besides the claim.
#[derive(Debug, Clone, Copy)]
pub struct ClaimContext<'a> {
    /// The product's metrics, if it has any.
    pub metrics: Option<&'a SustainabilityMetrics>,
}

/// Why a rule refuses a claim in a market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The rule's name, such as `empco-generic-claim`.
    pub rule: &'static str,
    /// The market it was refused for.
    pub market: Market,
    /// What the rule says, with its source.
    pub detail: String,
}

/// One rule of the policy.
pub trait ClaimRule: Send + Sync {
    /// A stable name (kebab-case) that refusals carry.
    fn name(&self) -> &'static str;

    /// Why the rule refuses `claim` made in `market`, or `None`.
    fn refuses(&self, claim: &ClaimDraft, market: Market, ctx: ClaimContext<'_>) -> Option<String>;
}

/// Generic environmental claims ("environmentally friendly", "eco") are
/// banned unless the product holds recognised excellent environmental
/// performance: an EN ISO 14024 type I ecolabel. Directive (EU) 2024/825
/// (EmpCo), Annex I point 4a of Directive 2005/29/EC as amended.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmpCoGenericClaims;

impl ClaimRule for EmpCoGenericClaims {
    fn name(&self) -> &'static str {
        "empco-generic-claim"
    }

    fn refuses(&self, claim: &ClaimDraft, _: Market, _: ClaimContext<'_>) -> Option<String> {
        (claim.claim_type == ClaimType::EnvironmentallyFriendly && !claim.evidence.ecolabel_type_i)
            .then(|| {
                "A generic environmental claim needs recognised excellent environmental \
                 performance: an EN ISO 14024 type I ecolabel as evidence (Directive (EU) \
                 2024/825, Annex I point 4a)."
                    .to_owned()
            })
    }
}

/// Claims that a product has a neutral, reduced or positive impact on the
/// climate based on offsetting emissions are banned in the EU. Directive
/// (EU) 2024/825 (EmpCo), Annex I point 4c of Directive 2005/29/EC as
/// amended. A `carbon_neutral` claim is such a claim; so is any claim whose
/// statement speaks of offsets or of neutrality (host choice: the words in
/// [`EmpCoOffsets::OFFSET_WORDS`], in the EU's main shop languages).
#[derive(Debug, Clone, Copy, Default)]
pub struct EmpCoOffsets;

impl EmpCoOffsets {
    /// Words (lower case) that make a statement rest on offsets or claim
    /// neutrality.
    pub const OFFSET_WORDS: [&'static str; 16] = [
        "offset",
        "carbon neutral",
        "carbon-neutral",
        "climate neutral",
        "climate-neutral",
        "co2 neutral",
        "co2-neutral",
        "net zero",
        "net-zero",
        "climate positive",
        "compensat",
        "neutre en carbone",
        "climatiquement neutre",
        "klimaneutral",
        "neutre en co2",
        "kompensiert",
    ];
}

impl ClaimRule for EmpCoOffsets {
    fn name(&self) -> &'static str {
        "empco-offsets"
    }

    fn refuses(&self, claim: &ClaimDraft, _: Market, _: ClaimContext<'_>) -> Option<String> {
        let statement = claim.statement.to_lowercase();
        let offsets = Self::OFFSET_WORDS.iter().any(|w| statement.contains(w));
        (claim.claim_type == ClaimType::CarbonNeutral || offsets).then(|| {
            "A claim of neutral, reduced or positive climate impact based on offsetting \
             emissions is banned in the EU (Directive (EU) 2024/825, Annex I point 4c)."
                .to_owned()
        })
    }
}

/// France bans "biodegradable", "environmentally friendly" and equivalent
/// words on products and packaging. Loi n° 2020-105 (AGEC), art. 13;
/// Code de l'environnement, art. L541-9-1.
#[derive(Debug, Clone, Copy, Default)]
pub struct AgecArticle13;

impl ClaimRule for AgecArticle13 {
    fn name(&self) -> &'static str {
        "agec-art-13"
    }

    fn refuses(&self, claim: &ClaimDraft, market: Market, _: ClaimContext<'_>) -> Option<String> {
        let banned = matches!(
            claim.claim_type,
            ClaimType::Biodegradable | ClaimType::EnvironmentallyFriendly
        );
        (banned && market == Market::State("FR")).then(|| {
            format!(
                "\"{}\" may not be claimed on a product sold in France (loi AGEC n° 2020-105, \
                 art. 13; Code de l'environnement, art. L541-9-1).",
                claim.claim_type
            )
        })
    }
}

/// A claim may not say what the product's own metrics deny: `recyclable`
/// or `biodegradable` where the metrics say `false` (a misleading action,
/// Directive 2005/29/EC art. 6(1)).
#[derive(Debug, Clone, Copy, Default)]
pub struct MetricsAgreement;

impl ClaimRule for MetricsAgreement {
    fn name(&self) -> &'static str {
        "metrics-agreement"
    }

    fn refuses(&self, claim: &ClaimDraft, _: Market, ctx: ClaimContext<'_>) -> Option<String> {
        contradicts(claim.claim_type, ctx.metrics?).then(|| {
            format!(
                "The product's metrics say it is not {}; a claim may not say otherwise \
                 (Directive 2005/29/EC, art. 6(1)).",
                claim.claim_type
            )
        })
    }
}

/// Whether `metrics` deny what a claim of `claim_type` says.
fn contradicts(claim_type: ClaimType, metrics: &SustainabilityMetrics) -> bool {
    match claim_type {
        ClaimType::Recyclable => !metrics.recyclable,
        ClaimType::Biodegradable => !metrics.biodegradable,
        _ => false,
    }
}

/// The claims among `claims` that `metrics` would contradict (409 until
/// they are removed).
pub fn metrics_contradicting_claims<'c>(
    metrics: &SustainabilityMetrics,
    claims: &'c [Claim],
) -> Vec<&'c Claim> {
    claims
        .iter()
        .filter(|c| contradicts(c.claim_type, metrics))
        .collect()
}

/// The rules a claim must pass in every market it is made in.
pub struct ClaimPolicy {
    rules: Vec<Box<dyn ClaimRule>>,
}

impl Default for ClaimPolicy {
    /// EmpCo's generic-claim and offset bans, AGEC art. 13 for France, and
    /// agreement with the product's metrics.
    fn default() -> Self {
        Self {
            rules: vec![
                Box::new(EmpCoGenericClaims),
                Box::new(EmpCoOffsets),
                Box::new(AgecArticle13),
                Box::new(MetricsAgreement),
            ],
        }
    }
}

impl std::fmt::Debug for ClaimPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.rules.iter().map(|r| r.name()))
            .finish()
    }
}

impl ClaimPolicy {
    /// The default rules and `rule` (a market's own, say).
    pub fn with_rule(mut self, rule: impl ClaimRule + 'static) -> Self {
        self.rules.push(Box::new(rule));
        self
    }

    /// The draft's form errors (422 naming fields), or else the first
    /// refusal in the order of its markets and of the rules (422 naming the
    /// rule), or `Ok` when the claim may be made.
    ///
    /// # Errors
    /// [`ClaimVerdict`] saying which.
    pub fn check(&self, claim: &ClaimDraft, ctx: ClaimContext<'_>) -> Result<(), ClaimVerdict> {
        let errors = form_errors(claim);
        if !errors.is_empty() {
            return Err(ClaimVerdict::Invalid(errors.into_vec()));
        }
        for market in &claim.markets {
            if let Some(refusal) = self.refusal_in(claim, *market, ctx) {
                return Err(ClaimVerdict::Refused(refusal));
            }
        }
        Ok(())
    }

    /// The first rule that refuses `claim` in `market`.
    pub fn refusal_in(
        &self,
        claim: &ClaimDraft,
        market: Market,
        ctx: ClaimContext<'_>,
    ) -> Option<Refusal> {
        self.rules.iter().find_map(|rule| {
            rule.refuses(claim, market, ctx).map(|detail| Refusal {
                rule: rule.name(),
                market,
                detail,
            })
        })
    }
}

/// Why a claim may not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimVerdict {
    /// Its own fields break their form (each named).
    Invalid(Vec<FieldError>),
    /// A market's rule refuses it.
    Refused(Refusal),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CarbonKg;
    use crate::sustainability::claims::EU_STATES;
    use crate::sustainability::claims::tests::evidence;
    use proptest::prelude::*;

    fn draft(claim_type: ClaimType, markets: &[&str]) -> ClaimDraft {
        ClaimDraft {
            claim_type,
            statement: "A statement".into(),
            markets: markets.iter().map(|m| Market::parse(m).unwrap()).collect(),
            evidence: evidence(),
        }
    }

    fn metrics(recyclable: bool, biodegradable: bool) -> SustainabilityMetrics {
        SustainabilityMetrics {
            carbon_footprint_kg: CarbonKg::ZERO,
            recyclable,
            biodegradable,
        }
    }

    fn refused_by(claim: &ClaimDraft, m: Option<&SustainabilityMetrics>) -> Option<&'static str> {
        match ClaimPolicy::default().check(claim, ClaimContext { metrics: m }) {
            Err(ClaimVerdict::Refused(r)) => Some(r.rule),
            Err(ClaimVerdict::Invalid(e)) => panic!("{e:?}"),
            Ok(()) => None,
        }
    }

    #[test]
    fn each_rule_refuses_what_its_source_bans_and_names_itself() {
        let generic = draft(ClaimType::EnvironmentallyFriendly, &["DE"]);
        assert_eq!(refused_by(&generic, None), Some("empco-generic-claim"));
        let mut labelled = generic.clone();
        labelled.evidence.ecolabel_type_i = true;
        assert_eq!(refused_by(&labelled, None), None, "a type I ecolabel");
        let mut in_france = labelled.clone();
        in_france.markets = vec![Market::Eu, Market::parse("FR").unwrap()];
        assert_eq!(refused_by(&in_france, None), Some("agec-art-13"));

        assert_eq!(
            refused_by(&draft(ClaimType::CarbonNeutral, &["EU"]), None),
            Some("empco-offsets")
        );
        let mut offsets = draft(ClaimType::LowCarbon, &["IT"]);
        offsets.statement = "Climate neutral thanks to certified Offsets".into();
        assert_eq!(refused_by(&offsets, None), Some("empco-offsets"));

        let bio = draft(ClaimType::Biodegradable, &["FR"]);
        assert_eq!(refused_by(&bio, None), Some("agec-art-13"));
        let bio_de = draft(ClaimType::Biodegradable, &["DE"]);
        assert_eq!(refused_by(&bio_de, Some(&metrics(true, true))), None);
        assert_eq!(
            refused_by(&bio_de, Some(&metrics(true, false))),
            Some("metrics-agreement")
        );
        let recyclable = draft(ClaimType::Recyclable, &["EU"]);
        assert_eq!(
            refused_by(&recyclable, Some(&metrics(false, true))),
            Some("metrics-agreement")
        );
        assert_eq!(refused_by(&recyclable, None), None, "no metrics to deny it");
    }

    #[test]
    fn a_markets_own_rule_is_one_more_rule() {
        struct NoOrganicInMalta;
        impl ClaimRule for NoOrganicInMalta {
            fn name(&self) -> &'static str {
                "example-mt"
            }
            fn refuses(&self, c: &ClaimDraft, m: Market, _: ClaimContext<'_>) -> Option<String> {
                (c.claim_type == ClaimType::Organic && m == Market::State("MT"))
                    .then(|| "not in Malta".to_owned())
            }
        }
        let policy = ClaimPolicy::default().with_rule(NoOrganicInMalta);
        let c = draft(ClaimType::Organic, &["EU", "MT"]);
        let ctx = ClaimContext { metrics: None };
        let Err(ClaimVerdict::Refused(r)) = policy.check(&c, ctx) else {
            panic!("refused");
        };
        assert_eq!((r.rule, r.market.as_str()), ("example-mt", "MT"));
        assert!(ClaimPolicy::default().check(&c, ctx).is_ok());
    }

    #[test]
    fn metrics_that_deny_a_claim_name_it() {
        let claim = |t| Claim {
            id: crate::domain::ClaimId::new(),
            product_id: crate::domain::ProductId::new(),
            claim_type: t,
            statement: "s".into(),
            markets: vec![Market::Eu],
            evidence: evidence(),
            created_at: Default::default(),
        };
        let claims = [claim(ClaimType::Recyclable), claim(ClaimType::Organic)];
        assert_eq!(
            metrics_contradicting_claims(&metrics(true, false), &claims).len(),
            0
        );
        let denied = metrics_contradicting_claims(&metrics(false, false), &claims);
        assert_eq!(denied.len(), 1);
        assert_eq!(denied[0].claim_type, ClaimType::Recyclable);
    }

    fn any_claim_type() -> impl Strategy<Value = ClaimType> {
        proptest::sample::select(ClaimType::ALL.to_vec())
    }

    proptest! {
        /// EU rules hold in every state: a claim refused for the EU is
        /// refused for every EU state, whatever its type, statement,
        /// evidence and the product's metrics.
        #[test]
        fn a_claim_refused_in_the_eu_is_refused_in_every_eu_state(
            claim_type in any_claim_type(),
            statement in "[a-zA-Z ]{1,40}",
            ecolabel in any::<bool>(),
            metrics_known in any::<bool>(),
            recyclable in any::<bool>(),
            biodegradable in any::<bool>(),
        ) {
            let mut c = draft(claim_type, &["EU"]);
            c.statement = format!("x{statement}");
            c.evidence.ecolabel_type_i = ecolabel;
            let m = metrics(recyclable, biodegradable);
            let ctx = ClaimContext { metrics: metrics_known.then_some(&m) };
            let policy = ClaimPolicy::default();
            if policy.refusal_in(&c, Market::Eu, ctx).is_some() {
                for state in EU_STATES {
                    let mut in_state = c.clone();
                    in_state.markets = vec![Market::parse(state).unwrap()];
                    prop_assert!(policy.check(&in_state, ctx).is_err(), "{} in {}", claim_type, state);
                }
            }
        }
    }
}
