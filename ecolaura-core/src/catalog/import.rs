//! The rules of `ecolaura catalog import`, pure: reading a catalog file's
//! rows ([`CatalogFileCheck`]) and deciding what each row does to the
//! catalog ([`plan_row`]).
//!
//! The file is read once, as a stream: each row is parsed and checked on
//! its own as it comes, and the rows that repeat a SKU or a GTIN are found
//! at the end, from a fixed-size key per row (24 or 16 bytes, so a million
//! rows are checked in about 40 MB whatever their text).

use std::hash::{DefaultHasher, Hasher};

use super::csv::{CatalogRow, FieldProblem, RowProblem, check_catalog_header, parse_catalog_row};
use super::{Product, ProductChanges, ScoreSource};
use crate::domain::{ProductId, Score, Timestamp};
use crate::scoring::{
    ScoreCause, ScoreEvidence, ScoreMethod, ScoreReason, ScoringPolicy, score_product, stamp,
};
use crate::sustainability::claims::metrics_contradicting_claims;
use crate::sustainability::footprint::metrics_change_conflict;
use crate::sustainability::{Claim, FootprintSource};

/// One line of a catalog file as the import takes it: a row to write, or
/// a row that cannot be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogLine {
    /// A row that reads as a product.
    Row {
        /// The line it starts on.
        line: u64,
        /// The row.
        row: CatalogRow,
    },
    /// A row that does not.
    Bad(RowProblem),
    /// The file was read to its end. An import that does not get this
    /// writes nothing: its file was cut short.
    EndOfFile {
        /// How many rows the file has (the header not included).
        rows: u64,
    },
}

/// Reads a catalog file row by row, the header first, and then names the
/// rows that repeat an earlier row's SKU or GTIN ([`CatalogFileCheck::finish`]).
#[derive(Debug, Default)]
pub struct CatalogFileCheck {
    /// Whether the header was read (and was right).
    header_read: bool,
    /// A 128-bit hash of each good row's SKU, with its line.
    skus: Vec<KeyAt<[u64; 2]>>,
    /// Each good row's GTIN (14 digits, as a number), with its line.
    gtins: Vec<KeyAt<u64>>,
    /// Rows read.
    rows: u64,
}

/// A row's key and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct KeyAt<K> {
    key: K,
    line: u64,
}

impl CatalogFileCheck {
    /// A check of a new file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Read the header row (line 1).
    ///
    /// # Errors
    /// The header's problem: the file has other columns, and no row of it
    /// can be read.
    pub fn header<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<(), RowProblem> {
        check_catalog_header(fields).map_err(|p| RowProblem {
            line: 1,
            problems: vec![p],
        })?;
        self.header_read = true;
        Ok(())
    }

    /// Read the row that starts on `line`.
    pub fn row<S: AsRef<str>>(&mut self, line: u64, fields: &[S]) -> CatalogLine {
        self.rows += 1;
        if !self.header_read {
            let problem = FieldProblem::new("header", "must come first");
            return CatalogLine::Bad(RowProblem {
                line,
                problems: vec![problem],
            });
        }
        match parse_catalog_row(fields) {
            Ok(row) => {
                self.skus.push(KeyAt {
                    key: sku_key(row.sku.as_str()),
                    line,
                });
                if let Some(gtin) = &row.product.gtin {
                    // 14 digits always fit: a GTIN is below 10^14.
                    if let Ok(key) = gtin.as_str().parse() {
                        self.gtins.push(KeyAt { key, line });
                    }
                }
                CatalogLine::Row { line, row }
            }
            Err(problems) => CatalogLine::Bad(RowProblem { line, problems }),
        }
    }

    /// The file's last lines for the import, once every row was read: the
    /// rows that repeat the SKU or the GTIN of an earlier row, by line,
    /// each naming the line it repeats, then [`CatalogLine::EndOfFile`].
    /// `unreadable` rows are those the caller could not read as fields
    /// (and reported as bad lines itself).
    pub fn finish(self, unreadable: u64) -> Vec<CatalogLine> {
        let rows = self.rows + unreadable;
        let mut lines: Vec<CatalogLine> = self
            .repeated_keys()
            .into_iter()
            .map(CatalogLine::Bad)
            .collect();
        lines.push(CatalogLine::EndOfFile { rows });
        lines
    }

    /// The rows read so far that repeat the SKU or the GTIN of an earlier
    /// row, by line.
    fn repeated_keys(self) -> Vec<RowProblem> {
        let mut found: Vec<(u64, FieldProblem)> = repeats(self.skus)
            .map(|(line, first)| {
                let p = FieldProblem::new("sku", format_args!("repeats the SKU of line {first}"));
                (line, p)
            })
            .chain(repeats(self.gtins).map(|(line, first)| {
                let p = FieldProblem::new("gtin", format_args!("repeats the GTIN of line {first}"));
                (line, p)
            }))
            .collect();
        found.sort_by_key(|(line, p)| (*line, p.field));
        let mut problems: Vec<RowProblem> = Vec::new();
        for (line, p) in found {
            match problems.last_mut() {
                Some(last) if last.line == line => last.problems.push(p),
                _ => problems.push(RowProblem {
                    line,
                    problems: vec![p],
                }),
            }
        }
        problems
    }
}

/// The lines whose key an earlier line has, each with the first such line.
fn repeats<K: Ord + Copy>(mut keys: Vec<KeyAt<K>>) -> impl Iterator<Item = (u64, u64)> {
    keys.sort_unstable();
    let mut first: Option<KeyAt<K>> = None;
    keys.into_iter().filter_map(move |at| match first {
        Some(f) if f.key == at.key => Some((at.line, f.line)),
        _ => {
            first = Some(at);
            None
        }
    })
}

/// A 128-bit hash of a SKU: two SipHash digests under fixed, distinct
/// prefixes. Two SKUs of a million share one with a chance near 10^-27.
fn sku_key(sku: &str) -> [u64; 2] {
    [0u8, 1].map(|prefix| {
        let mut h = DefaultHasher::new();
        h.write_u8(prefix);
        h.write(sku.as_bytes());
        h.finish()
    })
}

/// What a row does to the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowPlan {
    /// A new product.
    Create(Product),
    /// The live product with the row's SKU, replaced.
    Update(Product),
    /// The live product with the row's SKU already is what the row says.
    Unchanged,
}

/// What the catalog holds that bears on one row.
#[derive(Debug, Clone, Copy)]
pub struct RowContext<'a> {
    /// The live product with the row's SKU.
    pub current: Option<&'a Product>,
    /// Its claims.
    pub claims: &'a [Claim],
    /// The live product that holds the row's GTIN, if any.
    pub gtin_holder: Option<ProductId>,
}

/// What `row` does, given what the catalog holds (`context`), scored by
/// `policy` at `now`; or the fields it cannot have.
///
/// The row replaces every attribute of the product with its SKU (the
/// product keeps its id, claims, footprint record and history), or makes
/// a new one. The rules are those of a staff edit through the API: a
/// product whose carbon figure comes from its footprint record keeps it,
/// metrics may not contradict the product's claims, and a GTIN belongs to
/// one live product. The score is the policy's, with the product's claims
/// as evidence, stamped as an edit.
///
/// # Errors
/// The [`FieldProblem`]s that keep the row out.
pub fn plan_row(
    row: CatalogRow,
    context: RowContext<'_>,
    policy: &dyn ScoringPolicy,
    now: Timestamp,
) -> Result<RowPlan, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let current_id = context.current.map(|p| p.id);
    if context
        .gtin_holder
        .is_some_and(|holder| Some(holder) != current_id)
    {
        problems.push(FieldProblem::new(
            "gtin",
            "belongs to another live product (a GTIN is unique among live products)",
        ));
    }
    let Some(current) = context.current else {
        return if problems.is_empty() {
            Ok(RowPlan::Create(new_product(row, policy, now)))
        } else {
            Err(problems)
        };
    };
    let changes = replacement(row);
    if let Some(why) = metrics_change_conflict(current, &changes) {
        problems.push(FieldProblem::new("carbon_footprint_kg", why));
    }
    if let Some(Some(metrics)) = changes.metrics {
        let denied = metrics_contradicting_claims(&metrics, context.claims);
        if !denied.is_empty() {
            let ids: Vec<String> = denied.iter().map(|c| c.id.to_string()).collect();
            problems.push(FieldProblem::new(
                "recyclable",
                format_args!(
                    "the metrics contradict the product's claims {}",
                    ids.join(", ")
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let evidence = ScoreEvidence::of(context.claims, now.date_naive());
    let mut next = changes.apply_to(current);
    score_product(policy, &mut next, &evidence);
    stamp(&mut next, Some(current), ScoreCause::Edit, now);
    if next == *current {
        return Ok(RowPlan::Unchanged);
    }
    next.updated_at = now;
    Ok(RowPlan::Update(next))
}

/// Every attribute of `row`, as the changes of a full replacement.
fn replacement(row: CatalogRow) -> ProductChanges {
    let p = row.product;
    ProductChanges {
        name: Some(p.name),
        description: Some(p.description),
        price: Some(p.price),
        category: Some(p.category),
        stock: Some(p.stock),
        metrics: Some(p.metrics),
        manual_score: Some(p.manual_score),
        sku: Some(p.sku),
        gtin: Some(p.gtin),
        weight_kg: Some(p.weight_kg),
    }
}

/// A new product made of `row`, scored by `policy` (it has no claims yet).
fn new_product(row: CatalogRow, policy: &dyn ScoringPolicy, now: Timestamp) -> Product {
    let mut product = Product::made_of(row.product, now);
    score_product(policy, &mut product, &ScoreEvidence::default());
    stamp(&mut product, None, ScoreCause::Edit, now);
    product
}

impl Product {
    /// A new product made of `new` at `now`, with a fresh id, version 1,
    /// no footprint record, and its manual score until it is scored
    /// ([`score_product`]).
    pub fn made_of(new: super::NewProduct, now: Timestamp) -> Self {
        Product {
            id: ProductId::new(),
            name: new.name,
            description: new.description,
            price: new.price,
            category: new.category,
            stock: new.stock,
            sku: new.sku,
            gtin: new.gtin,
            weight_kg: new.weight_kg,
            metrics: new.metrics,
            manual_score: new.manual_score,
            score: Score::MIN,
            score_source: ScoreSource::Manual,
            score_method: ScoreMethod::manual(),
            score_computed_at: now,
            score_reason: ScoreReason::Manual,
            score_breakdown: None,
            footprint_source: FootprintSource::Declared,
            archived: false,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Whether an import writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Write the file when every row of it is good.
    Write,
    /// Check every row against the catalog, and write nothing: the store
    /// reads without locking anything, so no writer waits for a dry run.
    DryRun,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CATALOG_COLUMNS;
    use crate::conformance::fixtures::{product, with_metrics};
    use crate::domain::Sku;
    use crate::scoring::DefaultScoringPolicy;
    use crate::sustainability::FootprintSource;

    fn line(sku: &str, gtin: &str) -> [String; 12] {
        [sku, "Thing", "", "1.00", "1", "", "", gtin, "", "", "", "5"].map(String::from)
    }

    fn bad_lines(lines: &[CatalogLine]) -> Vec<String> {
        lines
            .iter()
            .filter_map(|l| match l {
                CatalogLine::Bad(p) => Some(p.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn repeated_skus_and_gtins_are_named_at_the_end_with_the_line_they_repeat() {
        let mut check = CatalogFileCheck::new();
        check.header(&CATALOG_COLUMNS).unwrap();
        let mut read = vec![
            check.row(2, &line("A", "4006381333931")),
            check.row(3, &line("B", "")),
            check.row(4, &line("A", "")),
            check.row(5, &line("C", "04006381333931")),
            check.row(6, &line("B", "4006381333931")),
            check.row(7, &line("", "")),
        ];
        assert!(matches!(read[0], CatalogLine::Row { line: 2, .. }));
        assert_eq!(
            bad_lines(&read),
            ["line 7: sku: is required: rows are matched to products by their SKU"]
        );
        read = check.finish(1);
        assert_eq!(
            bad_lines(&read),
            [
                "line 4: sku: repeats the SKU of line 2",
                "line 5: gtin: repeats the GTIN of line 2",
                "line 6: gtin: repeats the GTIN of line 2; sku: repeats the SKU of line 3",
            ]
        );
        assert_eq!(read.last(), Some(&CatalogLine::EndOfFile { rows: 7 }));
    }

    #[test]
    fn a_file_with_the_wrong_header_reads_no_row() {
        let mut check = CatalogFileCheck::new();
        let problem = check.header(&["sku", "name"]).unwrap_err();
        assert_eq!(problem.line, 1);
        assert!(matches!(check.row(2, &line("A", "")), CatalogLine::Bad(_)));
    }

    fn parsed(fields: [&str; 12]) -> CatalogRow {
        crate::catalog::parse_catalog_row(&fields).unwrap()
    }

    fn now() -> Timestamp {
        "2026-12-07T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_new_sku_makes_a_product_scored_by_the_policy() {
        let row = parsed([
            "N-1", "New", "", "2.50", "4", "", "", "", "1.5", "true", "true", "9",
        ]);
        let context = RowContext {
            current: None,
            claims: &[],
            gtin_holder: None,
        };
        let RowPlan::Create(p) = plan_row(row, context, &DefaultScoringPolicy, now()).unwrap()
        else {
            panic!("not a creation");
        };
        assert_eq!(p.sku, Some(Sku::parse("N-1").unwrap()));
        assert_eq!(p.score_source, ScoreSource::Metrics);
        assert_ne!(p.score, Score::new(9).unwrap());
        assert_eq!(
            (p.version, p.created_at, p.score_computed_at),
            (1, now(), now())
        );
    }

    #[test]
    fn a_known_sku_replaces_the_product_and_keeps_its_identity() {
        let mut current = with_metrics(product("Old", "1.00", 1), 2.0, 40);
        current.sku = Some(Sku::parse("K-1").unwrap());
        current.version = 7;
        let row = parsed([
            "K-1", "Renamed", "", "3.00", "9", "", "", "", "2", "true", "false", "40",
        ]);
        let context = RowContext {
            current: Some(&current),
            claims: &[],
            gtin_holder: None,
        };
        let RowPlan::Update(next) = plan_row(row, context, &DefaultScoringPolicy, now()).unwrap()
        else {
            panic!("not an update");
        };
        assert_eq!(
            (next.id, next.created_at, next.version),
            (current.id, current.created_at, 7)
        );
        assert_eq!((next.name.as_str(), next.stock.get()), ("Renamed", 9));
        assert_eq!(next.updated_at, now());
    }

    #[test]
    fn a_row_equal_to_its_product_changes_nothing() {
        let mut current = product("Same", "1.00", 1);
        current.sku = Some(Sku::parse("S-1").unwrap());
        let row =
            crate::catalog::parse_catalog_row(&crate::catalog::catalog_row(&current)).unwrap();
        let context = RowContext {
            current: Some(&current),
            claims: &[],
            gtin_holder: None,
        };
        assert_eq!(
            plan_row(row, context, &DefaultScoringPolicy, now()).unwrap(),
            RowPlan::Unchanged
        );
    }

    #[test]
    fn a_row_may_not_take_another_products_gtin_nor_override_a_footprint_record() {
        let row = parsed([
            "G-1",
            "G",
            "",
            "1",
            "1",
            "",
            "",
            "4006381333931",
            "",
            "",
            "",
            "",
        ]);
        let context = RowContext {
            current: None,
            claims: &[],
            gtin_holder: Some(ProductId::new()),
        };
        let problems = plan_row(row, context, &DefaultScoringPolicy, now()).unwrap_err();
        assert_eq!(problems[0].field, "gtin");

        let mut recorded = with_metrics(product("R", "1.00", 1), 2.0, 40);
        recorded.sku = Some(Sku::parse("R-1").unwrap());
        recorded.footprint_source = FootprintSource::Record;
        let row = parsed([
            "R-1", "R", "", "1", "1", "", "", "", "3", "true", "false", "",
        ]);
        let context = RowContext {
            current: Some(&recorded),
            claims: &[],
            gtin_holder: None,
        };
        let problems = plan_row(row, context, &DefaultScoringPolicy, now()).unwrap_err();
        assert_eq!(problems[0].field, "carbon_footprint_kg");
        assert!(problems[0].message.contains("footprint record"));
    }
}
