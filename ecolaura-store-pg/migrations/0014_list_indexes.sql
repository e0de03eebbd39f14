-- The product lists in each ordering, both ways (API.md: `ordering=`,
-- v1 and v2; ties always by id ascending).
--
-- Migration 0001 made one index per ordering key, in one direction. Read
-- backwards, each gives the opposite order with its ties by id descending,
-- so the reverse ordering had to sort its ties again, and SQLite's planner
-- chose to sort the whole catalog instead. Each key now has its index in
-- the other direction too, with the ties by id ascending.
--
-- The lists of one category: one index per ordering key, led by the
-- category, so a category's page is read in order and stops at its limit,
-- and its count with a price range reads the category's entries only
-- (without one, migration 0015 keeps the count). They replace
-- `products_live_category`, which each of them begins with. Within a
-- category, sorting the ties of a reverse ordering is cheap, and both
-- planners do just that.
CREATE INDEX products_live_price_desc ON products (price DESC, id) WHERE NOT archived;
CREATE INDEX products_live_score_desc ON products (score DESC, id) WHERE NOT archived;
CREATE INDEX products_live_name_desc ON products (lower(name) DESC, id) WHERE NOT archived;
CREATE INDEX products_live_created_asc ON products (created_at, id) WHERE NOT archived;

CREATE INDEX products_live_category_created ON products (category, created_at DESC, id) WHERE NOT archived;
CREATE INDEX products_live_category_price ON products (category, price, id) WHERE NOT archived;
CREATE INDEX products_live_category_score ON products (category, score, id) WHERE NOT archived;
CREATE INDEX products_live_category_name ON products (category, lower(name), id) WHERE NOT archived;
DROP INDEX products_live_category;
