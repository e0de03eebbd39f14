-- The number of live products in each category ('' for products without
-- one), kept by triggers in the transaction of every write that changes
-- it, so that a list's count is read in one row per category instead of
-- counting the catalog (see the Postgres migration; SQLite has one writer
-- at a time, so the order of the counters' updates does not matter).
CREATE TABLE product_counts (
    category TEXT PRIMARY KEY,
    live     INTEGER NOT NULL CHECK (live >= 0)
) STRICT;

INSERT INTO product_counts (category, live)
SELECT coalesce(category, ''), count(*) FROM products WHERE archived = 0 GROUP BY 1;

CREATE TRIGGER product_counts_insert AFTER INSERT ON products WHEN new.archived = 0 BEGIN
    INSERT INTO product_counts (category, live) VALUES (coalesce(new.category, ''), 1)
    ON CONFLICT (category) DO UPDATE SET live = live + 1;
END;

CREATE TRIGGER product_counts_delete AFTER DELETE ON products WHEN old.archived = 0 BEGIN
    UPDATE product_counts SET live = live - 1 WHERE category = coalesce(old.category, '');
END;

CREATE TRIGGER product_counts_update AFTER UPDATE OF archived, category ON products
WHEN old.archived IS NOT new.archived OR old.category IS NOT new.category BEGIN
    UPDATE product_counts SET live = live - 1
    WHERE old.archived = 0 AND category = coalesce(old.category, '');
    INSERT INTO product_counts (category, live)
    SELECT coalesce(new.category, ''), 1 WHERE new.archived = 0
    ON CONFLICT (category) DO UPDATE SET live = live + 1;
END;
