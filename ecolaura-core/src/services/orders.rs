//! The orders service: placing (idempotently), reading, cancelling and
//! moving orders along the state machine.

use crate::domain::{KeysetPage, Seek};
use crate::orders::OrderPosition;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{Action, Actor, authorize};
use crate::catalog::CatalogChange;
use crate::domain::{Currency, OrderId, Page, PageRequest, Timestamp, UserId};
use crate::idempotency::{IdempotencyKey, IdempotencyStamp, IdempotentOutcome, Replay};
use crate::jobs::{JobKind, NewJob};
use crate::orders::{
    InvalidOrder, Order, OrderLine, OrderRejection, OrderRequest, OrderShipping, OrderStatus,
    OrderSubmission, SustainabilitySummary,
};
use crate::ports::{
    Cache, CatalogStore, Clock, IdempotencyStore, NewPlacement, OrderStore, PlacementOutcome,
    ShippingStore, StatusChange, StoreError,
};
use crate::sustainability::shipping::{shipment_emissions, shipment_weight_kg};

use super::OrderError;

/// How often a status change re-reads and retries when the order moved on.
const CHANGE_ATTEMPTS: usize = 4;

/// Order settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrdersConfig {
    /// The shop's currency (`EUR`): new orders are placed in it, and keep
    /// the one they were placed in when it changes.
    pub currency: Currency,
    /// How long an idempotency key is remembered (24 h).
    pub idempotency_ttl: Duration,
    /// Attempts for the order jobs before they are dead (5).
    pub job_max_attempts: u32,
}

impl Default for OrdersConfig {
    fn default() -> Self {
        Self {
            currency: Currency::EUR,
            idempotency_ttl: Duration::from_secs(24 * 3600),
            job_max_attempts: NewJob::DEFAULT_MAX_ATTEMPTS,
        }
    }
}

/// A placed order, and whether it is the stored result of an earlier request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// The order as it was when placed.
    pub order: Order,
    /// `true` when this is a replay of an earlier request with the same key.
    pub replayed: bool,
}

/// Orders.
#[derive(Clone)]
pub struct Orders {
    orders: Arc<dyn OrderStore>,
    idempotency: Arc<dyn IdempotencyStore>,
    catalog: Arc<dyn CatalogStore>,
    shipping: Arc<dyn ShippingStore>,
    cache: Arc<dyn Cache>,
    clock: Arc<dyn Clock>,
    config: OrdersConfig,
}

/// The stores an [`Orders`] service reads and writes.
#[derive(Clone)]
pub struct OrderPorts {
    /// Where orders are placed.
    pub orders: Arc<dyn OrderStore>,
    /// Where idempotency keys are kept.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Where products are priced from.
    pub catalog: Arc<dyn CatalogStore>,
    /// Where shipping methods are looked up.
    pub shipping: Arc<dyn ShippingStore>,
}

impl Orders {
    /// Wire the service.
    pub fn new(
        ports: OrderPorts,
        cache: Arc<dyn Cache>,
        clock: Arc<dyn Clock>,
        config: OrdersConfig,
    ) -> Self {
        Self {
            orders: ports.orders,
            idempotency: ports.idempotency,
            catalog: ports.catalog,
            shipping: ports.shipping,
            cache,
            clock,
            config,
        }
    }

    /// The shop's currency: the one new orders are placed in.
    pub fn currency(&self) -> Currency {
        self.config.currency
    }

    /// Place an order for the signed-in user.
    ///
    /// Prices, names, footprints and scores are snapshotted from the catalog;
    /// stock is taken for every line or none, in one unit of work with the
    /// order, its `process_order` job and the idempotency record.
    ///
    /// With a key, a repeat of the same request returns the first outcome
    /// (its order, or its rejection) and makes nothing. The key's
    /// fingerprint is [`OrderRequest::fingerprint`].
    ///
    /// With a shipping method ([`OrderRequest::shipped_by`]), the order
    /// keeps the active method of that code as it is now, its price in the
    /// total and the shipment's emissions in the footprint.
    ///
    /// # Errors
    /// [`OrderError::Rejected`] (stock, an unavailable product, or a
    /// shipping method that is unknown or inactive; also when replayed),
    /// [`OrderError::IdempotencyKeyReused`], [`OrderError::Denied`].
    pub async fn place(
        &self,
        actor: &Actor,
        request: &OrderRequest,
        key: Option<IdempotencyKey>,
    ) -> Result<Placed, OrderError> {
        self.place_checked(actor, request.fingerprint(), Ok(request), key)
            .await
    }

    /// Place an order as a client submitted it: [`Orders::place`] for a
    /// valid request. A submission that breaks field rules makes nothing and
    /// is answered [`OrderError::Invalid`]; with a key, that answer is
    /// recorded like any other outcome, so a repeat of the submission gets it
    /// again and another submission under the key is refused, however
    /// malformed either is.
    ///
    /// # Errors
    /// [`OrderError::Invalid`] (also when replayed), and those of
    /// [`Orders::place`].
    pub async fn submit(
        &self,
        actor: &Actor,
        submission: &OrderSubmission,
        key: Option<IdempotencyKey>,
    ) -> Result<Placed, OrderError> {
        let fingerprint = submission.fingerprint().to_owned();
        self.place_checked(actor, fingerprint, submission.request(), key)
            .await
    }

    async fn place_checked(
        &self,
        actor: &Actor,
        fingerprint: String,
        request: Result<&OrderRequest, &InvalidOrder>,
        key: Option<IdempotencyKey>,
    ) -> Result<Placed, OrderError> {
        authorize(actor, Action::PlaceOrder)?;
        let user = actor
            .user_id()
            .ok_or(crate::auth::AccessDenied::Forbidden)?;
        let now = self.clock.now();
        let stamp = key.map(|key| self.stamp(user, key, fingerprint, now));

        if let Some(stamp) = &stamp
            && let Some(record) = self
                .idempotency
                .find_idempotency(user, &stamp.key, now)
                .await?
        {
            return Self::replay(record.replay_for(&stamp.fingerprint));
        }

        let request = match request {
            Ok(request) => request,
            Err(invalid) => {
                let outcome = IdempotentOutcome::Invalid(invalid.clone());
                return self.refuse(stamp.as_ref(), outcome).await;
            }
        };
        let order = match self.price(user, request, now).await? {
            Ok(order) => order,
            Err(rejection) => {
                let outcome = IdempotentOutcome::Rejected(rejection);
                return self.refuse(stamp.as_ref(), outcome).await;
            }
        };
        let jobs = vec![self.job(JobKind::ProcessOrder, order.id, now)];
        let placement = NewPlacement {
            order,
            jobs,
            idempotency: stamp,
        };
        match self.orders.place_order(placement).await? {
            PlacementOutcome::Placed { order, stock_left } => {
                let changes: Vec<_> = stock_left
                    .into_iter()
                    .map(|(id, left)| CatalogChange::stock_taken(id, left))
                    .collect();
                self.cache.apply(&changes).await;
                tracing::info!(order_id = %order.id, user_id = %user, total = %order.total(), "order placed");
                Ok(Placed {
                    order,
                    replayed: false,
                })
            }
            PlacementOutcome::Rejected(r) => Err(OrderError::Rejected(r)),
            PlacementOutcome::Replayed(outcome) => Self::replay(Replay::Same(outcome)),
            PlacementOutcome::KeyReused => Err(OrderError::IdempotencyKeyReused),
        }
    }

    fn stamp(
        &self,
        user_id: UserId,
        key: IdempotencyKey,
        fingerprint: String,
        now: Timestamp,
    ) -> IdempotencyStamp {
        let ttl = chrono::Duration::from_std(self.config.idempotency_ttl)
            .unwrap_or(chrono::Duration::days(1));
        IdempotencyStamp {
            user_id,
            key,
            fingerprint,
            now,
            expires_at: now.checked_add_signed(ttl).unwrap_or(now),
        }
    }

    fn job(&self, kind: JobKind, order_id: OrderId, now: Timestamp) -> NewJob {
        NewJob {
            max_attempts: self.config.job_max_attempts,
            ..NewJob::for_order(kind, order_id, now)
        }
    }

    /// Build the pending order from the catalog and the shipping methods as
    /// they are now, or say which line's product, or which shipping method,
    /// is unavailable.
    async fn price(
        &self,
        user_id: UserId,
        request: &OrderRequest,
        now: Timestamp,
    ) -> Result<Result<Order, OrderRejection>, StoreError> {
        let ids: Vec<_> = request.lines().iter().map(|l| l.product_id).collect();
        // The products and the shipping method are read at once: an order
        // that ships waits for one round trip, not two.
        let method = async {
            match request.shipping_method() {
                Some(code) => self.shipping.get_shipping_method(code).await,
                None => Ok(None),
            }
        };
        let (products, method) = tokio::try_join!(self.catalog.get_products(&ids), method)?;
        let products: HashMap<_, _> = products.into_iter().map(|p| (p.id, p)).collect();
        let mut lines = Vec::with_capacity(ids.len());
        let mut weights = Vec::with_capacity(ids.len());
        for line in request.lines() {
            let Some(p) = products.get(&line.product_id) else {
                return Ok(Err(OrderRejection::ProductUnavailable {
                    product_id: line.product_id,
                }));
            };
            weights.push((p.weight_kg, line.quantity));
            lines.push(OrderLine {
                product_id: p.id,
                name: p.name.clone(),
                unit_price: p.price,
                quantity: line.quantity,
                unit_carbon_footprint_kg: p.metrics.map(|m| m.carbon_footprint_kg),
                sustainability_score: p.score,
                score_method: Some(p.score_method.clone()),
            });
        }
        let shipping = match request.shipping_method() {
            None => None,
            Some(code) => {
                let Some(method) = method.filter(|m| m.active) else {
                    return Ok(Err(OrderRejection::ShippingUnavailable {
                        code: code.clone(),
                    }));
                };
                let weight = shipment_weight_kg(weights);
                Some(OrderShipping {
                    carbon_footprint_kg: shipment_emissions(
                        weight,
                        method.distance_km,
                        method.emission_factor,
                    ),
                    code: method.code,
                    name: method.name,
                    price: method.price,
                })
            }
        };
        Ok(Ok(Order {
            id: OrderId::new(),
            user_id,
            status: OrderStatus::Pending,
            currency: self.config.currency,
            lines,
            shipping,
            confirmation_sent_at: None,
            created_at: now,
            updated_at: now,
        }))
    }

    /// Answer a refusal decided before any stock is touched, recording it
    /// under the key first; if the key got an outcome meanwhile, that one.
    async fn refuse(
        &self,
        stamp: Option<&IdempotencyStamp>,
        refusal: IdempotentOutcome,
    ) -> Result<Placed, OrderError> {
        if let Some(stamp) = stamp
            && let Some(existing) = self.idempotency.save_outcome(stamp, &refusal).await?
        {
            return Self::replay(existing.replay_for(&stamp.fingerprint));
        }
        Self::answer(refusal, false)
    }

    fn replay(replay: Replay) -> Result<Placed, OrderError> {
        match replay {
            Replay::Same(outcome) => Self::answer(outcome, true),
            Replay::KeyReused => Err(OrderError::IdempotencyKeyReused),
        }
    }

    /// What the caller gets for an outcome, the first time or replayed.
    fn answer(outcome: IdempotentOutcome, replayed: bool) -> Result<Placed, OrderError> {
        match outcome {
            IdempotentOutcome::Placed(order) => Ok(Placed {
                order: *order,
                replayed,
            }),
            IdempotentOutcome::Rejected(r) => Err(OrderError::Rejected(r)),
            IdempotentOutcome::Invalid(i) => Err(OrderError::Invalid(i)),
        }
    }

    /// One order: its owner's or, for staff, anyone's.
    ///
    /// # Errors
    /// [`OrderError::NotFound`] when missing or someone else's.
    pub async fn get(&self, actor: &Actor, id: OrderId) -> Result<Order, OrderError> {
        let order = self
            .orders
            .get_order(id)
            .await?
            .ok_or(OrderError::NotFound)?;
        authorize(
            actor,
            Action::ReadOrder {
                owner: order.user_id,
            },
        )?;
        Ok(order)
    }

    /// Orders, newest first: a customer's own, or every order for staff.
    pub async fn list(&self, actor: &Actor, page: PageRequest) -> Result<Page<Order>, OrderError> {
        authorize(actor, Action::ListOrders)?;
        Ok(self
            .orders
            .list_orders(Self::listed_owner(actor), page)
            .await?)
    }

    /// A keyset page of orders, newest first: a customer's own, every
    /// order for staff; with the count of the whole list when `with_count`.
    pub async fn list_from(
        &self,
        actor: &Actor,
        seek: &Seek<OrderPosition>,
        with_count: bool,
    ) -> Result<KeysetPage<Order, OrderPosition>, OrderError> {
        authorize(actor, Action::ListOrders)?;
        let owner = Self::listed_owner(actor);
        let found = self.orders.seek_orders(owner, seek).await?;
        let mut page = KeysetPage::assemble(seek, found, OrderPosition::of);
        if with_count {
            page.count = Some(self.orders.count_orders(owner).await?);
        }
        Ok(page)
    }

    /// Whose orders `actor` lists: staff every order, a customer their own.
    fn listed_owner(actor: &Actor) -> Option<UserId> {
        if actor.is_privileged() {
            None
        } else {
            actor.user_id()
        }
    }

    /// Cancel an order (owner or staff) and give its stock back.
    ///
    /// # Errors
    /// [`OrderError::IllegalTransition`] unless it is `pending` or `confirmed`.
    pub async fn cancel(&self, actor: &Actor, id: OrderId) -> Result<Order, OrderError> {
        let order = self
            .change(id, OrderStatus::Cancelled, |order| {
                authorize(
                    actor,
                    Action::CancelOrder {
                        owner: order.user_id,
                    },
                )?;
                Ok(Vec::new())
            })
            .await?;
        let changes: Vec<_> = order
            .lines
            .iter()
            .map(|l| CatalogChange::stock_given_back(l.product_id))
            .collect();
        self.cache.apply(&changes).await;
        Ok(order)
    }

    /// Move an order along (staff): `confirmed → shipped → delivered`.
    /// Confirming is the `process_order` job's, cancelling is [`Orders::cancel`]'s.
    ///
    /// # Errors
    /// [`OrderError::IllegalTransition`] for any other move.
    pub async fn set_status(
        &self,
        actor: &Actor,
        id: OrderId,
        to: OrderStatus,
    ) -> Result<Order, OrderError> {
        self.change(id, to, |order| {
            authorize(
                actor,
                Action::SetOrderStatus {
                    owner: order.user_id,
                },
            )?;
            if matches!(to, OrderStatus::Confirmed | OrderStatus::Cancelled) {
                return Err(OrderError::IllegalTransition {
                    from: order.status,
                    to,
                });
            }
            Ok(Vec::new())
        })
        .await
    }

    /// Confirm a pending order and enqueue its confirmation e-mail, in one
    /// unit of work, without reading the order first. Returns `false` when
    /// there is nothing to confirm (already confirmed by an earlier run of
    /// the job, or cancelled).
    ///
    /// # Errors
    /// [`OrderError::NotFound`] for a missing order.
    pub async fn confirm(&self, id: OrderId) -> Result<bool, OrderError> {
        let now = self.clock.now();
        let email = self.job(JobKind::SendOrderConfirmation, id, now);
        match self.orders.confirm_order(id, now, &[email]).await {
            Err(StoreError::NotFound) => Err(OrderError::NotFound),
            other => Ok(other?),
        }
    }

    /// Record that the confirmation e-mail went (the first time stays).
    ///
    /// # Errors
    /// [`OrderError::NotFound`] for a missing order.
    pub async fn mark_confirmation_sent(&self, id: OrderId) -> Result<(), OrderError> {
        match self
            .orders
            .mark_confirmation_sent(id, self.clock.now())
            .await
        {
            Err(StoreError::NotFound) => Err(OrderError::NotFound),
            other => Ok(other?),
        }
    }

    /// The signed-in user's sustainability summary.
    pub async fn summary(&self, actor: &Actor) -> Result<SustainabilitySummary, OrderError> {
        authorize(actor, Action::ReadOwnAccount)?;
        let user = actor
            .user_id()
            .ok_or(crate::auth::AccessDenied::Forbidden)?;
        Ok(self.orders.sustainability_summary(user).await?)
    }

    /// Read, check, compare-and-set; again if the order moved on meanwhile.
    /// `check` authorizes and returns the jobs the move causes.
    async fn change(
        &self,
        id: OrderId,
        to: OrderStatus,
        check: impl Fn(&Order) -> Result<Vec<NewJob>, OrderError>,
    ) -> Result<Order, OrderError> {
        for _ in 0..CHANGE_ATTEMPTS {
            let order = self
                .orders
                .get_order(id)
                .await?
                .ok_or(OrderError::NotFound)?;
            let enqueue = check(&order)?;
            if !order.status.can_move_to(to) {
                return Err(OrderError::IllegalTransition {
                    from: order.status,
                    to,
                });
            }
            let change = StatusChange {
                order_id: id,
                from: order.status,
                to,
                restock: to == OrderStatus::Cancelled,
                enqueue,
                at: self.clock.now(),
            };
            match self.orders.change_status(change).await {
                Ok(order) => return Ok(order),
                Err(StoreError::StaleWrite) => continue,
                Err(StoreError::NotFound) => return Err(OrderError::NotFound),
                Err(e) => return Err(e.into()),
            }
        }
        Err(OrderError::ConcurrentUpdate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Product, ScoreSource};
    use crate::domain::{Description, Price, ProductId, ProductName, Quantity, Score, Stock};
    use crate::idempotency::IdempotencyRecord;
    use crate::memory::ManualClock;
    use crate::orders::OrderRequestLine;
    use crate::ports::{
        MockCache, MockCatalogStore, MockIdempotencyStore, MockOrderStore, MockShippingStore,
    };

    struct Mocks {
        orders: MockOrderStore,
        idem: MockIdempotencyStore,
        catalog: MockCatalogStore,
        shipping: MockShippingStore,
        cache: MockCache,
    }

    impl Mocks {
        fn new() -> Self {
            let mut cache = MockCache::new();
            cache.expect_apply().returning(|_| ());
            Self {
                orders: MockOrderStore::new(),
                idem: MockIdempotencyStore::new(),
                catalog: MockCatalogStore::new(),
                shipping: MockShippingStore::new(),
                cache,
            }
        }
        /// The catalog holds `p` alone.
        fn lists(&mut self, p: &Product) {
            let listed = p.clone();
            self.catalog
                .expect_get_products()
                .returning(move |_| Ok(vec![listed.clone()]));
        }

        fn service(self) -> Orders {
            Orders::new(
                OrderPorts {
                    orders: Arc::new(self.orders),
                    idempotency: Arc::new(self.idem),
                    catalog: Arc::new(self.catalog),
                    shipping: Arc::new(self.shipping),
                },
                Arc::new(self.cache),
                Arc::new(ManualClock::default()),
                OrdersConfig::default(),
            )
        }
    }

    fn product(price: &str) -> Product {
        let now = chrono::Utc::now();
        Product {
            id: ProductId::new(),
            name: ProductName::parse("Cup").unwrap(),
            description: Description::default(),
            price: price.parse::<Price>().unwrap(),
            category: None,
            stock: Stock::new(5).unwrap(),
            metrics: None,
            manual_score: Score::new(30).unwrap(),
            score: Score::new(30).unwrap(),
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

    fn request(p: &Product, q: i64) -> OrderRequest {
        OrderRequest::new(vec![OrderRequestLine {
            product_id: p.id,
            quantity: Quantity::new(q).unwrap(),
        }])
        .unwrap()
    }

    #[tokio::test]
    async fn placing_snapshots_prices_and_enqueues_processing_in_one_placement() {
        let p = product("19.99");
        let mut m = Mocks::new();
        m.lists(&p);
        m.orders
            .expect_place_order()
            .withf(|pl| {
                pl.order.total().to_string() == "39.98"
                    && pl.jobs.len() == 1
                    && pl.jobs[0].kind == JobKind::ProcessOrder
                    && pl.idempotency.is_none()
            })
            .times(1)
            .returning(|pl| {
                let stock_left = pl
                    .order
                    .lines
                    .iter()
                    .map(|l| (l.product_id, Stock::new(3).unwrap()))
                    .collect();
                Ok(PlacementOutcome::Placed {
                    order: pl.order,
                    stock_left,
                })
            });
        let placed = m
            .service()
            .place(&Actor::customer(UserId::new()), &request(&p, 2), None)
            .await
            .unwrap();
        assert_eq!(placed.order.lines[0].line_total().to_string(), "39.98");
        assert!(!placed.replayed);
    }

    #[tokio::test]
    async fn a_placed_order_tells_the_cache_which_stock_it_took_and_what_is_left() {
        let (cup, jar) = (product("2.00"), product("3.00"));
        let mut m = Mocks::new();
        let listed = vec![cup.clone(), jar.clone()];
        m.catalog
            .expect_get_products()
            .returning(move |_| Ok(listed.clone()));
        let left = [(cup.id, 4), (jar.id, 0)];
        m.orders.expect_place_order().returning(move |pl| {
            Ok(PlacementOutcome::Placed {
                order: pl.order,
                stock_left: left
                    .iter()
                    .map(|&(id, n)| (id, Stock::new(n).unwrap()))
                    .collect(),
            })
        });
        let expected = vec![
            CatalogChange::Stock {
                product_id: cup.id,
                crossed_zero: false,
            },
            CatalogChange::Stock {
                product_id: jar.id,
                crossed_zero: true,
            },
        ];
        m.cache = MockCache::new();
        m.cache
            .expect_apply()
            .withf(move |changes| changes == expected.as_slice())
            .times(1)
            .returning(|_| ());
        let request = OrderRequest::new(vec![
            OrderRequestLine {
                product_id: cup.id,
                quantity: Quantity::new(1).unwrap(),
            },
            OrderRequestLine {
                product_id: jar.id,
                quantity: Quantity::new(5).unwrap(),
            },
        ])
        .unwrap();
        m.service()
            .place(&Actor::customer(UserId::new()), &request, None)
            .await
            .unwrap();
    }

    fn rail(active: bool) -> crate::sustainability::shipping::ShippingMethod {
        use crate::sustainability::shipping::{
            DistanceKm, EmissionFactor, NewShippingMethod, TransportMode,
        };
        NewShippingMethod {
            code: "rail-eu".parse().unwrap(),
            name: crate::domain::ShippingName::parse("Rail, EU").unwrap(),
            mode: TransportMode::Rail,
            distance_km: DistanceKm::new(850).unwrap(),
            emission_factor: EmissionFactor::parse("17.0").unwrap(),
            price: "6.90".parse().unwrap(),
            active,
        }
        .made_at(chrono::Utc::now())
    }

    #[tokio::test]
    async fn shipping_is_priced_into_the_total_and_weighed_into_the_footprint() {
        let mut p = product("10.00");
        p.weight_kg = Some("0.500".parse().unwrap());
        p.metrics = Some(crate::catalog::SustainabilityMetrics {
            carbon_footprint_kg: "1.5"
                .parse::<rust_decimal::Decimal>()
                .map(|d| crate::domain::CarbonKg::new(d).unwrap())
                .unwrap(),
            recyclable: true,
            biodegradable: false,
        });
        let mut m = Mocks::new();
        m.lists(&p);
        m.shipping
            .expect_get_shipping_method()
            .withf(|code| code.as_str() == "rail-eu")
            .returning(|_| Ok(Some(rail(true))));
        m.orders.expect_place_order().returning(|pl| {
            Ok(PlacementOutcome::Placed {
                order: pl.order,
                stock_left: vec![],
            })
        });
        let shipped = request(&p, 4).shipped_by("rail-eu".parse().unwrap());
        let order = m
            .service()
            .place(&Actor::customer(UserId::new()), &shipped, None)
            .await
            .unwrap()
            .order;
        // 40.00 of products and 6.90 of shipping.
        assert_eq!(order.total().to_string(), "46.90");
        // 2 kg × 850 km × 17 g/t·km = 28.9 g beside 6 kg of products.
        assert_eq!(
            order.shipping_carbon_footprint_kg().unwrap().to_string(),
            "0.0289"
        );
        assert_eq!(
            order.products_carbon_footprint_kg().unwrap().to_string(),
            "6"
        );
        assert_eq!(order.carbon_footprint_kg().unwrap().to_string(), "6.0289");
        assert!(order.footprint_complete());
    }

    #[tokio::test]
    async fn an_inactive_shipping_method_is_a_rejection_that_takes_no_stock() {
        let p = product("10.00");
        let mut m = Mocks::new();
        m.lists(&p);
        m.shipping
            .expect_get_shipping_method()
            .returning(|_| Ok(Some(rail(false))));
        m.orders.expect_place_order().never();
        let shipped = request(&p, 1).shipped_by("rail-eu".parse().unwrap());
        let err = m
            .service()
            .place(&Actor::customer(UserId::new()), &shipped, None)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            OrderError::Rejected(OrderRejection::ShippingUnavailable { code }) if code.as_str() == "rail-eu"
        ));
    }

    #[test]
    fn the_shipping_method_is_part_of_the_fingerprint() {
        let p = product("1.00");
        let plain = request(&p, 1);
        let shipped = request(&p, 1).shipped_by("rail-eu".parse().unwrap());
        assert_ne!(plain.fingerprint(), shipped.fingerprint());
    }

    #[tokio::test]
    async fn a_missing_product_is_rejected_and_recorded_under_the_key() {
        let p = product("1.00");
        let mut m = Mocks::new();
        m.idem
            .expect_find_idempotency()
            .returning(|_, _, _| Ok(None));
        m.catalog.expect_get_products().returning(|_| Ok(vec![]));
        m.idem
            .expect_save_outcome()
            .withf(|_, o| {
                matches!(
                    o,
                    IdempotentOutcome::Rejected(OrderRejection::ProductUnavailable { .. })
                )
            })
            .times(1)
            .returning(|_, _| Ok(None));
        let key = IdempotencyKey::parse("k1").unwrap();
        let err = m
            .service()
            .place(&Actor::customer(UserId::new()), &request(&p, 1), Some(key))
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            OrderError::Rejected(OrderRejection::ProductUnavailable { .. })
        ));
    }

    #[tokio::test]
    async fn a_malformed_submission_is_recorded_under_its_key_and_reads_no_catalog() {
        let body = serde_json::json!({"lines": [{"product_id": "nope", "quantity": 1}]});
        let invalid = InvalidOrder::new(
            [(
                "lines[0].product_id".to_owned(),
                vec!["must be a UUID".to_owned()],
            )]
            .into(),
        );
        let submission = OrderSubmission::received(&body, Err(invalid.clone()));
        let mut m = Mocks::new();
        m.idem
            .expect_find_idempotency()
            .returning(|_, _, _| Ok(None));
        let recorded = IdempotentOutcome::Invalid(invalid.clone());
        let fingerprint = submission.fingerprint().to_owned();
        m.idem
            .expect_save_outcome()
            .withf(move |stamp, outcome| *outcome == recorded && stamp.fingerprint == fingerprint)
            .times(1)
            .returning(|_, _| Ok(None));
        // No catalog or order store expectation: touching either panics.
        let key = IdempotencyKey::parse("k1").unwrap();
        let err = m
            .service()
            .submit(&Actor::customer(UserId::new()), &submission, Some(key))
            .await
            .unwrap_err();
        assert!(matches!(err, OrderError::Invalid(i) if i == invalid));
    }

    #[tokio::test]
    async fn a_malformed_submission_replays_its_answer_and_refuses_another_body() {
        let invalid = InvalidOrder::from(crate::orders::OrderRequestError::NoLines);
        let first =
            OrderSubmission::received(&serde_json::json!({"lines": []}), Err(invalid.clone()));
        let other = OrderSubmission::received(&serde_json::json!({}), Err(invalid.clone()));
        let stored = IdempotencyRecord {
            fingerprint: first.fingerprint().to_owned(),
            outcome: IdempotentOutcome::Invalid(invalid.clone()),
            expires_at: chrono::Utc::now(),
        };
        let mut m = Mocks::new();
        m.idem
            .expect_find_idempotency()
            .returning(move |_, _, _| Ok(Some(stored.clone())));
        let (s, user) = (m.service(), Actor::customer(UserId::new()));
        let key = IdempotencyKey::parse("k1").unwrap();
        let again = s.submit(&user, &first, Some(key.clone())).await;
        assert!(matches!(again, Err(OrderError::Invalid(i)) if i == invalid));
        let another = s.submit(&user, &other, Some(key)).await;
        assert!(matches!(another, Err(OrderError::IdempotencyKeyReused)));
    }

    #[tokio::test]
    async fn a_known_key_replays_without_touching_the_catalog() {
        let p = product("1.00");
        let req = request(&p, 1);
        let fingerprint = req.fingerprint();
        let user = UserId::new();
        let mut m = Mocks::new();
        let stored_order = Order {
            id: OrderId::new(),
            user_id: user,
            status: OrderStatus::Pending,
            currency: Currency::EUR,
            lines: vec![],
            shipping: None,
            confirmation_sent_at: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        let replayed = stored_order.clone();
        m.idem.expect_find_idempotency().returning(move |_, _, _| {
            Ok(Some(IdempotencyRecord {
                fingerprint: fingerprint.clone(),
                outcome: IdempotentOutcome::Placed(Box::new(replayed.clone())),
                expires_at: chrono::Utc::now(),
            }))
        });
        let s = m.service();
        let key = IdempotencyKey::parse("k1").unwrap();
        let placed = s
            .place(&Actor::customer(user), &req, Some(key.clone()))
            .await
            .unwrap();
        assert_eq!(
            placed,
            Placed {
                order: stored_order,
                replayed: true
            }
        );
        let other = request(&p, 2);
        let err = s
            .place(&Actor::customer(user), &other, Some(key))
            .await
            .unwrap_err();
        assert!(matches!(err, OrderError::IdempotencyKeyReused));
    }

    fn order_of(user: UserId, status: OrderStatus) -> Order {
        Order {
            id: OrderId::new(),
            user_id: user,
            status,
            currency: Currency::EUR,
            lines: vec![],
            shipping: None,
            confirmation_sent_at: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[tokio::test]
    async fn another_customers_order_is_not_found_and_never_changed() {
        let owner = UserId::new();
        let o = order_of(owner, OrderStatus::Pending);
        let mut m = Mocks::new();
        let read = o.clone();
        m.orders
            .expect_get_order()
            .returning(move |_| Ok(Some(read.clone())));
        // No change_status expectation: calling it would panic.
        let s = m.service();
        let stranger = Actor::customer(UserId::new());
        assert!(matches!(
            s.get(&stranger, o.id).await,
            Err(OrderError::NotFound)
        ));
        assert!(matches!(
            s.cancel(&stranger, o.id).await,
            Err(OrderError::NotFound)
        ));
    }

    #[tokio::test]
    async fn cancelling_restocks_and_a_shipped_order_cannot_be_cancelled() {
        let owner = UserId::new();
        let pending = order_of(owner, OrderStatus::Pending);
        let mut m = Mocks::new();
        let read = pending.clone();
        m.orders
            .expect_get_order()
            .returning(move |_| Ok(Some(read.clone())));
        m.orders
            .expect_change_status()
            .withf(|c| {
                c.restock && c.from == OrderStatus::Pending && c.to == OrderStatus::Cancelled
            })
            .times(1)
            .returning(|c| {
                let mut o = order_of(UserId::new(), OrderStatus::Cancelled);
                o.id = c.order_id;
                Ok(o)
            });
        let cancelled = m
            .service()
            .cancel(&Actor::customer(owner), pending.id)
            .await
            .unwrap();
        assert_eq!(cancelled.status, OrderStatus::Cancelled);

        let shipped = order_of(owner, OrderStatus::Shipped);
        let mut m = Mocks::new();
        m.orders
            .expect_get_order()
            .returning(move |_| Ok(Some(shipped.clone())));
        let err = m
            .service()
            .cancel(&Actor::customer(owner), OrderId::new())
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            OrderError::IllegalTransition {
                from: OrderStatus::Shipped,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn staff_ship_confirmed_orders_but_cannot_confirm_by_hand() {
        let confirmed = order_of(UserId::new(), OrderStatus::Confirmed);
        let pending = order_of(UserId::new(), OrderStatus::Pending);
        let (c_id, p_id) = (confirmed.id, pending.id);
        let mut m = Mocks::new();
        m.orders.expect_get_order().returning(move |id| {
            Ok(Some(if id == c_id {
                confirmed.clone()
            } else {
                pending.clone()
            }))
        });
        m.orders
            .expect_change_status()
            .withf(|c| c.to == OrderStatus::Shipped && !c.restock)
            .times(1)
            .returning(|c| Ok(order_of(UserId::new(), c.to)));
        let s = m.service();
        let staff = Actor::staff(UserId::new());
        assert_eq!(
            s.set_status(&staff, c_id, OrderStatus::Shipped)
                .await
                .unwrap()
                .status,
            OrderStatus::Shipped
        );
        let err = s
            .set_status(&staff, p_id, OrderStatus::Confirmed)
            .await
            .unwrap_err();
        assert!(matches!(err, OrderError::IllegalTransition { .. }));
        let err = s
            .set_status(&staff, p_id, OrderStatus::Delivered)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            OrderError::IllegalTransition {
                from: OrderStatus::Pending,
                to: OrderStatus::Delivered
            }
        ));
    }

    #[tokio::test]
    async fn confirming_enqueues_the_email_and_a_second_run_changes_nothing() {
        let id = OrderId::new();
        let mut m = Mocks::new();
        let mut seq = mockall::Sequence::new();
        m.orders
            .expect_confirm_order()
            .withf(move |o, _, jobs| {
                *o == id && jobs.len() == 1 && jobs[0].kind == JobKind::SendOrderConfirmation
            })
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| Ok(true));
        m.orders
            .expect_confirm_order()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| Ok(false));
        m.orders
            .expect_confirm_order()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| Err(StoreError::NotFound));
        let s = m.service();
        assert!(s.confirm(id).await.unwrap());
        assert!(!s.confirm(id).await.unwrap());
        assert!(matches!(s.confirm(id).await, Err(OrderError::NotFound)));
    }
}
