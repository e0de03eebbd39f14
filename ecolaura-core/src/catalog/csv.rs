//! The catalog file (API.md, "The binary"): one product per row, in the
//! columns `ecolaura catalog export` writes and `import` reads.
//!
//! Pure: a product to its row's fields. Writing and quoting them as CSV is
//! the caller's (the binary uses the `csv` crate).

use super::Product;

/// The columns of a catalog file, in order: its header row.
pub const CATALOG_COLUMNS: [&str; 12] = [
    "sku",
    "name",
    "description",
    "price",
    "stock",
    "category",
    "weight_kg",
    "gtin",
    "carbon_footprint_kg",
    "recyclable",
    "biodegradable",
    "sustainability_score",
];

/// A product's row, field by field in [`CATALOG_COLUMNS`]' order. An
/// attribute the product lacks is an empty field; money and weights are
/// the decimals the API writes (`19.99`, `0.350`), the footprint its
/// decimal in kilograms, the GTIN its 14 digits. `sustainability_score` is
/// the score given by hand, which a product with metrics keeps for when it
/// has none (its score from metrics is the policy's to compute again).
pub fn catalog_row(p: &Product) -> [String; 12] {
    let text = |v: Option<String>| v.unwrap_or_default();
    let metrics = p.metrics;
    [
        text(p.sku.as_ref().map(ToString::to_string)),
        p.name.as_str().to_owned(),
        p.description.as_str().to_owned(),
        p.price.to_string(),
        p.stock.get().to_string(),
        text(p.category.as_ref().map(ToString::to_string)),
        text(p.weight_kg.map(|w| w.to_string())),
        text(p.gtin.as_ref().map(ToString::to_string)),
        text(metrics.map(|m| m.carbon_footprint_kg.to_string())),
        text(metrics.map(|m| m.recyclable.to_string())),
        text(metrics.map(|m| m.biodegradable.to_string())),
        p.manual_score.value().to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::fixtures::{product, slug_of, with_metrics};

    #[test]
    fn a_row_holds_every_attribute_as_the_api_writes_it() {
        let mut p = with_metrics(product("Eco Bottle", "19.9", 120), 1.25, 80);
        p.sku = Some(crate::domain::Sku::parse("EB-1").unwrap());
        p.gtin = Some(crate::domain::Gtin::parse("4006381333931").unwrap());
        p.weight_kg = Some("0.35".parse().unwrap());
        p.category = Some(slug_of("bottles"));
        let row = catalog_row(&p);
        assert_eq!(
            row,
            [
                "EB-1",
                "Eco Bottle",
                "",
                "19.90",
                "120",
                "bottles",
                "0.350",
                "04006381333931",
                "1.25",
                "true",
                "false",
                "50"
            ]
            .map(String::from)
        );
        let bare = catalog_row(&product("Plain", "3", 0));
        assert_eq!(bare[0], "");
        assert_eq!(&bare[5..11], &["", "", "", "", "", ""].map(String::from));
    }
}
