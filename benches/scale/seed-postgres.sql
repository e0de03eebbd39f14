-- A generated catalog for the scale benchmarks: psql -v products=N -f seed-postgres.sql
-- on a migrated, empty Ecolaura database. 50 categories; each product has a
-- name and a description made of common words, a random price, stock,
-- score and creation time in the last year, and one of 1,000 rare words
-- (`kalomi`, `lokamu`, ...), so that each rare word is in exactly 0.1% of the
-- products: in the name for half of them, in the description for the rest.
-- The same catalog as seed-sqlite.sql, in Postgres's SQL.
\set ON_ERROR_STOP on
SELECT setseed(0.42);
INSERT INTO categories (slug, name, description, created_at)
SELECT 'category-' || c, 'Category ' || c, '', now() FROM generate_series(0, 49) AS c;
INSERT INTO products (id, name, description, price, category, stock, manual_score, score,
                      score_source, version, created_at, updated_at)
SELECT gen_random_uuid(),
       initcap(adjective) || ' ' || noun || CASE WHEN i % 2000 < 1000 THEN ' ' || rare ELSE '' END,
       'A ' || adjective || ' ' || noun || ' made of ' || material
           || CASE WHEN i % 2000 >= 1000 THEN ', ' || rare ELSE '' END
           || '. Reference ' || md5(i::text) || '.',
       0.50 + floor(random() * 50000) / 100,
       'category-' || floor(random() * 50),
       CASE WHEN random() < 0.1 THEN 0 ELSE floor(random() * 1000) END,
       score, score, 'manual', 1, made, made
FROM (
    SELECT i,
           (ARRAY['sturdy', 'light', 'refillable', 'compact', 'classic', 'natural', 'durable', 'gentle'])[1 + floor(random() * 8)::int] AS adjective,
           (ARRAY['bottle', 'cup', 'bag', 'brush', 'jar', 'towel', 'box', 'lamp', 'shirt', 'mat'])[1 + floor(random() * 10)::int] AS noun,
           (ARRAY['bamboo', 'steel', 'glass', 'cotton', 'cork', 'wool', 'hemp', 'linen'])[1 + floor(random() * 8)::int] AS material,
           substr('kalominerutivozequxa', 1 + 2 * (i % 10), 2)
               || substr('kalominerutivozequxa', 1 + 2 * ((i / 10) % 10), 2)
               || substr('kalominerutivozequxa', 1 + 2 * ((i / 100) % 10), 2) AS rare,
           floor(random() * 101)::int AS score,
           now() - random() * interval '365 days' AS made
    FROM generate_series(1, :products) AS i
) AS generated;
VACUUM ANALYZE;
