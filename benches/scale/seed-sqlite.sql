-- A generated catalog for the scale benchmarks: the same catalog as
-- seed-postgres.sql (see there), in SQLite's SQL. On a migrated, empty
-- Ecolaura database: sqlite3 ecolaura.db -cmd '.parameter set :products N' < seed-sqlite.sql
-- Prices are integer cents and times RFC 3339 text, as the store writes them.
.bail on
BEGIN;
INSERT INTO categories (slug, name, description, created_at)
WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c WHERE n < 49)
SELECT 'category-' || n, 'Category ' || n, '', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') FROM c;
INSERT INTO products (id, name, description, price, category, stock, manual_score, score,
                      score_source, version, created_at, updated_at)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :products),
-- Materialized, so that each random word is drawn once per product.
generated AS MATERIALIZED (
    SELECT i,
           json_extract('["sturdy","light","refillable","compact","classic","natural","durable","gentle"]', '$[' || (abs(random()) % 8) || ']') AS adjective,
           json_extract('["bottle","cup","bag","brush","jar","towel","box","lamp","shirt","mat"]', '$[' || (abs(random()) % 10) || ']') AS noun,
           json_extract('["bamboo","steel","glass","cotton","cork","wool","hemp","linen"]', '$[' || (abs(random()) % 8) || ']') AS material,
           substr('kalominerutivozequxa', 1 + 2 * (i % 10), 2)
               || substr('kalominerutivozequxa', 1 + 2 * ((i / 10) % 10), 2)
               || substr('kalominerutivozequxa', 1 + 2 * ((i / 100) % 10), 2) AS rare,
           abs(random()) % 101 AS score,
           strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || (abs(random()) % 31536000) || ' seconds') AS made
    FROM seq
)
SELECT randomblob(16),
       upper(substr(adjective, 1, 1)) || substr(adjective, 2) || ' ' || noun
           || CASE WHEN i % 2000 < 1000 THEN ' ' || rare ELSE '' END,
       'A ' || adjective || ' ' || noun || ' made of ' || material
           || CASE WHEN i % 2000 >= 1000 THEN ', ' || rare ELSE '' END
           || '. Reference ' || lower(hex(randomblob(16))) || '.',
       50 + abs(random()) % 50000,
       'category-' || (abs(random()) % 50),
       CASE WHEN abs(random()) % 10 = 0 THEN 0 ELSE abs(random()) % 1000 END,
       score, score, 'manual', 1, made, made
FROM generated;
COMMIT;
ANALYZE;
