//! Product bodies (POST, PUT, PATCH) into domain values: one `TryFrom`
//! each, every field error collected with its path.

use ecolaura_core::catalog::{NewProduct, ProductChanges, SustainabilityMetrics};
use ecolaura_core::domain::{Description, Price, ProductName, Score, Slug, Stock};
use poem_openapi::types::MaybeUndefined;

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
        let changes = ProductChanges {
            name: fields.check("name", ProductName::parse(&input.name)),
            description: fields.check("description", Description::parse(&input.description)),
            price: price(&mut fields, &input.price),
            category: category(&mut fields, input.category.0.as_deref()),
            stock: stock(&mut fields, input.stock),
            metrics: metrics_change(&mut fields, &input.sustainability).flatten(),
            manual_score: manual_score(&mut fields, input.sustainability_score),
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
        Ok(NewProduct {
            name,
            description,
            price,
            category,
            stock,
            metrics: metrics.flatten(),
            manual_score,
        })
    }
}

/// Some fields to change (PATCH); the ones left out are kept.
impl TryFrom<&ProductPatch> for ProductChanges {
    type Error = Problem;

    fn try_from(input: &ProductPatch) -> Result<Self, Problem> {
        let mut fields = Fields::default();
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
        };
        fields.finish()?;
        Ok(changes)
    }
}
