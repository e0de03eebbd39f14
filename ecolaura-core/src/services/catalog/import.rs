//! Catalog import: a whole catalog file into the catalog, in one
//! transaction, or nothing.

use std::collections::{HashMap, HashSet};

use tokio::sync::mpsc;

use super::Catalog;
use crate::auth::{Action, Actor, authorize};
use crate::catalog::{
    CatalogChange, CatalogLine, CatalogRow, Category, Product, RowContext, RowPlan, RowProblem,
    plan_row,
};
use crate::domain::{CategoryName, Description, Gtin, ProductId, Sku, Slug, Timestamp};
use crate::ports::{CatalogImport, StoreError};
use crate::scoring::ScoringPolicy;
use crate::services::CatalogImportError;
use crate::sustainability::Claim;

pub use crate::catalog::ImportMode;

/// What an import did (or, for a dry run or a file with bad rows, would
/// have done with its good rows).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Rows read (the header not included).
    pub rows: u64,
    /// Products made.
    pub created: u64,
    /// Products changed.
    pub updated: u64,
    /// Products that already were what their row says.
    pub unchanged: u64,
    /// Rows that cannot be imported (each was reported).
    pub rejected: u64,
    /// Categories made for rows that name one that did not exist.
    pub categories_created: u64,
    /// Whether it was written (no row rejected, and not a dry run).
    pub written: bool,
}

/// An import in progress: its counts, and what it knows of categories.
struct ImportRun<F> {
    mode: ImportMode,
    summary: ImportSummary,
    /// The slugs already looked up (existing, or made by this import).
    categories: HashSet<Slug>,
    /// The lines rejected against the catalog, ascending, so that a line
    /// the file check also names at the end is counted once.
    rejected_lines: Vec<u64>,
    /// Whether [`CatalogLine::EndOfFile`] came.
    ended: bool,
    report: F,
}

impl<F: FnMut(&RowProblem)> ImportRun<F> {
    /// Whether the next batch is written: not on a dry run, and not once
    /// a row is rejected (the transaction will be rolled back).
    fn writing(&self) -> bool {
        self.mode == ImportMode::Write && self.summary.rejected == 0
    }

    fn reject(&mut self, problem: &RowProblem, against_catalog: bool) {
        (self.report)(problem);
        if against_catalog {
            self.rejected_lines.push(problem.line);
        } else if self.rejected_lines.binary_search(&problem.line).is_ok() {
            return;
        }
        self.summary.rejected += 1;
    }
}

impl Catalog {
    /// Import a catalog file (staff): every row of `lines` (as
    /// [`CatalogFileCheck`](crate::catalog::CatalogFileCheck) reads them,
    /// in batches, its repeated keys last) makes or replaces the live
    /// product with its SKU ([`plan_row`]); categories that rows name and
    /// that do not exist are made.
    ///
    /// `lines` must end with [`CatalogLine::EndOfFile`]: a stream that
    /// closes without it was cut short, and writes nothing.
    ///
    /// It all happens in one transaction
    /// ([`CatalogStore::begin_import`](crate::ports::CatalogStore::begin_import)),
    /// committed when the
    /// stream ends with no row rejected and `mode` is
    /// [`ImportMode::Write`]. Every rejected row is handed to `report` as
    /// it is met, and checking goes on to the end, so that one run lists
    /// them all. Memory holds one batch at a time.
    ///
    /// # Errors
    /// [`CatalogImportError::Denied`] for a non-staff actor,
    /// [`CatalogImportError::Store`] when the store fails,
    /// [`CatalogImportError::CutShort`] when `lines` closes before the end
    /// of the file (nothing is written either way).
    pub async fn import_catalog(
        &self,
        actor: &Actor,
        lines: &mut mpsc::Receiver<Vec<CatalogLine>>,
        mode: ImportMode,
        report: impl FnMut(&RowProblem),
    ) -> Result<ImportSummary, CatalogImportError> {
        authorize(actor, Action::ManageCatalog)?;
        let policy = self.policy_in_force().await?;
        let now = self.clock.now();
        let mut session = self.store.begin_import(mode).await?;
        let mut run = ImportRun {
            mode,
            summary: ImportSummary::default(),
            categories: HashSet::new(),
            rejected_lines: Vec::new(),
            ended: false,
            report,
        };
        while let Some(batch) = lines.recv().await {
            import_batch(session.as_mut(), batch, &mut run, policy.as_ref(), now).await?;
        }
        if !run.ended {
            return Err(CatalogImportError::CutShort);
        }
        if run.writing() {
            session.commit().await?;
            run.summary.written = true;
            self.cache.apply(&[CatalogChange::Everything]).await;
        }
        Ok(run.summary)
    }
}

/// Read one batch of lines against the catalog and, while the import
/// writes, write what it makes and changes.
async fn import_batch<F: FnMut(&RowProblem)>(
    session: &mut dyn CatalogImport,
    batch: Vec<CatalogLine>,
    run: &mut ImportRun<F>,
    policy: &dyn ScoringPolicy,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut rows = Vec::with_capacity(batch.len());
    for line in batch {
        match line {
            CatalogLine::Row { line, row } => rows.push((line, row)),
            CatalogLine::Bad(problem) => run.reject(&problem, false),
            CatalogLine::EndOfFile { rows } => {
                run.ended = true;
                run.summary.rows = rows;
            }
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    let known = BatchContext::read(session, &rows).await?;
    make_categories(session, &rows, run, now).await?;
    let mut writes = Vec::with_capacity(rows.len());
    let mut seen_skus = HashSet::with_capacity(rows.len());
    let mut seen_gtins = HashSet::new();
    for (line, row) in rows {
        // A key repeated within the batch: the file check names the row
        // at the end; planning it here would write the key twice.
        let repeated_gtin = row
            .product
            .gtin
            .as_ref()
            .is_some_and(|g| !seen_gtins.insert(g.clone()));
        if !seen_skus.insert(row.sku.clone()) || repeated_gtin {
            continue;
        }
        let context = known.context(&row);
        match plan_row(row, context, policy, now) {
            Ok(RowPlan::Create(product)) => {
                run.summary.created += 1;
                writes.push(product);
            }
            Ok(RowPlan::Update(product)) => {
                run.summary.updated += 1;
                writes.push(product);
            }
            Ok(RowPlan::Unchanged) => run.summary.unchanged += 1,
            Err(problems) => run.reject(&RowProblem { line, problems }, true),
        }
    }
    if run.writing() && !writes.is_empty() {
        session.write_products(&writes).await?;
    }
    Ok(())
}

/// What the catalog holds that bears on a batch's rows.
struct BatchContext {
    current: HashMap<Sku, Product>,
    claims: HashMap<ProductId, Vec<Claim>>,
    gtin_holders: HashMap<Gtin, ProductId>,
}

impl BatchContext {
    async fn read(
        session: &mut dyn CatalogImport,
        rows: &[(u64, CatalogRow)],
    ) -> Result<Self, StoreError> {
        let skus: Vec<Sku> = rows.iter().map(|(_, r)| r.sku.clone()).collect();
        let current: HashMap<Sku, Product> = session
            .live_products_by_sku(&skus)
            .await?
            .into_iter()
            .filter_map(|p| Some((p.sku.clone()?, p)))
            .collect();
        let ids: Vec<ProductId> = current.values().map(|p| p.id).collect();
        let mut claims: HashMap<ProductId, Vec<Claim>> = HashMap::new();
        if !ids.is_empty() {
            for claim in session.claims_of(&ids).await? {
                claims.entry(claim.product_id).or_default().push(claim);
            }
        }
        let gtins: Vec<Gtin> = rows
            .iter()
            .filter_map(|(_, r)| r.product.gtin.clone())
            .collect();
        let gtin_holders = if gtins.is_empty() {
            HashMap::new()
        } else {
            session.gtin_holders(&gtins).await?.into_iter().collect()
        };
        Ok(Self {
            current,
            claims,
            gtin_holders,
        })
    }

    fn context(&self, row: &CatalogRow) -> RowContext<'_> {
        let current = self.current.get(&row.sku);
        RowContext {
            current,
            claims: current
                .and_then(|p| self.claims.get(&p.id))
                .map_or(&[], Vec::as_slice),
            gtin_holder: row
                .product
                .gtin
                .as_ref()
                .and_then(|g| self.gtin_holders.get(g).copied()),
        }
    }
}

/// Make the categories the batch's rows name that do not exist yet (while
/// the import writes), and count them.
async fn make_categories<F: FnMut(&RowProblem)>(
    session: &mut dyn CatalogImport,
    rows: &[(u64, CatalogRow)],
    run: &mut ImportRun<F>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut slugs: Vec<Slug> = rows
        .iter()
        .filter_map(|(_, r)| r.product.category.clone())
        .filter(|slug| !run.categories.contains(slug))
        .collect();
    if slugs.is_empty() {
        return Ok(());
    }
    slugs.sort_unstable();
    slugs.dedup();
    let existing: HashSet<Slug> = session
        .existing_categories(&slugs)
        .await?
        .into_iter()
        .collect();
    let made: Vec<Category> = slugs
        .iter()
        .filter(|slug| !existing.contains(*slug))
        .map(|slug| category_named_after(slug.clone(), now))
        .collect();
    run.summary.categories_created += made.len() as u64;
    run.categories.extend(slugs);
    if run.writing() && !made.is_empty() {
        session.insert_categories(&made).await?;
    }
    Ok(())
}

/// A category made by an import for a slug a row names: named after the
/// slug, with no description; staff name it properly later.
fn category_named_after(slug: Slug, now: Timestamp) -> Category {
    Category {
        name: CategoryName::of_slug(&slug),
        slug,
        description: Description::default(),
        destruction_banned: false,
        created_at: now,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::catalog::{CATALOG_COLUMNS, CatalogFileCheck};
    use crate::memory::ManualClock;
    use crate::ports::{MockCache, MockCatalogImport, MockCatalogStore};
    use crate::scoring::DefaultScoringPolicy;

    /// A store whose one import is `import`.
    fn catalog(import: MockCatalogImport, cache: MockCache) -> Catalog {
        let mut store = MockCatalogStore::new();
        let import = Mutex::new(Some(import));
        store.expect_begin_import().times(1).returning(move |_| {
            let import = import.lock().unwrap().take().unwrap();
            Ok(Box::new(import) as Box<dyn CatalogImport>)
        });
        Catalog::new(
            Arc::new(store),
            Arc::new(cache),
            Arc::new(ManualClock::default()),
        )
        .with_scoring(Arc::new(DefaultScoringPolicy))
    }

    /// An import that finds nothing in the catalog.
    fn empty_catalog() -> MockCatalogImport {
        let mut import = MockCatalogImport::new();
        import
            .expect_live_products_by_sku()
            .returning(|_| Ok(vec![]));
        import.expect_claims_of().returning(|_| Ok(vec![]));
        import.expect_gtin_holders().returning(|_| Ok(vec![]));
        import
            .expect_existing_categories()
            .returning(|_| Ok(vec![]));
        import
    }

    fn untouched_cache() -> MockCache {
        let mut cache = MockCache::new();
        cache.expect_apply().times(0);
        cache
    }

    /// The lines of a file of `rows`, as the CLI hands them over: one
    /// batch per row, then the file check's end.
    fn file(rows: &[&str]) -> mpsc::Receiver<Vec<CatalogLine>> {
        let (sender, receiver) = mpsc::channel(rows.len() + 1);
        let mut check = CatalogFileCheck::new();
        check.header(&CATALOG_COLUMNS).unwrap();
        for (i, row) in rows.iter().enumerate() {
            let fields: Vec<&str> = row.split(',').collect();
            sender
                .try_send(vec![check.row(i as u64 + 2, &fields)])
                .unwrap();
        }
        sender.try_send(check.finish(0)).unwrap();
        receiver
    }

    const GOOD: &str = "A-1,Bottle,,1.00,3,cups,,,,,,10";
    const ALSO_GOOD: &str = "A-2,Jar,,2.00,3,cups,,,,,,10";
    const BAD: &str = "A-3,Jar,,free,3,,,,,,,10";

    async fn import(
        catalog: &Catalog,
        mut lines: mpsc::Receiver<Vec<CatalogLine>>,
        mode: ImportMode,
    ) -> (Result<ImportSummary, CatalogImportError>, Vec<String>) {
        let mut reported = Vec::new();
        let outcome = catalog
            .import_catalog(&Actor::System, &mut lines, mode, |p| {
                reported.push(p.to_string())
            })
            .await;
        (outcome, reported)
    }

    #[tokio::test]
    async fn a_clean_file_is_written_batch_by_batch_and_committed_once() {
        let mut session = empty_catalog();
        session
            .expect_insert_categories()
            .withf(|c| c.len() == 1 && c[0].slug.as_str() == "cups")
            .times(1)
            .returning(|_| Ok(()));
        session
            .expect_write_products()
            .withf(|p| p.len() == 1 && p[0].version == 1)
            .times(2)
            .returning(|_| Ok(()));
        session.expect_commit().times(1).returning(|| Ok(()));
        let mut cache = MockCache::new();
        cache.expect_apply().times(1).returning(|_| ());
        let catalog = catalog(session, cache);
        let (outcome, reported) =
            import(&catalog, file(&[GOOD, ALSO_GOOD]), ImportMode::Write).await;
        let summary = outcome.unwrap();
        assert!(reported.is_empty());
        assert_eq!(
            summary,
            ImportSummary {
                rows: 2,
                created: 2,
                categories_created: 1,
                written: true,
                ..ImportSummary::default()
            }
        );
    }

    #[tokio::test]
    async fn a_bad_row_stops_the_writes_commits_nothing_and_every_bad_row_is_reported() {
        let mut session = empty_catalog();
        session.expect_insert_categories().returning(|_| Ok(()));
        // The good row before the bad one is written (and rolled back with
        // the transaction); none after it.
        session
            .expect_write_products()
            .withf(|p| p[0].sku.as_ref().unwrap().as_str() == "A-1")
            .times(1)
            .returning(|_| Ok(()));
        session.expect_commit().times(0);
        let catalog = catalog(session, untouched_cache());
        let rows = [
            GOOD,
            BAD,
            ALSO_GOOD,
            "A-1,Again,,1,1,,,,,,,1",
            ",No sku,,1,1,,,,,,,1",
        ];
        let (outcome, reported) = import(&catalog, file(&rows), ImportMode::Write).await;
        let summary = outcome.unwrap();
        assert_eq!(
            reported,
            [
                "line 3: price: must be a decimal number such as \"19.99\"",
                "line 6: sku: is required: rows are matched to products by their SKU",
                "line 5: sku: repeats the SKU of line 2",
            ]
        );
        assert_eq!(
            (summary.rows, summary.rejected, summary.written),
            (5, 3, false)
        );
        assert_eq!(summary.created, 3, "what the good rows would have made");
    }

    #[tokio::test]
    async fn a_dry_run_checks_every_row_and_writes_nothing() {
        let mut session = empty_catalog();
        session.expect_insert_categories().times(0);
        session.expect_write_products().times(0);
        session.expect_commit().times(0);
        let catalog = catalog(session, untouched_cache());
        let (outcome, _) = import(&catalog, file(&[GOOD, ALSO_GOOD]), ImportMode::DryRun).await;
        let summary = outcome.unwrap();
        assert_eq!((summary.created, summary.categories_created), (2, 1));
        assert!(!summary.written);
    }

    #[tokio::test]
    async fn a_file_cut_short_commits_nothing() {
        let mut session = empty_catalog();
        session.expect_insert_categories().returning(|_| Ok(()));
        session.expect_write_products().returning(|_| Ok(()));
        session.expect_commit().times(0);
        let catalog = catalog(session, untouched_cache());
        let (sender, lines) = mpsc::channel(1);
        let mut check = CatalogFileCheck::new();
        check.header(&CATALOG_COLUMNS).unwrap();
        let fields: Vec<&str> = GOOD.split(',').collect();
        sender.try_send(vec![check.row(2, &fields)]).unwrap();
        drop(sender);
        let (outcome, _) = import(&catalog, lines, ImportMode::Write).await;
        assert!(matches!(outcome, Err(CatalogImportError::CutShort)));
    }

    #[tokio::test]
    async fn a_failed_write_ends_the_import_without_a_commit() {
        let mut session = empty_catalog();
        session.expect_insert_categories().returning(|_| Ok(()));
        session.expect_write_products().times(1).returning(|_| {
            Err(StoreError::Duplicate(
                crate::ports::UniqueField::ProductGtin,
            ))
        });
        session.expect_commit().times(0);
        let catalog = catalog(session, untouched_cache());
        let (outcome, _) = import(&catalog, file(&[GOOD, ALSO_GOOD]), ImportMode::Write).await;
        assert!(matches!(
            outcome,
            Err(CatalogImportError::Store(StoreError::Duplicate(_)))
        ));
    }

    #[tokio::test]
    async fn a_customer_may_not_import() {
        let catalog = Catalog::new(
            Arc::new(MockCatalogStore::new()),
            Arc::new(MockCache::new()),
            Arc::new(ManualClock::default()),
        );
        let mut lines = file(&[GOOD]);
        let customer = Actor::customer(crate::domain::UserId::new());
        let outcome = catalog
            .import_catalog(&customer, &mut lines, ImportMode::Write, |_| {})
            .await;
        assert!(matches!(outcome, Err(CatalogImportError::Denied(_))));
    }
}
