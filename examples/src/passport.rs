//! A product's Digital Product Passport from an embedded store: a SQLite
//! database in memory, a product with a GTIN and its composition, and the
//! public passport as JSON-LD.

use std::error::Error;
use std::sync::Arc;

use ecolaura_core::prelude::*;
use ecolaura_core::sustainability::passport::{
    CompositionDraft, Manufacturer, Material, PassportView, ResolverBase,
};
use ecolaura_store_sqlite::{SqliteConfig, SqliteStore};

/// Make a product with a GTIN and a composition in an in-memory SQLite
/// store and return its public passport, pretty-printed JSON-LD.
pub async fn product_passport() -> Result<String, Box<dyn Error>> {
    let store = SqliteStore::open(&SqliteConfig::in_memory()).await?;
    store.migrate().await?;
    let app = Ecolaura::builder().store(Arc::new(store)).build()?;
    let staff = Actor::System;
    let bottle = app
        .catalog()
        .create_product(
            &staff,
            NewProduct {
                name: ProductName::parse("Eco Bottle")?,
                description: Description::parse("Refillable, 0.5 l")?,
                price: "19.99".parse()?,
                category: None,
                stock: Stock::new(120)?,
                metrics: Some(SustainabilityMetrics {
                    carbon_footprint_kg: CarbonKg::from_f64(1.2)?,
                    recyclable: true,
                    biodegradable: false,
                }),
                manual_score: Score::MIN,
                sku: Some("BTL-500".parse()?),
                gtin: Some("4006381333931".parse()?),
                weight_kg: Some("0.350".parse()?),
            },
        )
        .await?;
    let material = |name: &str, share: &str, recycled: &str| -> Result<Material, Box<dyn Error>> {
        Ok(Material {
            name: name.into(),
            share_percent: share.parse()?,
            recycled_percent: recycled.parse()?,
        })
    };
    app.catalog()
        .set_composition(
            &staff,
            bottle.id,
            CompositionDraft {
                materials: vec![
                    material("Stainless steel", "85", "60")?,
                    material("Polypropylene (cap)", "15", "0")?,
                ],
                origin_country: "PT".into(),
                manufacturer: Manufacturer {
                    name: "Fábrica Verde, Lda".into(),
                    address: "Rua do Sol 1\n4000-001 Porto\nPortugal".into(),
                },
                care_and_disposal: "Hand wash. Steel body and cap go to separate recycling.".into(),
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    let resolver = ResolverBase::parse("https://id.shop.example")?;
    let passport = app
        .passports()
        .passport(
            &Actor::Anonymous,
            bottle.id,
            PassportView::Public,
            &resolver,
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(serde_json::to_string_pretty(&passport)?)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_passport_names_the_product_by_its_digital_link() {
        let text = super::product_passport().await.unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["@id"], "https://id.shop.example/01/04006381333931");
        assert_eq!(doc["materials"][0]["name"], "Stainless steel");
        assert_eq!(doc["countryOfOrigin"], "PT");
    }
}
