//! The SMTP relay that mail leaves the outbox for (`ECOLAURA_SMTP_URL`),
//! over lettre.
//!
//! The URL is lettre's connection URL: `smtp://host:port` (plain, for a
//! relay on the machine or the private network),
//! `smtp://host:587?tls=required` (STARTTLS) or `smtps://host:465`
//! (implicit TLS), with `user:password@` for relays that ask for it. The
//! URL is a secret: it is never logged, and errors never repeat it.

use std::time::Duration;

use async_trait::async_trait;
use ecolaura_core::mail::{OutgoingEmail, message_id};
use ecolaura_core::ports::{MailError, MailRelay};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long one SMTP command may take before the attempt fails (and the
/// job retries): far under the job's lease, which the heartbeat extends.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Where mail goes, checked at start (`ECOLAURA_SMTP_URL`, `ECOLAURA_MAIL_FROM`).
#[derive(Clone)]
pub(crate) struct SmtpSettings {
    url: String,
    /// The sender of every message.
    pub(crate) from: Mailbox,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("url", &"[secret]")
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl SmtpSettings {
    /// Check the URL and the sender; the messages never quote the URL.
    pub(crate) fn parse(url: &str, from: Option<&str>) -> Result<Self, Vec<String>> {
        let mut problems = Vec::new();
        if let Err(e) = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.trim()) {
            problems.push(format!(
                "ECOLAURA_SMTP_URL is not an SMTP URL (smtp://host:port, smtps://host:465, \
                 optionally user:password@): {e}"
            ));
        }
        let from = match from.map(str::trim).filter(|f| !f.is_empty()) {
            None => {
                problems.push(
                    "ECOLAURA_MAIL_FROM must name the sender (such as \
                     \"Shop <shop@example.com>\") when ECOLAURA_SMTP_URL is set"
                        .to_owned(),
                );
                None
            }
            Some(raw) => match raw.parse::<Mailbox>() {
                Ok(mailbox) => Some(mailbox),
                Err(e) => {
                    problems.push(format!(
                        "ECOLAURA_MAIL_FROM is not an address: {e}, not {raw:?}"
                    ));
                    None
                }
            },
        };
        match from {
            Some(from) if problems.is_empty() => Ok(Self {
                url: url.trim().to_owned(),
                from,
            }),
            _ => Err(problems),
        }
    }
}

/// Delivers outbox messages to the configured relay, over a small pool of
/// connections.
pub(crate) struct SmtpRelay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpRelay {
    /// The relay `settings` name. No connection is made until a message goes.
    pub(crate) fn new(settings: &SmtpSettings) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.url)
            .map_err(|e| format!("ECOLAURA_SMTP_URL: {e}"))?
            .timeout(Some(COMMAND_TIMEOUT))
            .build();
        Ok(Self {
            transport,
            from: settings.from.clone(),
        })
    }

    fn message(&self, email: &OutgoingEmail) -> Result<Message, MailError> {
        let to: Mailbox = email
            .to
            .as_str()
            .parse()
            .map_err(|e| MailError::Refused(format!("the recipient is not an address: {e}")))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(message_id(&email.dedup_key, self.from.email.domain())))
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| MailError::Refused(format!("the message cannot be built: {e}")))
    }
}

#[async_trait]
impl MailRelay for SmtpRelay {
    async fn deliver(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = self.message(email)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            // A 5xx answer: the relay will not take this message, ever.
            Err(e) if e.is_permanent() => Err(MailError::Refused(e.to_string())),
            // A 4xx answer, a timeout, a lost or refused connection.
            Err(e) => Err(MailError::Unavailable(Box::new(e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_and_the_sender_are_checked_and_the_url_is_never_shown() {
        let ok = SmtpSettings::parse(
            "smtp://user:s3cret@relay.internal:2525",
            Some("Shop <shop@example.com>"),
        )
        .expect("valid");
        assert_eq!(ok.from.email.domain(), "example.com");
        assert!(!format!("{ok:?}").contains("s3cret"));

        let problems = SmtpSettings::parse("http://user:s3cret@relay", None).expect_err("invalid");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems.iter().all(|p| !p.contains("s3cret")),
            "{problems:?}"
        );

        let problems =
            SmtpSettings::parse("smtp://relay:25", Some("not an address")).expect_err("invalid");
        assert!(
            problems[0].starts_with("ECOLAURA_MAIL_FROM"),
            "{problems:?}"
        );
    }
}
