//! Throughput scenarios over any store: orders placed per second by
//! concurrent clients, and jobs drained per second by concurrent workers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use ecolaura_core::Store;
use ecolaura_core::accounts::PasswordHasher;
use ecolaura_core::jobs::{Job, JobError, JobHandler, JobKind, NewJob, Worker};
use ecolaura_core::ports::{Clock, SystemClock};
use ecolaura_core::prelude::*;

/// What a scenario measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Operations completed.
    pub operations: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Per-operation latencies, sorted (empty where not measured per operation).
    pub latencies: Vec<Duration>,
}

impl Measured {
    /// Operations per second.
    pub fn per_second(&self) -> f64 {
        self.operations as f64 / self.elapsed.as_secs_f64()
    }

    /// The `q` quantile of the latencies (0.5, 0.99).
    pub fn quantile(&self, q: f64) -> Duration {
        let i = ((self.latencies.len() as f64 - 1.0) * q).round() as usize;
        self.latencies.get(i).copied().unwrap_or_default()
    }
}

/// `clients` tasks place one-line orders (each for one unit of one of ten
/// products) until `total` orders are placed.
pub async fn place_orders(store: Arc<dyn Store>, clients: usize, total: usize) -> Measured {
    let app = Ecolaura::builder()
        .shared_store(store)
        .password_hasher(PasswordHasher::fast_insecure())
        .build()
        .expect("every port is given");
    let mut products = Vec::new();
    for i in 0..10 {
        let p = app
            .catalog()
            .create_product(
                &Actor::System,
                NewProduct {
                    name: ProductName::parse(&format!("Bench {i}")).expect("name"),
                    description: Description::default(),
                    price: "9.99".parse().expect("price"),
                    category: None,
                    stock: Stock::new(1_000_000_000).expect("stock"),
                    metrics: None,
                    manual_score: Score::new(50).expect("score"),
                    sku: None,
                    gtin: None,
                    weight_kg: None,
                },
            )
            .await
            .expect("product");
        products.push(p);
    }
    let requests: Arc<Vec<OrderRequest>> = Arc::new(
        products
            .iter()
            .map(|p| {
                OrderRequest::new(vec![OrderRequestLine {
                    product_id: p.id,
                    quantity: Quantity::new(1).expect("q"),
                }])
                .expect("request")
            })
            .collect(),
    );
    let per_client = total / clients;
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (app, requests) = (app.clone(), requests.clone());
            tokio::spawn(async move {
                let buyer = Actor::customer(UserId::new());
                let mut latencies = Vec::with_capacity(per_client);
                for i in 0..per_client {
                    let t = Instant::now();
                    app.orders()
                        .place(&buyer, &requests[(c + i) % requests.len()], None)
                        .await
                        .expect("placed");
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    for t in tasks {
        latencies.extend(t.await.expect("client"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Measured {
        operations: latencies.len(),
        elapsed,
        latencies,
    }
}

struct NoOp;

#[async_trait]
impl JobHandler for NoOp {
    async fn handle(&self, _job: &Job) -> Result<(), JobError> {
        Ok(())
    }
}

/// Enqueue `total` no-op jobs (from 16 tasks), then drain them with
/// `workers` concurrent workers of `slots` job slots each (a worker claims as
/// many jobs as it has slots, in one statement). Returns (enqueue, drain).
pub async fn enqueue_and_drain(
    store: Arc<dyn Store>,
    workers: usize,
    slots: usize,
    total: usize,
) -> (Measured, Measured) {
    let queue: Arc<dyn ecolaura_core::ports::JobQueue> = store;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let started = Instant::now();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (queue, clock) = (queue.clone(), clock.clone());
            tokio::spawn(async move {
                for _ in 0..total / 16 {
                    let now = clock.now();
                    let job = NewJob::for_order(JobKind::ProcessOrder, OrderId::new(), now);
                    queue.enqueue(job, now).await.expect("enqueue");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("enqueuer");
    }
    let enqueued = Measured {
        operations: total / 16 * 16,
        elapsed: started.elapsed(),
        latencies: vec![],
    };

    let started = Instant::now();
    let drains: Vec<_> = (0..workers)
        .map(|_| {
            let worker = Worker::new(
                queue.clone(),
                Arc::new(NoOp),
                clock.clone(),
                WorkerConfig {
                    concurrency: slots,
                    ..WorkerConfig::default()
                },
            );
            tokio::spawn(async move { worker.drain().await.expect("drain") })
        })
        .collect();
    let mut ran = 0;
    for d in drains {
        ran += d.await.expect("worker");
    }
    (
        enqueued,
        Measured {
            operations: ran,
            elapsed: started.elapsed(),
            latencies: vec![],
        },
    )
}
