-- Login sessions, password-reset tokens and failed logins (see the Postgres
-- migration of the same name).

CREATE TABLE sessions (
    id               BLOB PRIMARY KEY,
    user_id          BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_token_id BLOB NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    revoked_at       TEXT NULL
) STRICT;
CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

CREATE TABLE password_resets (
    digest     TEXT PRIMARY KEY CHECK (length(digest) = 64),
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT NULL
) STRICT;
CREATE INDEX password_resets_by_user ON password_resets (user_id);
CREATE INDEX password_resets_expiry ON password_resets (expires_at);

CREATE TABLE login_failures (
    key       TEXT NOT NULL CHECK (length(key) <= 300),
    failed_at TEXT NOT NULL
) STRICT;
CREATE INDEX login_failures_by_key ON login_failures (key, failed_at DESC);
CREATE INDEX login_failures_by_time ON login_failures (failed_at);
