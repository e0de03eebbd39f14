//! Categories, products and their sustainability.

use ecolaura_core::catalog::{Category, Product, ScoreSource, SustainabilityMetrics};
use ecolaura_core::domain::{CarbonKg, Currency};
use ecolaura_core::scoring::ScoreBreakdown;
use ecolaura_core::services::ProductSustainability;
use ecolaura_core::sustainability::{Claim, FootprintSource};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object};

use super::text::{
    CategoryNameRule, DescriptionRule, GtinRule, ProductNameRule, SkuRule, SlugRule, Text,
    WeightRule,
};
use super::{Amount, Fields, Nullable, PriceInput, ShownClaimDto};

const SAMPLE_TIME: &str = "2026-11-24T09:30:00Z";

pub(super) fn sample_time() -> chrono::DateTime<chrono::Utc> {
    SAMPLE_TIME.parse().unwrap_or_default()
}

/// A category of products.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Category", example)]
pub(crate) struct CategoryDto {
    /// The category's identifier in URLs and filters: `[a-z0-9-]{1,64}`.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Longer description; may be empty.
    pub description: String,
    /// Whether destroying its unsold products is banned (ESPR art. 25:
    /// apparel and footwear): discards of its products to `recycling`,
    /// `energy_recovery`, `incineration` or `landfill` need a derogation.
    pub destruction_banned: bool,
}

impl CategoryDto {
    pub(crate) fn sample() -> Self {
        Self {
            slug: "bottles".into(),
            name: "Bottles".into(),
            description: "Reusable bottles and flasks.".into(),
            destruction_banned: false,
        }
    }
}

impl From<Category> for CategoryDto {
    fn from(c: Category) -> Self {
        Self {
            slug: c.slug.into(),
            name: c.name.as_str().to_owned(),
            description: c.description.as_str().to_owned(),
            destruction_banned: c.destruction_banned,
        }
    }
}

/// A new category.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "CategoryInput", example)]
pub(crate) struct CategoryInput {
    /// `[a-z0-9-]{1,64}`; unique.
    pub slug: Text<SlugRule>,
    /// Display name, 1..100 characters.
    pub name: Text<CategoryNameRule>,
    /// Longer description, up to 5000 characters (default empty).
    #[oai(nullable)]
    pub description: Option<Text<DescriptionRule>>,
    /// Whether destroying its unsold products is banned (default false;
    /// true for apparel and footwear under ESPR art. 25).
    #[oai(default)]
    pub destruction_banned: bool,
}

/// A new category, its field errors collected with their paths.
impl TryFrom<&CategoryInput> for ecolaura_core::catalog::NewCategory {
    type Error = crate::problem::Problem;

    fn try_from(input: &CategoryInput) -> Result<Self, Self::Error> {
        use ecolaura_core::domain::{CategoryName, Description, Slug};
        let mut fields = Fields::default();
        let slug = fields.check("slug", Slug::parse(&input.slug));
        let name = fields.check("name", CategoryName::parse(&input.name));
        let description = fields.check(
            "description",
            Description::parse(input.description.as_deref().unwrap_or_default()),
        );
        let (Some(slug), Some(name), Some(description)) = (slug, name, description) else {
            return Err(fields.into_problem());
        };
        Ok(Self {
            slug,
            name,
            description,
            destruction_banned: input.destruction_banned,
        })
    }
}

/// A change to a category: fields left out stay as they are.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "CategoryPatch", example)]
pub(crate) struct CategoryPatch {
    /// Display name, 1..100 characters.
    pub name: Option<Text<CategoryNameRule>>,
    /// Longer description, up to 5000 characters.
    pub description: Option<Text<DescriptionRule>>,
    /// Whether destroying its unsold products is banned.
    pub destruction_banned: Option<bool>,
}

impl CategoryPatch {
    pub(crate) fn sample() -> Self {
        Self {
            name: None,
            description: None,
            destruction_banned: Some(true),
        }
    }
}

/// A category change, its field errors collected with their paths.
impl TryFrom<&CategoryPatch> for ecolaura_core::catalog::CategoryChanges {
    type Error = crate::problem::Problem;

    fn try_from(input: &CategoryPatch) -> Result<Self, Self::Error> {
        use ecolaura_core::domain::{CategoryName, Description};
        let mut fields = Fields::default();
        let name = input
            .name
            .as_ref()
            .and_then(|n| fields.check("name", CategoryName::parse(n)));
        let description = input
            .description
            .as_ref()
            .and_then(|d| fields.check("description", Description::parse(d)));
        fields.finish()?;
        Ok(Self {
            name,
            description,
            destruction_banned: input.destruction_banned,
        })
    }
}

impl CategoryInput {
    pub(crate) fn sample() -> Self {
        let c = CategoryDto::sample();
        Self {
            slug: c.slug.as_str().into(),
            name: c.name.as_str().into(),
            description: Some(c.description.as_str().into()),
            destruction_banned: false,
        }
    }
}

/// How a product's score was arrived at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "ScoreSource", rename_all = "snake_case")]
pub(crate) enum ScoreSourceDto {
    /// Computed from the product's metrics by the shop's scoring policy.
    Metrics,
    /// Given by staff; the product has no metrics.
    Manual,
}

impl From<ScoreSource> for ScoreSourceDto {
    fn from(s: ScoreSource) -> Self {
        match s {
            ScoreSource::Metrics => Self::Metrics,
            ScoreSource::Manual => Self::Manual,
        }
    }
}

/// A product's environmental metrics.
#[derive(Debug, Clone, Copy, PartialEq, Object)]
#[oai(rename = "Sustainability", example)]
pub(crate) struct SustainabilityDto {
    /// Carbon footprint of one unit, in kg CO₂e.
    pub carbon_footprint_kg: f64,
    /// Whether the product can be recycled.
    pub recyclable: bool,
    /// Whether the product is biodegradable.
    pub biodegradable: bool,
    #[allow(missing_docs)]
    pub footprint_source: FootprintSourceDto,
}

/// Where `carbon_footprint_kg` comes from: `record` while the product has a
/// footprint record (its per-item figure; sending another figure is 409),
/// else `declared` by staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "FootprintSource", rename_all = "snake_case")]
pub(crate) enum FootprintSourceDto {
    /// Given by staff.
    Declared,
    /// The per-item figure of the product's footprint record.
    Record,
}

impl SustainabilityDto {
    pub(crate) fn sample() -> Self {
        Self {
            carbon_footprint_kg: 1.2,
            recyclable: true,
            biodegradable: false,
            footprint_source: FootprintSourceDto::Declared,
        }
    }

    /// A product's metrics and where their footprint comes from.
    fn of(m: SustainabilityMetrics, source: FootprintSource) -> Self {
        Self {
            carbon_footprint_kg: m.carbon_footprint_kg.to_f64(),
            recyclable: m.recyclable,
            biodegradable: m.biodegradable,
            footprint_source: match source {
                FootprintSource::Declared => FootprintSourceDto::Declared,
                FootprintSource::Record => FootprintSourceDto::Record,
            },
        }
    }
}

/// Environmental metrics to set on a product; all three are required.
#[derive(Debug, Clone, Copy, PartialEq, Object)]
#[oai(rename = "SustainabilityInput", example)]
pub(crate) struct MetricsInput {
    /// Carbon footprint of one unit, in kg CO₂e; >= 0.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000")))]
    pub carbon_footprint_kg: f64,
    /// Whether the product can be recycled.
    pub recyclable: bool,
    /// Whether the product is biodegradable.
    pub biodegradable: bool,
}

impl MetricsInput {
    pub(crate) fn sample() -> Self {
        let s = SustainabilityDto::sample();
        Self {
            carbon_footprint_kg: s.carbon_footprint_kg,
            recyclable: s.recyclable,
            biodegradable: s.biodegradable,
        }
    }

    /// The domain metrics; errors under `prefix.carbon_footprint_kg`.
    pub(crate) fn parse(&self, prefix: &str, fields: &mut Fields) -> Option<SustainabilityMetrics> {
        let kg = fields.check(
            &format!("{prefix}carbon_footprint_kg"),
            CarbonKg::from_f64(self.carbon_footprint_kg),
        )?;
        Some(SustainabilityMetrics {
            carbon_footprint_kg: kg,
            recyclable: self.recyclable,
            biodegradable: self.biodegradable,
        })
    }
}

/// A product in the catalog.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "Product", example)]
pub(crate) struct ProductDto {
    /// The product's id (UUID v7).
    pub id: uuid::Uuid,
    /// Name, 1..200 characters.
    pub name: String,
    /// Description; may be empty.
    pub description: String,
    /// Unit price.
    pub price: Amount,
    /// The shop's currency (ISO 4217).
    pub currency: String,
    /// The category's slug, or null.
    #[oai(nullable)]
    pub category: Option<String>,
    /// Units in stock.
    pub stock: u32,
    /// The shop's stock-keeping unit, or null.
    #[oai(nullable)]
    pub sku: Option<String>,
    /// The GS1 GTIN as 14 digits, or null.
    #[oai(nullable)]
    pub gtin: Option<String>,
    /// The weight of one unit in kg (`"0.350"`), or null when unknown.
    #[oai(nullable)]
    pub weight_kg: Option<String>,
    /// 0..100; from the metrics when there are any, else the manual score.
    pub sustainability_score: u8,
    // No field doc: a described `$ref` becomes `allOf`, which generators
    // refuse for enums; the enum's own schema carries the description.
    #[allow(missing_docs)]
    pub score_source: ScoreSourceDto,
    /// The method that computed the score: `name@version` of the scoring
    /// policy, or `manual`.
    pub score_method: String,
    /// When the score was computed.
    pub score_computed_at: chrono::DateTime<chrono::Utc>,
    /// The environmental metrics, or null when the product has none.
    #[oai(nullable)]
    pub sustainability: Option<SustainabilityDto>,
    /// The green claims shown in the requested market (`?market=`, default
    /// the shop's) whose evidence holds today, oldest first.
    pub claims: Vec<ShownClaimDto>,
    /// When the product was created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When the product last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl ProductDto {
    /// The wire form of `p`, priced in the shop's `currency`, with the
    /// `claims` shown on it.
    pub(crate) fn new(p: Product, currency: Currency, claims: Vec<Claim>) -> Self {
        Self {
            id: p.id.as_uuid(),
            name: p.name.as_str().to_owned(),
            description: p.description.as_str().to_owned(),
            price: p.price.into(),
            currency: currency.to_string(),
            category: p.category.map(String::from),
            stock: p.stock.get(),
            sku: p.sku.map(String::from),
            gtin: p.gtin.map(String::from),
            weight_kg: p.weight_kg.map(|w| w.to_string()),
            sustainability_score: p.score.value(),
            score_source: p.score_source.into(),
            score_method: p.score_method.to_string(),
            score_computed_at: p.score_computed_at,
            sustainability: p
                .metrics
                .map(|m| SustainabilityDto::of(m, p.footprint_source)),
            claims: claims.into_iter().map(ShownClaimDto::from).collect(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }

    pub(crate) fn sample() -> Self {
        Self {
            id: uuid::Uuid::from_u128(0x019a_b5c0_0000_7000_8000_0000_0000_0001),
            name: "Eco Bottle".into(),
            description: "A steel bottle that lasts.".into(),
            price: Amount::sample("19.99"),
            currency: "EUR".into(),
            category: Some("bottles".into()),
            stock: 120,
            sku: Some("BTL-500".into()),
            gtin: Some("04006381333931".into()),
            weight_kg: Some("0.350".into()),
            sustainability_score: 95,
            score_source: ScoreSourceDto::Metrics,
            score_method: "ecolaura-default@1".into(),
            score_computed_at: sample_time(),
            sustainability: Some(SustainabilityDto::sample()),
            claims: vec![ShownClaimDto::sample()],
            created_at: sample_time(),
            updated_at: sample_time(),
        }
    }
}

/// A product to create, or all of a product's fields to replace (PUT).
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ProductInput", example)]
pub(crate) struct ProductInput {
    /// Name, 1..200 characters.
    pub name: Text<ProductNameRule>,
    /// Description, up to 5000 characters (default empty).
    #[oai(nullable)]
    pub description: Option<Text<DescriptionRule>>,
    /// Unit price >= 0: at most 10 digits, 2 after the point.
    pub price: PriceInput,
    /// An existing category's slug, or null (the default).
    #[oai(nullable)]
    pub category: Option<Text<SlugRule>>,
    /// Units in stock, >= 0 (default 0).
    #[oai(
        nullable,
        validator(minimum(value = "0"), maximum(value = "1000000000"))
    )]
    pub stock: Option<i64>,
    /// The manual score 0..100 (default 0), used while the product has no metrics.
    #[oai(nullable, validator(minimum(value = "0"), maximum(value = "100")))]
    pub sustainability_score: Option<i64>,
    /// The metrics: an object sets them, null removes them, leaving the
    /// field out keeps what the product has.
    #[oai(nullable)]
    pub sustainability: MaybeUndefined<MetricsInput>,
    /// The shop's stock-keeping unit, `[A-Za-z0-9._-]{1,64}`, unique among
    /// live products (409 when taken); null removes it; left out, it stays
    /// as it is.
    #[oai(nullable)]
    pub sku: MaybeUndefined<Text<SkuRule>>,
    /// The GS1 GTIN (8, 12, 13 or 14 digits with a valid check digit; read
    /// back as 14), unique among live products (409 when taken); null
    /// removes it; left out, it stays as it is.
    #[oai(nullable)]
    pub gtin: MaybeUndefined<Text<GtinRule>>,
    /// The weight of one unit in kg, a decimal string > 0 with at most 3
    /// fraction digits (`"0.350"`); null when unknown; left out, it stays
    /// as it is.
    #[oai(nullable)]
    pub weight_kg: MaybeUndefined<Text<WeightRule>>,
}

impl ProductInput {
    pub(crate) fn sample() -> Self {
        Self {
            name: "Eco Bottle".into(),
            description: Some("A steel bottle that lasts.".into()),
            price: PriceInput::sample("19.99"),
            category: Some("bottles".into()),
            stock: Some(120),
            sustainability_score: None,
            sustainability: MaybeUndefined::Value(MetricsInput::sample()),
            sku: MaybeUndefined::Value("BTL-500".into()),
            gtin: MaybeUndefined::Value("4006381333931".into()),
            weight_kg: MaybeUndefined::Value("0.350".into()),
        }
    }
}

/// A product's fields, all of them (PUT): each one named here replaces the
/// product's; `sustainability` left out keeps the metrics.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ProductReplacement", example)]
pub(crate) struct ProductReplacement {
    /// Name, 1..200 characters.
    pub name: Text<ProductNameRule>,
    /// Description, up to 5000 characters (may be empty).
    pub description: Text<DescriptionRule>,
    /// Unit price >= 0: at most 10 digits, 2 after the point.
    pub price: PriceInput,
    /// An existing category's slug, or null for none.
    #[oai(nullable)]
    pub category: Nullable<Text<SlugRule>>,
    /// Units in stock, >= 0.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000")))]
    pub stock: i64,
    /// The manual score 0..100, used while the product has no metrics.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub sustainability_score: i64,
    /// The metrics: an object sets them, null removes them, leaving the
    /// field out keeps what the product has.
    #[oai(nullable)]
    pub sustainability: MaybeUndefined<MetricsInput>,
    /// The shop's stock-keeping unit, `[A-Za-z0-9._-]{1,64}`, unique among
    /// live products (409 when taken); null removes it; left out, it stays
    /// as it is.
    #[oai(nullable)]
    pub sku: MaybeUndefined<Text<SkuRule>>,
    /// The GS1 GTIN (8, 12, 13 or 14 digits with a valid check digit; read
    /// back as 14), unique among live products (409 when taken); null
    /// removes it; left out, it stays as it is.
    #[oai(nullable)]
    pub gtin: MaybeUndefined<Text<GtinRule>>,
    /// The weight of one unit in kg, a decimal string > 0 with at most 3
    /// fraction digits (`"0.350"`); null when unknown; left out, it stays
    /// as it is.
    #[oai(nullable)]
    pub weight_kg: MaybeUndefined<Text<WeightRule>>,
}

impl ProductReplacement {
    pub(crate) fn sample() -> Self {
        Self {
            name: "Eco Bottle".into(),
            description: "A steel bottle that lasts.".into(),
            price: PriceInput::sample("19.99"),
            category: Nullable(Some("bottles".into())),
            stock: 120,
            sustainability_score: 0,
            sustainability: MaybeUndefined::Undefined,
            sku: MaybeUndefined::Undefined,
            gtin: MaybeUndefined::Undefined,
            weight_kg: MaybeUndefined::Undefined,
        }
    }
}

/// Some of a product's fields to change (PATCH); fields left out are kept.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ProductPatch", example)]
pub(crate) struct ProductPatch {
    /// Name, 1..200 characters.
    #[oai(nullable)]
    pub name: Option<Text<ProductNameRule>>,
    /// Description, up to 5000 characters.
    #[oai(nullable)]
    pub description: Option<Text<DescriptionRule>>,
    /// Unit price >= 0.
    #[oai(nullable)]
    pub price: Option<PriceInput>,
    /// An existing category's slug; null removes the category.
    #[oai(nullable)]
    pub category: MaybeUndefined<Text<SlugRule>>,
    /// Units in stock, >= 0.
    #[oai(
        nullable,
        validator(minimum(value = "0"), maximum(value = "1000000000"))
    )]
    pub stock: Option<i64>,
    /// The manual score 0..100.
    #[oai(nullable, validator(minimum(value = "0"), maximum(value = "100")))]
    pub sustainability_score: Option<i64>,
    /// The metrics; null removes them.
    #[oai(nullable)]
    pub sustainability: MaybeUndefined<MetricsInput>,
    /// The shop's stock-keeping unit, `[A-Za-z0-9._-]{1,64}`, unique among
    /// live products (409 when taken); null removes it; left out, it stays
    /// as it is.
    #[oai(nullable)]
    pub sku: MaybeUndefined<Text<SkuRule>>,
    /// The GS1 GTIN (8, 12, 13 or 14 digits with a valid check digit; read
    /// back as 14), unique among live products (409 when taken); null
    /// removes it; left out, it stays as it is.
    #[oai(nullable)]
    pub gtin: MaybeUndefined<Text<GtinRule>>,
    /// The weight of one unit in kg, a decimal string > 0 with at most 3
    /// fraction digits (`"0.350"`); null when unknown; left out, it stays
    /// as it is.
    #[oai(nullable)]
    pub weight_kg: MaybeUndefined<Text<WeightRule>>,
}

impl ProductPatch {
    pub(crate) fn sample() -> Self {
        Self {
            name: None,
            description: None,
            price: Some(PriceInput::sample("17.99")),
            category: MaybeUndefined::Undefined,
            stock: Some(80),
            sustainability_score: None,
            sustainability: MaybeUndefined::Undefined,
            sku: MaybeUndefined::Undefined,
            gtin: MaybeUndefined::Undefined,
            weight_kg: MaybeUndefined::Undefined,
        }
    }
}

/// One factor of a score and the points it gave.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "ScoreFactor")]
pub(crate) struct ScoreFactorDto {
    /// What was judged, such as `carbon_footprint` or `recyclable`.
    pub factor: String,
    /// Points it contributed.
    pub points: i64,
}

/// A product's metrics, its score and how the score was computed.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "ProductSustainability", example)]
pub(crate) struct ProductSustainabilityDto {
    /// Carbon footprint of one unit, in kg CO₂e.
    pub carbon_footprint_kg: f64,
    /// Whether the product can be recycled.
    pub recyclable: bool,
    /// Whether the product is biodegradable.
    pub biodegradable: bool,
    /// The score as stored, 0..100: the breakdown's points added up and clamped.
    pub score: u8,
    /// The method that computed it (`name@version`).
    pub score_method: String,
    /// When it was computed.
    pub score_computed_at: chrono::DateTime<chrono::Utc>,
    /// The points per factor, as the policy the score names computed
    /// them; null for a score stored before breakdowns were kept by
    /// another policy than `ecolaura-default@1` (a score is never
    /// explained by another policy than its own).
    #[oai(nullable)]
    pub breakdown: Option<Vec<ScoreFactorDto>>,
}

impl ProductSustainabilityDto {
    pub(crate) fn sample() -> Self {
        Self {
            carbon_footprint_kg: 1.2,
            recyclable: true,
            biodegradable: false,
            score: 75,
            score_method: "ecolaura-default@1".into(),
            score_computed_at: sample_time(),
            breakdown: Some(vec![
                ScoreFactorDto {
                    factor: "carbon_footprint".into(),
                    points: 55,
                },
                ScoreFactorDto {
                    factor: "recyclable".into(),
                    points: 20,
                },
                ScoreFactorDto {
                    factor: "biodegradable".into(),
                    points: 0,
                },
                ScoreFactorDto {
                    factor: "certified_claims".into(),
                    points: 0,
                },
            ]),
        }
    }
}

impl From<ProductSustainability> for ProductSustainabilityDto {
    fn from(s: ProductSustainability) -> Self {
        Self {
            carbon_footprint_kg: s.metrics.carbon_footprint_kg.to_f64(),
            recyclable: s.metrics.recyclable,
            biodegradable: s.metrics.biodegradable,
            score: s.score.value(),
            score_method: s.score_method.to_string(),
            score_computed_at: s.score_computed_at,
            breakdown: s.breakdown.map(breakdown),
        }
    }
}

fn breakdown(b: ScoreBreakdown) -> Vec<ScoreFactorDto> {
    b.factors
        .into_iter()
        .map(|f| ScoreFactorDto {
            factor: f.factor.into_owned(),
            points: f.points,
        })
        .collect()
}
