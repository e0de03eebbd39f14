//! [`JobQueue`](crate::ports::JobQueue) cases.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::fixtures::*;
use crate::Store;
use crate::domain::{OrderId, Timestamp};
use crate::jobs::{
    Job, JobError, JobHandler, JobKind, JobStatus, LEASE_EXPIRED, NewJob, RetryDecision,
    RetryPolicy, Worker, WorkerConfig,
};
use crate::ports::StoreError;
use crate::ports::SystemClock;

const LEASE: Duration = Duration::from_secs(30);
const KIND: JobKind = JobKind::ProcessOrder;

fn job_at(run_at: Timestamp) -> NewJob {
    NewJob::for_order(JobKind::ProcessOrder, OrderId::new(), run_at)
}

/// While its lease lasts a job is held by one worker only.
pub async fn a_claimed_job_is_not_claimed_again_while_leased(store: Arc<dyn Store>) {
    let job = job_at(at(0));
    store.enqueue(job.clone(), at(0)).await.expect("enqueue");
    let claim = store
        .claim(KIND, at(0), LEASE)
        .await
        .expect("claim")
        .expect("a due job");
    assert_eq!(claim.job.id, job.id);
    assert_eq!(
        (claim.job.status, claim.job.attempts),
        (JobStatus::Running, 1)
    );
    assert_eq!(claim.job.locked_until, Some(at(30)));
    assert_eq!(claim.job.payload, job.payload);
    assert!(
        store
            .claim(KIND, at(29), LEASE)
            .await
            .expect("claim")
            .is_none()
    );
    store.complete(&claim, at(10)).await.expect("complete");
    let done = store.get_job(job.id).await.expect("get").expect("exists");
    assert_eq!(done.status, JobStatus::Done);
    let counts = store.job_counts().await.expect("counts");
    assert_eq!(
        (counts.queued, counts.running, counts.done, counts.dead),
        (0, 0, 1, 0)
    );
}

/// A worker that died holding a job: the claim never takes it back, the
/// rescuer does once the lease ran out; then another worker takes it, runs it
/// once, and the dead worker's late answer is refused.
pub async fn a_job_whose_lease_expired_is_rescued_and_runs_again_once(store: Arc<dyn Store>) {
    store.enqueue(job_at(at(0)), at(0)).await.expect("enqueue");
    let lost = store
        .claim(KIND, at(0), LEASE)
        .await
        .expect("claim")
        .expect("job");
    assert!(
        store
            .claim(KIND, at(31), LEASE)
            .await
            .expect("claim")
            .is_none(),
        "a claim never takes a running job"
    );
    assert_eq!(store.rescue_expired(at(29)).await.expect("rescue"), 0);
    assert_eq!(store.rescue_expired(at(30)).await.expect("rescue"), 1);
    let rescued = store.get_job(lost.job.id).await.expect("get").expect("job");
    assert_eq!(
        (rescued.status, rescued.run_at, rescued.locked_until),
        (JobStatus::Queued, at(30), None)
    );
    assert_eq!(rescued.last_error.as_deref(), Some(LEASE_EXPIRED));
    assert_eq!(store.rescue_expired(at(31)).await.expect("rescue"), 0);
    let retaken = store
        .claim(KIND, at(31), LEASE)
        .await
        .expect("claim")
        .expect("lease expired");
    assert_eq!(retaken.job.id, lost.job.id);
    assert_eq!(retaken.job.attempts, 2);
    assert_ne!(retaken.token, lost.token);
    assert!(matches!(
        store.complete(&lost, at(32)).await,
        Err(StoreError::LeaseLost)
    ));
    let fail = store.fail(&lost, at(32), "late", RetryDecision::Dead).await;
    assert!(matches!(fail, Err(StoreError::LeaseLost)));
    store
        .complete(&retaken, at(33))
        .await
        .expect("the new holder completes");
    assert_eq!(
        store
            .get_job(lost.job.id)
            .await
            .expect("get")
            .expect("job")
            .status,
        JobStatus::Done
    );
}

/// A failed attempt goes back to the queue, due at its retry time, error kept.
pub async fn a_failed_job_waits_for_its_retry_time(store: Arc<dyn Store>) {
    store.enqueue(job_at(at(0)), at(0)).await.expect("enqueue");
    let claim = store
        .claim(KIND, at(0), LEASE)
        .await
        .expect("claim")
        .expect("job");
    store
        .fail(
            &claim,
            at(1),
            "mail server said 451",
            RetryDecision::RetryAt(at(60)),
        )
        .await
        .expect("fail");
    let job = store
        .get_job(claim.job.id)
        .await
        .expect("get")
        .expect("job");
    assert_eq!(
        (job.status, job.run_at, job.locked_until),
        (JobStatus::Queued, at(60), None)
    );
    assert_eq!(job.last_error.as_deref(), Some("mail server said 451"));
    assert!(
        store
            .claim(KIND, at(59), LEASE)
            .await
            .expect("claim")
            .is_none()
    );
    let again = store
        .claim(KIND, at(60), LEASE)
        .await
        .expect("claim")
        .expect("due again");
    assert_eq!(again.job.attempts, 2);
}

/// Retried with backoff until the last attempt, then dead and never claimed.
pub async fn a_job_that_keeps_failing_ends_dead(store: Arc<dyn Store>) {
    let job = NewJob {
        max_attempts: 3,
        ..job_at(at(0))
    };
    store.enqueue(job.clone(), at(0)).await.expect("enqueue");
    let policy = RetryPolicy::default();
    let mut now = at(0);
    let mut attempts = 0;
    while let Some(claim) = store.claim(KIND, now, LEASE).await.expect("claim") {
        attempts += 1;
        let decision = policy.decide(&claim.job, now);
        store
            .fail(&claim, now, &format!("failure {attempts}"), decision)
            .await
            .expect("fail");
        now += chrono::Duration::hours(1);
        assert!(attempts <= 3, "claimed after its last attempt");
    }
    assert_eq!(attempts, 3);
    let dead = store.get_job(job.id).await.expect("get").expect("job");
    assert_eq!((dead.status, dead.attempts), (JobStatus::Dead, 3));
    assert_eq!(dead.last_error.as_deref(), Some("failure 3"));
    assert!(
        store
            .claim(KIND, at(999_999), LEASE)
            .await
            .expect("claim")
            .is_none()
    );
    assert_eq!(store.job_counts().await.expect("counts").dead, 1);
}

/// Purging removes `done` jobs finished before the cutoff, and nothing else.
pub async fn purging_removes_only_old_done_jobs(store: Arc<dyn Store>) {
    let old = job_at(at(0));
    let recent = job_at(at(1));
    let dead = NewJob {
        max_attempts: 1,
        ..job_at(at(2))
    };
    let waiting = job_at(at(3));
    for job in [&old, &recent, &dead, &waiting] {
        store.enqueue(job.clone(), at(0)).await.expect("enqueue");
    }
    let first = store
        .claim(KIND, at(0), LEASE)
        .await
        .expect("claim")
        .expect("old");
    store.complete(&first, at(10)).await.expect("complete");
    let second = store
        .claim(KIND, at(1), LEASE)
        .await
        .expect("claim")
        .expect("recent");
    store.complete(&second, at(100)).await.expect("complete");
    let third = store
        .claim(KIND, at(2), LEASE)
        .await
        .expect("claim")
        .expect("dead");
    let decision = RetryPolicy::default().decide(&third.job, at(2));
    store
        .fail(&third, at(5), "no", decision)
        .await
        .expect("fail");

    assert_eq!(store.purge_done_jobs(at(50), 100).await.expect("purge"), 1);
    assert!(store.get_job(old.id).await.expect("get").is_none());
    for kept in [&recent, &dead, &waiting] {
        assert!(store.get_job(kept.id).await.expect("get").is_some());
    }
    let counts = store.job_counts().await.expect("counts");
    assert_eq!(
        (counts.queued, counts.running, counts.done, counts.dead),
        (1, 0, 1, 1)
    );
    assert_eq!(store.purge_done_jobs(at(50), 100).await.expect("purge"), 0);
}

/// A job due in the future waits.
pub async fn a_job_is_not_claimed_before_its_run_at(store: Arc<dyn Store>) {
    store.enqueue(job_at(at(10)), at(0)).await.expect("enqueue");
    assert!(
        store
            .claim(KIND, at(9), LEASE)
            .await
            .expect("claim")
            .is_none()
    );
    assert!(
        store
            .claim(KIND, at(10), LEASE)
            .await
            .expect("claim")
            .is_some()
    );
}

/// The job due earliest is claimed first.
pub async fn jobs_are_claimed_earliest_first(store: Arc<dyn Store>) {
    let (late, early, middle) = (job_at(at(3)), job_at(at(1)), job_at(at(2)));
    for j in [&late, &early, &middle] {
        store.enqueue(j.clone(), at(0)).await.expect("enqueue");
    }
    let mut order = Vec::new();
    while let Some(c) = store.claim(KIND, at(5), LEASE).await.expect("claim") {
        order.push(c.job.id);
    }
    assert_eq!(order, [early.id, middle.id, late.id]);
}

/// A batch claim takes the earliest due jobs, up to its limit, in order,
/// under one token; the jobs left are there for the next claim.
pub async fn a_batch_claim_takes_the_earliest_due_jobs_up_to_its_limit(store: Arc<dyn Store>) {
    let due: Vec<NewJob> = (0..5).map(|i| job_at(at(i))).collect();
    for j in due.iter().rev() {
        store.enqueue(j.clone(), at(0)).await.expect("enqueue");
    }
    store
        .enqueue(job_at(at(100)), at(0))
        .await
        .expect("enqueue a future job");
    let first = store
        .claim_batch(KIND, at(10), LEASE, 3)
        .await
        .expect("claim");
    assert_eq!(
        first.iter().map(|c| c.job.id).collect::<Vec<_>>(),
        [due[0].id, due[1].id, due[2].id]
    );
    assert!(
        first
            .iter()
            .all(|c| c.token == first[0].token && c.job.attempts == 1)
    );
    let rest = store
        .claim_batch(KIND, at(10), LEASE, 10)
        .await
        .expect("claim");
    assert_eq!(
        rest.iter().map(|c| c.job.id).collect::<Vec<_>>(),
        [due[3].id, due[4].id]
    );
    assert_ne!(rest[0].token, first[0].token);
    for c in first.iter().chain(&rest) {
        store.complete(c, at(11)).await.expect("complete");
    }
    assert_eq!(store.job_counts().await.expect("counts").done, 5);
    assert!(
        store
            .claim_batch(KIND, at(10), LEASE, 10)
            .await
            .expect("claim")
            .is_empty()
    );
}

/// Eight workers draining fifty jobs run each exactly once.
pub async fn concurrent_claims_take_each_job_once(store: Arc<dyn Store>) {
    for _ in 0..50 {
        store.enqueue(job_at(at(0)), at(0)).await.expect("enqueue");
    }
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = store
                        .claim_batch(KIND, at(1), LEASE, 3)
                        .await
                        .expect("claim");
                    if batch.is_empty() {
                        break;
                    }
                    for c in batch {
                        store.complete(&c, at(2)).await.expect("complete");
                        mine.push(c.job.id);
                    }
                }
                mine
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    assert_eq!(all.len(), 50);
    assert_eq!(
        all.iter().collect::<HashSet<_>>().len(),
        50,
        "no job ran twice"
    );
    assert_eq!(store.job_counts().await.expect("counts").done, 50);
}

/// Done or dead is final: the holder cannot answer twice.
pub async fn a_finished_job_cannot_be_finished_again(store: Arc<dyn Store>) {
    store.enqueue(job_at(at(0)), at(0)).await.expect("enqueue");
    let claim = store
        .claim(KIND, at(0), LEASE)
        .await
        .expect("claim")
        .expect("job");
    store.complete(&claim, at(1)).await.expect("complete");
    assert!(matches!(
        store.complete(&claim, at(2)).await,
        Err(StoreError::LeaseLost)
    ));
    let retry = store
        .fail(&claim, at(2), "x", RetryDecision::RetryAt(at(3)))
        .await;
    assert!(matches!(retry, Err(StoreError::LeaseLost)));
    assert!(
        store
            .claim(KIND, at(100), LEASE)
            .await
            .expect("claim")
            .is_none()
    );
}

/// An idle worker waiting for jobs wakes when one is enqueued, long before
/// its polling timeout.
pub async fn an_enqueue_wakes_a_waiting_worker(store: Arc<dyn Store>) {
    let waiter = {
        let store = store.clone();
        tokio::spawn(async move { store.wait_for_jobs(Duration::from_secs(3600)).await })
    };
    // Keep enqueueing until the waiter wakes: it may not be listening yet
    // when the first job arrives, which the contract allows.
    let woke = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            store.enqueue(job_at(at(0)), at(0)).await.expect("enqueue");
            if waiter.is_finished() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(woke.is_ok(), "wait_for_jobs did not wake on enqueue");
}

/// A job whose holder vanished on its last attempt is dead, not run again.
pub async fn a_rescued_job_on_its_last_attempt_is_dead(store: Arc<dyn Store>) {
    let job = NewJob {
        max_attempts: 1,
        ..job_at(at(0))
    };
    store.enqueue(job.clone(), at(0)).await.expect("enqueue");
    store
        .claim(KIND, at(0), LEASE)
        .await
        .expect("claim")
        .expect("job");
    assert_eq!(store.rescue_expired(at(40)).await.expect("rescue"), 1);
    let dead = store.get_job(job.id).await.expect("get").expect("job");
    assert_eq!((dead.status, dead.attempts), (JobStatus::Dead, 1));
    assert_eq!(dead.last_error.as_deref(), Some(LEASE_EXPIRED));
    assert!(
        store
            .claim(KIND, at(50), LEASE)
            .await
            .expect("claim")
            .is_none()
    );
}

/// The heartbeat keeps a running job's lease alive past its first end; a
/// lost claim's heartbeat changes nothing and says so.
pub async fn a_heartbeat_keeps_a_running_job_from_being_rescued(store: Arc<dyn Store>) {
    store.enqueue(job_at(at(0)), at(0)).await.expect("enqueue");
    let claim = store
        .claim(KIND, at(0), LEASE)
        .await
        .expect("claim")
        .expect("job");
    let lost = store
        .extend_leases(std::slice::from_ref(&claim), at(20), LEASE)
        .await
        .expect("extend");
    assert!(lost.is_empty());
    assert_eq!(store.rescue_expired(at(45)).await.expect("rescue"), 0);
    let job = store
        .get_job(claim.job.id)
        .await
        .expect("get")
        .expect("job");
    assert_eq!(
        (job.status, job.locked_until),
        (JobStatus::Running, Some(at(50)))
    );
    assert_eq!(store.rescue_expired(at(50)).await.expect("rescue"), 1);
    let lost = store
        .extend_leases(std::slice::from_ref(&claim), at(51), LEASE)
        .await
        .expect("extend");
    assert_eq!(lost, [claim.job.id]);
    let job = store
        .get_job(claim.job.id)
        .await
        .expect("get")
        .expect("job");
    assert_eq!((job.status, job.locked_until), (JobStatus::Queued, None));
}

/// One statement completes many claims; a claim whose lease was lost is
/// named and left alone, the others are done.
pub async fn a_batch_completion_marks_every_held_job_and_names_the_lost_ones(
    store: Arc<dyn Store>,
) {
    for i in 0..4 {
        store.enqueue(job_at(at(i)), at(0)).await.expect("enqueue");
    }
    let first = store
        .claim_batch(KIND, at(5), LEASE, 4)
        .await
        .expect("claim");
    assert_eq!(first.len(), 4);
    // Every lease runs out; another worker takes the three earliest again.
    assert_eq!(store.rescue_expired(at(100)).await.expect("rescue"), 4);
    let held = store
        .claim_batch(KIND, at(100), LEASE, 3)
        .await
        .expect("claim");
    assert_eq!(held.len(), 3);
    let stale = first[0].clone();
    assert_eq!(stale.job.id, held[0].job.id);
    let mut claims = held.clone();
    claims.push(stale.clone());
    let lost = store
        .complete_batch(&claims, at(101))
        .await
        .expect("complete");
    assert_eq!(lost, [stale.job.id]);
    for c in &held {
        let job = store.get_job(c.job.id).await.expect("get").expect("job");
        assert_eq!(job.status, JobStatus::Done);
    }
    let counts = store.job_counts().await.expect("counts");
    assert_eq!((counts.done, counts.queued), (3, 1));
    assert!(
        store
            .complete_batch(&[], at(102))
            .await
            .expect("empty")
            .is_empty()
    );
}

/// Each kind has its own line: a backlog of one kind does not hide a due
/// job of another.
pub async fn a_backlog_of_one_kind_does_not_hold_another_back(store: Arc<dyn Store>) {
    for i in 0..20 {
        store.enqueue(job_at(at(i)), at(0)).await.expect("enqueue");
    }
    let email = NewJob::for_order(JobKind::SendOrderConfirmation, OrderId::new(), at(30));
    store.enqueue(email.clone(), at(0)).await.expect("enqueue");
    let taken = store
        .claim_batch(JobKind::SendOrderConfirmation, at(30), LEASE, 5)
        .await
        .expect("claim");
    assert_eq!(
        taken.iter().map(|c| c.job.id).collect::<Vec<_>>(),
        [email.id]
    );
    let orders = store
        .claim_batch(KIND, at(30), LEASE, 50)
        .await
        .expect("claim");
    assert_eq!(orders.len(), 20);
    assert!(orders.iter().all(|c| c.job.kind == KIND));
}

/// Purging goes in bounded batches, oldest-finished rule unchanged.
pub async fn purging_goes_in_bounded_batches(store: Arc<dyn Store>) {
    for i in 0..5 {
        store.enqueue(job_at(at(i)), at(0)).await.expect("enqueue");
    }
    for c in store
        .claim_batch(KIND, at(10), LEASE, 5)
        .await
        .expect("claim")
    {
        store.complete(&c, at(11)).await.expect("complete");
    }
    assert_eq!(store.purge_done_jobs(at(12), 2).await.expect("purge"), 2);
    assert_eq!(store.purge_done_jobs(at(12), 2).await.expect("purge"), 2);
    assert_eq!(store.purge_done_jobs(at(12), 2).await.expect("purge"), 1);
    assert_eq!(store.purge_done_jobs(at(12), 2).await.expect("purge"), 0);
    assert_eq!(store.job_counts().await.expect("counts").done, 0);
}

/// The live queue by kind: ready, scheduled, running, dead, and the age of
/// the oldest ready job; done jobs are not counted.
pub async fn queue_stats_show_depth_by_kind_and_the_oldest_ready_job(store: Arc<dyn Store>) {
    for i in 0..4 {
        store.enqueue(job_at(at(i)), at(0)).await.expect("enqueue");
    }
    store
        .enqueue(job_at(at(500)), at(0))
        .await
        .expect("enqueue later");
    let dying = NewJob {
        max_attempts: 1,
        ..NewJob::for_order(JobKind::SendOrderConfirmation, OrderId::new(), at(0))
    };
    store.enqueue(dying, at(0)).await.expect("enqueue");
    let email = store
        .claim(JobKind::SendOrderConfirmation, at(1), LEASE)
        .await
        .expect("claim")
        .expect("email");
    store
        .fail(&email, at(2), "refused", RetryDecision::Dead)
        .await
        .expect("fail");
    let running = store
        .claim(KIND, at(10), LEASE)
        .await
        .expect("claim")
        .expect("job");
    let done = store
        .claim(KIND, at(10), LEASE)
        .await
        .expect("claim")
        .expect("job");
    store.complete(&done, at(11)).await.expect("complete");
    assert_eq!(running.job.run_at, at(0));

    let stats = store.queue_stats(at(10)).await.expect("stats");
    let orders = stats.of(KIND);
    assert_eq!(
        (orders.ready, orders.scheduled, orders.running, orders.dead),
        (2, 1, 1, 0)
    );
    assert_eq!(orders.oldest_ready, Some(at(2)));
    assert_eq!(orders.oldest_ready_age(at(10)), Duration::from_secs(8));
    let emails = stats.of(JobKind::SendOrderConfirmation);
    assert_eq!(
        (emails.ready, emails.scheduled, emails.running, emails.dead),
        (0, 0, 0, 1)
    );
    assert_eq!(emails.oldest_ready, None);
}

/// Counts each job it runs.
struct Counting(std::sync::Mutex<std::collections::HashMap<crate::domain::JobId, u32>>);

#[async_trait::async_trait]
impl JobHandler for Counting {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(job.id)
            .or_default() += 1;
        Ok(())
    }
}

/// A backlog of 5,000 jobs queued before the worker starts is all run, each
/// once, and recorded done.
pub async fn a_backlog_queued_before_start_is_all_run_once(store: Arc<dyn Store>) {
    const JOBS: usize = 5_000;
    let now = crate::domain::truncate_to_micros(chrono::Utc::now());
    for i in 0..JOBS {
        let kind = JobKind::ALL[i % 2];
        store
            .enqueue(NewJob::for_order(kind, OrderId::new(), now), now)
            .await
            .expect("enqueue");
    }
    let handler = Arc::new(Counting(Default::default()));
    let worker = Worker::new(
        store.clone(),
        handler.clone(),
        Arc::new(SystemClock),
        WorkerConfig::default(),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    let finished = tokio::time::timeout(Duration::from_secs(300), async {
        loop {
            let counts = store.job_counts().await.expect("counts");
            if counts.done as usize == JOBS {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let _ = stop.send(());
    running.await.expect("worker task").expect("worker");
    assert!(finished.is_ok(), "the backlog was not run within 300 s");
    let runs = handler
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    assert_eq!(runs.len(), JOBS);
    assert!(runs.values().all(|&n| n == 1), "a job ran twice");
    let counts = store.job_counts().await.expect("counts");
    assert_eq!((counts.queued, counts.running, counts.dead), (0, 0, 0));
}
