//! Statements of login sessions, passwords, reset tokens and failed logins.

use ecolaura_core::accounts::{
    PasswordHash, PasswordReset, ResetDigest, Revoke, Session, ThrottleKey,
};
use ecolaura_core::domain::{PersonName, SessionId, Timestamp, UserId};
use sea_query::{
    DeleteStatement, Expr, ExprTrait, InsertStatement, Order as Sort, Query, SelectStatement,
    UpdateStatement,
};
use uuid::Uuid;

use super::{BuildResult, USER_COLUMNS, ts, uuid};
use crate::schema::{LoginFailures, PasswordResets, Sessions, Users};

/// The columns of a [`SessionRecord`](crate::records::SessionRecord).
pub const SESSION_COLUMNS: [Sessions; 6] = [
    Sessions::Id,
    Sessions::UserId,
    Sessions::RefreshTokenId,
    Sessions::CreatedAt,
    Sessions::ExpiresAt,
    Sessions::RevokedAt,
];

/// `INSERT INTO sessions …`
pub fn insert_session(s: &Session) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(Sessions::Table)
        .columns(SESSION_COLUMNS)
        .values([
            uuid(s.id),
            uuid(s.user_id),
            Expr::val(s.refresh_token_id),
            ts(s.created_at),
            ts(s.expires_at),
            Expr::val(s.revoked_at),
        ])?;
    Ok(q)
}

/// The session with this id.
pub fn select_session(id: SessionId) -> SelectStatement {
    let mut q = Query::select();
    q.columns(SESSION_COLUMNS)
        .from(Sessions::Table)
        .and_where(Expr::col(Sessions::Id).eq(uuid(id)));
    q
}

/// Sessions neither revoked nor expired at `now`.
fn live(q: &mut UpdateStatement, now: Timestamp) {
    q.and_where(Expr::col(Sessions::RevokedAt).is_null())
        .and_where(Expr::col(Sessions::ExpiresAt).gt(ts(now)));
}

/// Make `next` the current refresh token of live session `id` whose current
/// token is `spent`; one row changes, or none.
pub fn rotate_refresh_token(
    id: SessionId,
    spent: Uuid,
    next: Uuid,
    expires_at: Timestamp,
    now: Timestamp,
) -> UpdateStatement {
    let mut q = Query::update();
    q.table(Sessions::Table)
        .value(Sessions::RefreshTokenId, Expr::val(next))
        .value(Sessions::ExpiresAt, ts(expires_at))
        .and_where(Expr::col(Sessions::Id).eq(uuid(id)))
        .and_where(Expr::col(Sessions::RefreshTokenId).eq(Expr::val(spent)));
    live(&mut q, now);
    q
}

/// Revoke live session `id`.
pub fn revoke_session(id: SessionId, now: Timestamp) -> UpdateStatement {
    let mut q = Query::update();
    q.table(Sessions::Table)
        .value(Sessions::RevokedAt, ts(now))
        .and_where(Expr::col(Sessions::Id).eq(uuid(id)));
    live(&mut q, now);
    q
}

/// Revoke `user`'s unrevoked sessions that `which` ends.
pub fn revoke_sessions(user: UserId, which: Revoke, now: Timestamp) -> UpdateStatement {
    let mut q = Query::update();
    q.table(Sessions::Table)
        .value(Sessions::RevokedAt, ts(now))
        .and_where(Expr::col(Sessions::UserId).eq(uuid(user)))
        .and_where(Expr::col(Sessions::RevokedAt).is_null());
    if let Revoke::AllBut(kept) = which {
        q.and_where(Expr::col(Sessions::Id).ne(uuid(kept)));
    }
    q
}

/// Delete sessions that expired or were revoked before `before`.
pub fn purge_sessions(before: Timestamp) -> DeleteStatement {
    let mut q = Query::delete();
    q.from_table(Sessions::Table).cond_where(
        Expr::col(Sessions::ExpiresAt)
            .lt(ts(before))
            .or(Expr::col(Sessions::RevokedAt).lt(ts(before))),
    );
    q
}

/// Set `user`'s password hash.
pub fn set_password_hash(user: UserId, hash: &PasswordHash) -> UpdateStatement {
    let mut q = Query::update();
    q.table(Users::Table)
        .value(Users::PasswordHash, hash.as_phc())
        .and_where(Expr::col(Users::Id).eq(uuid(user)));
    q
}

/// Rename `user`, returning the user as renamed.
pub fn rename_user(user: UserId, name: &PersonName) -> UpdateStatement {
    let mut q = Query::update();
    q.table(Users::Table)
        .value(Users::Name, name.as_str())
        .and_where(Expr::col(Users::Id).eq(uuid(user)))
        .returning(Query::returning().columns(USER_COLUMNS));
    q
}

/// `INSERT INTO password_resets …`
pub fn insert_password_reset(r: &PasswordReset) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(PasswordResets::Table)
        .columns([
            PasswordResets::Digest,
            PasswordResets::UserId,
            PasswordResets::CreatedAt,
            PasswordResets::ExpiresAt,
        ])
        .values([
            r.digest.as_str().into(),
            uuid(r.user_id),
            ts(r.created_at),
            ts(r.expires_at),
        ])?;
    Ok(q)
}

/// How many of `user`'s reset tokens are unused and unexpired at `now`.
pub fn count_live_password_resets(user: UserId, now: Timestamp) -> SelectStatement {
    let mut q = Query::select();
    q.expr(Expr::col(PasswordResets::Digest).count())
        .from(PasswordResets::Table)
        .and_where(Expr::col(PasswordResets::UserId).eq(uuid(user)))
        .and_where(Expr::col(PasswordResets::UsedAt).is_null())
        .and_where(Expr::col(PasswordResets::ExpiresAt).gt(ts(now)));
    q
}

/// Mark an unused token unexpired at `now` as used, returning its user.
pub fn use_password_reset(digest: &ResetDigest, now: Timestamp) -> UpdateStatement {
    let mut q = Query::update();
    q.table(PasswordResets::Table)
        .value(PasswordResets::UsedAt, ts(now))
        .and_where(Expr::col(PasswordResets::Digest).eq(digest.as_str()))
        .and_where(Expr::col(PasswordResets::UsedAt).is_null())
        .and_where(Expr::col(PasswordResets::ExpiresAt).gt(ts(now)))
        .returning_col(PasswordResets::UserId);
    q
}

/// Delete reset tokens that expired or were used before `before`.
pub fn purge_password_resets(before: Timestamp) -> DeleteStatement {
    let mut q = Query::delete();
    q.from_table(PasswordResets::Table).cond_where(
        Expr::col(PasswordResets::ExpiresAt)
            .lt(ts(before))
            .or(Expr::col(PasswordResets::UsedAt).lt(ts(before))),
    );
    q
}

/// One failure at `at` for each of `keys` (which must not be empty).
pub fn insert_login_failures(keys: &[ThrottleKey], at: Timestamp) -> BuildResult<InsertStatement> {
    let mut q = Query::insert();
    q.into_table(LoginFailures::Table)
        .columns([LoginFailures::Key, LoginFailures::FailedAt]);
    for key in keys {
        q.values([key.to_string().into(), ts(at)])?;
    }
    Ok(q)
}

/// The time of `key`'s `n`-th most recent failure (1 = latest) strictly
/// after `since`: one index range read, newest first.
pub fn nth_latest_login_failure(key: &ThrottleKey, n: u32, since: Timestamp) -> SelectStatement {
    let mut q = Query::select();
    q.column(LoginFailures::FailedAt)
        .from(LoginFailures::Table)
        .and_where(Expr::col(LoginFailures::Key).eq(key.to_string()))
        .and_where(Expr::col(LoginFailures::FailedAt).gt(ts(since)))
        .order_by(LoginFailures::FailedAt, Sort::Desc)
        .limit(1)
        .offset(u64::from(n.saturating_sub(1)));
    q
}

/// Delete failures before `before`.
pub fn purge_login_failures(before: Timestamp) -> DeleteStatement {
    let mut q = Query::delete();
    q.from_table(LoginFailures::Table)
        .and_where(Expr::col(LoginFailures::FailedAt).lt(ts(before)));
    q
}
