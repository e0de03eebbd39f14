//! Whole flows through the `Ecolaura` facade on the in-memory adapters.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use ecolaura_core::conformance::scenarios;
use ecolaura_core::jobs::{
    JobError, JobEvent, JobHandler, JobKind, JobObserver, JobOutcome, JobStatus, NewJob,
    RetryPolicy, Worker, confirmation_key,
};
use ecolaura_core::ports::Clock;
use ecolaura_core::prelude::*;
use ecolaura_core::services::{CatalogError, OrderError};
use ecolaura_tests::{TestShop, request};

#[tokio::test]
async fn a_placed_order_is_confirmed_and_emailed_once_by_the_worker() {
    let shop = TestShop::new();
    let (user, buyer) = shop.customer("ada@example.com").await;
    let bottle = shop.product("Eco Bottle", "19.99", 10, Some(1.2)).await;
    let placed = shop
        .app
        .orders()
        .place(&buyer, &request(&[(&bottle, 2)]), None)
        .await
        .unwrap();
    assert_eq!(placed.order.status, OrderStatus::Pending);

    let ran = shop
        .app
        .worker(WorkerConfig::default())
        .drain()
        .await
        .unwrap();
    assert_eq!(ran, 2, "process_order, then the e-mail it enqueued");
    let order = shop
        .app
        .orders()
        .get(&buyer, placed.order.id)
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Confirmed);
    assert_eq!(order.confirmation_sent_at, Some(shop.clock.now()));

    let sent = shop.store.sent_emails();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].email.to, user.email);
    assert!(
        sent[0].email.body.contains("Total: 39.98 EUR"),
        "{}",
        sent[0].email.body
    );
    assert!(
        sent[0].email.body.contains("Carbon footprint: 2.4 kg"),
        "{}",
        sent[0].email.body
    );

    // Both jobs run again (a worker died after the work, before `complete`): nothing new happens.
    let now = shop.clock.now();
    for kind in [JobKind::ProcessOrder, JobKind::SendOrderConfirmation] {
        shop.app
            .job_queue()
            .enqueue(NewJob::for_order(kind, order.id, now), now)
            .await
            .unwrap();
    }
    shop.clock.advance(Duration::from_secs(5));
    assert_eq!(
        shop.app
            .worker(WorkerConfig::default())
            .drain()
            .await
            .unwrap(),
        2
    );
    assert_eq!(shop.store.sent_emails().len(), 1, "the e-mail is sent once");
    let again = shop.app.orders().get(&buyer, order.id).await.unwrap();
    assert_eq!(
        again.confirmation_sent_at, order.confirmation_sent_at,
        "the first time stays"
    );
    assert!(
        shop.app
            .mailer()
            .find_sent(&confirmation_key(order.id))
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn a_job_held_by_a_worker_that_died_is_rescued_and_done_after_its_lease() {
    let shop = TestShop::new();
    let (_, buyer) = shop.customer("ada@example.com").await;
    let cup = shop.product("Cup", "5.00", 3, None).await;
    let placed = shop
        .app
        .orders()
        .place(&buyer, &request(&[(&cup, 1)]), None)
        .await
        .unwrap();

    let config = WorkerConfig {
        lease: Duration::from_secs(30),
        ..WorkerConfig::default()
    };
    // A worker claims the job and dies: it never completes it.
    let held = shop
        .app
        .job_queue()
        .claim(JobKind::ProcessOrder, shop.clock.now(), config.lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.job.kind, JobKind::ProcessOrder);
    let worker = shop.app.worker(config);
    assert_eq!(
        worker.drain().await.unwrap(),
        0,
        "held while the lease lasts"
    );

    shop.clock.advance(Duration::from_secs(31));
    assert_eq!(worker.drain().await.unwrap(), 2);
    let order = shop
        .app
        .orders()
        .get(&buyer, placed.order.id)
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Confirmed);
    assert!(order.confirmation_sent_at.is_some());
    assert_eq!(shop.store.sent_emails().len(), 1);
    let job = shop
        .app
        .job_queue()
        .get_job(held.job.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((job.status, job.attempts), (JobStatus::Done, 2));
}

struct AlwaysFails;

#[async_trait]
impl JobHandler for AlwaysFails {
    async fn handle(&self, _job: &ecolaura_core::jobs::Job) -> Result<(), JobError> {
        Err(JobError::Retry("the mail server is down".into()))
    }
}

struct Panics;

#[async_trait]
impl JobHandler for Panics {
    async fn handle(&self, _job: &ecolaura_core::jobs::Job) -> Result<(), JobError> {
        panic!("handler bug")
    }
}

#[derive(Default)]
struct Tally(std::sync::Mutex<Vec<JobOutcome>>);

impl JobObserver for Tally {
    fn observe(&self, event: JobEvent) {
        self.0.lock().expect("tally lock").push(event.outcome);
    }
}

#[tokio::test]
async fn a_job_that_keeps_failing_is_retried_with_backoff_then_dead() {
    let shop = TestShop::new();
    let queue = shop.app.job_queue().clone();
    let job = NewJob {
        max_attempts: 4,
        ..NewJob::for_order(JobKind::ProcessOrder, OrderId::new(), shop.clock.now())
    };
    queue.enqueue(job.clone(), shop.clock.now()).await.unwrap();
    let retry = RetryPolicy {
        base_delay: Duration::from_secs(10),
        max_delay: Duration::from_secs(60),
    };
    let tally = Arc::new(Tally::default());
    let worker = Worker::new(
        queue.clone(),
        Arc::new(AlwaysFails),
        shop.clock.clone(),
        WorkerConfig {
            retry,
            ..WorkerConfig::default()
        },
    )
    .with_observer(tally.clone());

    let mut previous_run_at = shop.clock.now();
    for attempt in 1..=3 {
        assert_eq!(worker.drain().await.unwrap(), 1, "attempt {attempt}");
        let j = queue.get_job(job.id).await.unwrap().unwrap();
        assert_eq!(j.status, JobStatus::Queued);
        let wait = (j.run_at - previous_run_at).to_std().unwrap();
        let full = retry.base_delay * 2u32.pow(attempt - 1);
        assert!(
            wait >= full.min(retry.max_delay) / 2 && wait <= full.min(retry.max_delay),
            "backoff {wait:?}"
        );
        assert_eq!(
            worker.drain().await.unwrap(),
            0,
            "not before its retry time"
        );
        shop.clock.set(j.run_at);
        previous_run_at = j.run_at;
    }
    assert_eq!(worker.drain().await.unwrap(), 1);
    let dead = queue.get_job(job.id).await.unwrap().unwrap();
    assert_eq!((dead.status, dead.attempts), (JobStatus::Dead, 4));
    assert_eq!(dead.last_error.as_deref(), Some("the mail server is down"));
    shop.clock.advance(Duration::from_secs(3600));
    assert_eq!(worker.drain().await.unwrap(), 0, "dead is never run again");
    let outcomes = tally.0.lock().unwrap().clone();
    assert_eq!(
        outcomes,
        [
            JobOutcome::Retried,
            JobOutcome::Retried,
            JobOutcome::Retried,
            JobOutcome::Dead
        ]
    );
}

#[tokio::test]
async fn a_panicking_handler_fails_the_attempt_not_the_worker() {
    let shop = TestShop::new();
    let queue = shop.app.job_queue().clone();
    let job = NewJob::for_order(JobKind::ProcessOrder, OrderId::new(), shop.clock.now());
    queue.enqueue(job.clone(), shop.clock.now()).await.unwrap();
    let worker = Worker::new(
        queue.clone(),
        Arc::new(Panics),
        shop.clock.clone(),
        WorkerConfig::default(),
    );
    let event = worker.run_once().await.unwrap().unwrap();
    assert_eq!(event.outcome, JobOutcome::Retried);
    let j = queue.get_job(job.id).await.unwrap().unwrap();
    assert!(j.last_error.unwrap().contains("panicked"));
}

struct Slow {
    started: Arc<tokio::sync::Notify>,
    finished: Arc<AtomicUsize>,
}

#[async_trait]
impl JobHandler for Slow {
    async fn handle(&self, _job: &ecolaura_core::jobs::Job) -> Result<(), JobError> {
        self.started.notify_one();
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.finished.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn a_worker_told_to_stop_finishes_the_job_in_hand_and_takes_no_more() {
    let shop = TestShop::new();
    let queue = shop.app.job_queue().clone();
    let started = Arc::new(tokio::sync::Notify::new());
    let finished = Arc::new(AtomicUsize::new(0));
    let handler = Arc::new(Slow {
        started: started.clone(),
        finished: finished.clone(),
    });
    let worker = Worker::new(
        queue.clone(),
        handler,
        shop.clock.clone(),
        WorkerConfig {
            concurrency: 1,
            idle_poll: Duration::from_millis(50),
            ..WorkerConfig::default()
        },
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    for _ in 0..3 {
        let now = shop.clock.now();
        queue
            .enqueue(
                NewJob::for_order(JobKind::ProcessOrder, OrderId::new(), now),
                now,
            )
            .await
            .unwrap();
    }
    started.notified().await;
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(30), running)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(
        finished.load(Ordering::SeqCst),
        1,
        "the job in hand finished"
    );
    let counts = queue.job_counts().await.unwrap();
    assert_eq!((counts.done, counts.queued, counts.running), (1, 2, 0));
}

#[tokio::test]
async fn a_worker_running_in_the_background_confirms_orders_as_they_come() {
    let shop = TestShop::new();
    let (_, buyer) = shop.customer("ada@example.com").await;
    let cup = shop.product("Cup", "5.00", 50, None).await;
    let worker = shop.app.worker(WorkerConfig {
        concurrency: 4,
        ..WorkerConfig::default()
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(
            shop.app
                .orders()
                .place(&buyer, &request(&[(&cup, 1)]), None)
                .await
                .unwrap()
                .order
                .id,
        );
    }
    let all_sent = tokio::time::timeout(Duration::from_secs(30), async {
        while shop.store.sent_emails().len() < 10 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        all_sent.is_ok(),
        "the worker confirmed and e-mailed every order"
    );
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
    for id in ids {
        assert_eq!(
            shop.app.orders().get(&buyer, id).await.unwrap().status,
            OrderStatus::Confirmed
        );
    }
}

#[tokio::test]
async fn every_write_is_visible_to_the_next_read_through_the_cache() {
    let shop = TestShop::new();
    let (_, buyer) = shop.customer("ada@example.com").await;
    let p = shop.product("Jar", "3.00", 10, None).await;
    let catalog = shop.app.catalog();
    let query = ProductQuery::default();
    assert_eq!(
        catalog.products(&query).await.unwrap().items[0].stock.get(),
        10
    );
    assert_eq!(catalog.product(p.id).await.unwrap().stock.get(), 10);

    let renamed = ProductChanges {
        name: Some(ProductName::parse("Big Jar").unwrap()),
        ..Default::default()
    };
    catalog
        .update_product(&Actor::System, p.id, &renamed)
        .await
        .unwrap();
    assert_eq!(
        catalog.product(p.id).await.unwrap().name.as_str(),
        "Big Jar"
    );
    assert_eq!(
        catalog.products(&query).await.unwrap().items[0]
            .name
            .as_str(),
        "Big Jar"
    );

    shop.app
        .orders()
        .place(&buyer, &request(&[(&p, 4)]), None)
        .await
        .unwrap();
    assert_eq!(
        catalog.product(p.id).await.unwrap().stock.get(),
        6,
        "stock taken by an order shows at once"
    );
    assert_eq!(
        catalog.products(&query).await.unwrap().items[0].stock.get(),
        6
    );

    catalog.archive_product(&Actor::System, p.id).await.unwrap();
    assert!(matches!(
        catalog.product(p.id).await,
        Err(CatalogError::ProductNotFound)
    ));
    assert!(catalog.products(&query).await.unwrap().items.is_empty());
    let stats = shop.app.cache().stats();
    assert!(stats.hits + stats.misses > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_customers_racing_for_ten_units_buy_exactly_ten() {
    scenarios::buyers_race_for_the_last_units(&TestShop::new().app, 200, 10).await;
}

#[tokio::test]
async fn refusals_are_replayed_under_their_keys() {
    scenarios::refusals_are_replayed_under_their_keys(&TestShop::new().app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_requests_with_one_key_make_one_order() {
    scenarios::concurrent_requests_under_one_key_make_one_order(&TestShop::new().app, 20).await;
}

#[tokio::test]
async fn customers_see_and_cancel_only_their_own_orders() {
    let shop = TestShop::new();
    let (_, ada) = shop.customer("ada@example.com").await;
    let (_, bob) = shop.customer("bob@example.com").await;
    let p = shop.product("Cup", "2.50", 10, Some(0.5)).await;
    let mine = shop
        .app
        .orders()
        .place(&ada, &request(&[(&p, 3)]), None)
        .await
        .unwrap()
        .order;
    assert!(matches!(
        shop.app.orders().get(&bob, mine.id).await,
        Err(OrderError::NotFound)
    ));
    assert!(matches!(
        shop.app.orders().cancel(&bob, mine.id).await,
        Err(OrderError::NotFound)
    ));
    assert_eq!(
        shop.app
            .orders()
            .list(&bob, PageRequest::default())
            .await
            .unwrap()
            .count,
        0
    );
    let staff = Actor::staff(UserId::new());
    assert_eq!(
        shop.app
            .orders()
            .list(&staff, PageRequest::default())
            .await
            .unwrap()
            .count,
        1
    );

    let summary = shop.app.sustainability().summary(&ada).await.unwrap();
    assert_eq!((summary.orders_count, summary.items_count), (1, 3));
    assert_eq!(summary.total_carbon_footprint_kg.to_string(), "1.5");

    let cancelled = shop.app.orders().cancel(&ada, mine.id).await.unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(
        shop.app.catalog().product(p.id).await.unwrap().stock.get(),
        10
    );
    let again = shop.app.orders().cancel(&ada, mine.id).await;
    assert!(matches!(
        again,
        Err(OrderError::IllegalTransition {
            from: OrderStatus::Cancelled,
            ..
        })
    ));
    assert_eq!(
        shop.app
            .sustainability()
            .summary(&ada)
            .await
            .unwrap()
            .orders_count,
        0
    );
}

#[tokio::test]
async fn storage_going_down_is_reported_as_unavailable_not_as_missing() {
    let shop = TestShop::new();
    let p = shop.product("Cup", "2.50", 10, None).await;
    shop.app
        .cache()
        .apply(&[ecolaura_core::catalog::CatalogChange::Everything])
        .await;
    shop.store.set_unavailable(true);
    let err = shop.app.catalog().product(p.id).await.unwrap_err();
    assert!(
        matches!(err, CatalogError::Store(ref e) if e.is_unavailable()),
        "{err:?}"
    );
    shop.store.set_unavailable(false);
    assert!(shop.app.catalog().product(p.id).await.is_ok());
}
