-- Ecolaura schema, SQLite. STRICT tables: a value of the wrong type is an
-- error, not a silent conversion. Money is integer cents and footprints are
-- integer micro-kilograms (SQLite has no decimal type), so filters, orderings
-- and sums are numeric and exact. Ids are 16-byte UUID blobs; times are
-- RFC 3339 text in UTC, whose text order is their time order.

CREATE TABLE categories (
    slug        TEXT PRIMARY KEY CHECK (length(slug) BETWEEN 1 AND 64 AND slug NOT GLOB '*[^a-z0-9-]*'),
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE products (
    id                  BLOB PRIMARY KEY,
    name                TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    price               INTEGER NOT NULL CHECK (price BETWEEN 0 AND 9999999999),
    category            TEXT NULL REFERENCES categories (slug),
    stock               INTEGER NOT NULL CHECK (stock >= 0),
    carbon_footprint_kg INTEGER NULL CHECK (carbon_footprint_kg >= 0),
    recyclable          INTEGER NULL CHECK (recyclable IN (0, 1)),
    biodegradable       INTEGER NULL CHECK (biodegradable IN (0, 1)),
    manual_score        INTEGER NOT NULL CHECK (manual_score BETWEEN 0 AND 100),
    score               INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    score_source        TEXT NOT NULL CHECK (score_source IN ('metrics', 'manual')),
    archived            INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    version             INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CHECK ((carbon_footprint_kg IS NULL) = (recyclable IS NULL) AND (recyclable IS NULL) = (biodegradable IS NULL))
) STRICT;
CREATE INDEX products_live_created ON products (created_at DESC, id) WHERE archived = 0;
CREATE INDEX products_live_price ON products (price, id) WHERE archived = 0;
CREATE INDEX products_live_score ON products (score, id) WHERE archived = 0;
CREATE INDEX products_live_name ON products (lower(name), id) WHERE archived = 0;
CREATE INDEX products_live_category ON products (category) WHERE archived = 0;

CREATE TABLE users (
    id            BLOB PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('customer', 'staff')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE orders (
    id                   BLOB PRIMARY KEY,
    user_id              BLOB NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'shipped', 'delivered', 'cancelled')),
    confirmation_sent_at TEXT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_by_time ON orders (created_at DESC, id DESC);

CREATE TABLE order_lines (
    order_id                 BLOB NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position                 INTEGER NOT NULL CHECK (position BETWEEN 0 AND 99),
    product_id               BLOB NOT NULL REFERENCES products (id),
    name                     TEXT NOT NULL,
    unit_price               INTEGER NOT NULL CHECK (unit_price >= 0),
    quantity                 INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
    unit_carbon_footprint_kg INTEGER NULL CHECK (unit_carbon_footprint_kg >= 0),
    sustainability_score     INTEGER NOT NULL CHECK (sustainability_score BETWEEN 0 AND 100),
    PRIMARY KEY (order_id, position),
    UNIQUE (order_id, product_id)
) STRICT;
CREATE INDEX order_lines_by_product ON order_lines (product_id);

CREATE TABLE idempotency_keys (
    user_id     BLOB NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT;
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

CREATE TABLE jobs (
    id           BLOB PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    run_at       TEXT NOT NULL,
    locked_until TEXT NULL,
    lease_token  BLOB NULL,
    last_error   TEXT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;
CREATE INDEX jobs_claimable ON jobs (run_at, id) WHERE status IN ('queued', 'running');

CREATE TABLE sent_emails (
    dedup_key TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject   TEXT NOT NULL,
    body      TEXT NOT NULL,
    sent_at   TEXT NOT NULL
) STRICT;
