-- An order keeps the currency it was placed in: changing the shop currency
-- later changes no existing order (API.md, Orders). The adapter writes the
-- column with every new order.
--
-- Orders placed before this migration were never stored with a currency, and
-- a migration cannot read the host's configuration. They get 'EUR', the shop
-- currency's default (ECOLAURA_CURRENCY, OrdersConfig::default()): right for
-- every shop that never set another. A shop that ran with another currency
-- corrects them once, by hand (docs/operations.md, "Order currency").
--
-- SQLite adds a NOT NULL column only with a default, and cannot drop it
-- without rebuilding the table (which would cascade to order_lines), so the
-- default stays here; the Postgres schema drops it.
ALTER TABLE orders
    ADD COLUMN currency TEXT NOT NULL DEFAULT 'EUR'
        CHECK (currency GLOB '[A-Z][A-Z][A-Z]');

-- The stored outcome of a placement made under an idempotency key holds the
-- order as placed; it gets the same currency, so that a repeat of such a
-- request still replays its order.
UPDATE idempotency_keys
SET outcome = json_set(outcome, '$.value.currency', 'EUR')
WHERE json_extract(outcome, '$.outcome') = 'placed'
  AND json_type(outcome, '$.value.currency') IS NULL;
