-- Every score carries the method that computed it and when
-- (API-SUSTAINABILITY.md, section 3): `manual` or `name@version`.
--
-- Nullable, without a default, so that the columns are added without
-- rewriting the table. A NULL is a
-- score written before methods were kept: the adapters read it as the one
-- method that existed then (`ecolaura-default@1` for a score from metrics,
-- `manual` otherwise) computed at the product's last write, and the next
-- write of the product stores both.
ALTER TABLE products
    ADD COLUMN score_method TEXT;
ALTER TABLE products
    ADD COLUMN score_computed_at TEXT;

-- An order line keeps the method of the score it was ordered with; NULL for
-- lines ordered before methods were kept (the wire shows null).
ALTER TABLE order_lines ADD COLUMN score_method TEXT;
