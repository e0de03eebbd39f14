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
-- The default only fills the existing rows (without rewriting the table) and
-- is dropped at once: an insert that does not say its currency fails, rather
-- than silently getting one.
ALTER TABLE orders
    ADD COLUMN currency TEXT NOT NULL DEFAULT 'EUR'
        CONSTRAINT orders_currency_format CHECK (currency ~ '^[A-Z]{3}$');
ALTER TABLE orders ALTER COLUMN currency DROP DEFAULT;

-- The stored outcome of a placement made under an idempotency key holds the
-- order as placed; it gets the same currency, so that a repeat of such a
-- request still replays its order.
UPDATE idempotency_keys
SET outcome = jsonb_set(outcome, '{value,currency}', '"EUR"')
WHERE outcome ->> 'outcome' = 'placed'
  AND NOT ((outcome -> 'value') ? 'currency');
