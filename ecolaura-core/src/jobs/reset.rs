//! The password-reset job: makes a single-use token and mails it.

use std::sync::Arc;

use async_trait::async_trait;

use super::worker::{JobError, JobHandler};
use super::{Job, JobKind, ShopMail};
use crate::accounts::{
    MAX_LIVE_RESET_TOKENS, PasswordReset, RESET_TOKEN_LIFETIME, ResetToken, User,
};
use crate::domain::JobId;
use crate::mail::OutgoingEmail;
use crate::ports::{AccountStore, Clock, MailError, Mailer, SessionStore, StoreError};

/// Runs `send_password_reset`.
///
/// Idempotent: the e-mail's dedup key is the job's id, and a job whose
/// e-mail went already does nothing. An address without an account, or
/// whose account already holds [`MAX_LIVE_RESET_TOKENS`] live tokens, gets
/// no mail.
#[derive(Clone)]
pub struct PasswordResetHandler {
    accounts: Arc<dyn AccountStore>,
    sessions: Arc<dyn SessionStore>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    shop: ShopMail,
}

/// The dedup key of the e-mail sent by one password-reset job.
pub fn password_reset_key(job: JobId) -> String {
    format!("password-reset/{job}")
}

fn retry(e: StoreError) -> JobError {
    JobError::Retry(e.to_string())
}

impl PasswordResetHandler {
    /// Wire the handler.
    pub fn new(
        accounts: Arc<dyn AccountStore>,
        sessions: Arc<dyn SessionStore>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        shop: ShopMail,
    ) -> Self {
        Self {
            accounts,
            sessions,
            mailer,
            clock,
            shop,
        }
    }

    fn email(&self, job: JobId, user: &User, token: &ResetToken) -> OutgoingEmail {
        let minutes = RESET_TOKEN_LIFETIME.as_secs() / 60;
        OutgoingEmail {
            dedup_key: password_reset_key(job),
            to: user.email.clone(),
            subject: format!("{}: reset your password", self.shop.shop_name),
            body: format!(
                "Hello {},\n\nsomeone asked to reset the password of your {} account.\n\
                 If it was you, send this token with a new password to\n\
                 POST /api/v1/auth/password-reset/confirm within {minutes} minutes:\n\n  {}\n\n\
                 It works once. If it was not you, ignore this message: your password stays as it is.\n\n{}\n",
                user.name,
                self.shop.shop_name,
                token.expose(),
                self.shop.shop_name
            ),
        }
    }
}

#[async_trait]
impl JobHandler for PasswordResetHandler {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        if job.kind != JobKind::SendPasswordReset {
            return Err(JobError::Permanent(format!(
                "{} is not a reset job",
                job.kind
            )));
        }
        let asked = job
            .password_reset_job()
            .map_err(|e| JobError::Permanent(format!("bad payload: {e}")))?;
        let key = password_reset_key(job.id);
        if self
            .mailer
            .find_sent(&key)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?
            .is_some()
        {
            return Ok(());
        }
        let Some(user) = self
            .accounts
            .find_user_by_email(&asked.email)
            .await
            .map_err(retry)?
        else {
            return Ok(());
        };
        let now = self.clock.now();
        let live = self
            .sessions
            .count_live_password_resets(user.id, now)
            .await
            .map_err(retry)?;
        if live >= MAX_LIVE_RESET_TOKENS {
            tracing::info!(user_id = %user.id, "password reset not sent: enough live tokens");
            return Ok(());
        }
        let token = ResetToken::generate().map_err(|e| JobError::Retry(e.to_string()))?;
        self.sessions
            .insert_password_reset(&PasswordReset::new(&token, user.id, now))
            .await
            .map_err(retry)?;
        self.mailer
            .send(&self.email(job.id, &user, &token), now)
            .await
            .map_err(|e| match e {
                MailError::Refused(msg) => JobError::Permanent(msg),
                other => JobError::Retry(other.to_string()),
            })?;
        tracing::info!(user_id = %user.id, "password-reset e-mail sent");
        Ok(())
    }
}
