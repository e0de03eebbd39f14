//! Handlers for the library's own jobs.

use std::sync::Arc;

use async_trait::async_trait;

use super::worker::{JobError, JobHandler};
use super::{Job, JobKind};
use crate::domain::OrderId;
use crate::mail::OutgoingEmail;
use crate::orders::{Order, OrderStatus};
use crate::ports::{AccountStore, Clock, Mailer};
use crate::services::{OrderError, Orders};

/// What the shop's e-mails say about the shop. Amounts are printed in the
/// currency of the order they belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopMail {
    /// The shop's name, in subjects and greetings.
    pub shop_name: String,
}

impl Default for ShopMail {
    fn default() -> Self {
        Self {
            shop_name: "Ecolaura".into(),
        }
    }
}

/// Runs `process_order` and `send_order_confirmation`.
///
/// Both are idempotent: confirming an order that is no longer pending does
/// nothing; the e-mail's dedup key is the order id, so a second run sends
/// nothing, and the sent time is recorded once.
#[derive(Clone)]
pub struct OrderJobHandler {
    orders: Arc<Orders>,
    accounts: Arc<dyn AccountStore>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    shop: ShopMail,
}

impl OrderJobHandler {
    /// Wire the handler.
    pub fn new(
        orders: Arc<Orders>,
        accounts: Arc<dyn AccountStore>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        shop: ShopMail,
    ) -> Self {
        Self {
            orders,
            accounts,
            mailer,
            clock,
            shop,
        }
    }

    async fn process_order(&self, id: OrderId) -> Result<(), JobError> {
        match self.orders.confirm(id).await {
            Ok(_confirmed_now_or_before) => Ok(()),
            Err(OrderError::NotFound) => {
                Err(JobError::Permanent(format!("order {id} does not exist")))
            }
            Err(e) => Err(JobError::Retry(e.to_string())),
        }
    }

    async fn send_confirmation(&self, id: OrderId) -> Result<(), JobError> {
        let order = match self.orders.get(&crate::auth::Actor::System, id).await {
            Ok(o) => o,
            Err(OrderError::NotFound) => {
                return Err(JobError::Permanent(format!("order {id} does not exist")));
            }
            Err(e) => return Err(JobError::Retry(e.to_string())),
        };
        if order.confirmation_sent_at.is_some() || order.status == OrderStatus::Cancelled {
            return Ok(());
        }
        let user = self
            .accounts
            .get_user(order.user_id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?
            .ok_or_else(|| {
                JobError::Permanent(format!("the customer of order {id} does not exist"))
            })?;
        let email = OutgoingEmail {
            dedup_key: confirmation_key(id),
            to: user.email,
            subject: format!(
                "{}: your order {} is confirmed",
                self.shop.shop_name,
                short(id)
            ),
            body: self.confirmation_body(&user.name.to_string(), &order),
        };
        self.mailer
            .send(&email, self.clock.now())
            .await
            .map_err(|e| match e {
                crate::ports::MailError::Refused(msg) => JobError::Permanent(msg),
                other => JobError::Retry(other.to_string()),
            })?;
        self.orders
            .mark_confirmation_sent(id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        Ok(())
    }

    fn confirmation_body(&self, name: &str, order: &Order) -> String {
        let cur = order.currency;
        let mut body = format!(
            "Hello {name},\n\nthank you for your order {}. It is confirmed.\n\n",
            order.id
        );
        for l in &order.lines {
            body.push_str(&format!(
                "  {} × {} @ {} {cur} = {} {cur}\n",
                l.quantity.get(),
                l.name,
                l.unit_price,
                l.line_total()
            ));
        }
        if let Some(s) = &order.shipping {
            body.push_str(&format!("  Shipping: {} = {} {cur}\n", s.name, s.price));
        }
        body.push_str(&format!("\nTotal: {} {cur}\n", order.total()));
        if let Some(kg) = order.carbon_footprint_kg() {
            let note = if order.footprint_complete() {
                ""
            } else {
                " (for the parts whose footprint we know)"
            };
            body.push_str(&format!("Carbon footprint: {kg} kg CO2e{note}\n"));
        }
        body.push_str(&format!("\n{}\n", self.shop.shop_name));
        body
    }
}

/// The dedup key of an order's confirmation e-mail.
pub fn confirmation_key(id: OrderId) -> String {
    format!("order-confirmation/{id}")
}

fn short(id: OrderId) -> String {
    id.to_string()
        .chars()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}

#[async_trait]
impl JobHandler for OrderJobHandler {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        let order_id = job
            .order_job()
            .map_err(|e| JobError::Permanent(format!("bad payload: {e}")))?
            .order_id;
        match job.kind {
            JobKind::ProcessOrder => self.process_order(order_id).await,
            JobKind::SendOrderConfirmation => self.send_confirmation(order_id).await,
            other => Err(JobError::Permanent(format!("{other} is not an order job"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::Ecolaura;
    use crate::accounts::PasswordHasher;
    use crate::memory::MemoryStore;
    use crate::prelude::*;
    use crate::services::OrdersConfig;

    fn shop_in(store: &Arc<MemoryStore>, currency: &str) -> Ecolaura {
        Ecolaura::builder()
            .store(store.clone())
            .password_hasher(PasswordHasher::fast_insecure())
            .orders_config(OrdersConfig {
                currency: Currency::parse(currency).unwrap(),
                ..OrdersConfig::default()
            })
            .build()
            .unwrap()
    }

    /// A cup of `weight_kg` (none: unknown), 3 in stock, no metrics.
    async fn cup(shop: &Ecolaura, weight_kg: Option<&str>) -> Product {
        shop.catalog()
            .create_product(
                &Actor::System,
                NewProduct {
                    name: ProductName::parse("Cup").unwrap(),
                    description: Description::default(),
                    price: "8.50".parse().unwrap(),
                    category: None,
                    stock: Stock::new(3).unwrap(),
                    metrics: None,
                    manual_score: Score::new(40).unwrap(),
                    sku: None,
                    gtin: None,
                    weight_kg: weight_kg.map(|w| w.parse().unwrap()),
                },
            )
            .await
            .unwrap()
    }

    /// Ada's customer account.
    async fn ada(shop: &Ecolaura) -> User {
        shop.accounts()
            .register(
                &Actor::Anonymous,
                NewAccount {
                    email: Email::parse("ada@example.com").unwrap(),
                    password: Password::new("correct horse battery").unwrap(),
                    name: PersonName::parse("Ada").unwrap(),
                    role: Role::Customer,
                },
            )
            .await
            .unwrap()
    }

    /// Two cups, shipped by `shipping` if given.
    fn two(cup: &Product, shipping: Option<&str>) -> OrderRequest {
        let request = OrderRequest::new(vec![OrderRequestLine {
            product_id: cup.id,
            quantity: Quantity::new(2).unwrap(),
        }])
        .unwrap();
        match shipping {
            Some(code) => request.shipped_by(code.parse().unwrap()),
            None => request,
        }
    }

    #[tokio::test]
    async fn the_confirmation_prints_the_currency_the_order_was_placed_in() {
        let store = Arc::new(MemoryStore::new());
        let francs = shop_in(&store, "CHF");
        let cup = cup(&francs, None).await;
        let ada = ada(&francs).await;
        let request = two(&cup, None);
        francs
            .orders()
            .place(&Actor::customer(ada.id), &request, None)
            .await
            .unwrap();

        // The shop switches to dollars before the e-mail goes out.
        let dollars = shop_in(&store, "USD");
        dollars
            .worker(WorkerConfig::default())
            .drain()
            .await
            .unwrap();
        let sent = store.sent_emails();
        assert_eq!(sent.len(), 1);
        let body = &sent[0].email.body;
        assert!(body.contains("2 × Cup @ 8.50 CHF = 17.00 CHF"), "{body}");
        assert!(body.contains("Total: 17.00 CHF"), "{body}");
        assert!(!body.contains("USD"), "{body}");
    }

    #[tokio::test]
    async fn a_shipped_orders_confirmation_lists_its_shipping_in_the_total() {
        use crate::sustainability::shipping::{
            DistanceKm, EmissionFactor, NewShippingMethod, TransportMode,
        };
        let store = Arc::new(MemoryStore::new());
        let shop = shop_in(&store, "EUR");
        let cup = cup(&shop, Some("1.000")).await;
        shop.shipping()
            .create(
                &Actor::System,
                NewShippingMethod {
                    code: "rail-eu".parse().unwrap(),
                    name: crate::domain::ShippingName::parse("Rail, EU").unwrap(),
                    mode: TransportMode::Rail,
                    distance_km: DistanceKm::new(1000).unwrap(),
                    emission_factor: EmissionFactor::parse("20").unwrap(),
                    price: "6.90".parse().unwrap(),
                    active: true,
                },
            )
            .await
            .unwrap();
        let ada = ada(&shop).await;
        let request = two(&cup, Some("rail-eu"));
        shop.orders()
            .place(&Actor::customer(ada.id), &request, None)
            .await
            .unwrap();
        shop.worker(WorkerConfig::default()).drain().await.unwrap();
        let sent = store.sent_emails();
        let body = &sent[0].email.body;
        assert!(body.contains("Shipping: Rail, EU = 6.90 EUR"), "{body}");
        assert!(body.contains("Total: 23.90 EUR"), "{body}");
        // 0.002 t × 1000 km × 20 g/t·km = 40 g; the cup has no footprint.
        assert!(
            body.contains("Carbon footprint: 0.04 kg CO2e (for the parts whose footprint we know)"),
            "{body}"
        );
    }
}
