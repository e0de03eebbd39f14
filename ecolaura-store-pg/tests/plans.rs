//! Query plans on a catalog big enough for the planner to care: the lists
//! that an index should serve are served by it, not by a scan of products.
//!
//! The table is filled and then `ANALYZE`d by the test itself, so the plans
//! do not depend on autovacuum having run.
#![allow(clippy::unwrap_used)] // a test that cannot set up must fail loudly

use ecolaura_core::catalog::{ProductFilter, ProductOrdering, ProductQuery};
use ecolaura_core::domain::{PageRequest, Score, SearchText, Slug};
use ecolaura_store_pg::PgStore;
use ecolaura_store_pg_testing::TestDb;
use ecolaura_store_sql::Postgres;
use ecolaura_store_sql::statements::list_products;
use sea_query::PostgresQueryBuilder;
use sea_query_sqlx::SqlxBinder;
use sqlx::PgPool;

/// Products in the test catalog; one in a thousand has the rare words.
const PRODUCTS: i64 = 200_000;

/// Fill the catalog: 50 categories; every thousandth product has "Zephyr"
/// in its name and every thousandth (another one) "quartzite" in its
/// description; the rest have names and descriptions made of common
/// trigrams. Prices, scores and categories are spread by a hash.
///
/// One transaction with no statement timeout: on a busy machine (a CI run
/// with every test binary's databases) the insert can take longer than
/// the store's 30 s.
async fn fill(pool: &PgPool) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL statement_timeout = 0")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO categories (slug, name, description, created_at)
         SELECT 'category-' || c, 'Category ' || c, '', now() FROM generate_series(0, 49) AS c",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO products (id, name, description, price, stock, manual_score, score,
                               score_source, version, created_at, updated_at, category)
         SELECT gen_random_uuid(),
                CASE WHEN i % 1000 = 0 THEN 'Zephyr bottle ' || i ELSE 'Bottle ' || i END,
                CASE WHEN i % 1000 = 500 THEN 'Cut from quartzite, ' ELSE 'Made of steel, ' END
                    || md5(i::text),
                (abs(hashtext(i::text)) % 10000) / 100.0, i % 50,
                abs(hashtext(i::text || 's')) % 101, abs(hashtext(i::text || 's')) % 101, 'manual', 1,
                now() - make_interval(secs => i), now(),
                'category-' || abs(hashtext(i::text || 'c')) % 50
         FROM generate_series(1, $1) AS i",
    )
    .bind(PRODUCTS)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("ANALYZE products")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A fresh database with the filled catalog, and a store on it.
async fn filled() -> Option<(TestDb, PgStore)> {
    let db = TestDb::create().await?;
    let store = db.store().await;
    fill(store.pool()).await;
    Some((db, store))
}

/// The plan of the list `query` as the store sends it (its page and its
/// count), with the values bound as the store binds them.
async fn plan(pool: &PgPool, query: &ProductQuery) -> String {
    let (page, _) = list_products::<Postgres>(query);
    let (sql, values) = page.build_sqlx(PostgresQueryBuilder);
    let rows: Vec<(String,)> =
        sqlx::query_as_with(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")), values)
            .fetch_all(pool)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(line,)| line)
        .collect::<Vec<_>>()
        .join("\n")
}

const ORDERINGS: [ProductOrdering; 8] = [
    ProductOrdering::PriceAsc,
    ProductOrdering::PriceDesc,
    ProductOrdering::ScoreAsc,
    ProductOrdering::ScoreDesc,
    ProductOrdering::NameAsc,
    ProductOrdering::NameDesc,
    ProductOrdering::CreatedAsc,
    ProductOrdering::CreatedDesc,
];

/// A filtered list in every ordering: the plan of its page and count
/// never scans the table, and reads one of `indexes` (any of them).
async fn assert_served_by(pool: &PgPool, filter: &ProductFilter, indexes: &[&str]) {
    for ordering in ORDERINGS {
        let query = ProductQuery {
            filter: filter.clone(),
            ordering,
            page: PageRequest::new(1, 20).unwrap(),
        };
        let plan = plan(pool, &query).await;
        assert!(
            !plan.contains("Seq Scan on products"),
            "{filter:?} {ordering:?} scans the table:\n{plan}"
        );
        assert!(
            indexes.iter().any(|index| plan.contains(index)),
            "{filter:?} {ordering:?} reads none of {indexes:?}:\n{plan}"
        );
    }
}

/// The whole catalog, and the selective filters alone and together, in
/// every ordering: a category (with a price range too), a price range, a
/// high minimum score. Each reads an index made for it; none scans the
/// table (the whole catalog's count is kept, not counted).
#[tokio::test]
async fn lists_are_served_by_their_indexes_in_every_ordering() {
    let Some((_db, store)) = filled().await else {
        return;
    };
    let price = |s: &str| Some(s.parse().unwrap());
    let category = Some(Slug::parse("category-7").unwrap());
    // A category's page reads the category's index for its ordering, or,
    // where the planner finds a page sooner that way (a reverse ordering,
    // whose ties the category's index would sort), the ordering's own.
    let by_category: &[&str] = &[
        "products_live_category_created",
        "products_live_category_price",
        "products_live_category_score",
        "products_live_category_name",
        "products_live_price_desc",
        "products_live_score_desc",
        "products_live_name_desc",
        "products_live_created_asc",
    ];
    let cases = [
        (
            ProductFilter::default(),
            &[
                "products_live_price",
                "products_live_score",
                "products_live_name",
                "products_live_created",
            ][..],
        ),
        (
            ProductFilter {
                category: category.clone(),
                ..ProductFilter::default()
            },
            by_category,
        ),
        (
            ProductFilter {
                category,
                min_price: price("10.00"),
                max_price: price("20.00"),
                ..ProductFilter::default()
            },
            by_category,
        ),
        (
            ProductFilter {
                min_price: price("10.00"),
                max_price: price("10.50"),
                ..ProductFilter::default()
            },
            &["products_live_price"],
        ),
        (
            ProductFilter {
                min_score: Score::new(100).ok(),
                ..ProductFilter::default()
            },
            &["products_live_score"],
        ),
    ];
    for (filter, indexes) in cases {
        assert_served_by(store.pool(), &filter, indexes).await;
    }
}

/// `search=` for a word in 0.1% of the products, in a name or in a
/// description, in every ordering: the trigram indexes find the matches
/// (for the count, and for the page unless walking the ordering's index
/// finds a page sooner), and the table is never scanned.
#[tokio::test]
async fn a_search_is_served_by_the_trigram_indexes_in_every_ordering() {
    let Some((_db, store)) = filled().await else {
        return;
    };
    for term in ["zephyr", "QUARTZITE", "phyr bot"] {
        for ordering in ORDERINGS {
            let query = ProductQuery {
                filter: ProductFilter {
                    search: Some(SearchText::parse(term).unwrap()),
                    ..ProductFilter::default()
                },
                ordering,
                page: PageRequest::new(1, 20).unwrap(),
            };
            let plan = plan(store.pool(), &query).await;
            assert!(
                !plan.contains("Seq Scan on products"),
                "{term:?} {ordering:?} scans the table:\n{plan}"
            );
            assert!(
                plan.contains("products_live_name_trgm")
                    && plan.contains("products_live_description_trgm"),
                "{term:?} {ordering:?} does not read both trigram indexes:\n{plan}"
            );
        }
    }
}

/// What the plan of `sql` (with `values`) read when it ran: every row a
/// node returned or its filter removed, summed over the nodes that read
/// the table or an index, and whether a node scanned the table.
async fn rows_read(pool: &PgPool, select: &sea_query::SelectStatement) -> (u64, String) {
    let (sql, values) = select.build_sqlx(PostgresQueryBuilder);
    let rows: Vec<(String,)> = sqlx::query_as_with(
        sqlx::AssertSqlSafe(format!("EXPLAIN (ANALYZE, TIMING OFF) {sql}")),
        values,
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let plan: Vec<String> = rows.into_iter().map(|(line,)| line).collect();
    let number_after = |line: &str, label: &str| -> u64 {
        line.split(label)
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let mut read = 0;
    let mut reading = false;
    for line in &plan {
        if line.contains("->") || !line.starts_with(' ') {
            reading = line.contains(" Scan ");
            if reading {
                read += number_after(line, "(actual rows=");
            }
        } else if reading && line.contains("Rows Removed by") {
            read += number_after(line, ": ");
        }
    }
    (read, plan.join("\n"))
}

/// Keyset pages (API v2) from a position 150,000 products deep, both
/// ways, in every ordering, for the whole catalog, a category, a category
/// with a price range and a minimum score; and pages of orders, of one
/// customer and of all, 90,000 orders deep. None scans a table, and each
/// reads about what the first page reads: a few hundred rows at most (the
/// rows a filter passes over included), where an offset page at that
/// depth reads every row before it.
#[tokio::test]
async fn keyset_pages_read_as_little_deep_in_the_list_as_at_its_start() {
    use ecolaura_core::catalog::ProductSeek;
    use ecolaura_core::domain::{Direction, Limit, OrderId, Seek, UserId};
    use ecolaura_core::orders::OrderPosition;
    use ecolaura_core::ports::CatalogStore;
    use ecolaura_store_sql::statements::{seek_orders, seek_products};

    let Some((_db, store)) = filled().await else {
        return;
    };
    let pool = store.pool();
    let price = |s: &str| Some(s.parse().unwrap());
    let filters = [
        ProductFilter::default(),
        ProductFilter {
            category: Some(Slug::parse("category-7").unwrap()),
            ..ProductFilter::default()
        },
        ProductFilter {
            category: Some(Slug::parse("category-7").unwrap()),
            min_price: price("10.00"),
            max_price: price("60.00"),
            ..ProductFilter::default()
        },
        ProductFilter {
            min_score: Score::new(50).ok(),
            ..ProductFilter::default()
        },
    ];
    let limit = Limit::new(20).unwrap();
    for filter in &filters {
        for ordering in ORDERINGS {
            // The product 150,000 deep in the whole catalog's order.
            let deep = ProductQuery {
                filter: ProductFilter::default(),
                ordering,
                page: PageRequest::new(7_501, 20).unwrap(),
            };
            let page = store.list_products(&deep).await.unwrap();
            let at = ordering.position_of(&page.items[0]);
            for from in [
                None,
                Some((Direction::After, at.clone())),
                Some((Direction::Before, at.clone())),
            ] {
                let query = ProductSeek {
                    filter: filter.clone(),
                    ordering,
                    seek: Seek { from, limit },
                };
                let (read, plan) = rows_read(pool, &seek_products::<Postgres>(&query)).await;
                assert!(
                    !plan.contains("Seq Scan"),
                    "{filter:?} {ordering:?} scans the table:\n{plan}"
                );
                assert!(
                    read <= 600,
                    "{filter:?} {ordering:?} {:?} read {read} rows:\n{plan}",
                    query.seek.direction()
                );
            }
        }
    }

    // 90,000 orders of 300 customers, one per second.
    sqlx::query(
        "INSERT INTO orders (id, user_id, status, currency, created_at, updated_at)
         SELECT gen_random_uuid(), ('00000000-0000-7000-8000-' || lpad((i % 300)::text, 12, '0'))::uuid,
                'pending', 'EUR', now() - make_interval(secs => i), now()
         FROM generate_series(1, 90000) AS i",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE orders").execute(pool).await.unwrap();
    let customer = UserId::from_uuid("00000000-0000-7000-8000-000000000007".parse().unwrap());
    let (id, created_at): (uuid::Uuid, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "SELECT id, created_at FROM orders ORDER BY created_at DESC, id DESC OFFSET 60000 LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let at = OrderPosition {
        created_at,
        id: OrderId::from_uuid(id),
    };
    for owner in [None, Some(customer)] {
        for from in [
            None,
            Some((Direction::After, at)),
            Some((Direction::Before, at)),
        ] {
            let seek = Seek { from, limit };
            let (read, plan) = rows_read(pool, &seek_orders(owner, &seek)).await;
            assert!(
                !plan.contains("Seq Scan"),
                "{owner:?} scans orders:\n{plan}"
            );
            assert!(read <= 100, "{owner:?} read {read} rows:\n{plan}");
        }
    }
}
