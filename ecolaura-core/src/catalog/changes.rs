//! Which cached catalog reads a write changes.
//!
//! A cached read says what it shows (a [`ReadScope`]); a write says what it
//! changed (a [`CatalogChange`]). [`CatalogChange::affects`] decides, as a
//! pure function of the two, whether the read may no longer be true. Caches
//! drop exactly the reads it names, so a write is visible to the very next
//! read while reads that it did not touch stay cached.
//!
//! The rule for a page of a product list (filter, ordering, the ids shown):
//! - a write to a product the page shows changes the page;
//! - otherwise, a product that the filter admits neither before nor after
//!   the write changes nothing;
//! - one that it admits both before and after, with the same sort key, keeps
//!   its place: pages that do not show it are unchanged;
//! - otherwise it entered, left or moved within the list: the count and the
//!   items of every page may have shifted, so every page of that filter
//!   (and, for a move, that ordering) is changed.
//!
//! A page's *membership* (which ids it shows, in which order, and the count;
//! [`ReadScope::Membership`]) is kept apart from the products' fields: it
//! stays true through writes that change a shown product without moving it
//! (an order's stock change, a new description), so a page that such a
//! write changes is rebuilt from its known ids by one lookup by key instead
//! of the list query.

use serde::{Deserialize, Serialize};

use super::{Product, ProductFilter, ProductOrdering, ProductQuery};
use crate::domain::{ProductId, Stock};

/// What a cached catalog read shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadScope {
    /// One product, by id (found or not).
    Product(ProductId),
    /// A page of a product list.
    Products(ListScope),
    /// Which products a page of a product list shows, in which order, and
    /// how many match in all; not their fields.
    Membership(ListScope),
    /// A page of categories.
    Categories,
    /// One product's green claims (not its other fields: an order's stock
    /// change leaves them true).
    Claims(ProductId),
}

impl ReadScope {
    /// The scope of a page of `query`'s list that shows `shown`.
    pub fn list(query: &ProductQuery, shown: impl IntoIterator<Item = ProductId>) -> Self {
        Self::Products(ListScope::new(query, shown))
    }

    /// The scope of a page's membership (see [`ReadScope::Membership`]).
    pub fn membership(query: &ProductQuery, shown: impl IntoIterator<Item = ProductId>) -> Self {
        Self::Membership(ListScope::new(query, shown))
    }

    /// Roughly how many bytes this scope takes in memory.
    pub fn approx_bytes(&self) -> usize {
        let own = std::mem::size_of::<Self>();
        match self {
            Self::Products(list) | Self::Membership(list) => {
                let f = &list.filter;
                own + list.shown.capacity() * std::mem::size_of::<ProductId>()
                    + f.category.as_ref().map_or(0, |c| c.as_str().len())
                    + f.search.as_ref().map_or(0, |s| s.as_str().len())
            }
            Self::Product(_) | Self::Categories | Self::Claims(_) => own,
        }
    }
}

/// What a cached page of a product list shows: its filter and ordering
/// (any page of them) and the products on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListScope {
    /// The list's filter.
    pub filter: ProductFilter,
    /// The list's ordering.
    pub ordering: ProductOrdering,
    /// The ids on the page.
    pub shown: Vec<ProductId>,
}

impl ListScope {
    fn new(query: &ProductQuery, shown: impl IntoIterator<Item = ProductId>) -> Self {
        Self {
            filter: query.filter.clone(),
            ordering: query.ordering,
            shown: shown.into_iter().collect(),
        }
    }

    fn shows(&self, id: ProductId) -> bool {
        self.shown.contains(&id)
    }
}

/// What a write changed in the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CatalogChange {
    /// A product was created, updated or archived.
    #[serde(rename = "p")]
    Product(Box<ProductChange>),
    /// Units were taken from a product's stock or given back to it (an
    /// order or its cancellation); nothing else about it changed.
    #[serde(rename = "s")]
    Stock {
        /// The product.
        #[serde(rename = "id")]
        product_id: ProductId,
        /// Whether it may have run out or come back: the stock crossed zero.
        #[serde(rename = "z")]
        crossed_zero: bool,
    },
    /// A category was created.
    #[serde(rename = "c")]
    Categories,
    /// Anything may have changed (a notification was missed or too large).
    #[serde(rename = "*")]
    Everything,
}

/// A product before and after a write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductChange {
    /// The product written.
    pub id: ProductId,
    /// As it was; `None`: it did not exist (a create).
    pub before: Option<Product>,
    /// As it is; `None`: it left the catalog (archived).
    pub after: Option<Product>,
}

impl CatalogChange {
    /// A product was made.
    pub fn created(product: Product) -> Self {
        Self::product(product.id, None, Some(product))
    }

    /// A product changed from `before` to `after`.
    pub fn updated(before: Product, after: Product) -> Self {
        Self::product(after.id, Some(before), Some(after))
    }

    /// A product, as it was, left the catalog.
    pub fn archived(product: Product) -> Self {
        Self::product(product.id, Some(product), None)
    }

    fn product(id: ProductId, before: Option<Product>, after: Option<Product>) -> Self {
        Self::Product(Box::new(ProductChange { id, before, after }))
    }

    /// An order took units, leaving `left`.
    pub fn stock_taken(product_id: ProductId, left: Stock) -> Self {
        Self::Stock {
            product_id,
            crossed_zero: left.get() == 0,
        }
    }

    /// Units were given back (a cancellation). Whether the product was out
    /// of stock before is not known here, so it counts as crossing zero.
    pub fn stock_given_back(product_id: ProductId) -> Self {
        Self::Stock {
            product_id,
            crossed_zero: true,
        }
    }

    /// Whether a read of `scope`, made before this change, may be untrue now.
    pub fn affects(&self, scope: &ReadScope) -> bool {
        match (self, scope) {
            (Self::Everything, _) => true,
            (Self::Categories, scope) => *scope == ReadScope::Categories,
            (_, ReadScope::Categories) => false,
            (Self::Stock { product_id, .. }, ReadScope::Product(id)) => product_id == id,
            (Self::Product(change), ReadScope::Product(id) | ReadScope::Claims(id)) => {
                change.id == *id
            }
            // Claims are written with their product (its version moves on),
            // never by an order.
            (Self::Stock { .. }, ReadScope::Claims(_)) => false,
            (
                Self::Stock {
                    product_id,
                    crossed_zero,
                },
                ReadScope::Products(list),
            ) => list.shows(*product_id) || (*crossed_zero && list.filter.in_stock.is_some()),
            (Self::Product(change), ReadScope::Products(list)) => {
                list.shows(change.id) || change.changes_membership(list)
            }
            // Orderings never sort by stock: only the `in_stock` filter's
            // members can change with it.
            (Self::Stock { crossed_zero, .. }, ReadScope::Membership(list)) => {
                *crossed_zero && list.filter.in_stock.is_some()
            }
            (Self::Product(change), ReadScope::Membership(list)) => change.changes_membership(list),
        }
    }

    /// Roughly how many bytes this change takes in memory.
    pub fn approx_bytes(&self) -> usize {
        let own = std::mem::size_of::<Self>();
        match self {
            Self::Product(c) => {
                own + std::mem::size_of::<ProductChange>()
                    + c.before.as_ref().map_or(0, Product::approx_bytes)
                    + c.after.as_ref().map_or(0, Product::approx_bytes)
            }
            Self::Stock { .. } | Self::Categories | Self::Everything => own,
        }
    }
}

impl ProductChange {
    /// Whether the product entered, left or moved within the list, so that
    /// which products its pages show, or how many it has, may have changed.
    fn changes_membership<'a>(&'a self, list: &ListScope) -> bool {
        let admitted = |p: Option<&'a Product>| p.filter(|p| list.filter.matches(p));
        match (
            admitted(self.before.as_ref()),
            admitted(self.after.as_ref()),
        ) {
            // Shown, yet admitted neither before nor after: the page was
            // read under other facts; take it as changed.
            (None, None) => list.shows(self.id),
            (Some(before), Some(after)) => !list.ordering.same_key(before, after),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ScoreSource;
    use crate::domain::{Description, PageRequest, Price, ProductName, Score, SearchText, Slug};

    fn product(name: &str, price: &str, stock: i64) -> Product {
        let now = chrono::Utc::now();
        Product {
            id: ProductId::new(),
            name: ProductName::parse(name).unwrap(),
            description: Description::default(),
            price: price.parse::<Price>().unwrap(),
            category: None,
            stock: Stock::new(stock).unwrap(),
            metrics: None,
            manual_score: Score::new(50).unwrap(),
            score: Score::new(50).unwrap(),
            score_source: ScoreSource::Manual,
            score_method: crate::scoring::ScoreMethod::manual(),
            score_computed_at: now,
            score_reason: crate::scoring::ScoreReason::Manual,
            score_breakdown: None,
            sku: None,
            gtin: None,
            weight_kg: None,
            footprint_source: crate::sustainability::FootprintSource::Declared,
            archived: false,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn query(filter: ProductFilter, ordering: ProductOrdering) -> ProductQuery {
        ProductQuery {
            filter,
            ordering,
            page: PageRequest::default(),
        }
    }

    fn page(filter: ProductFilter, ordering: ProductOrdering, shown: &[&Product]) -> ReadScope {
        ReadScope::list(&query(filter, ordering), shown.iter().map(|p| p.id))
    }

    fn cheap() -> ProductFilter {
        ProductFilter {
            max_price: Some("10.00".parse().unwrap()),
            ..ProductFilter::default()
        }
    }

    fn in_stock() -> ProductFilter {
        ProductFilter {
            in_stock: Some(true),
            ..ProductFilter::default()
        }
    }

    #[test]
    fn a_write_changes_the_product_itself_and_every_page_that_shows_it() {
        let p = product("Cup", "5.00", 3);
        let mut renamed = p.clone();
        renamed.name = ProductName::parse("Mug").unwrap();
        let change = CatalogChange::updated(p.clone(), renamed);
        assert!(change.affects(&ReadScope::Product(p.id)));
        assert!(!change.affects(&ReadScope::Product(ProductId::new())));
        // Shown under a filter it never matched (the page was read before a
        // write that is not this one): still changed.
        let expensive = ProductFilter {
            min_price: Some("100.00".parse().unwrap()),
            ..ProductFilter::default()
        };
        assert!(change.affects(&page(expensive, ProductOrdering::PriceAsc, &[&p])));
        assert!(!change.affects(&ReadScope::Categories));
    }

    #[test]
    fn a_product_outside_a_filter_before_and_after_leaves_its_pages_alone() {
        let p = product("Cup", "50.00", 3);
        let mut dearer = p.clone();
        dearer.price = "60.00".parse().unwrap();
        let other = product("Jar", "2.00", 1);
        let change = CatalogChange::updated(p, dearer);
        assert!(!change.affects(&page(cheap(), ProductOrdering::PriceAsc, &[&other])));
    }

    #[test]
    fn a_change_that_keeps_the_sort_key_leaves_pages_without_the_product_alone() {
        let p = product("Cup", "5.00", 3);
        let mut restocked = p.clone();
        restocked.stock = Stock::new(9).unwrap();
        let other = product("Jar", "2.00", 1);
        let change = CatalogChange::updated(p, restocked);
        let other_page = page(cheap(), ProductOrdering::PriceAsc, &[&other]);
        assert!(!change.affects(&other_page));
    }

    #[test]
    fn a_price_change_moves_the_product_in_price_orderings_only() {
        let p = product("Cup", "5.00", 3);
        let mut dearer = p.clone();
        dearer.price = "7.00".parse().unwrap();
        let other = product("Jar", "2.00", 1);
        let change = CatalogChange::updated(p, dearer);
        assert!(change.affects(&page(cheap(), ProductOrdering::PriceAsc, &[&other])));
        assert!(change.affects(&page(cheap(), ProductOrdering::PriceDesc, &[&other])));
        assert!(!change.affects(&page(cheap(), ProductOrdering::NameAsc, &[&other])));
        assert!(!change.affects(&page(cheap(), ProductOrdering::CreatedDesc, &[&other])));
    }

    #[test]
    fn entering_or_leaving_a_filter_changes_every_page_and_ordering_of_it() {
        let p = product("Cup", "5.00", 3);
        let mut dearer = p.clone();
        dearer.price = "50.00".parse().unwrap();
        let other = product("Jar", "2.00", 1);
        let leaves = CatalogChange::updated(p.clone(), dearer.clone());
        let enters = CatalogChange::updated(dearer, p.clone());
        for ordering in ProductOrdering::ALL {
            let other_page = page(cheap(), ordering, &[&other]);
            assert!(leaves.affects(&other_page), "{ordering:?}");
            assert!(enters.affects(&other_page), "{ordering:?}");
        }
    }

    #[test]
    fn a_create_or_an_archive_changes_the_lists_whose_filter_admits_the_product() {
        let p = product("Cup", "5.00", 3);
        let other = product("Jar", "2.00", 1);
        let expensive = ProductFilter {
            min_price: Some("100.00".parse().unwrap()),
            ..ProductFilter::default()
        };
        for change in [
            CatalogChange::created(p.clone()),
            CatalogChange::archived(p.clone()),
        ] {
            assert!(change.affects(&page(cheap(), ProductOrdering::NameAsc, &[&other])));
            assert!(!change.affects(&page(
                expensive.clone(),
                ProductOrdering::NameAsc,
                &[&other]
            )));
        }
    }

    #[test]
    fn search_and_category_filters_judge_membership_by_the_products_text_and_slug() {
        let mut p = product("Bamboo Cup", "5.00", 3);
        p.category = Some(Slug::parse("cups").unwrap());
        let other = product("Jar", "2.00", 1);
        let bamboo = ProductFilter {
            search: Some(SearchText::parse("BAMBOO").unwrap()),
            ..ProductFilter::default()
        };
        let jars = ProductFilter {
            category: Some(Slug::parse("jars").unwrap()),
            ..ProductFilter::default()
        };
        let created = CatalogChange::created(p);
        assert!(created.affects(&page(bamboo, ProductOrdering::NameAsc, &[&other])));
        assert!(!created.affects(&page(jars, ProductOrdering::NameAsc, &[&other])));
    }

    #[test]
    fn stock_taken_changes_stock_filtered_lists_only_when_it_runs_out() {
        let p = product("Cup", "5.00", 3);
        let other = product("Jar", "2.00", 1);
        let some_left = CatalogChange::stock_taken(p.id, Stock::new(2).unwrap());
        let sold_out = CatalogChange::stock_taken(p.id, Stock::new(0).unwrap());
        let unfiltered = page(
            ProductFilter::default(),
            ProductOrdering::PriceAsc,
            &[&other],
        );
        let stocked = page(in_stock(), ProductOrdering::PriceAsc, &[&other]);
        assert!(some_left.affects(&ReadScope::Product(p.id)));
        assert!(some_left.affects(&page(
            ProductFilter::default(),
            ProductOrdering::PriceAsc,
            &[&p]
        )));
        assert!(!some_left.affects(&unfiltered));
        assert!(!some_left.affects(&stocked));
        assert!(sold_out.affects(&stocked));
        assert!(!sold_out.affects(&unfiltered));
        assert!(CatalogChange::stock_given_back(p.id).affects(&stocked));
    }

    fn membership(
        filter: ProductFilter,
        ordering: ProductOrdering,
        shown: &[&Product],
    ) -> ReadScope {
        ReadScope::membership(&query(filter, ordering), shown.iter().map(|p| p.id))
    }

    #[test]
    fn a_page_that_shows_a_changed_product_keeps_its_membership_unless_the_product_moves() {
        let p = product("Cup", "5.00", 3);
        let other = product("Jar", "2.00", 1);
        let by_price = membership(cheap(), ProductOrdering::PriceAsc, &[&p, &other]);
        let by_name = membership(cheap(), ProductOrdering::NameAsc, &[&p, &other]);
        // An order's stock change: the page itself changes, its membership not.
        let taken = CatalogChange::stock_taken(p.id, Stock::new(2).unwrap());
        assert!(taken.affects(&page(cheap(), ProductOrdering::PriceAsc, &[&p, &other])));
        assert!(!taken.affects(&by_price));
        assert!(!taken.affects(&by_name));
        // A new description neither moves the product nor changes the count.
        let mut described = p.clone();
        described.description = Description::parse("Now with a lid").unwrap();
        let described = CatalogChange::updated(p.clone(), described);
        assert!(!described.affects(&by_price));
        // A new price moves it in price orderings only.
        let mut dearer = p.clone();
        dearer.price = "7.00".parse().unwrap();
        let dearer = CatalogChange::updated(p.clone(), dearer);
        assert!(dearer.affects(&by_price));
        assert!(!dearer.affects(&by_name));
        // Leaving the filter or the catalog changes every membership of it.
        let mut expensive = p.clone();
        expensive.price = "50.00".parse().unwrap();
        assert!(CatalogChange::updated(p.clone(), expensive).affects(&by_name));
        assert!(CatalogChange::archived(p.clone()).affects(&by_name));
        assert!(CatalogChange::Everything.affects(&by_name));
    }

    #[test]
    fn running_out_changes_the_membership_of_stock_filtered_lists_only() {
        let p = product("Cup", "5.00", 1);
        let stocked = membership(in_stock(), ProductOrdering::PriceAsc, &[&p]);
        let unfiltered = membership(ProductFilter::default(), ProductOrdering::PriceAsc, &[&p]);
        let sold_out = CatalogChange::stock_taken(p.id, Stock::new(0).unwrap());
        assert!(sold_out.affects(&stocked));
        assert!(!sold_out.affects(&unfiltered));
        assert!(CatalogChange::stock_given_back(p.id).affects(&stocked));
    }

    #[test]
    fn a_products_claims_change_with_its_writes_only_never_with_orders() {
        let p = product("Cup", "5.00", 3);
        let claims = ReadScope::Claims(p.id);
        let mut next = p.clone();
        next.version += 1; // a claim added or removed moves the version
        assert!(CatalogChange::updated(p.clone(), next).affects(&claims));
        assert!(CatalogChange::archived(p.clone()).affects(&claims));
        assert!(CatalogChange::Everything.affects(&claims));
        let sold_out = CatalogChange::stock_taken(p.id, Stock::new(0).unwrap());
        assert!(!sold_out.affects(&claims));
        assert!(!CatalogChange::stock_given_back(p.id).affects(&claims));
        assert!(!CatalogChange::Categories.affects(&claims));
        let other = product("Plate", "5.00", 3);
        assert!(!CatalogChange::created(other).affects(&claims));
    }

    #[test]
    fn only_a_new_category_or_everything_changes_category_pages() {
        let p = product("Cup", "5.00", 3);
        assert!(CatalogChange::Categories.affects(&ReadScope::Categories));
        assert!(!CatalogChange::Categories.affects(&ReadScope::Product(p.id)));
        assert!(!CatalogChange::created(p.clone()).affects(&ReadScope::Categories));
        assert!(CatalogChange::Everything.affects(&ReadScope::Categories));
        assert!(CatalogChange::Everything.affects(&ReadScope::Product(p.id)));
    }

    #[test]
    fn a_change_survives_the_notification_wire_format() {
        let p = product("Cup", "5.00", 3);
        for change in [
            CatalogChange::created(p.clone()),
            CatalogChange::stock_taken(p.id, Stock::new(0).unwrap()),
            CatalogChange::Categories,
            CatalogChange::Everything,
        ] {
            let text = serde_json::to_string(&change).unwrap();
            assert_eq!(
                serde_json::from_str::<CatalogChange>(&text).unwrap(),
                change
            );
        }
    }
}
