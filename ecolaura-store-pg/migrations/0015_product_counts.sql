-- The number of live products in each category ('' for products without
-- one), kept by triggers in the transaction of every write that changes
-- it, so that a list's count is read in one row per category instead of
-- counting the catalog: the whole catalog's page and a category's page
-- (v1 always carries its count) cost their page, not a million rows.
-- Lists with any other filter still count their matches, from the
-- filter's index.
CREATE TABLE product_counts (
    category TEXT PRIMARY KEY,
    live     BIGINT NOT NULL CHECK (live >= 0)
);

INSERT INTO product_counts (category, live)
SELECT coalesce(category, ''), count(*) FROM products WHERE NOT archived GROUP BY 1;

-- A category's first product makes its row; a product leaving one finds
-- its row there (an upsert would check the new row, -1, before the
-- conflict).
CREATE FUNCTION product_counts_add(slug TEXT, delta BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF delta < 0 THEN
        UPDATE product_counts SET live = live + delta WHERE category = coalesce(slug, '');
    ELSE
        INSERT INTO product_counts (category, live) VALUES (coalesce(slug, ''), delta)
        ON CONFLICT (category) DO UPDATE SET live = product_counts.live + excluded.live;
    END IF;
END
$$;

-- Archives, deletes and moves, which the library makes one product at a
-- time, are counted row by row.
CREATE FUNCTION product_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT OLD.archived THEN
            PERFORM product_counts_add(OLD.category, -1);
        END IF;
    -- A move between categories locks the two counters in one order (by
    -- slug), whichever way it goes, so two opposite moves cannot deadlock.
    ELSIF coalesce(OLD.category, '') <= coalesce(NEW.category, '') THEN
        IF NOT OLD.archived THEN
            PERFORM product_counts_add(OLD.category, -1);
        END IF;
        IF NOT NEW.archived THEN
            PERFORM product_counts_add(NEW.category, 1);
        END IF;
    ELSE
        IF NOT NEW.archived THEN
            PERFORM product_counts_add(NEW.category, 1);
        END IF;
        IF NOT OLD.archived THEN
            PERFORM product_counts_add(OLD.category, -1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- Inserts are counted once per statement, a category at a time, in slug
-- order: a bulk insert (an import) updates each counter once. Counted row
-- by row, it would update one counter row once per product, and every
-- update in one transaction adds a version of the row that the next must
-- step over (200,000 products in one INSERT ran past the statement
-- timeout).
CREATE FUNCTION product_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO product_counts (category, live)
    SELECT coalesce(category, ''), count(*) FROM inserted WHERE NOT archived
    GROUP BY 1 ORDER BY 1
    ON CONFLICT (category) DO UPDATE SET live = product_counts.live + excluded.live;
    RETURN NULL;
END
$$;

CREATE TRIGGER product_counts_insert AFTER INSERT ON products
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION product_counts_inserted();
CREATE TRIGGER product_counts_delete AFTER DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION product_counts_follow();
CREATE TRIGGER product_counts_update AFTER UPDATE OF archived, category ON products
    FOR EACH ROW
    WHEN (OLD.archived IS DISTINCT FROM NEW.archived OR OLD.category IS DISTINCT FROM NEW.category)
    EXECUTE FUNCTION product_counts_follow();
