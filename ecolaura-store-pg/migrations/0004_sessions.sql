-- Login sessions, password-reset tokens and failed logins (API.md, "Auth and
-- users"). Each table has an index for every lookup and for its purge, so no
-- statement's cost grows with rows that other users or keys own.

CREATE TABLE sessions (
    id               UUID PRIMARY KEY,
    user_id          UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The jti of the one refresh token that may be spent next.
    refresh_token_id UUID NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL,
    revoked_at       TIMESTAMPTZ NULL
);
CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- Only the SHA-256 digest of a reset token is kept.
CREATE TABLE password_resets (
    digest     TEXT PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{64}$'),
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ NULL
);
CREATE INDEX password_resets_by_user ON password_resets (user_id);
CREATE INDEX password_resets_expiry ON password_resets (expires_at);

-- One row per failed login and key (`email:<address>`, `client:<ip>`).
CREATE TABLE login_failures (
    key       TEXT NOT NULL CHECK (char_length(key) <= 300),
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (key, failed_at DESC);
CREATE INDEX login_failures_by_time ON login_failures (failed_at);
