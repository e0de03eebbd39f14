//! The `Ecolaura` facade: one value that wires ports to services.

use std::sync::Arc;

use crate::accounts::PasswordHasher;
use crate::cache::{MokaCache, MokaCacheConfig};
use crate::domain::Currency;
use crate::jobs::{
    DeliveryHandler, LibraryJobHandler, OrderJobHandler, PasswordResetHandler, RelayingMailer,
    RescoringHandler, ShopMail, Worker, WorkerConfig,
};
use crate::memory::MemoryStore;
use crate::ports::{
    AccountStore, Cache, CatalogStore, Clock, DiscardStore, IdempotencyStore, JobQueue,
    LoginThrottleStore, MailRelay, Mailer, OrderStore, SessionStore, ShippingStore, SystemClock,
};
use crate::scoring::ScoringPolicy;
use crate::services::{
    AccountPorts, Accounts, AccountsConfig, Catalog, Discards, OrderPorts, Orders, OrdersConfig,
    Passports, QueueHealth, Shipping, Sustainability,
};
use crate::sustainability::ClaimPolicy;

/// Everything a storage adapter provides: every store port and a durable
/// outbox mailer, over one storage so that placements are atomic.
pub trait Store:
    CatalogStore
    + DiscardStore
    + ShippingStore
    + OrderStore
    + IdempotencyStore
    + AccountStore
    + SessionStore
    + LoginThrottleStore
    + JobQueue
    + Mailer
{
}

impl<T> Store for T where
    T: CatalogStore
        + DiscardStore
        + ShippingStore
        + OrderStore
        + IdempotencyStore
        + AccountStore
        + SessionStore
        + LoginThrottleStore
        + JobQueue
        + Mailer
{
}

/// A port the builder needs was not given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Ecolaura::builder() needs a {0}: call .store(…) (or .{0}(…))")]
pub struct MissingPort(&'static str);

/// The library, wired: services over ports.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ecolaura_core::prelude::*;
///
/// let app = Ecolaura::in_memory();
/// let staff = Actor::System;
/// let bottle = app.catalog().create_product(&staff, NewProduct {
///     name: ProductName::parse("Eco Bottle").unwrap(),
///     description: Description::default(),
///     price: "19.99".parse().unwrap(),
///     category: None,
///     stock: Stock::new(10).unwrap(),
///     metrics: None,
///     manual_score: Score::new(60).unwrap(),
///     sku: None,
///     gtin: None,
///     weight_kg: None,
/// }).await.unwrap();
/// assert_eq!(app.catalog().product(bottle.id).await.unwrap().price.to_string(), "19.99");
/// # });
/// ```
#[derive(Clone)]
pub struct Ecolaura {
    catalog: Catalog,
    orders: Arc<Orders>,
    accounts: Accounts,
    sustainability: Sustainability,
    discards: Discards,
    passports: Passports,
    shipping: Shipping,
    queue: Arc<dyn JobQueue>,
    handler: Arc<LibraryJobHandler>,
    clock: Arc<dyn Clock>,
    cache: Arc<dyn Cache>,
    mailer: Arc<dyn Mailer>,
}

impl Ecolaura {
    /// Start wiring.
    pub fn builder() -> EcolauraBuilder {
        EcolauraBuilder::default()
    }

    /// Everything in memory, with the default policy and a moka cache.
    pub fn in_memory() -> Self {
        Self::builder()
            .store(Arc::new(MemoryStore::new()))
            .build_infallible()
    }

    /// The shop's currency ([`OrdersConfig::currency`]): products are priced
    /// in it and new orders are placed in it.
    pub fn currency(&self) -> Currency {
        self.orders.currency()
    }

    /// Categories and products.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Orders.
    pub fn orders(&self) -> &Orders {
        &self.orders
    }

    /// Accounts.
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// Sustainability views.
    pub fn sustainability(&self) -> &Sustainability {
        &self.sustainability
    }

    /// Discarded stock and its yearly disclosure.
    pub fn discards(&self) -> &Discards {
        &self.discards
    }

    /// Digital Product Passports.
    pub fn passports(&self) -> &Passports {
        &self.passports
    }

    /// Shipping methods and their emissions.
    pub fn shipping(&self) -> &Shipping {
        &self.shipping
    }

    /// The job queue.
    pub fn job_queue(&self) -> &Arc<dyn JobQueue> {
        &self.queue
    }

    /// The cache.
    pub fn cache(&self) -> &Arc<dyn Cache> {
        &self.cache
    }

    /// The job queue's health, for staff.
    pub fn queue_health(&self) -> QueueHealth {
        QueueHealth::new(self.queue.clone(), self.clock.clone())
    }

    /// The mailer.
    pub fn mailer(&self) -> &Arc<dyn Mailer> {
        &self.mailer
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// A worker that runs the library's jobs from the queue.
    pub fn worker(&self, config: WorkerConfig) -> Worker {
        Worker::new(
            self.queue.clone(),
            self.handler.clone(),
            self.clock.clone(),
            config,
        )
    }
}

/// Wires an [`Ecolaura`]. Only the stores are required; everything else has
/// a default (moka cache, system clock, default scoring policy, OWASP argon2id
/// parameters, the currency `EUR`, 24 h idempotency keys).
#[derive(Default)]
pub struct EcolauraBuilder {
    catalog: Option<Arc<dyn CatalogStore>>,
    discards: Option<Arc<dyn DiscardStore>>,
    shipping: Option<Arc<dyn ShippingStore>>,
    orders: Option<Arc<dyn OrderStore>>,
    idempotency: Option<Arc<dyn IdempotencyStore>>,
    accounts: Option<Arc<dyn AccountStore>>,
    sessions: Option<Arc<dyn SessionStore>>,
    throttle: Option<Arc<dyn LoginThrottleStore>>,
    queue: Option<Arc<dyn JobQueue>>,
    mailer: Option<Arc<dyn Mailer>>,
    relay: Option<Arc<dyn MailRelay>>,
    cache: Option<Arc<dyn Cache>>,
    clock: Option<Arc<dyn Clock>>,
    scoring: Option<Arc<dyn ScoringPolicy>>,
    claim_policy: Option<ClaimPolicy>,
    hasher: Option<PasswordHasher>,
    orders_config: OrdersConfig,
    accounts_config: AccountsConfig,
    shop: ShopMail,
}

impl EcolauraBuilder {
    /// Use one adapter for every store port and as the mailer.
    pub fn store<S: Store + 'static>(self, store: Arc<S>) -> Self {
        self.shared_store(store)
    }

    /// [`EcolauraBuilder::store`] for an adapter already behind `Arc<dyn Store>`.
    pub fn shared_store(mut self, store: Arc<dyn Store>) -> Self {
        self.catalog = Some(store.clone());
        self.discards = Some(store.clone());
        self.shipping = Some(store.clone());
        self.orders = Some(store.clone());
        self.idempotency = Some(store.clone());
        self.accounts = Some(store.clone());
        self.sessions = Some(store.clone());
        self.throttle = Some(store.clone());
        self.queue = Some(store.clone());
        self.mailer = Some(store);
        self
    }

    /// Send e-mail through this mailer instead of the store's outbox.
    pub fn mailer(mut self, mailer: Arc<dyn Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// Deliver e-mail to this relay (an SMTP server): every message is
    /// recorded in the mailer's outbox with a `deliver_email` job, which this
    /// application's workers run. Without a relay, mail stays in the outbox.
    pub fn mail_relay(mut self, relay: Arc<dyn MailRelay>) -> Self {
        self.relay = Some(relay);
        self
    }

    /// Cache reads here (default: a [`MokaCache`] telling time by the
    /// builder's [clock](EcolauraBuilder::clock); a cache given here should
    /// tell time by the same clock).
    pub fn cache(mut self, cache: Arc<dyn Cache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Tell time with this clock (default: [`SystemClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Score products with this policy, the shop's own (default: the
    /// published rules of the default policy,
    /// [`PublishedPolicy`](crate::scoring::PublishedPolicy), which
    /// staff read and change through [`Catalog::publish_score_rules`]).
    pub fn scoring(mut self, policy: Arc<dyn ScoringPolicy>) -> Self {
        self.scoring = Some(policy);
        self
    }

    /// Use this claim policy (default: [`ClaimPolicy::default`], the EU's
    /// and France's rules); add a market's own rule with
    /// [`ClaimPolicy::with_rule`].
    pub fn claim_policy(mut self, policy: ClaimPolicy) -> Self {
        self.claim_policy = Some(policy);
        self
    }

    /// Hash passwords with these parameters.
    pub fn password_hasher(mut self, hasher: PasswordHasher) -> Self {
        self.hasher = Some(hasher);
        self
    }

    /// Order settings.
    pub fn orders_config(mut self, config: OrdersConfig) -> Self {
        self.orders_config = config;
        self
    }

    /// Session and login settings.
    pub fn accounts_config(mut self, config: AccountsConfig) -> Self {
        self.accounts_config = config;
        self
    }

    /// What e-mails say about the shop.
    pub fn shop(mut self, shop: ShopMail) -> Self {
        self.shop = shop;
        self
    }

    /// Wire the services.
    ///
    /// # Errors
    /// [`MissingPort`] when a store was not given.
    pub fn build(self) -> Result<Ecolaura, MissingPort> {
        let catalog_store = self.catalog.ok_or(MissingPort("catalog store"))?;
        let discard_store = self.discards.ok_or(MissingPort("discard store"))?;
        let shipping_store = self.shipping.ok_or(MissingPort("shipping store"))?;
        let order_store = self.orders.ok_or(MissingPort("order store"))?;
        let idempotency = self.idempotency.ok_or(MissingPort("idempotency store"))?;
        let account_store = self.accounts.ok_or(MissingPort("account store"))?;
        let session_store = self.sessions.ok_or(MissingPort("session store"))?;
        let throttle = self.throttle.ok_or(MissingPort("login throttle store"))?;
        let queue = self.queue.ok_or(MissingPort("job queue"))?;
        let outbox = self.mailer.ok_or(MissingPort("mailer"))?;
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let (mailer, deliveries): (Arc<dyn Mailer>, _) = match self.relay {
            Some(relay) => (
                Arc::new(RelayingMailer::new(outbox.clone())),
                Some(Arc::new(DeliveryHandler::new(outbox, relay, clock.clone()))),
            ),
            None => (outbox, None),
        };
        let cache = self.cache.unwrap_or_else(|| {
            Arc::new(MokaCache::with_clock(
                MokaCacheConfig::default(),
                clock.clone(),
            ))
        });
        let mut catalog = Catalog::new(catalog_store.clone(), cache.clone(), clock.clone());
        if let Some(policy) = self.scoring {
            catalog = catalog.with_scoring(policy);
        }
        if let Some(policy) = self.claim_policy {
            catalog = catalog.with_claim_policy(policy);
        }
        let discards = Discards::new(
            catalog_store.clone(),
            discard_store.clone(),
            cache.clone(),
            clock.clone(),
        );
        let passports = Passports::new(catalog.clone(), discard_store, clock.clone());
        let shipping = Shipping::new(shipping_store.clone(), catalog_store.clone(), clock.clone());
        let orders = Arc::new(Orders::new(
            OrderPorts {
                orders: order_store,
                idempotency,
                catalog: catalog_store,
                shipping: shipping_store,
            },
            cache.clone(),
            clock.clone(),
            self.orders_config,
        ));
        let accounts = Accounts::new(
            AccountPorts {
                users: account_store.clone(),
                sessions: session_store.clone(),
                throttle,
                queue: queue.clone(),
            },
            self.hasher.unwrap_or_default(),
            clock.clone(),
            self.accounts_config,
        );
        let sustainability = Sustainability::new(catalog.clone(), orders.clone());
        let order_jobs = Arc::new(OrderJobHandler::new(
            orders.clone(),
            account_store.clone(),
            mailer.clone(),
            clock.clone(),
            self.shop.clone(),
        ));
        let reset_jobs = Arc::new(PasswordResetHandler::new(
            account_store,
            session_store,
            mailer.clone(),
            clock.clone(),
            self.shop,
        ));
        let rescoring = Arc::new(RescoringHandler::new(catalog.clone()));
        let mut handler = LibraryJobHandler::new(order_jobs, reset_jobs, rescoring);
        if let Some(deliveries) = deliveries {
            handler = handler.with_deliveries(deliveries);
        }
        let handler = Arc::new(handler);
        Ok(Ecolaura {
            catalog,
            orders,
            accounts,
            sustainability,
            discards,
            passports,
            shipping,
            queue,
            handler,
            clock,
            cache,
            mailer,
        })
    }

    fn build_infallible(self) -> Ecolaura {
        match self.build() {
            Ok(app) => app,
            // `store(…)` sets every required port, so this arm cannot be reached.
            Err(e) => unreachable!("{e}"),
        }
    }
}
