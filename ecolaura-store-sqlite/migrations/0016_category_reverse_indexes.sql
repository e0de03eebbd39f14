-- The lists of one category in the reverse orderings, read in order
-- (API.md: `ordering=`, v1 and v2; ties always by id ascending).
--
-- Migration 0014 led one index per ordering key by the category, in one
-- direction. Read backwards, it gives a reverse ordering with its ties by id
-- descending, which the planner must sort again; Postgres often chose to walk
-- the whole catalog's reverse index instead and pass over the other
-- categories' products (about 50 for every one kept with 50 categories). A
-- keyset page (API v2) of a category reads each of its two ranges from the
-- position in one of these, in order, and stops at its limit.
CREATE INDEX products_live_category_created_asc ON products (category, created_at, id) WHERE archived = 0;
CREATE INDEX products_live_category_price_desc ON products (category, price DESC, id) WHERE archived = 0;
CREATE INDEX products_live_category_score_desc ON products (category, score DESC, id) WHERE archived = 0;
CREATE INDEX products_live_category_name_desc ON products (category, lower(name) DESC, id) WHERE archived = 0;
