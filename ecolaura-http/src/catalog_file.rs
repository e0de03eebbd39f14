//! `ecolaura catalog export|import`: the catalog as a CSV file (API.md,
//! "The binary"). The rules (columns, parsing, checks, what a row does)
//! are core's; this module reads and writes the file and shows progress.

use std::fs::File;
use std::path::Path;

use ecolaura_core::auth::Actor;
use ecolaura_core::catalog::{
    CATALOG_COLUMNS, CatalogFileCheck, CatalogLine, FieldProblem, RowProblem, catalog_row,
};
use ecolaura_core::domain::Limit;
use ecolaura_core::services::{ImportMode, ImportSummary};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::mpsc;

use crate::run::{RunError, application, open_store, small_cache};
use crate::settings::Settings;

/// Rows per batch handed to the import (and per statement it writes).
const IMPORT_BATCH: usize = Limit::BATCH.get() as usize;

/// Batches read ahead of the import: memory holds at most this many more.
const READ_AHEAD: usize = 2;

/// `ecolaura catalog export`: every live product, as CSV on standard
/// output; a summary on standard error.
pub(crate) async fn export_catalog(settings: Settings) -> Result<(), RunError> {
    let opened = open_store(&settings, settings.migrates_on_start()).await?;
    let app = application(opened.store, &settings, small_cache())?;
    let stdout = std::io::stdout();
    let mut out = csv::Writer::from_writer(std::io::BufWriter::new(stdout.lock()));
    out.write_record(CATALOG_COLUMNS)?;
    let written = app
        .catalog()
        .export_products(|batch| {
            batch
                .iter()
                .try_for_each(|p| out.write_record(catalog_row(p)))
        })
        .await?;
    out.flush()?;
    eprintln!("exported {written} products from {}", opened.location);
    Ok(())
}

/// `ecolaura catalog import FILE [--dry-run]`: every row of `file` makes
/// or replaces the live product with its SKU, in one transaction; any bad
/// row (each listed on standard error with its line and field) and
/// nothing is written. The summary goes to standard output.
pub(crate) async fn import_catalog(
    settings: Settings,
    file: &Path,
    dry_run: bool,
) -> Result<(), RunError> {
    let opening = |e: &dyn std::fmt::Display| format!("cannot read {}: {e}", file.display());
    let size = std::fs::metadata(file).map_err(|e| opening(&e))?.len();
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(file)
        .map_err(|e| opening(&e))?;
    let opened = open_store(&settings, settings.migrates_on_start()).await?;
    let app = application(opened.store, &settings, small_cache())?;
    let progress = progress_bar(size);
    let (sender, mut lines) = mpsc::channel(READ_AHEAD);
    let reading = tokio::task::spawn_blocking({
        let progress = progress.clone();
        move || read_catalog(reader, &sender, &progress)
    });
    let mode = if dry_run {
        ImportMode::DryRun
    } else {
        ImportMode::Write
    };
    let imported = app
        .catalog()
        .import_catalog(&Actor::System, &mut lines, mode, |problem| {
            progress.suspend(|| eprintln!("{problem}"));
        })
        .await;
    // A reader still sending stops once nobody receives.
    drop(lines);
    progress.finish_and_clear();
    reading.await?;
    let summary = imported?;
    println!("{}", summary_line(&summary, file, &opened.location));
    if summary.rejected > 0 {
        let lines = if summary.rejected == 1 {
            "line"
        } else {
            "lines"
        };
        let rejected = summary.rejected;
        return Err(
            format!("{rejected} {lines} rejected (listed above); nothing was written").into(),
        );
    }
    Ok(())
}

/// What an import did (or, writing nothing, would have done with its
/// good rows), in one line.
fn summary_line(s: &ImportSummary, file: &Path, location: &str) -> String {
    let (what, made) = if s.written {
        (format!("imported {} into {location}", file.display()), "")
    } else {
        let what = format!(
            "checked {} against {location} and wrote nothing",
            file.display()
        );
        (what, "to be ")
    };
    format!(
        "{what}: {} rows: {} {made}created, {} {made}updated, {} unchanged, {} rejected; {} categories {made}created",
        s.rows, s.created, s.updated, s.unchanged, s.rejected, s.categories_created
    )
}

/// A bar of the bytes read, drawn on standard error only when it is a
/// terminal.
fn progress_bar(size: u64) -> ProgressBar {
    let bar = ProgressBar::new(size);
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {elapsed_precise} (eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Read the file, header first, into batches of lines as core's
/// [`CatalogFileCheck`] reads them, and send them to the import; the last
/// batch ends with the rows that repeat a key and the end of the file. A
/// record that cannot be read is a bad line (so nothing is written); a
/// failed read stops here without the end, which the import takes as a
/// file cut short.
fn read_catalog(
    mut reader: csv::Reader<File>,
    lines: &mpsc::Sender<Vec<CatalogLine>>,
    progress: &ProgressBar,
) {
    let mut check = CatalogFileCheck::new();
    let mut record = csv::StringRecord::new();
    let mut batch = Vec::with_capacity(IMPORT_BATCH);
    let mut header_read = false;
    let mut unreadable = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(1, csv::Position::line);
                let fields: Vec<&str> = record.iter().collect();
                if header_read {
                    batch.push(check.row(line, &fields));
                } else if let Err(problem) = check.header(&fields) {
                    batch.push(CatalogLine::Bad(problem));
                    break;
                } else {
                    header_read = true;
                }
            }
            Err(e) => {
                let line = e.position().map_or(1, csv::Position::line);
                unreadable += 1;
                let problem = FieldProblem::new("row", format_args!("cannot be read: {e}"));
                batch.push(CatalogLine::Bad(RowProblem {
                    line,
                    problems: vec![problem],
                }));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    let _ = lines.blocking_send(batch);
                    return;
                }
            }
        }
        if batch.len() >= IMPORT_BATCH {
            progress.set_position(reader.position().byte());
            let full = std::mem::replace(&mut batch, Vec::with_capacity(IMPORT_BATCH));
            if lines.blocking_send(full).is_err() {
                return;
            }
        }
    }
    if !header_read && batch.is_empty() {
        let problem = FieldProblem::new("header", "is missing: the file is empty");
        batch.push(CatalogLine::Bad(RowProblem {
            line: 1,
            problems: vec![problem],
        }));
    }
    progress.set_position(reader.position().byte());
    batch.extend(check.finish(unreadable));
    let _ = lines.blocking_send(batch);
}
