//! Product bodies (POST, PUT, PATCH) into domain values: one `TryFrom`
//! each, every field error collected with its path.

use ecolaura_core::catalog::{NewProduct, ProductChanges, SustainabilityMetrics};
use ecolaura_core::domain::{
    Description, Gtin, Price, ProductName, Score, Sku, Slug, Stock, WeightKg,
};
use poem_openapi::types::MaybeUndefined;

use super::text::{GtinRule, SkuRule, Text, WeightRule};
use super::{Fields, MetricsInput, PriceInput, ProductInput, ProductPatch, ProductReplacement};
use crate::problem::Problem;

fn price(fields: &mut Fields, input: &PriceInput) -> Option<Price> {
    fields.check("price", input.to_price())
}

fn stock(fields: &mut Fields, units: i64) -> Option<Stock> {
    fields.check("stock", Stock::new(units))
}

fn manual_score(fields: &mut Fields, score: i64) -> Option<Score> {
    fields.check("sustainability_score", Score::new(score))
}

fn category(fields: &mut Fields, slug: Option<&str>) -> Option<Option<Slug>> {
    match slug {
        None => Some(None),
        Some(s) => fields.check("category", Slug::parse(s)).map(Some),
    }
}

/// The optional identifiers and weight of a body, each `None` when left
/// out, `Some(None)` for null; an invalid one is recorded in `fields`.
struct TradeChanges {
    sku: Option<Option<Sku>>,
    gtin: Option<Option<Gtin>>,
    weight_kg: Option<Option<WeightKg>>,
}

impl TradeChanges {
    fn parse(
        fields: &mut Fields,
        sku: &MaybeUndefined<Text<SkuRule>>,
        gtin: &MaybeUndefined<Text<GtinRule>>,
        weight: &MaybeUndefined<Text<WeightRule>>,
    ) -> Self {
        Self {
            sku: optional(fields, "sku", sku, Sku::parse),
            gtin: optional(fields, "gtin", gtin, Gtin::parse),
            weight_kg: optional(fields, "weight_kg", weight, |s| s.parse::<WeightKg>()),
        }
    }
}

/// An optional field's change: `None` left out, `Some(None)` null, else
/// the parsed value (`None`, its error recorded, when it does not parse).
fn optional<R, T, E: std::fmt::Display>(
    fields: &mut Fields,
    name: &str,
    input: &MaybeUndefined<Text<R>>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<Option<T>> {
    match input {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(raw) => fields.check(name, parse(raw)).map(Some),
    }
}

/// `Some(change)` for an object or null, `None` when left out.
fn metrics_change(
    fields: &mut Fields,
    input: &MaybeUndefined<MetricsInput>,
) -> Option<Option<Option<SustainabilityMetrics>>> {
    match input {
        MaybeUndefined::Undefined => Some(None),
        MaybeUndefined::Null => Some(Some(None)),
        MaybeUndefined::Value(m) => m.parse("sustainability.", fields).map(|m| Some(Some(m))),
    }
}

/// The whole product of a PUT, as changes to apply: every field but
/// `sustainability` is named, so every one is replaced.
impl TryFrom<&ProductReplacement> for ProductChanges {
    type Error = Problem;

    fn try_from(input: &ProductReplacement) -> Result<Self, Problem> {
        let mut fields = Fields::default();
        let trade = TradeChanges::parse(&mut fields, &input.sku, &input.gtin, &input.weight_kg);
        let changes = ProductChanges {
            name: fields.check("name", ProductName::parse(&input.name)),
            description: fields.check("description", Description::parse(&input.description)),
            price: price(&mut fields, &input.price),
            category: category(&mut fields, input.category.0.as_deref()),
            stock: stock(&mut fields, input.stock),
            metrics: metrics_change(&mut fields, &input.sustainability).flatten(),
            manual_score: manual_score(&mut fields, input.sustainability_score),
            sku: trade.sku,
            gtin: trade.gtin,
            weight_kg: trade.weight_kg,
        };
        fields.finish()?;
        Ok(changes)
    }
}

/// A new product (POST): fields left out take their defaults.
impl TryFrom<&ProductInput> for NewProduct {
    type Error = Problem;

    fn try_from(input: &ProductInput) -> Result<Self, Problem> {
        let mut fields = Fields::default();
        let name = fields.check("name", ProductName::parse(&input.name));
        let description = fields.check(
            "description",
            Description::parse(input.description.as_deref().unwrap_or_default()),
        );
        let price = price(&mut fields, &input.price);
        let category = category(&mut fields, input.category.as_deref());
        let stock = stock(&mut fields, input.stock.unwrap_or(0));
        let score = manual_score(&mut fields, input.sustainability_score.unwrap_or(0));
        let metrics = metrics_change(&mut fields, &input.sustainability);
        let trade = TradeChanges::parse(&mut fields, &input.sku, &input.gtin, &input.weight_kg);
        let (
            Some(name),
            Some(description),
            Some(price),
            Some(category),
            Some(stock),
            Some(manual_score),
            Some(metrics),
        ) = (name, description, price, category, stock, score, metrics)
        else {
            return Err(fields.into_problem());
        };
        // A bad identifier or weight, with every other field valid.
        fields.finish()?;
        Ok(NewProduct {
            name,
            description,
            price,
            category,
            stock,
            metrics: metrics.flatten(),
            manual_score,
            sku: trade.sku.flatten(),
            gtin: trade.gtin.flatten(),
            weight_kg: trade.weight_kg.flatten(),
        })
    }
}

/// Some fields to change (PATCH); the ones left out are kept.
impl TryFrom<&ProductPatch> for ProductChanges {
    type Error = Problem;

    fn try_from(input: &ProductPatch) -> Result<Self, Problem> {
        let mut fields = Fields::default();
        let trade = TradeChanges::parse(&mut fields, &input.sku, &input.gtin, &input.weight_kg);
        let changes = ProductChanges {
            name: input
                .name
                .as_deref()
                .and_then(|n| fields.check("name", ProductName::parse(n))),
            description: input
                .description
                .as_deref()
                .and_then(|d| fields.check("description", Description::parse(d))),
            price: input.price.as_ref().and_then(|p| price(&mut fields, p)),
            category: match &input.category {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(s) => category(&mut fields, Some(s)),
            },
            stock: input.stock.and_then(|s| stock(&mut fields, s)),
            metrics: metrics_change(&mut fields, &input.sustainability).flatten(),
            manual_score: input
                .sustainability_score
                .and_then(|s| manual_score(&mut fields, s)),
            sku: trade.sku,
            gtin: trade.gtin,
            weight_kg: trade.weight_kg,
        };
        fields.finish()?;
        Ok(changes)
    }
}
