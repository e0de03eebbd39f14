//! The statements of a catalog import (`CatalogImport`), run in its one
//! transaction, a batch of rows at a time.

use ecolaura_core::catalog::{Category, ImportMode, Product};
use ecolaura_core::domain::{Gtin, Sku, Slug};
use sea_query::{Expr, ExprTrait, InsertStatement, LockType, OnConflict, Query, SelectStatement};

use super::{
    BuildResult, CATEGORY_COLUMNS, PRODUCT_COLUMNS, category_values, live_products, product_values,
};
use crate::Dialect;
use crate::schema::{Categories, Products};

/// The live products with these SKUs. An import that writes locks them
/// until its transaction ends (`FOR UPDATE` on Postgres; on SQLite the
/// import holds the write lock); a dry run reads them without a lock.
pub fn select_live_by_sku(skus: &[Sku], mode: ImportMode) -> SelectStatement {
    let mut q = live_products();
    q.and_where(Expr::col(Products::Sku).is_in(skus.iter().map(Sku::as_str)));
    if mode == ImportMode::Write {
        q.lock(LockType::Update);
    }
    q
}

/// `(gtin, id)` of the live products holding these GTINs.
pub fn select_gtin_holders(gtins: &[Gtin]) -> SelectStatement {
    let mut q = Query::select();
    q.columns([Products::Gtin, Products::Id])
        .from(Products::Table)
        .and_where(Expr::col(Products::Archived).eq(false))
        .and_where(Expr::col(Products::Gtin).is_in(gtins.iter().map(Gtin::as_str)));
    q
}

/// The slugs among `slugs` that name a category.
pub fn select_category_slugs(slugs: &[Slug]) -> SelectStatement {
    let mut q = Query::select();
    q.column(Categories::Slug)
        .from(Categories::Table)
        .and_where(Expr::col(Categories::Slug).is_in(slugs.iter().map(Slug::as_str)));
    q
}

/// Insert categories, leaving alone a slug that is taken. `categories`
/// must not be empty.
pub fn insert_categories(categories: &[Category]) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(Categories::Table).columns(CATEGORY_COLUMNS);
    for c in categories {
        q.values(category_values(c))?;
    }
    q.on_conflict(OnConflict::column(Categories::Slug).do_nothing().to_owned());
    Ok(q)
}

/// Insert products, or replace every field of those whose id is taken
/// (the version moves on by one; the creation time stays). `products`
/// must not be empty, and each row binds one value per product column, so
/// a statement takes at most 1,300 products (SQLite binds up to 32,766).
pub fn upsert_products<D: Dialect>(products: &[Product]) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(Products::Table).columns(PRODUCT_COLUMNS);
    for p in products {
        q.values(product_values::<D>(p))?;
    }
    let replaced = PRODUCT_COLUMNS.into_iter().filter(|c| {
        !matches!(
            c,
            Products::Id | Products::Archived | Products::Version | Products::CreatedAt
        )
    });
    q.on_conflict(
        OnConflict::column(Products::Id)
            .update_columns(replaced)
            .value(
                Products::Version,
                Expr::col((Products::Table, Products::Version)).add(1),
            )
            .to_owned(),
    );
    Ok(q)
}
