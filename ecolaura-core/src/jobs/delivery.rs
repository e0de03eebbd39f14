//! Mail that leaves the outbox: the mailer that enqueues a delivery with
//! each message, and the `deliver_email` job that hands it to the relay.
//!
//! A message is recorded in the outbox and its delivery job enqueued in one
//! transaction ([`Mailer::send_for_delivery`]), so a message is never lost
//! between the two and never gets two jobs. The job skips a message already
//! marked delivered, so a job that runs again (its worker died after
//! recording, or its lease was lost) sends nothing twice. The one window
//! left is a worker dying after the relay accepted the message and before
//! the mark was stored: the retry sends it again, with the same
//! `Message-ID` ([`message_id`](crate::mail::message_id)), which mail
//! systems use to recognise the copy. No SMTP client can close that window:
//! the relay's acceptance and our record cannot be one transaction.

use std::sync::Arc;

use async_trait::async_trait;

use super::worker::{JobError, JobHandler};
use super::{Job, JobKind, NewJob};
use crate::domain::Timestamp;
use crate::mail::{Delivery, OutgoingEmail, SentEmail};
use crate::ports::{Clock, MailError, MailRelay, Mailer};

/// A [`Mailer`] over an outbox that also enqueues, with each new message, the
/// `deliver_email` job that hands it to the relay.
#[derive(Clone)]
pub struct RelayingMailer {
    outbox: Arc<dyn Mailer>,
}

impl RelayingMailer {
    /// Record messages in `outbox`, each with its delivery job.
    pub fn new(outbox: Arc<dyn Mailer>) -> Self {
        Self { outbox }
    }
}

#[async_trait]
impl Mailer for RelayingMailer {
    async fn send(&self, email: &OutgoingEmail, now: Timestamp) -> Result<Delivery, MailError> {
        self.outbox
            .send_for_delivery(email, NewJob::email_delivery(&email.dedup_key, now), now)
            .await
    }

    async fn send_for_delivery(
        &self,
        email: &OutgoingEmail,
        delivery: NewJob,
        now: Timestamp,
    ) -> Result<Delivery, MailError> {
        self.outbox.send_for_delivery(email, delivery, now).await
    }

    async fn find_sent(&self, dedup_key: &str) -> Result<Option<SentEmail>, MailError> {
        self.outbox.find_sent(dedup_key).await
    }

    async fn mark_delivered(&self, dedup_key: &str, at: Timestamp) -> Result<(), MailError> {
        self.outbox.mark_delivered(dedup_key, at).await
    }
}

/// Runs `deliver_email`: hands one outbox message to the relay, then marks
/// it delivered. A relay that cannot be reached, or answers with a temporary
/// failure, makes the job retry with backoff; one that refuses the message
/// for good makes it dead (visible in the queue's health).
#[derive(Clone)]
pub struct DeliveryHandler {
    outbox: Arc<dyn Mailer>,
    relay: Arc<dyn MailRelay>,
    clock: Arc<dyn Clock>,
}

impl DeliveryHandler {
    /// Deliver messages recorded in `outbox` through `relay`.
    pub fn new(outbox: Arc<dyn Mailer>, relay: Arc<dyn MailRelay>, clock: Arc<dyn Clock>) -> Self {
        Self {
            outbox,
            relay,
            clock,
        }
    }
}

/// A relay's refusal is for good; anything else is worth a retry. The
/// job's `last_error` keeps the whole chain of causes (what the relay said).
fn job_error(e: MailError) -> JobError {
    match e {
        MailError::Refused(msg) => JobError::Permanent(msg),
        other => {
            let mut message = other.to_string();
            let mut source = std::error::Error::source(&other);
            while let Some(cause) = source {
                message.push_str(": ");
                message.push_str(&cause.to_string());
                source = cause.source();
            }
            JobError::Retry(message)
        }
    }
}

#[async_trait]
impl JobHandler for DeliveryHandler {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        if job.kind != JobKind::DeliverEmail {
            return Err(JobError::Permanent(format!(
                "{} is not a delivery job",
                job.kind
            )));
        }
        let asked = job
            .delivery_job()
            .map_err(|e| JobError::Permanent(format!("bad payload: {e}")))?;
        let Some(sent) = self
            .outbox
            .find_sent(&asked.dedup_key)
            .await
            .map_err(job_error)?
        else {
            return Err(job_error(MailError::not_in_outbox(&asked.dedup_key)));
        };
        if sent.delivered_at.is_some() {
            return Ok(());
        }
        self.relay.deliver(&sent.email).await.map_err(job_error)?;
        self.outbox
            .mark_delivered(&asked.dedup_key, self.clock.now())
            .await
            .map_err(job_error)?;
        tracing::info!(job_id = %job.id, "e-mail delivered to the relay");
        Ok(())
    }

    fn handles(&self, kind: JobKind) -> bool {
        kind == JobKind::DeliverEmail
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use mockall::predicate::eq;

    use super::*;
    use crate::domain::{Email, JobId};
    use crate::jobs::JobStatus;
    use crate::memory::ManualClock;
    use crate::ports::{MockMailRelay, MockMailer};

    const KEY: &str = "order-confirmation/1";

    fn at(second: u32) -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(2026, 12, 8, 10, 0, second)
            .single()
            .expect("a time")
    }

    fn email() -> OutgoingEmail {
        OutgoingEmail {
            dedup_key: KEY.into(),
            to: Email::parse("ada@example.com").expect("email"),
            subject: "Your order".into(),
            body: "Thanks.".into(),
        }
    }

    fn delivery_job() -> Job {
        let new = NewJob::email_delivery(KEY, at(0));
        Job {
            id: JobId::new(),
            kind: new.kind,
            payload: new.payload,
            status: JobStatus::Running,
            attempts: 1,
            max_attempts: new.max_attempts,
            run_at: at(0),
            locked_until: None,
            last_error: None,
            created_at: at(0),
            updated_at: at(0),
        }
    }

    fn in_outbox(delivered_at: Option<Timestamp>) -> Option<SentEmail> {
        Some(SentEmail {
            email: email(),
            sent_at: at(0),
            delivered_at,
        })
    }

    fn handler(outbox: MockMailer, relay: MockMailRelay) -> DeliveryHandler {
        DeliveryHandler::new(
            Arc::new(outbox),
            Arc::new(relay),
            Arc::new(ManualClock::at(at(7))),
        )
    }

    #[tokio::test]
    async fn a_waiting_message_goes_to_the_relay_then_is_marked_delivered() {
        let mut outbox = MockMailer::new();
        outbox
            .expect_find_sent()
            .with(eq(KEY))
            .times(1)
            .returning(|_| Ok(in_outbox(None)));
        let mut relay = MockMailRelay::new();
        relay
            .expect_deliver()
            .withf(|e| *e == email())
            .times(1)
            .returning(|_| Ok(()));
        outbox
            .expect_mark_delivered()
            .with(eq(KEY), eq(at(7)))
            .times(1)
            .returning(|_, _| Ok(()));
        handler(outbox, relay)
            .handle(&delivery_job())
            .await
            .expect("delivered");
    }

    #[tokio::test]
    async fn a_message_delivered_before_is_not_sent_again() {
        let mut outbox = MockMailer::new();
        outbox
            .expect_find_sent()
            .returning(|_| Ok(in_outbox(Some(at(3)))));
        outbox.expect_mark_delivered().never();
        let mut relay = MockMailRelay::new();
        relay.expect_deliver().never();
        handler(outbox, relay)
            .handle(&delivery_job())
            .await
            .expect("nothing to do");
    }

    #[tokio::test]
    async fn a_relay_that_is_down_makes_the_job_retry_and_nothing_is_marked() {
        let mut outbox = MockMailer::new();
        outbox.expect_find_sent().returning(|_| Ok(in_outbox(None)));
        outbox.expect_mark_delivered().never();
        let mut relay = MockMailRelay::new();
        relay.expect_deliver().returning(|_| {
            Err(MailError::Unavailable(
                "451 4.3.0 try again later".to_owned().into(),
            ))
        });
        let Err(JobError::Retry(why)) = handler(outbox, relay).handle(&delivery_job()).await else {
            panic!("a temporary failure must be retried");
        };
        assert!(why.contains("451 4.3.0 try again later"), "{why}");
    }

    #[tokio::test]
    async fn a_refused_message_is_given_up() {
        let mut outbox = MockMailer::new();
        outbox.expect_find_sent().returning(|_| Ok(in_outbox(None)));
        outbox.expect_mark_delivered().never();
        let mut relay = MockMailRelay::new();
        relay
            .expect_deliver()
            .returning(|_| Err(MailError::Refused("550 5.1.1 no such user".into())));
        assert!(matches!(
            handler(outbox, relay).handle(&delivery_job()).await,
            Err(JobError::Permanent(why)) if why.contains("550")
        ));
    }

    #[tokio::test]
    async fn a_job_for_a_message_not_in_the_outbox_is_given_up() {
        let mut outbox = MockMailer::new();
        outbox.expect_find_sent().returning(|_| Ok(None));
        let mut relay = MockMailRelay::new();
        relay.expect_deliver().never();
        assert!(matches!(
            handler(outbox, relay).handle(&delivery_job()).await,
            Err(JobError::Permanent(_))
        ));
    }

    #[tokio::test]
    async fn the_relaying_mailer_records_each_message_with_its_delivery_job() {
        let mut outbox = MockMailer::new();
        outbox
            .expect_send_for_delivery()
            .withf(|e, job, now| {
                *e == email()
                    && job.kind == JobKind::DeliverEmail
                    && job.run_at == at(4)
                    && serde_json::from_value::<super::super::DeliveryJob>(job.payload.clone())
                        .map(|d| d.dedup_key == KEY)
                        .unwrap_or(false)
                    && *now == at(4)
            })
            .times(1)
            .returning(|_, _, _| Ok(Delivery::Sent));
        outbox.expect_send().never();
        let mailer = RelayingMailer::new(Arc::new(outbox));
        assert_eq!(
            mailer.send(&email(), at(4)).await.expect("send"),
            Delivery::Sent
        );
    }

    #[tokio::test]
    async fn only_workers_with_a_relay_take_delivery_jobs() {
        use crate::Ecolaura;
        use crate::jobs::WorkerConfig;
        use crate::memory::MemoryStore;
        use crate::ports::JobQueue;

        let store = Arc::new(MemoryStore::new());
        let now = chrono::Utc::now();
        store
            .send_for_delivery(&email(), NewJob::email_delivery(KEY, now), now)
            .await
            .expect("recorded");

        let without_relay = Ecolaura::builder()
            .store(store.clone())
            .build()
            .expect("app");
        let ran = without_relay
            .worker(WorkerConfig::default())
            .drain()
            .await
            .expect("drain");
        assert_eq!(ran, 0, "a worker without a relay left the delivery queued");
        assert_eq!(store.job_counts().await.expect("counts").queued, 1);

        let mut relay = MockMailRelay::new();
        relay.expect_deliver().times(1).returning(|_| Ok(()));
        let with_relay = Ecolaura::builder()
            .store(store.clone())
            .mail_relay(Arc::new(relay))
            .build()
            .expect("app");
        let ran = with_relay
            .worker(WorkerConfig::default())
            .drain()
            .await
            .expect("drain");
        assert_eq!(ran, 1);
        let sent = store
            .find_sent(KEY)
            .await
            .expect("find")
            .expect("in outbox");
        assert!(sent.delivered_at.is_some());
        assert_eq!(store.job_counts().await.expect("counts").done, 1);
    }
}
