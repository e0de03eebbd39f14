-- The product lists of one category, in each ordering (API.md: `category=`
-- with `ordering=`, v1 and v2): one index per ordering key, led by the
-- category, so a category's page is read in order and stops at its limit,
-- and its count (with a price range too, for the price index) reads the
-- category's entries only. They replace `products_live_category`, which
-- each of them begins with.
CREATE INDEX products_live_category_created ON products (category, created_at DESC, id) WHERE archived = 0;
CREATE INDEX products_live_category_price ON products (category, price, id) WHERE archived = 0;
CREATE INDEX products_live_category_score ON products (category, score, id) WHERE archived = 0;
CREATE INDEX products_live_category_name ON products (category, lower(name), id) WHERE archived = 0;
DROP INDEX products_live_category;
