//! Sessions, passwords, reset tokens and failed logins on SQLite.
//!
//! Every write holds the store's write lock, so each conditional update
//! sees the row as the last writer left it, and a password change or reset
//! is one immediate transaction.

use async_trait::async_trait;
use ecolaura_core::accounts::{
    PasswordHash, PasswordReset, ResetDigest, Revoke, Session, ThrottleKey,
};
use ecolaura_core::domain::{SessionId, Timestamp, UserId};
use ecolaura_core::ports::{LoginThrottleStore, SessionStore, StoreError};
use ecolaura_store_sql::records::SessionRecord;
use ecolaura_store_sql::statements as sql;
use uuid::Uuid;

use crate::error::store_error;
use crate::{SqliteStore, built, execute, optional};

#[async_trait]
impl SessionStore for SqliteStore {
    async fn insert_session(&self, session: &Session) -> Result<(), StoreError> {
        self.write_one(&built(sql::insert_session(session))?)
            .await
            .map(|_| ())
    }

    async fn get_session(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        let row: Option<SessionRecord> = optional(self.pool(), &sql::select_session(id)).await?;
        Ok(row.map(Session::from))
    }

    async fn rotate_refresh_token(
        &self,
        id: SessionId,
        spent: Uuid,
        next: Uuid,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let stmt = sql::rotate_refresh_token(id, spent, next, expires_at, now);
        Ok(self.write_one(&stmt).await? == 1)
    }

    async fn revoke_session(&self, id: SessionId, now: Timestamp) -> Result<bool, StoreError> {
        Ok(self.write_one(&sql::revoke_session(id, now)).await? == 1)
    }

    async fn revoke_sessions(
        &self,
        user: UserId,
        which: Revoke,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        self.write_one(&sql::revoke_sessions(user, which, now))
            .await
    }

    async fn change_password(
        &self,
        user: UserId,
        hash: &PasswordHash,
        which: Revoke,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let (_writer, mut tx) = self.write().await?;
        if execute(&mut *tx, &sql::set_password_hash(user, hash)).await? == 0 {
            return Ok(false);
        }
        execute(&mut *tx, &sql::revoke_sessions(user, which, now)).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(true)
    }

    async fn insert_password_reset(&self, reset: &PasswordReset) -> Result<(), StoreError> {
        self.write_one(&built(sql::insert_password_reset(reset))?)
            .await
            .map(|_| ())
    }

    async fn count_live_password_resets(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let stmt = sql::count_live_password_resets(user, now);
        let row: Option<(i64,)> = optional(self.pool(), &stmt).await?;
        Ok(row.map_or(0, |(n,)| u64::try_from(n).unwrap_or(0)))
    }

    async fn redeem_password_reset(
        &self,
        digest: &ResetDigest,
        hash: &PasswordHash,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError> {
        let (_writer, mut tx) = self.write().await?;
        let used: Option<(Uuid,)> =
            optional(&mut *tx, &sql::use_password_reset(digest, now)).await?;
        let Some((user,)) = used else {
            return Ok(None);
        };
        let user = UserId::from_uuid(user);
        if execute(&mut *tx, &sql::set_password_hash(user, hash)).await? == 0 {
            return Ok(None);
        }
        execute(&mut *tx, &sql::revoke_sessions(user, Revoke::All, now)).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(Some(user))
    }

    async fn purge_sessions(&self, before: Timestamp) -> Result<u64, StoreError> {
        let sessions = self.write_one(&sql::purge_sessions(before)).await?;
        let resets = self.write_one(&sql::purge_password_resets(before)).await?;
        Ok(sessions + resets)
    }
}

#[async_trait]
impl LoginThrottleStore for SqliteStore {
    async fn record_login_failure(
        &self,
        keys: &[ThrottleKey],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        self.write_one(&built(sql::insert_login_failures(keys, at))?)
            .await
            .map(|_| ())
    }

    async fn nth_latest_login_failure(
        &self,
        key: &ThrottleKey,
        n: u32,
        since: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        let stmt = sql::nth_latest_login_failure(key, n, since);
        let row: Option<(Timestamp,)> = optional(self.pool(), &stmt).await?;
        Ok(row.map(|(t,)| t))
    }

    async fn purge_login_failures(&self, before: Timestamp) -> Result<u64, StoreError> {
        self.write_one(&sql::purge_login_failures(before)).await
    }
}
