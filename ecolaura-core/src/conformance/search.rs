//! `search=` cases: whatever index a store serves it from, the results are
//! the substring rule's, [`ProductFilter::matches`].

use std::collections::BTreeSet;
use std::sync::Arc;

use super::fixtures::*;
use crate::Store;
use crate::catalog::{Product, ProductFilter, ProductOrdering, ProductQuery};
use crate::domain::{Description, PageRequest, ProductId, ProductName, SearchText};

/// Characters the random texts are made of: cases that fold, letters that
/// make common and rare trigrams, LIKE's and FTS5's special characters, and
/// a letter beyond ASCII. (Upper-case letters beyond ASCII are left out:
/// SQLite's `lower()` folds ASCII only, a documented difference.)
const ALPHABET: &[char] = &[
    'a', 'b', 'c', 'A', 'B', 'C', 'o', ' ', 'é', '%', '_', '\\', '"', '*', '-',
];

fn text(rng: &mut fastrand::Rng, len: usize) -> String {
    (0..len)
        .map(|_| ALPHABET[rng.usize(..ALPHABET.len())])
        .collect()
}

fn random_name(rng: &mut fastrand::Rng) -> ProductName {
    loop {
        let len = rng.usize(1..=12);
        if let Ok(name) = ProductName::parse(&text(rng, len)) {
            return name;
        }
    }
}

fn random_description(rng: &mut fastrand::Rng) -> Description {
    let len = rng.usize(0..=40);
    Description::parse(&text(rng, len)).expect("a description may be any printable text")
}

/// A term: random characters, or a piece of a product's text with its
/// ASCII letters' case flipped at random, so that most terms match something.
fn random_term(rng: &mut fastrand::Rng, products: &[Product]) -> Option<SearchText> {
    let raw = if rng.bool() {
        let len = rng.usize(1..=5);
        text(rng, len)
    } else {
        let p = &products[rng.usize(..products.len())];
        let source: Vec<char> = if rng.bool() {
            p.name.as_str().chars().collect()
        } else {
            p.description.as_str().chars().collect()
        };
        if source.is_empty() {
            return None;
        }
        let start = rng.usize(..source.len());
        let end = rng.usize(start + 1..=source.len().min(start + 8));
        source[start..end]
            .iter()
            .map(|c| {
                if rng.bool() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    };
    SearchText::parse(&raw).ok()
}

async fn found(store: &Arc<dyn Store>, filter: ProductFilter) -> (u64, BTreeSet<ProductId>) {
    let query = ProductQuery {
        filter,
        ordering: ProductOrdering::CreatedDesc,
        page: PageRequest::new(1, 100).expect("page"),
    };
    let page = store.list_products(&query).await.expect("list");
    (page.count, page.items.into_iter().map(|p| p.id).collect())
}

/// Random products, some renamed and some archived after they were written,
/// searched with random terms of one to eight characters: each result is
/// exactly the live products the substring rule admits, with their count.
pub async fn search_finds_exactly_the_substring_matches(store: Arc<dyn Store>) {
    let mut rng = fastrand::Rng::with_seed(0x5ea2c4);
    let mut products = Vec::new();
    for i in 0..90 {
        let mut p = product("placeholder", "1.00", 1);
        p.name = random_name(&mut rng);
        p.description = random_description(&mut rng);
        p.created_at = at(i);
        p.updated_at = at(i);
        store.insert_product(&p).await.expect("insert");
        products.push(p);
    }
    // Renames reach the index as well as inserts do.
    for p in products.iter_mut().step_by(4) {
        let mut changed = p.clone();
        changed.name = random_name(&mut rng);
        changed.description = random_description(&mut rng);
        *p = store.update_product(&changed).await.expect("update");
    }
    // Archived products leave every result.
    for p in products.iter_mut().skip(1).step_by(9) {
        *p = store.archive_product(p.id, at(100)).await.expect("archive");
    }

    let mut terms = 0;
    while terms < 150 {
        let Some(term) = random_term(&mut rng, &products) else {
            continue;
        };
        terms += 1;
        let filter = ProductFilter {
            search: Some(term.clone()),
            ..ProductFilter::default()
        };
        let expected: BTreeSet<ProductId> = products
            .iter()
            .filter(|p| !p.archived && filter.matches(p))
            .map(|p| p.id)
            .collect();
        let (count, ids) = found(&store, filter).await;
        assert_eq!(ids, expected, "search {:?}", term.as_str());
        assert_eq!(
            count,
            expected.len() as u64,
            "count for {:?}",
            term.as_str()
        );
    }
}

/// A term found in both the name of one product and the description of
/// another finds both, and a term that spans the two fields finds neither.
pub async fn search_reads_name_and_description_apart(store: Arc<dyn Store>) {
    let mut a = product("Bamboo toothbrush", "3.00", 1);
    a.description = Description::parse("Soft bristles").expect("d");
    let mut b = product("Cotton bag", "4.00", 1);
    b.description = Description::parse("Carries a bamboo toothbrush").expect("d");
    insert_all(&store, &[&a, &b]).await;
    let search = |s: &str| ProductFilter {
        search: Some(SearchText::parse(s).expect("term")),
        ..ProductFilter::default()
    };
    assert_eq!(
        found(&store, search("BAMBOO TOOTH")).await.1,
        BTreeSet::from([a.id, b.id])
    );
    assert_eq!(found(&store, search("brushsoft")).await.1, BTreeSet::new());
    assert_eq!(found(&store, search("brush soft")).await.1, BTreeSet::new());
    assert_eq!(found(&store, search("oothbrus")).await.1.len(), 2);
    assert_eq!(found(&store, search("bag")).await.1, BTreeSet::from([b.id]));
}
