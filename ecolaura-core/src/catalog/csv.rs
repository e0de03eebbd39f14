//! The catalog file (API.md, "The binary"): one product per row, in the
//! columns `ecolaura catalog export` writes and `import` reads.
//!
//! Pure: a product to its row's fields ([`catalog_row`]) and a row's
//! fields back to what a product is made of ([`parse_catalog_row`]).
//! Reading, writing and quoting them as CSV is the caller's (the binary
//! uses the `csv` crate).

use std::fmt;

use super::{NewProduct, Product, SustainabilityMetrics};
use crate::domain::{
    CarbonKg, Description, Gtin, Price, ProductName, Score, Sku, Slug, Stock, WeightKg,
};

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

/// A row of a catalog file, read: the product it makes or replaces,
/// matched by its SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRow {
    /// The SKU that matches the row to a live product (also in `product`).
    pub sku: Sku,
    /// Every attribute the row gives.
    pub product: NewProduct,
}

/// One field of a row that cannot be taken, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The column (one of [`CATALOG_COLUMNS`]), or `row` for the row as a
    /// whole.
    pub field: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}

impl FieldProblem {
    /// A problem with `field`.
    pub fn new(field: &'static str, message: impl fmt::Display) -> Self {
        Self {
            field,
            message: message.to_string(),
        }
    }
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Every problem of one line of a catalog file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// What is wrong with it, field by field.
    pub problems: Vec<FieldProblem>,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        for (i, p) in self.problems.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Whether `fields` is the header row: exactly [`CATALOG_COLUMNS`], in
/// order.
///
/// # Errors
/// A [`FieldProblem`] on `header` naming the columns expected.
pub fn check_catalog_header<S: AsRef<str>>(fields: &[S]) -> Result<(), FieldProblem> {
    let given = fields.iter().map(AsRef::as_ref);
    if given.eq(CATALOG_COLUMNS) {
        Ok(())
    } else {
        Err(FieldProblem::new(
            "header",
            format_args!("must be the columns {}", CATALOG_COLUMNS.join(",")),
        ))
    }
}

/// A row's fields (in [`CATALOG_COLUMNS`]' order) read as a product, or
/// every field that cannot be.
///
/// The rules are the API's: `sku` is required (rows are matched by it);
/// `price` is a decimal with at most two fraction digits, read as a
/// decimal, never through a float; `stock` a whole number; the three
/// metric columns are all empty (no metrics) or all given, with
/// `recyclable` and `biodegradable` as `true` or `false`; an empty
/// `sustainability_score` is 0 (the manual score, used while there are
/// no metrics); other empty fields are "none".
///
/// # Errors
/// Every [`FieldProblem`] of the row, in column order.
pub fn parse_catalog_row<S: AsRef<str>>(fields: &[S]) -> Result<CatalogRow, Vec<FieldProblem>> {
    let [
        sku,
        name,
        description,
        price,
        stock,
        category,
        weight,
        gtin,
        carbon,
        recyclable,
        biodegradable,
        score,
    ] = fields
    else {
        return Err(vec![FieldProblem::new(
            "row",
            format_args!(
                "has {} fields; a catalog row has {}",
                fields.len(),
                CATALOG_COLUMNS.len()
            ),
        )]);
    };
    let mut fields = Fields::default();
    let sku = fields.take("sku", parse_sku(sku.as_ref()));
    let name = fields.take("name", ProductName::parse(name.as_ref()));
    let description = fields.take("description", Description::parse(description.as_ref()));
    let price = fields.take("price", price.as_ref().parse::<Price>());
    let stock = fields.take("stock", parse_stock(stock.as_ref()));
    let category = fields.take("category", optional(category, Slug::parse));
    let weight_kg = fields.take("weight_kg", optional(weight, str::parse::<WeightKg>));
    let gtin = fields.take("gtin", optional(gtin, Gtin::parse));
    let metrics = parse_metrics(&mut fields, [carbon, recyclable, biodegradable]);
    let manual_score = fields.take(
        "sustainability_score",
        optional(score, parse_score).map(|s| s.unwrap_or(Score::MIN)),
    );
    let product = (|| {
        Some(NewProduct {
            name: name?,
            description: description?,
            price: price?,
            category: category?,
            stock: stock?,
            metrics: metrics?,
            manual_score: manual_score?,
            sku: Some(sku.clone()?),
            gtin: gtin?,
            weight_kg: weight_kg?,
        })
    })();
    match (sku, product) {
        (Some(sku), Some(product)) if fields.problems.is_empty() => Ok(CatalogRow { sku, product }),
        _ => Err(fields.problems),
    }
}

/// The problems met while reading a row's fields.
#[derive(Default)]
struct Fields {
    problems: Vec<FieldProblem>,
}

impl Fields {
    /// `parsed`'s value, or `None` with its error kept against `field`.
    fn take<T, E: fmt::Display>(&mut self, field: &'static str, parsed: Result<T, E>) -> Option<T> {
        parsed
            .map_err(|e| self.problems.push(FieldProblem::new(field, e)))
            .ok()
    }
}

/// An empty field as `None`, any other through `parse`.
fn optional<S: AsRef<str>, T, E>(
    field: &S,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, E> {
    let text = field.as_ref();
    if text.is_empty() {
        Ok(None)
    } else {
        parse(text).map(Some)
    }
}

fn parse_sku(text: &str) -> Result<Sku, &'static str> {
    if text.is_empty() {
        return Err("is required: rows are matched to products by their SKU");
    }
    Sku::parse(text).map_err(|_| "must be 1 to 64 of A-Z a-z 0-9 . _ -")
}

/// A whole number of units: digits only.
fn parse_stock(text: &str) -> Result<Stock, &'static str> {
    const RULE: &str = "must be a whole number from 0 to 1000000000";
    whole_number(text)
        .and_then(|units| Stock::new(units).ok())
        .ok_or(RULE)
}

fn parse_score(text: &str) -> Result<Score, &'static str> {
    const RULE: &str = "must be a whole number from 0 to 100";
    whole_number(text)
        .and_then(|v| Score::new(v).ok())
        .ok_or(RULE)
}

/// Digits only (no sign, point or space), as a number.
fn whole_number(text: &str) -> Option<i64> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

fn parse_flag(text: &str) -> Result<bool, &'static str> {
    match text {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("must be true or false"),
    }
}

/// The metrics of the three metric columns: `Some(None)` when all are
/// empty, `None` when any cannot be read (its problem is kept).
fn parse_metrics<S: AsRef<str>>(
    fields: &mut Fields,
    columns: [&S; 3],
) -> Option<Option<SustainabilityMetrics>> {
    let [carbon, recyclable, biodegradable] = columns.map(AsRef::as_ref);
    if [carbon, recyclable, biodegradable]
        .iter()
        .all(|c| c.is_empty())
    {
        return Some(None);
    }
    let given = |text: &str| {
        if text.is_empty() {
            Err("is required when any metric column is given".to_owned())
        } else {
            Ok(text.to_owned())
        }
    };
    let carbon = fields.take(
        "carbon_footprint_kg",
        given(carbon).and_then(|t| t.parse::<CarbonKg>().map_err(|e| e.to_string())),
    );
    let flag = |text: &str| given(text).and_then(|t| parse_flag(&t).map_err(str::to_owned));
    let recyclable = fields.take("recyclable", flag(recyclable));
    let biodegradable = fields.take("biodegradable", flag(biodegradable));
    Some(Some(SustainabilityMetrics {
        carbon_footprint_kg: carbon?,
        recyclable: recyclable?,
        biodegradable: biodegradable?,
    }))
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

#[cfg(test)]
mod parse_tests {
    use super::*;
    use crate::conformance::fixtures::{product, slug_of, with_metrics};

    fn row(fields: [&str; 12]) -> Result<CatalogRow, Vec<FieldProblem>> {
        parse_catalog_row(&fields)
    }

    fn fields_of(problems: &[FieldProblem]) -> Vec<&'static str> {
        problems.iter().map(|p| p.field).collect()
    }

    #[test]
    fn a_row_reads_back_as_the_product_it_was_written_from() {
        let mut p = with_metrics(product("Eco Bottle", "19.9", 120), 1.25, 80);
        p.sku = Some(Sku::parse("EB-1").unwrap());
        p.gtin = Some(Gtin::parse("4006381333931").unwrap());
        p.weight_kg = Some("0.35".parse().unwrap());
        p.category = Some(slug_of("bottles"));
        p.description = Description::parse("Two lines,\nwith \"quotes\"").unwrap();
        let read = parse_catalog_row(&catalog_row(&p)).unwrap();
        assert_eq!(read.sku.as_str(), "EB-1");
        let n = read.product;
        assert_eq!(
            (n.name, n.description, n.price, n.stock, n.category),
            (p.name, p.description, p.price, p.stock, p.category)
        );
        assert_eq!(
            (n.gtin, n.weight_kg, n.metrics),
            (p.gtin, p.weight_kg, p.metrics)
        );
        assert_eq!(n.manual_score, p.manual_score);
        assert_eq!(n.sku, p.sku);
    }

    #[test]
    fn money_and_footprints_are_read_as_decimals() {
        let ok = row([
            "S", "N", "", "0.10", "3", "", "", "", "0.1", "true", "false", "",
        ])
        .unwrap();
        assert_eq!(ok.product.price.to_string(), "0.10");
        let m = ok.product.metrics.unwrap();
        assert_eq!(m.carbon_footprint_kg.times(3).to_string(), "0.3");
        assert_eq!(ok.product.manual_score, Score::MIN);
        for bad in ["1e2", "1,5", "-1", "1.999", "NaN", "123456789.00", ""] {
            let problems = row(["S", "N", "", bad, "3", "", "", "", "", "", "", ""]).unwrap_err();
            assert_eq!(fields_of(&problems), ["price"], "{bad:?}");
        }
    }

    #[test]
    fn every_bad_field_of_a_row_is_named_at_once() {
        let problems = row([
            "",
            " ",
            "",
            "x",
            "-3",
            "Not A Slug",
            "0",
            "123",
            "1",
            "yes",
            "",
            "101",
        ])
        .unwrap_err();
        assert_eq!(
            fields_of(&problems),
            [
                "sku",
                "name",
                "price",
                "stock",
                "category",
                "weight_kg",
                "gtin",
                "recyclable",
                "biodegradable",
                "sustainability_score"
            ]
        );
        assert!(problems[0].message.contains("required"), "{problems:?}");
        assert_eq!(
            problems[8].message,
            "is required when any metric column is given"
        );
    }

    #[test]
    fn a_row_of_another_width_is_one_problem() {
        let problems = parse_catalog_row(&["S", "N"]).unwrap_err();
        assert_eq!(fields_of(&problems), ["row"]);
        assert_eq!(problems[0].message, "has 2 fields; a catalog row has 12");
    }

    #[test]
    fn stock_and_score_are_plain_whole_numbers() {
        for (stock, score, bad) in [
            ("+1", "5", "stock"),
            ("1.0", "5", "stock"),
            ("1000000001", "5", "stock"),
            ("5", "-0", "sustainability_score"),
            ("5", "50.5", "sustainability_score"),
        ] {
            let problems =
                row(["S", "N", "", "1", stock, "", "", "", "", "", "", score]).unwrap_err();
            assert_eq!(fields_of(&problems), [bad], "{stock} {score}");
        }
    }

    #[test]
    fn the_header_must_be_the_columns_in_order() {
        assert!(check_catalog_header(&CATALOG_COLUMNS).is_ok());
        let mut swapped = CATALOG_COLUMNS;
        swapped.swap(0, 1);
        assert_eq!(check_catalog_header(&swapped).unwrap_err().field, "header");
        assert!(check_catalog_header(&CATALOG_COLUMNS[..11]).is_err());
    }

    #[test]
    fn a_row_problem_reads_as_its_line_and_fields() {
        let p = RowProblem {
            line: 7,
            problems: vec![
                FieldProblem::new("price", "must be >= 0"),
                FieldProblem::new("stock", "must be a whole number"),
            ],
        };
        assert_eq!(
            p.to_string(),
            "line 7: price: must be >= 0; stock: must be a whole number"
        );
    }
}
