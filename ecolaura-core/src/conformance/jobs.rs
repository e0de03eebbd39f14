//! [`JobQueue`](crate::ports::JobQueue) cases.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::fixtures::*;
use crate::Store;
use crate::domain::{OrderId, Timestamp};
use crate::jobs::{JobKind, JobStatus, NewJob, RetryDecision, RetryPolicy};
use crate::ports::StoreError;

const LEASE: Duration = Duration::from_secs(30);

fn job_at(run_at: Timestamp) -> NewJob {
    NewJob::for_order(JobKind::ProcessOrder, OrderId::new(), run_at)
}

/// While its lease lasts a job is held by one worker only.
pub async fn a_claimed_job_is_not_claimed_again_while_leased(store: Arc<dyn Store>) {
    let job = job_at(at(0));
    store.enqueue(job.clone(), at(0)).await.expect("enqueue");
    let claim = store
        .claim(at(0), LEASE)
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
    assert!(store.claim(at(29), LEASE).await.expect("claim").is_none());
    store.complete(&claim, at(10)).await.expect("complete");
    let done = store.get_job(job.id).await.expect("get").expect("exists");
    assert_eq!(done.status, JobStatus::Done);
    let counts = store.job_counts().await.expect("counts");
    assert_eq!(
        (counts.queued, counts.running, counts.done, counts.dead),
        (0, 0, 1, 0)
    );
}

/// A worker that died holding a job: after the lease, another takes it, and
/// the dead worker's late answer is refused.
pub async fn a_job_whose_lease_expired_is_claimed_again(store: Arc<dyn Store>) {
    store.enqueue(job_at(at(0)), at(0)).await.expect("enqueue");
    let lost = store
        .claim(at(0), LEASE)
        .await
        .expect("claim")
        .expect("job");
    let retaken = store
        .claim(at(31), LEASE)
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
        .claim(at(0), LEASE)
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
    assert!(store.claim(at(59), LEASE).await.expect("claim").is_none());
    let again = store
        .claim(at(60), LEASE)
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
    while let Some(claim) = store.claim(now, LEASE).await.expect("claim") {
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
            .claim(at(999_999), LEASE)
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
        .claim(at(0), LEASE)
        .await
        .expect("claim")
        .expect("old");
    store.complete(&first, at(10)).await.expect("complete");
    let second = store
        .claim(at(1), LEASE)
        .await
        .expect("claim")
        .expect("recent");
    store.complete(&second, at(100)).await.expect("complete");
    let third = store
        .claim(at(2), LEASE)
        .await
        .expect("claim")
        .expect("dead");
    let decision = RetryPolicy::default().decide(&third.job, at(2));
    store
        .fail(&third, at(5), "no", decision)
        .await
        .expect("fail");

    assert_eq!(store.purge_done_jobs(at(50)).await.expect("purge"), 1);
    assert!(store.get_job(old.id).await.expect("get").is_none());
    for kept in [&recent, &dead, &waiting] {
        assert!(store.get_job(kept.id).await.expect("get").is_some());
    }
    let counts = store.job_counts().await.expect("counts");
    assert_eq!(
        (counts.queued, counts.running, counts.done, counts.dead),
        (1, 0, 1, 1)
    );
    assert_eq!(store.purge_done_jobs(at(50)).await.expect("purge"), 0);
}

/// A job due in the future waits.
pub async fn a_job_is_not_claimed_before_its_run_at(store: Arc<dyn Store>) {
    store.enqueue(job_at(at(10)), at(0)).await.expect("enqueue");
    assert!(store.claim(at(9), LEASE).await.expect("claim").is_none());
    assert!(store.claim(at(10), LEASE).await.expect("claim").is_some());
}

/// The job due earliest is claimed first.
pub async fn jobs_are_claimed_earliest_first(store: Arc<dyn Store>) {
    let (late, early, middle) = (job_at(at(3)), job_at(at(1)), job_at(at(2)));
    for j in [&late, &early, &middle] {
        store.enqueue(j.clone(), at(0)).await.expect("enqueue");
    }
    let mut order = Vec::new();
    while let Some(c) = store.claim(at(5), LEASE).await.expect("claim") {
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
    let first = store.claim_batch(at(10), LEASE, 3).await.expect("claim");
    assert_eq!(
        first.iter().map(|c| c.job.id).collect::<Vec<_>>(),
        [due[0].id, due[1].id, due[2].id]
    );
    assert!(
        first
            .iter()
            .all(|c| c.token == first[0].token && c.job.attempts == 1)
    );
    let rest = store.claim_batch(at(10), LEASE, 10).await.expect("claim");
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
            .claim_batch(at(10), LEASE, 10)
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
                    let batch = store.claim_batch(at(1), LEASE, 3).await.expect("claim");
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
        .claim(at(0), LEASE)
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
    assert!(store.claim(at(100), LEASE).await.expect("claim").is_none());
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
