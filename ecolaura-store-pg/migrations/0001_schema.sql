-- Ecolaura schema, Postgres.
-- Names of constraints are part of the contract: the adapter maps them to
-- domain errors (see src/error.rs).

CREATE TABLE categories (
    slug        TEXT PRIMARY KEY CONSTRAINT categories_slug_format CHECK (slug ~ '^[a-z0-9-]{1,64}$'),
    name        TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE products (
    id                  UUID PRIMARY KEY,
    -- "C" collation: name ordering is by code point, the same on every server.
    name                TEXT COLLATE "C" NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    description         TEXT NOT NULL DEFAULT '',
    price               NUMERIC(10, 2) NOT NULL CONSTRAINT products_price_non_negative CHECK (price >= 0),
    category            TEXT NULL CONSTRAINT products_category_fkey REFERENCES categories (slug),
    stock               INTEGER NOT NULL CONSTRAINT products_stock_non_negative CHECK (stock >= 0),
    carbon_footprint_kg NUMERIC(16, 6) NULL CHECK (carbon_footprint_kg >= 0),
    recyclable          BOOLEAN NULL,
    biodegradable       BOOLEAN NULL,
    manual_score        SMALLINT NOT NULL CHECK (manual_score BETWEEN 0 AND 100),
    score               SMALLINT NOT NULL CHECK (score BETWEEN 0 AND 100),
    score_source        TEXT NOT NULL CHECK (score_source IN ('metrics', 'manual')),
    archived            BOOLEAN NOT NULL DEFAULT FALSE,
    version             BIGINT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    CONSTRAINT products_metrics_all_or_none CHECK (
        (carbon_footprint_kg IS NULL) = (recyclable IS NULL)
        AND (recyclable IS NULL) = (biodegradable IS NULL)
    )
);

-- The list orderings and filters, over live products only.
CREATE INDEX products_live_created ON products (created_at DESC, id) WHERE NOT archived;
CREATE INDEX products_live_price ON products (price, id) WHERE NOT archived;
CREATE INDEX products_live_score ON products (score, id) WHERE NOT archived;
CREATE INDEX products_live_name ON products (lower(name), id) WHERE NOT archived;
CREATE INDEX products_live_category ON products (category) WHERE NOT archived;

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('customer', 'staff')),
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE orders (
    id                   UUID PRIMARY KEY,
    user_id              UUID NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'shipped', 'delivered', 'cancelled')),
    confirmation_sent_at TIMESTAMPTZ NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_by_time ON orders (created_at DESC, id DESC);

CREATE TABLE order_lines (
    order_id                 UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position                 SMALLINT NOT NULL CHECK (position BETWEEN 0 AND 99),
    product_id               UUID NOT NULL REFERENCES products (id),
    name                     TEXT NOT NULL,
    unit_price               NUMERIC(10, 2) NOT NULL CHECK (unit_price >= 0),
    quantity                 INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
    unit_carbon_footprint_kg NUMERIC(16, 6) NULL CHECK (unit_carbon_footprint_kg >= 0),
    sustainability_score     SMALLINT NOT NULL CHECK (sustainability_score BETWEEN 0 AND 100),
    PRIMARY KEY (order_id, position),
    CONSTRAINT order_lines_one_product_once UNIQUE (order_id, product_id)
);
CREATE INDEX order_lines_by_product ON order_lines (product_id);

CREATE TABLE idempotency_keys (
    user_id     UUID NOT NULL,
    key         TEXT NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    fingerprint TEXT NOT NULL,
    outcome     JSONB NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

CREATE TABLE jobs (
    id           UUID PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      JSONB NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
    attempts     BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts BIGINT NOT NULL CHECK (max_attempts >= 1),
    run_at       TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ NULL,
    lease_token  UUID NULL,
    last_error   TEXT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
-- Claims scan only the jobs that can be claimed, earliest first.
CREATE INDEX jobs_claimable ON jobs (run_at, id) WHERE status IN ('queued', 'running');

CREATE TABLE sent_emails (
    dedup_key TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject   TEXT NOT NULL,
    body      TEXT NOT NULL,
    sent_at   TIMESTAMPTZ NOT NULL
);
