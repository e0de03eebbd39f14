//! Rows as the databases return them, in driver-neutral types, and their
//! conversion into domain types. Both adapters decode their rows into these
//! records, so what counts as a valid stored value is decided once, here.
//!
//! Records whose columns have the same Rust type on every backend derive
//! `sqlx::FromRow` (generically), so adapters decode rows straight into them;
//! products and order lines, whose money and footprint columns differ, are
//! decoded by each adapter and converted here.
//!
//! A row that does not convert (a name that breaks the rules, an unknown
//! status) means the database was changed behind the library's back; it is
//! reported as [`CorruptRow`], never silently patched.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use ecolaura_core::accounts::{PasswordHash, Role, User};
use ecolaura_core::catalog::{Category, Product, ScoreSource, SustainabilityMetrics};
use ecolaura_core::domain::{
    CarbonKg, CategoryName, ClaimId, Currency, Description, DiscardId, Disclosure, Email, Gtin,
    JobId, Page, PageRequest, PersonName, Price, ProductName, Quantity, Score, ShippingName, Sku,
    Slug, Stock, UserId, WeightKg,
};
use ecolaura_core::idempotency::{IdempotencyRecord, IdempotentOutcome};
use ecolaura_core::jobs::{ClaimedJob, Job, JobKind, JobStatus, QueueStats, StatsGroup};
use ecolaura_core::mail::{OutgoingEmail, SentEmail};
use ecolaura_core::orders::{Order, OrderLine, OrderShipping, OrderStatus, SustainabilitySummary};
use ecolaura_core::ports::StoreError;
use ecolaura_core::scoring::{
    PublishedPolicy, ScoreEntry, ScoreMethod, ScoreReason, ScoreRules,
    breakdown_before_they_were_kept,
};
use ecolaura_core::sustainability::discards::{
    Derogation, DiscardDestination, DiscardEntry, DiscardGroup, DiscardReason, PreventionMeasures,
    ReportYear,
};
use ecolaura_core::sustainability::passport::Composition;
use ecolaura_core::sustainability::shipping::{
    DistanceKm, EmissionFactor, ShippingMethod, TransportMode,
};
use ecolaura_core::sustainability::{
    Claim, ClaimType, DeclaredUnit, Evidence, FootprintRecord, FootprintSource, Geography, Market,
    SystemBoundary, Verification,
};
use rust_decimal::Decimal;
use uuid::Uuid;

/// A stored value that is not valid in the domain.
#[derive(Debug, thiserror::Error)]
#[error("stored {what} is not valid: {detail}")]
pub struct CorruptRow {
    what: &'static str,
    detail: String,
}

impl From<CorruptRow> for StoreError {
    fn from(e: CorruptRow) -> Self {
        StoreError::backend(e)
    }
}

fn corrupt(what: &'static str) -> impl FnOnce(String) -> CorruptRow {
    move |detail| CorruptRow { what, detail }
}

trait OrCorrupt<T> {
    fn or_corrupt(self, what: &'static str) -> Result<T, CorruptRow>;
}

impl<T, E: std::fmt::Display> OrCorrupt<T> for Result<T, E> {
    fn or_corrupt(self, what: &'static str) -> Result<T, CorruptRow> {
        self.map_err(|e| corrupt(what)(e.to_string()))
    }
}

/// Integer cents as a decimal amount.
pub fn cents_to_decimal(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// A footprint as integer micro-kilograms (its exact stored form on SQLite).
pub fn carbon_to_micro_kg(kg: CarbonKg) -> i64 {
    let micro = kg.kg() * Decimal::from(1_000_000);
    i64::try_from(micro.trunc()).unwrap_or(i64::MAX)
}

/// A weight as integer grams (its exact stored form on SQLite).
pub fn weight_to_grams(kg: WeightKg) -> i64 {
    i64::try_from((kg.kg() * Decimal::from(1_000)).trunc()).unwrap_or(i64::MAX)
}

/// Integer grams as a decimal weight in kg.
pub fn grams_to_decimal(grams: i64) -> Decimal {
    Decimal::new(grams, 3)
}

/// Integer micro-kilograms as a decimal footprint.
pub fn micro_kg_to_decimal(micro: i64) -> Decimal {
    Decimal::new(micro, 6)
}

/// Kilograms from a float sum of micro-kilograms (SQLite's `TOTAL`).
pub fn micro_kg_total_to_decimal(micro: f64) -> Decimal {
    Decimal::from_f64_retain(micro).unwrap_or(Decimal::MAX) / Decimal::from(1_000_000)
}

/// Kilograms from a float sum of decimal kilograms (SQLite's `TOTAL` over
/// decimal text).
pub fn kg_total_to_decimal(kg: f64) -> Decimal {
    Decimal::from_f64_retain(kg).unwrap_or(Decimal::MAX)
}

/// A `categories` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CategoryRecord {
    /// `slug`
    pub slug: String,
    /// `name`
    pub name: String,
    /// `description`
    pub description: String,
    /// `destruction_banned`
    pub destruction_banned: bool,
    /// `created_at`
    pub created_at: DateTime<Utc>,
}

impl TryFrom<CategoryRecord> for Category {
    type Error = CorruptRow;
    fn try_from(r: CategoryRecord) -> Result<Self, CorruptRow> {
        Ok(Category {
            slug: Slug::parse(&r.slug).or_corrupt("category slug")?,
            name: CategoryName::parse(&r.name).or_corrupt("category name")?,
            description: Description::parse(&r.description).or_corrupt("category description")?,
            destruction_banned: r.destruction_banned,
            created_at: r.created_at,
        })
    }
}

/// A `products` row, money and footprint already as decimals.
#[derive(Debug, Clone)]
pub struct ProductRecord {
    /// `id`
    pub id: Uuid,
    /// `name`
    pub name: String,
    /// `description`
    pub description: String,
    /// `price`
    pub price: Decimal,
    /// `category`
    pub category: Option<String>,
    /// `stock`
    pub stock: i64,
    /// `carbon_footprint_kg`
    pub carbon_footprint_kg: Option<Decimal>,
    /// `recyclable`
    pub recyclable: Option<bool>,
    /// `biodegradable`
    pub biodegradable: Option<bool>,
    /// `footprint_source`
    pub footprint_source: String,
    /// `manual_score`
    pub manual_score: i64,
    /// `score`
    pub score: i64,
    /// `score_source`
    pub score_source: String,
    /// `score_method` (NULL: stored before methods were kept)
    pub score_method: Option<String>,
    /// `score_computed_at` (NULL: as `score_method`)
    pub score_computed_at: Option<DateTime<Utc>>,
    /// `score_reason` (NULL: stored before reasons were kept)
    pub score_reason: Option<String>,
    /// `score_breakdown`, JSON (NULL: stored before breakdowns were kept,
    /// or a manual score)
    pub score_breakdown: Option<String>,
    /// `sku`
    pub sku: Option<String>,
    /// `gtin`, 14 digits
    pub gtin: Option<String>,
    /// `weight_kg`
    pub weight_kg: Option<Decimal>,
    /// `archived`
    pub archived: bool,
    /// `version`
    pub version: i64,
    /// `created_at`
    pub created_at: DateTime<Utc>,
    /// `updated_at`
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<ProductRecord> for Product {
    type Error = CorruptRow;
    fn try_from(r: ProductRecord) -> Result<Self, CorruptRow> {
        let metrics = match (r.carbon_footprint_kg, r.recyclable, r.biodegradable) {
            (Some(kg), Some(recyclable), Some(biodegradable)) => Some(SustainabilityMetrics {
                carbon_footprint_kg: CarbonKg::new(kg).or_corrupt("carbon footprint")?,
                recyclable,
                biodegradable,
            }),
            (None, None, None) => None,
            _ => {
                return Err(corrupt("metrics")(
                    "some but not all metric columns are set".into(),
                ));
            }
        };
        let score_source = match r.score_source.as_str() {
            "metrics" => ScoreSource::Metrics,
            "manual" => ScoreSource::Manual,
            other => return Err(corrupt("score source")(other.to_owned())),
        };
        let score_method = match r.score_method.as_deref() {
            Some(method) => ScoreMethod::parse(method).or_corrupt("score method")?,
            None => ScoreMethod::before_methods_were_kept(score_source),
        };
        let score_reason = match r.score_reason.as_deref() {
            Some(reason) => reason.parse().or_corrupt("score reason")?,
            None => ScoreReason::before_reasons_were_kept(score_source),
        };
        let score_breakdown = match r.score_breakdown.as_deref() {
            Some(json) => Some(serde_json::from_str(json).or_corrupt("score breakdown")?),
            None => breakdown_before_they_were_kept(&score_method, metrics.as_ref()),
        };
        Ok(Product {
            id: r.id.into(),
            name: ProductName::parse(&r.name).or_corrupt("product name")?,
            description: Description::parse(&r.description).or_corrupt("product description")?,
            price: Price::new(r.price).or_corrupt("price")?,
            category: r
                .category
                .as_deref()
                .map(Slug::parse)
                .transpose()
                .or_corrupt("product category")?,
            stock: Stock::new(r.stock).or_corrupt("stock")?,
            metrics,
            footprint_source: FootprintSource::parse(&r.footprint_source)
                .or_corrupt("footprint source")?,
            manual_score: Score::new(r.manual_score).or_corrupt("manual score")?,
            score: Score::new(r.score).or_corrupt("score")?,
            score_source,
            score_method,
            score_computed_at: r.score_computed_at.unwrap_or(r.updated_at),
            score_reason,
            score_breakdown,
            sku: r
                .sku
                .as_deref()
                .map(Sku::parse)
                .transpose()
                .or_corrupt("sku")?,
            gtin: r
                .gtin
                .as_deref()
                .map(Gtin::parse)
                .transpose()
                .or_corrupt("gtin")?,
            weight_kg: r
                .weight_kg
                .map(WeightKg::new)
                .transpose()
                .or_corrupt("weight")?,
            archived: r.archived,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A `score_history` row (without its product).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScoreEntryRow {
    /// `at`
    pub at: DateTime<Utc>,
    /// `score`
    pub score: i32,
    /// `method`
    pub method: String,
    /// `reason`
    pub reason: String,
}

impl TryFrom<ScoreEntryRow> for ScoreEntry {
    type Error = CorruptRow;
    fn try_from(r: ScoreEntryRow) -> Result<Self, CorruptRow> {
        Ok(ScoreEntry {
            score: Score::new(i64::from(r.score)).or_corrupt("history score")?,
            method: ScoreMethod::parse(&r.method).or_corrupt("history method")?,
            reason: r.reason.parse().or_corrupt("history reason")?,
            at: r.at,
        })
    }
}

/// A `score_policies` row (without its cursor).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScorePolicyRow {
    /// `version`
    pub version: i32,
    /// `rules`, JSON
    pub rules: String,
    /// `published_at`
    pub published_at: DateTime<Utc>,
}

impl TryFrom<ScorePolicyRow> for PublishedPolicy {
    type Error = CorruptRow;
    fn try_from(r: ScorePolicyRow) -> Result<Self, CorruptRow> {
        Ok(PublishedPolicy {
            version: u32::try_from(r.version).or_corrupt("policy version")?,
            rules: serde_json::from_str::<ScoreRules>(&r.rules).or_corrupt("policy rules")?,
            published_at: r.published_at,
        })
    }
}

/// A decimal column as a backend returns it: `NUMERIC` on Postgres, the
/// digits as `TEXT` on SQLite.
pub trait StoredDecimal {
    /// The exact value.
    ///
    /// # Errors
    /// The reason when the stored text is not a decimal.
    fn to_decimal(self) -> Result<Decimal, String>;
}

impl StoredDecimal for Decimal {
    fn to_decimal(self) -> Result<Decimal, String> {
        Ok(self)
    }
}

impl StoredDecimal for String {
    fn to_decimal(self) -> Result<Decimal, String> {
        self.parse().map_err(|e: rust_decimal::Error| e.to_string())
    }
}

/// A money column as a backend returns it: `NUMERIC(10, 2)` on Postgres,
/// integer cents on SQLite.
pub trait StoredMoney {
    /// The exact amount.
    fn to_amount(self) -> Decimal;
}

impl StoredMoney for Decimal {
    fn to_amount(self) -> Decimal {
        self
    }
}

impl StoredMoney for i64 {
    fn to_amount(self) -> Decimal {
        cents_to_decimal(self)
    }
}

/// A `shipping_methods` row; `M` is the backend's money column type, `N`
/// its decimal column type.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShippingMethodRow<M, N> {
    /// `code`
    pub code: String,
    /// `name`
    pub name: String,
    /// `mode`
    pub mode: String,
    /// `distance_km`
    pub distance_km: i64,
    /// `emission_factor_g_per_tkm`
    pub emission_factor_g_per_tkm: N,
    /// `price`
    pub price: M,
    /// `active`
    pub active: bool,
    /// `created_at`
    pub created_at: DateTime<Utc>,
    /// `updated_at`
    pub updated_at: DateTime<Utc>,
}

impl<M: StoredMoney, N: StoredDecimal> TryFrom<ShippingMethodRow<M, N>> for ShippingMethod {
    type Error = CorruptRow;
    fn try_from(r: ShippingMethodRow<M, N>) -> Result<Self, CorruptRow> {
        Ok(ShippingMethod {
            code: Slug::parse(&r.code).or_corrupt("shipping method code")?,
            name: ShippingName::parse(&r.name).or_corrupt("shipping method name")?,
            mode: TransportMode::parse(&r.mode).or_corrupt("transport mode")?,
            distance_km: DistanceKm::new(r.distance_km).or_corrupt("shipping distance")?,
            emission_factor: r
                .emission_factor_g_per_tkm
                .to_decimal()
                .and_then(|d| EmissionFactor::new(d).map_err(|e| e.to_string()))
                .or_corrupt("emission factor")?,
            price: Price::new(r.price.to_amount()).or_corrupt("shipping price")?,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A `product_footprints` row; `N` is the backend's decimal column type.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FootprintRow<N> {
    /// `product_id`
    pub product_id: Uuid,
    /// `declared_unit`
    pub declared_unit: String,
    /// `unitary_product_amount`
    pub unitary_product_amount: N,
    /// `pcf_excluding_biogenic_kg`
    pub pcf_excluding_biogenic_kg: N,
    /// `pcf_including_biogenic_kg`
    pub pcf_including_biogenic_kg: N,
    /// `boundary`
    pub boundary: String,
    /// `reference_period_start`
    pub reference_period_start: NaiveDate,
    /// `reference_period_end`
    pub reference_period_end: NaiveDate,
    /// `valid_until`
    pub valid_until: NaiveDate,
    /// `geography`
    pub geography: String,
    /// `primary_data_share`
    pub primary_data_share: Option<N>,
    /// `standards`: a JSON array of strings.
    pub standards: String,
    /// `verified`
    pub verified: Option<bool>,
    /// `verification_provider`
    pub verification_provider: Option<String>,
    /// `verification_date`
    pub verification_date: Option<NaiveDate>,
    /// `updated_at`
    pub updated_at: DateTime<Utc>,
}

impl<N: StoredDecimal> TryFrom<FootprintRow<N>> for FootprintRecord {
    type Error = CorruptRow;
    fn try_from(r: FootprintRow<N>) -> Result<Self, CorruptRow> {
        let verification = match (r.verified, r.verification_provider, r.verification_date) {
            (Some(verified), provider, date) => Some(Verification {
                verified,
                provider,
                date,
            }),
            (None, None, None) => None,
            _ => return Err(corrupt("verification")("details without a verdict".into())),
        };
        Ok(FootprintRecord {
            declared_unit: DeclaredUnit::parse(&r.declared_unit).or_corrupt("declared unit")?,
            unitary_product_amount: r
                .unitary_product_amount
                .to_decimal()
                .or_corrupt("unitary product amount")?
                .normalize(),
            pcf_excluding_biogenic_kg: r
                .pcf_excluding_biogenic_kg
                .to_decimal()
                .or_corrupt("pcf excluding biogenic")?
                .normalize(),
            pcf_including_biogenic_kg: r
                .pcf_including_biogenic_kg
                .to_decimal()
                .or_corrupt("pcf including biogenic")?
                .normalize(),
            boundary: SystemBoundary::parse(&r.boundary).or_corrupt("boundary")?,
            reference_period_start: r.reference_period_start,
            reference_period_end: r.reference_period_end,
            valid_until: r.valid_until,
            geography: Geography::parse(&r.geography).or_corrupt("geography")?,
            primary_data_share: r
                .primary_data_share
                .map(StoredDecimal::to_decimal)
                .transpose()
                .or_corrupt("primary data share")?
                .map(|d| d.normalize()),
            standards: serde_json::from_str(&r.standards).or_corrupt("standards")?,
            verification,
            updated_at: r.updated_at,
        })
    }
}

/// A `product_claims` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimRow {
    /// `id`
    pub id: Uuid,
    /// `product_id`
    pub product_id: Uuid,
    /// `claim_type`
    pub claim_type: String,
    /// `statement`
    pub statement: String,
    /// `markets`: a JSON array of codes.
    pub markets: String,
    /// `evidence_scheme`
    pub evidence_scheme: String,
    /// `evidence_certificate_id`
    pub evidence_certificate_id: Option<String>,
    /// `evidence_issuer`
    pub evidence_issuer: String,
    /// `evidence_valid_from`
    pub evidence_valid_from: NaiveDate,
    /// `evidence_valid_until`
    pub evidence_valid_until: NaiveDate,
    /// `evidence_ecolabel_type_i`
    pub evidence_ecolabel_type_i: bool,
    /// `evidence_url`
    pub evidence_url: Option<String>,
    /// `created_at`
    pub created_at: DateTime<Utc>,
}

impl TryFrom<ClaimRow> for Claim {
    type Error = CorruptRow;
    fn try_from(r: ClaimRow) -> Result<Self, CorruptRow> {
        let codes: Vec<String> = serde_json::from_str(&r.markets).or_corrupt("claim markets")?;
        let markets = codes
            .iter()
            .map(|c| Market::parse(c))
            .collect::<Result<Vec<_>, _>>()
            .or_corrupt("claim market")?;
        Ok(Claim {
            id: ClaimId::from_uuid(r.id),
            product_id: r.product_id.into(),
            claim_type: ClaimType::parse(&r.claim_type).or_corrupt("claim type")?,
            statement: r.statement,
            markets,
            evidence: Evidence {
                scheme: r.evidence_scheme,
                certificate_id: r.evidence_certificate_id,
                issuer: r.evidence_issuer,
                valid_from: r.evidence_valid_from,
                valid_until: r.evidence_valid_until,
                ecolabel_type_i: r.evidence_ecolabel_type_i,
                url: r.evidence_url,
            },
            created_at: r.created_at,
        })
    }
}

/// The stock a product has left, as `RETURNING stock` gives it.
pub fn stock_left(units: i64) -> Result<Stock, CorruptRow> {
    Stock::new(units).or_corrupt("stock")
}

/// A page from the rows of [`list_products`](crate::statements::list_products),
/// each a product and the count of all matches. `None` when there is no row:
/// a page past the end carries no count, so the caller runs the count
/// statement.
pub fn listed_page(
    rows: Vec<(ProductRecord, i64)>,
    request: PageRequest,
) -> Result<Option<Page<Product>>, CorruptRow> {
    let Some(&(_, total)) = rows.first() else {
        return Ok(None);
    };
    let count = u64::try_from(total).or_corrupt("product count")?;
    let items = rows
        .into_iter()
        .map(|(record, _)| Product::try_from(record))
        .collect::<Result<_, _>>()?;
    Ok(Some(Page {
        count,
        items,
        request,
    }))
}

/// A `users` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    /// `id`
    pub id: Uuid,
    /// `email`
    pub email: String,
    /// `name`
    pub name: String,
    /// `role`
    pub role: String,
    /// `password_hash`
    pub password_hash: String,
    /// `created_at`
    pub created_at: DateTime<Utc>,
}

impl TryFrom<UserRecord> for User {
    type Error = CorruptRow;
    fn try_from(r: UserRecord) -> Result<Self, CorruptRow> {
        Ok(User {
            id: r.id.into(),
            email: Email::parse(&r.email).or_corrupt("e-mail")?,
            name: PersonName::parse(&r.name).or_corrupt("user name")?,
            role: r.role.parse::<Role>().or_corrupt("role")?,
            password_hash: PasswordHash::from_phc(r.password_hash),
            created_at: r.created_at,
        })
    }
}

/// An `orders` row; `M` is the backend's money column type, `N` its
/// decimal column type.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRecord<M, N> {
    /// `id`
    pub id: Uuid,
    /// `user_id`
    pub user_id: Uuid,
    /// `status`
    pub status: String,
    /// `currency`
    pub currency: String,
    /// `confirmation_sent_at`
    pub confirmation_sent_at: Option<DateTime<Utc>>,
    /// `created_at`
    pub created_at: DateTime<Utc>,
    /// `updated_at`
    pub updated_at: DateTime<Utc>,
    /// `shipping_code`
    pub shipping_code: Option<String>,
    /// `shipping_name`
    pub shipping_name: Option<String>,
    /// `shipping_price`
    pub shipping_price: Option<M>,
    /// `shipping_carbon_footprint_kg`
    pub shipping_carbon_footprint_kg: Option<N>,
}

impl<M: StoredMoney, N: StoredDecimal> OrderRecord<M, N> {
    /// The shipping the order was placed with, if any.
    fn shipping(&mut self) -> Result<Option<OrderShipping>, CorruptRow> {
        let (code, name, price) = match (
            self.shipping_code.take(),
            self.shipping_name.take(),
            self.shipping_price.take(),
        ) {
            (None, None, None) => return Ok(None),
            (Some(code), Some(name), Some(price)) => (code, name, price),
            _ => {
                return Err(corrupt("order shipping")(
                    "code, name and price are not all set".to_owned(),
                ));
            }
        };
        let carbon = self
            .shipping_carbon_footprint_kg
            .take()
            .map(|n| {
                n.to_decimal()
                    .and_then(|d| CarbonKg::total(d).map_err(|e| e.to_string()))
            })
            .transpose()
            .or_corrupt("shipping footprint")?;
        Ok(Some(OrderShipping {
            code: Slug::parse(&code).or_corrupt("shipping code")?,
            name: ShippingName::parse(&name).or_corrupt("shipping name")?,
            price: Price::new(price.to_amount()).or_corrupt("shipping price")?,
            carbon_footprint_kg: carbon,
        }))
    }
}

/// An `order_lines` row, money and footprint already as decimals.
#[derive(Debug, Clone)]
pub struct OrderLineRecord {
    /// `order_id`
    pub order_id: Uuid,
    /// `position`
    pub position: i64,
    /// `product_id`
    pub product_id: Uuid,
    /// `name`
    pub name: String,
    /// `unit_price`
    pub unit_price: Decimal,
    /// `quantity`
    pub quantity: i64,
    /// `unit_carbon_footprint_kg`
    pub unit_carbon_footprint_kg: Option<Decimal>,
    /// `sustainability_score`
    pub sustainability_score: i64,
    /// `score_method`
    pub score_method: Option<String>,
}

impl TryFrom<OrderLineRecord> for OrderLine {
    type Error = CorruptRow;
    fn try_from(r: OrderLineRecord) -> Result<Self, CorruptRow> {
        Ok(OrderLine {
            product_id: r.product_id.into(),
            name: ProductName::parse(&r.name).or_corrupt("line name")?,
            unit_price: Price::new(r.unit_price).or_corrupt("unit price")?,
            quantity: Quantity::new(r.quantity).or_corrupt("quantity")?,
            unit_carbon_footprint_kg: r
                .unit_carbon_footprint_kg
                .map(CarbonKg::new)
                .transpose()
                .or_corrupt("footprint")?,
            sustainability_score: Score::new(r.sustainability_score).or_corrupt("line score")?,
            score_method: r
                .score_method
                .as_deref()
                .map(ScoreMethod::parse)
                .transpose()
                .or_corrupt("line score method")?,
        })
    }
}

/// Orders with their lines, in the orders' order; lines by position.
pub fn assemble_orders<M: StoredMoney, N: StoredDecimal>(
    orders: Vec<OrderRecord<M, N>>,
    lines: Vec<OrderLineRecord>,
) -> Result<Vec<Order>, CorruptRow> {
    let mut by_order: HashMap<Uuid, Vec<OrderLineRecord>> = HashMap::new();
    for line in lines {
        by_order.entry(line.order_id).or_default().push(line);
    }
    orders
        .into_iter()
        .map(|mut o| {
            let mut lines = by_order.remove(&o.id).unwrap_or_default();
            lines.sort_by_key(|l| l.position);
            if lines.is_empty() {
                return Err(corrupt("order")(format!("order {} has no lines", o.id)));
            }
            Ok(Order {
                id: o.id.into(),
                user_id: o.user_id.into(),
                status: o.status.parse::<OrderStatus>().or_corrupt("order status")?,
                currency: Currency::parse(&o.currency).or_corrupt("order currency")?,
                lines: lines
                    .into_iter()
                    .map(OrderLine::try_from)
                    .collect::<Result<_, _>>()?,
                shipping: o.shipping()?,
                confirmation_sent_at: o.confirmation_sent_at,
                created_at: o.created_at,
                updated_at: o.updated_at,
            })
        })
        .collect()
}

/// The sums behind a [`SustainabilitySummary`], as the summary query returns them.
#[derive(Debug, Clone, Copy)]
pub struct SummaryRecord {
    /// Orders that are not cancelled.
    pub orders_count: i64,
    /// Sum of quantities.
    pub items_count: i64,
    /// Sum of quantity × unit footprint over lines with a footprint.
    pub carbon: Decimal,
    /// Sum of quantity × score.
    pub weighted_score: i64,
    /// Sum of the known shipping footprints of those orders.
    pub shipping_carbon: Decimal,
}

impl TryFrom<SummaryRecord> for SustainabilitySummary {
    type Error = CorruptRow;
    fn try_from(r: SummaryRecord) -> Result<Self, CorruptRow> {
        let items = u64::try_from(r.items_count).or_corrupt("items count")?;
        Ok(SustainabilitySummary {
            orders_count: u64::try_from(r.orders_count).or_corrupt("orders count")?,
            items_count: items,
            total_carbon_footprint_kg: CarbonKg::total(r.carbon + r.shipping_carbon)
                .or_corrupt("carbon total")?,
            average_score: SustainabilitySummary::average(Decimal::from(r.weighted_score), items),
        })
    }
}

/// A `jobs` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRecord {
    /// `id`
    pub id: Uuid,
    /// `kind`
    pub kind: String,
    /// `payload`
    pub payload: serde_json::Value,
    /// `status`
    pub status: String,
    /// `attempts`
    pub attempts: i64,
    /// `max_attempts`
    pub max_attempts: i64,
    /// `run_at`
    pub run_at: DateTime<Utc>,
    /// `locked_until`
    pub locked_until: Option<DateTime<Utc>>,
    /// `lease_token`
    pub lease_token: Option<Uuid>,
    /// `last_error`
    pub last_error: Option<String>,
    /// `created_at`
    pub created_at: DateTime<Utc>,
    /// `updated_at`
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<JobRecord> for Job {
    type Error = CorruptRow;
    fn try_from(r: JobRecord) -> Result<Self, CorruptRow> {
        Ok(Job {
            id: r.id.into(),
            kind: r.kind.parse::<JobKind>().or_corrupt("job kind")?,
            payload: r.payload,
            status: r.status.parse::<JobStatus>().or_corrupt("job status")?,
            attempts: u32::try_from(r.attempts).or_corrupt("attempts")?,
            max_attempts: u32::try_from(r.max_attempts).or_corrupt("max attempts")?,
            run_at: r.run_at,
            locked_until: r.locked_until,
            last_error: r.last_error,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The ids of `claims` that a statement did not touch (`touched` are the
/// (id, token) pairs it returned): the claims whose lease was lost.
pub fn not_among(claims: &[ClaimedJob], touched: Vec<(Uuid, Uuid)>) -> Vec<JobId> {
    let touched: std::collections::HashSet<(Uuid, Uuid)> = touched.into_iter().collect();
    claims
        .iter()
        .filter(|c| !touched.contains(&(c.job.id.as_uuid(), c.token)))
        .map(|c| c.job.id)
        .collect()
}

/// A row of [`queue_stats`](crate::statements::queue_stats): kind, state,
/// count and earliest `run_at`.
pub type StatsRow = (String, String, i64, Option<DateTime<Utc>>);

/// Fold the rows of [`queue_stats`](crate::statements::queue_stats) into the
/// core's figures.
pub fn queue_stats(rows: Vec<StatsRow>) -> Result<QueueStats, CorruptRow> {
    use crate::statements::{STATE_DEAD, STATE_READY, STATE_RUNNING, STATE_SCHEDULED};
    let mut groups = Vec::with_capacity(rows.len());
    for (kind, state, count, earliest_run_at) in rows {
        let (status, due) = match state.as_str() {
            STATE_READY => (JobStatus::Queued, true),
            STATE_SCHEDULED => (JobStatus::Queued, false),
            STATE_RUNNING => (JobStatus::Running, true),
            STATE_DEAD => (JobStatus::Dead, true),
            other => return Err(corrupt("queue state")(other.to_owned())),
        };
        groups.push(StatsGroup {
            kind: kind.parse::<JobKind>().or_corrupt("job kind")?,
            status,
            due,
            count: u64::try_from(count).or_corrupt("job count")?,
            earliest_run_at,
        });
    }
    Ok(QueueStats::from_groups(groups))
}

/// An `idempotency_keys` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdempotencyRow {
    /// `fingerprint`
    pub fingerprint: String,
    /// `outcome`
    pub outcome: serde_json::Value,
    /// `expires_at`
    pub expires_at: DateTime<Utc>,
}

impl TryFrom<IdempotencyRow> for IdempotencyRecord {
    type Error = CorruptRow;
    fn try_from(r: IdempotencyRow) -> Result<Self, CorruptRow> {
        Ok(IdempotencyRecord {
            fingerprint: r.fingerprint,
            outcome: serde_json::from_value::<IdempotentOutcome>(r.outcome)
                .or_corrupt("idempotency outcome")?,
            expires_at: r.expires_at,
        })
    }
}

/// A `sent_emails` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SentEmailRecord {
    /// `dedup_key`
    pub dedup_key: String,
    /// `recipient`
    pub recipient: String,
    /// `subject`
    pub subject: String,
    /// `body`
    pub body: String,
    /// `sent_at`
    pub sent_at: DateTime<Utc>,
    /// `delivered_at`
    pub delivered_at: Option<DateTime<Utc>>,
}

impl TryFrom<SentEmailRecord> for SentEmail {
    type Error = CorruptRow;
    fn try_from(r: SentEmailRecord) -> Result<Self, CorruptRow> {
        Ok(SentEmail {
            email: OutgoingEmail {
                dedup_key: r.dedup_key,
                to: Email::parse(&r.recipient).or_corrupt("recipient")?,
                subject: r.subject,
                body: r.body,
            },
            sent_at: r.sent_at,
            delivered_at: r.delivered_at,
        })
    }
}

/// A `sessions` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    /// `id`
    pub id: Uuid,
    /// `user_id`
    pub user_id: Uuid,
    /// `refresh_token_id`
    pub refresh_token_id: Uuid,
    /// `created_at`
    pub created_at: DateTime<Utc>,
    /// `expires_at`
    pub expires_at: DateTime<Utc>,
    /// `revoked_at`
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<SessionRecord> for ecolaura_core::accounts::Session {
    fn from(r: SessionRecord) -> Self {
        Self {
            id: r.id.into(),
            user_id: r.user_id.into(),
            refresh_token_id: r.refresh_token_id,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A `discards` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DiscardRow {
    /// `id`
    pub id: Uuid,
    /// `product_id`
    pub product_id: Uuid,
    /// `category`
    pub category: Option<String>,
    /// `quantity`
    pub quantity: i64,
    /// `unit_weight_g`
    pub unit_weight_g: Option<i64>,
    /// `reason`
    pub reason: String,
    /// `destination`
    pub destination: String,
    /// `derogation`
    pub derogation: Option<String>,
    /// `note`
    pub note: Option<String>,
    /// `recorded_by`
    pub recorded_by: Option<Uuid>,
    /// `recorded_at`
    pub recorded_at: DateTime<Utc>,
}

/// A stored unit weight in grams, as a weight.
fn unit_weight(grams: Option<i64>) -> Result<Option<WeightKg>, CorruptRow> {
    grams
        .map(|g| WeightKg::new(grams_to_decimal(g)))
        .transpose()
        .or_corrupt("unit weight")
}

/// A stored category slug.
fn category_slug(slug: Option<String>) -> Result<Option<Slug>, CorruptRow> {
    slug.map(|s| Slug::parse(&s))
        .transpose()
        .or_corrupt("discard category")
}

/// What a discard was, from its stored words.
fn discard_kind(
    reason: &str,
    destination: &str,
    derogation: Option<&str>,
) -> Result<(DiscardReason, DiscardDestination, Option<Derogation>), CorruptRow> {
    Ok((
        DiscardReason::parse(reason).or_corrupt("discard reason")?,
        DiscardDestination::parse(destination).or_corrupt("discard destination")?,
        derogation
            .map(Derogation::parse)
            .transpose()
            .or_corrupt("discard derogation")?,
    ))
}

impl TryFrom<DiscardRow> for DiscardEntry {
    type Error = CorruptRow;
    fn try_from(r: DiscardRow) -> Result<Self, CorruptRow> {
        let (reason, destination, derogation) =
            discard_kind(&r.reason, &r.destination, r.derogation.as_deref())?;
        Ok(DiscardEntry {
            id: DiscardId::from_uuid(r.id),
            product_id: r.product_id.into(),
            category: category_slug(r.category)?,
            quantity: u32::try_from(r.quantity).or_corrupt("discard quantity")?,
            unit_weight_kg: unit_weight(r.unit_weight_g)?,
            reason,
            destination,
            derogation,
            note: r
                .note
                .map(|n| Description::parse(&n))
                .transpose()
                .or_corrupt("discard note")?,
            recorded_by: r.recorded_by.map(UserId::from),
            recorded_at: r.recorded_at,
        })
    }
}

/// A row of [`discard_groups`](crate::statements::discard_groups).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DiscardGroupRow {
    /// `category`
    pub category: Option<String>,
    /// `reason`
    pub reason: String,
    /// `destination`
    pub destination: String,
    /// `derogation`
    pub derogation: Option<String>,
    /// `unit_weight_g`
    pub unit_weight_g: Option<i64>,
    /// The summed units.
    pub units: i64,
}

impl TryFrom<DiscardGroupRow> for DiscardGroup {
    type Error = CorruptRow;
    fn try_from(r: DiscardGroupRow) -> Result<Self, CorruptRow> {
        let (reason, destination, derogation) =
            discard_kind(&r.reason, &r.destination, r.derogation.as_deref())?;
        Ok(DiscardGroup {
            category: category_slug(r.category)?,
            reason,
            destination,
            derogation,
            unit_weight_kg: unit_weight(r.unit_weight_g)?,
            units: u64::try_from(r.units).or_corrupt("discarded units")?,
        })
    }
}

/// A `discard_disclosures` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PreventionMeasuresRow {
    /// `year`
    pub year: i32,
    /// `prevention_measures`
    pub prevention_measures: String,
    /// `updated_at`
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<PreventionMeasuresRow> for PreventionMeasures {
    type Error = CorruptRow;
    fn try_from(r: PreventionMeasuresRow) -> Result<Self, CorruptRow> {
        Ok(PreventionMeasures {
            year: ReportYear::new(r.year.into()).or_corrupt("disclosure year")?,
            text: Disclosure::parse(&r.prevention_measures).or_corrupt("prevention measures")?,
            updated_at: r.updated_at,
        })
    }
}

/// A composition's stored JSON document.
pub fn composition(document: &str) -> Result<Composition, CorruptRow> {
    serde_json::from_str(document).or_corrupt("composition document")
}

/// A `(gtin, id)` row of
/// [`select_gtin_holders`](crate::statements::select_gtin_holders).
///
/// # Errors
/// [`CorruptRow`] for a stored GTIN that does not parse.
pub fn gtin_holder(
    (gtin, id): (String, uuid::Uuid),
) -> Result<
    (
        ecolaura_core::domain::Gtin,
        ecolaura_core::domain::ProductId,
    ),
    CorruptRow,
> {
    let gtin = ecolaura_core::domain::Gtin::parse(&gtin).or_corrupt("products.gtin")?;
    Ok((gtin, id.into()))
}

/// A `(slug)` row of
/// [`select_category_slugs`](crate::statements::select_category_slugs).
///
/// # Errors
/// [`CorruptRow`] for a stored slug that does not parse.
pub fn existing_slug((slug,): (String,)) -> Result<ecolaura_core::domain::Slug, CorruptRow> {
    ecolaura_core::domain::Slug::parse(&slug).or_corrupt("categories.slug")
}
