//! Text inputs whose rules the OpenAPI document states exactly: each kind
//! of text is a [`TextRule`] (pattern and lengths, written once here), and
//! [`Text<R>`] is a string field that carries that rule into the document.
//!
//! The host refuses a text through the domain type (`PersonName`, `Email`,
//! `Slug`, …); the pattern is that same rule written as an ECMA-262 regular
//! expression, so that any value the document allows is accepted and any
//! value the host refuses, the document refuses too. A property test checks
//! each pattern against its domain type.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

/// What `char::is_whitespace` calls white space, as a character-class body
/// (the domain trims exactly these).
macro_rules! white_space {
    () => {
        r"\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
    };
}

/// Control characters (`char::is_control`), as a character-class body.
macro_rules! control {
    () => {
        r"\u0000-\u001F\u007F-\u009F"
    };
}

/// Neither white space nor a control character, as a character-class body
/// to negate.
macro_rules! blank_or_control {
    () => {
        r"\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
    };
}

/// A one-line text of at least one visible character, no control characters.
const ONE_LINE: &str = concat!(
    "^[^",
    control!(),
    "]*[^",
    blank_or_control!(),
    "][^",
    control!(),
    "]*$"
);

/// The rule of one kind of text.
pub(crate) trait TextRule: Send + Sync + 'static {
    /// The schema's name in the document's registry.
    const NAME: &'static str;
    /// The ECMA-262 pattern of an accepted value.
    const PATTERN: &'static str;
    /// The fewest characters (code points).
    const MIN_CHARS: usize;
    /// The most characters (code points).
    const MAX_CHARS: usize;
}

/// A person's display name: 1..100 characters, one line, not blank.
pub(crate) struct PersonNameRule;
impl TextRule for PersonNameRule {
    const NAME: &'static str = "person_name";
    const PATTERN: &'static str = ONE_LINE;
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = ecolaura_core::domain::PersonName::MAX_CHARS;
}

/// A product name: 1..200 characters, one line, not blank.
pub(crate) struct ProductNameRule;
impl TextRule for ProductNameRule {
    const NAME: &'static str = "product_name";
    const PATTERN: &'static str = ONE_LINE;
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = ecolaura_core::domain::ProductName::MAX_CHARS;
}

/// A category's display name: 1..100 characters, one line, not blank.
pub(crate) struct CategoryNameRule;
impl TextRule for CategoryNameRule {
    const NAME: &'static str = "category_name";
    const PATTERN: &'static str = ONE_LINE;
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = ecolaura_core::domain::CategoryName::MAX_CHARS;
}

/// A shipping method's name: 1..100 characters, one line, not blank.
pub(crate) struct ShippingNameRule;
impl TextRule for ShippingNameRule {
    const NAME: &'static str = "shipping_name";
    const PATTERN: &'static str = ONE_LINE;
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = ecolaura_core::domain::ShippingName::MAX_CHARS;
}

/// An emission factor in g CO₂e per tonne-km: up to 6 digits before the
/// point and 3 after (`"17.0"`; above 100000 is refused beyond the pattern).
pub(crate) struct EmissionFactorRule;
impl TextRule for EmissionFactorRule {
    const NAME: &'static str = "emission_factor";
    const PATTERN: &'static str = r"^[0-9]{1,6}(\.[0-9]{1,3})?$";
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = 10;
}

/// A description: up to 5000 characters; line breaks and tabs allowed,
/// other control characters not.
pub(crate) struct DescriptionRule;
impl TextRule for DescriptionRule {
    const NAME: &'static str = "description";
    const PATTERN: &'static str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
    const MIN_CHARS: usize = 0;
    const MAX_CHARS: usize = ecolaura_core::domain::Description::MAX_CHARS;
}

/// A disclosed statement: up to 20000 characters; line breaks and tabs
/// allowed, other control characters not.
pub(crate) struct DisclosureRule;
impl TextRule for DisclosureRule {
    const NAME: &'static str = "disclosure";
    const PATTERN: &'static str = DescriptionRule::PATTERN;
    const MIN_CHARS: usize = 0;
    const MAX_CHARS: usize = ecolaura_core::domain::Disclosure::MAX_CHARS;
}

/// A category slug: `[a-z0-9-]{1,64}`.
pub(crate) struct SlugRule;
impl TextRule for SlugRule {
    const NAME: &'static str = "slug";
    const PATTERN: &'static str = "^[a-z0-9-]{1,64}$";
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = 64;
}

/// A SKU: `[A-Za-z0-9._-]{1,64}`.
pub(crate) struct SkuRule;
impl TextRule for SkuRule {
    const NAME: &'static str = "sku";
    const PATTERN: &'static str = "^[A-Za-z0-9._-]{1,64}$";
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = 64;
}

/// A GTIN-8, -12, -13 or -14: its digits (the GS1 check digit is checked
/// beyond the pattern, 422 when wrong).
pub(crate) struct GtinRule;
impl TextRule for GtinRule {
    const NAME: &'static str = "gtin";
    const PATTERN: &'static str = "^([0-9]{8}|[0-9]{12,14})$";
    const MIN_CHARS: usize = 8;
    const MAX_CHARS: usize = 14;
}

/// A weight in kg: > 0, up to 7 digits before the point and 3 after
/// (`"0.350"`; zero is refused beyond the pattern).
pub(crate) struct WeightRule;
impl TextRule for WeightRule {
    const NAME: &'static str = "weight_kg";
    const PATTERN: &'static str = r"^[0-9]{1,7}(\.[0-9]{1,3})?$";
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = 11;
}

/// An e-mail address: a local part of 1..64 characters, `@`, and a domain
/// of at least two dot-separated labels; no white space or control
/// characters inside, white space around is trimmed; 254 characters at most.
pub(crate) struct EmailRule;
impl TextRule for EmailRule {
    const NAME: &'static str = "email_address";
    const PATTERN: &'static str = concat!(
        "^[",
        white_space!(),
        "]*[^@",
        blank_or_control!(),
        "]{1,64}@[^@.",
        blank_or_control!(),
        r"]+(\.[^@.",
        blank_or_control!(),
        "]+)+[",
        white_space!(),
        "]*$"
    );
    const MIN_CHARS: usize = 3;
    const MAX_CHARS: usize = ecolaura_core::domain::Email::MAX_CHARS;
}

/// A catalog search: up to 100 characters, no control characters; blank
/// is the same as leaving the parameter out.
pub(crate) struct SearchRule;
impl TextRule for SearchRule {
    const NAME: &'static str = "search_text";
    const PATTERN: &'static str = concat!("^[^", control!(), "]*$");
    const MIN_CHARS: usize = 0;
    const MAX_CHARS: usize = ecolaura_core::domain::SearchText::MAX_CHARS;
}

/// A price bound in a query: empty (no bound), or a price as a decimal
/// string (the string branch of [`PriceInput`](super::PriceInput)).
pub(crate) struct PriceParamRule;
impl TextRule for PriceParamRule {
    const NAME: &'static str = "price_param";
    const PATTERN: &'static str = r"^([0-9]{1,8}(\.[0-9]{1,2})?)?$";
    const MIN_CHARS: usize = 0;
    const MAX_CHARS: usize = 11;
}

/// An `Idempotency-Key`: 1..255 visible ASCII characters; spaces inside,
/// not at either end (HTTP trims them).
pub(crate) struct IdempotencyKeyRule;
impl TextRule for IdempotencyKeyRule {
    const NAME: &'static str = "idempotency_key";
    const PATTERN: &'static str = r"^[\x21-\x7E]([\x20-\x7E]{0,253}[\x21-\x7E])?$";
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = 255;
}

/// A short label (a standard's name, a verifier): 1..200 characters, one
/// line, not blank.
pub(crate) struct LabelRule;
impl TextRule for LabelRule {
    const NAME: &'static str = "label";
    const PATTERN: &'static str = ONE_LINE;
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = ecolaura_core::sustainability::footprint::MAX_TEXT_CHARS;
}

/// A footprint's geography: an ISO 3166-1 alpha-2 code or `GLOBAL`.
pub(crate) struct GeographyRule;
impl TextRule for GeographyRule {
    const NAME: &'static str = "geography";
    const PATTERN: &'static str = "^(GLOBAL|[A-Z]{2})$";
    const MIN_CHARS: usize = 2;
    const MAX_CHARS: usize = 6;
}

/// A claim's statement: 1..500 characters, one line, not blank.
pub(crate) struct ClaimStatementRule;
impl TextRule for ClaimStatementRule {
    const NAME: &'static str = "claim_statement";
    const PATTERN: &'static str = ONE_LINE;
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = ecolaura_core::sustainability::claims::MAX_STATEMENT_CHARS;
}

/// A market: `EU` or an EU member state's ISO 3166-1 alpha-2 code.
pub(crate) struct MarketRule;
impl TextRule for MarketRule {
    const NAME: &'static str = "market";
    const PATTERN: &'static str =
        "^(EU|AT|BE|BG|CY|CZ|DE|DK|EE|ES|FI|FR|GR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK)$";
    const MIN_CHARS: usize = 2;
    const MAX_CHARS: usize = 2;
}

/// An http(s) URL: no white space, at most 2,000 characters.
pub(crate) struct UrlRule;
impl TextRule for UrlRule {
    const NAME: &'static str = "url";
    const PATTERN: &'static str = concat!("^https?://[^", white_space!(), "]+$");
    const MIN_CHARS: usize = 8;
    const MAX_CHARS: usize = ecolaura_core::sustainability::claims::MAX_URL_CHARS;
}

/// A decimal written as a string: its sign, digits before and after the
/// point, stated once here for the pattern and the parser.
pub(crate) trait DecimalRule: TextRule {
    /// Whether a leading `-` is allowed.
    const SIGNED: bool;
    /// The most digits before the point.
    const WHOLE_DIGITS: usize;
    /// The most digits after the point.
    const FRACTION_DIGITS: usize;
}

/// kg CO₂e, not negative: up to 10 digits before the point and 3 after.
pub(crate) struct FootprintKgRule;
impl TextRule for FootprintKgRule {
    const NAME: &'static str = "footprint_kg";
    const PATTERN: &'static str = r"^[0-9]{1,10}(\.[0-9]{1,3})?$";
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = 14;
}
impl DecimalRule for FootprintKgRule {
    const SIGNED: bool = false;
    const WHOLE_DIGITS: usize = 10;
    const FRACTION_DIGITS: usize = 3;
}

/// kg CO₂e, possibly negative (biogenic removals).
pub(crate) struct SignedFootprintKgRule;
impl TextRule for SignedFootprintKgRule {
    const NAME: &'static str = "signed_footprint_kg";
    const PATTERN: &'static str = r"^-?[0-9]{1,10}(\.[0-9]{1,3})?$";
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = 15;
}
impl DecimalRule for SignedFootprintKgRule {
    const SIGNED: bool = true;
    const WHOLE_DIGITS: usize = 10;
    const FRACTION_DIGITS: usize = 3;
}

/// A percentage: up to 3 digits before the point and 2 after.
pub(crate) struct PercentRule;
impl TextRule for PercentRule {
    const NAME: &'static str = "percent";
    const PATTERN: &'static str = r"^[0-9]{1,3}(\.[0-9]{1,2})?$";
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = 6;
}
impl DecimalRule for PercentRule {
    const SIGNED: bool = false;
    const WHOLE_DIGITS: usize = 3;
    const FRACTION_DIGITS: usize = 2;
}

/// Declared units in one item: up to 7 digits before the point and 6 after.
pub(crate) struct FootprintAmountRule;
impl TextRule for FootprintAmountRule {
    const NAME: &'static str = "unit_amount";
    const PATTERN: &'static str = r"^[0-9]{1,7}(\.[0-9]{1,6})?$";
    const MIN_CHARS: usize = 1;
    const MAX_CHARS: usize = 14;
}
impl DecimalRule for FootprintAmountRule {
    const SIGNED: bool = false;
    const WHOLE_DIGITS: usize = 7;
    const FRACTION_DIGITS: usize = 6;
}

/// A text field under rule `R`.
pub(crate) struct Text<R>(String, PhantomData<R>);

impl<R> std::ops::Deref for Text<R> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<R> From<&str> for Text<R> {
    fn from(s: &str) -> Self {
        Self(s.to_owned(), PhantomData)
    }
}

impl<R> Clone for Text<R> {
    fn clone(&self) -> Self {
        Self(self.0.clone(), PhantomData)
    }
}

impl<R> PartialEq for Text<R> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<R> Eq for Text<R> {}

impl<R> fmt::Debug for Text<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<R: TextRule> Type for Text<R> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        R::NAME.into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new("string");
        schema.pattern = Some(R::PATTERN.to_owned());
        schema.min_length = (R::MIN_CHARS > 0).then_some(R::MIN_CHARS);
        schema.max_length = Some(R::MAX_CHARS);
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl<R: TextRule> ParseFromJSON for Text<R> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Ok(Self(s, PhantomData)),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl<R: TextRule> ParseFromParameter for Text<R> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(Self(value.to_owned(), PhantomData))
    }
}

impl<R: TextRule> ToJSON for Text<R> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use ecolaura_core::domain::{
        CategoryName, Description, Email, PersonName, ProductName, SearchText, Slug,
    };
    use proptest::prelude::*;
    use regex::Regex;

    use super::*;

    /// Whether the document accepts `s` under `R`.
    fn documented<R: TextRule>(s: &str) -> bool {
        static COMPILED: std::sync::Mutex<Vec<(&str, Regex)>> = std::sync::Mutex::new(Vec::new());
        let mut compiled = COMPILED.lock().unwrap();
        let matches = match compiled.iter().find(|(p, _)| *p == R::PATTERN) {
            Some((_, re)) => re.is_match(s),
            None => {
                let re = Regex::new(R::PATTERN).unwrap();
                let m = re.is_match(s);
                compiled.push((R::PATTERN, re));
                m
            }
        };
        let n = s.chars().count();
        (R::MIN_CHARS..=R::MAX_CHARS).contains(&n) && matches
    }

    /// Texts that reach every branch of the rules: blanks, controls, line
    /// breaks, `@` and dots, Unicode white space, long runs.
    fn texts() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just(" ".to_owned()),
            Just("\u{a0}".to_owned()),
            Just("\u{3000}".to_owned()),
            Just("\u{feff}".to_owned()),
            Just("\n".to_owned()),
            Just("\t".to_owned()),
            Just("\u{1}".to_owned()),
            Just("\u{85}".to_owned()),
            Just("\u{7f}".to_owned()),
            Just("@".to_owned()),
            Just(".".to_owned()),
            Just("-".to_owned()),
            "[a-z0-9]{1,3}",
            "[A-Zé]{1,2}",
            "x{60,70}",
            "\\PC{0,3}",
        ];
        proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn each_pattern_is_its_domain_rule(s in texts()) {
            prop_assert_eq!(documented::<PersonNameRule>(&s), PersonName::parse(&s).is_ok(), "person name {:?}", s);
            prop_assert_eq!(documented::<ProductNameRule>(&s), ProductName::parse(&s).is_ok(), "product name {:?}", s);
            prop_assert_eq!(documented::<CategoryNameRule>(&s), CategoryName::parse(&s).is_ok(), "category name {:?}", s);
            prop_assert_eq!(documented::<ShippingNameRule>(&s), ecolaura_core::domain::ShippingName::parse(&s).is_ok(), "shipping name {:?}", s);
            // The factor's pattern is the domain's form; above 100000 is
            // refused beyond it.
            let factor = ecolaura_core::sustainability::shipping::EmissionFactor::parse(&s);
            let in_form = documented::<EmissionFactorRule>(&s);
            prop_assert!(!in_form || factor.is_ok() || s.parse::<rust_decimal::Decimal>().is_ok_and(|d| d > rust_decimal::Decimal::from(100_000)), "factor {:?}", s);
            prop_assert_eq!(documented::<DescriptionRule>(&s), Description::parse(&s).is_ok(), "description {:?}", s);
            prop_assert_eq!(documented::<DisclosureRule>(&s), ecolaura_core::domain::Disclosure::parse(&s).is_ok(), "disclosure {:?}", s);
            prop_assert_eq!(documented::<SlugRule>(&s), Slug::parse(&s).is_ok(), "slug {:?}", s);
            prop_assert_eq!(documented::<SkuRule>(&s), ecolaura_core::domain::Sku::parse(&s).is_ok(), "sku {:?}", s);
            // The GTIN and weight patterns are the domain's form; the check
            // digit and a zero weight are refused beyond them.
            let gtin = ecolaura_core::domain::Gtin::parse(&s);
            prop_assert_eq!(
                documented::<GtinRule>(&s),
                !matches!(gtin, Err(ecolaura_core::domain::GtinError::Form)),
                "gtin {:?}", s
            );
            let weight = s.parse::<ecolaura_core::domain::WeightKg>();
            prop_assert_eq!(
                documented::<WeightRule>(&s),
                weight.is_ok() || weight == Err(ecolaura_core::domain::WeightKgError::NotPositive),
                "weight {:?}", s
            );
            prop_assert_eq!(documented::<EmailRule>(&s), Email::parse(&s).is_ok(), "email {:?}", s);
            prop_assert_eq!(
                documented::<IdempotencyKeyRule>(&s),
                ecolaura_core::idempotency::IdempotencyKey::parse(&s).is_ok(),
                "idempotency key {:?}", s
            );
            use ecolaura_core::sustainability::{claims, label_error, Market};
            prop_assert_eq!(documented::<LabelRule>(&s), label_error(&s, LabelRule::MAX_CHARS).is_none(), "label {:?}", s);
            prop_assert_eq!(
                documented::<ClaimStatementRule>(&s),
                label_error(&s, claims::MAX_STATEMENT_CHARS).is_none(),
                "statement {:?}", s
            );
            prop_assert_eq!(documented::<MarketRule>(&s), Market::parse(&s).is_ok(), "market {:?}", s);
            let url = format!("https://{s}");
            prop_assert_eq!(documented::<UrlRule>(&url), claims::is_evidence_url(&url), "url {:?}", url);
            let blank = s.chars().all(|c| c.is_whitespace() && !c.is_control());
            let search_ok = blank || SearchText::parse(&s).is_ok();
            prop_assert_eq!(documented::<SearchRule>(&s), search_ok, "search {:?}", s);
        }
    }

    #[test]
    fn some_texts_by_hand() {
        assert!(documented::<EmailRule>(" Ada@Example.com "));
        assert!(!documented::<EmailRule>("ada@example"));
        assert!(!documented::<EmailRule>("ada@.example.com"));
        assert!(!documented::<PersonNameRule>("   "));
        assert!(documented::<PersonNameRule>(" Ada "));
        assert!(documented::<DescriptionRule>("two\nlines"));
        assert!(!documented::<DescriptionRule>("bell\u{7}"));
        for code in ecolaura_core::sustainability::claims::EU_STATES {
            assert!(documented::<MarketRule>(code), "{code}");
        }
        assert!(!documented::<MarketRule>("CH"));
        assert!(!documented::<UrlRule>("https://"));
        assert!(!documented::<UrlRule>("ftp://x.org"));
    }
}
