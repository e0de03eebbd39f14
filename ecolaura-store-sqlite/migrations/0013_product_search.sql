-- Indexed search (API.md, "API v2"): `search=` keeps its meaning, a
-- case-insensitive substring of the name or the description, and is served
-- by an FTS5 index with the trigram tokenizer instead of a scan of the table.
--
-- The index is external-content: it keeps the trigrams only and names each
-- product by its rowid (products are archived, never deleted, and VACUUM
-- keeps the rowids of a table with indexes; a test checks both). Triggers
-- keep it in step with every write, in the writing transaction.
--
-- `detail = 'none'` keeps which products hold a trigram, not where (a
-- much smaller index), so a search asks for all of its term's trigrams (an
-- AND), not their order. The trigram tokenizer also folds case over all of
-- Unicode, wider than the ASCII-only `lower()` the LIKE uses. So the index
-- finds a superset of the matches and the statement keeps the LIKE as the
-- final word: the results are exactly those of the scan they replace.
-- A term of fewer than three characters has no trigram and is served by
-- the LIKE alone (docs/operations.md).
CREATE VIRTUAL TABLE products_search USING fts5(
    name,
    description,
    content = 'products',
    content_rowid = 'rowid',
    tokenize = 'trigram',
    detail = 'none'
);

INSERT INTO products_search (products_search) VALUES ('rebuild');

CREATE TRIGGER products_search_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_search (rowid, name, description)
    VALUES (new.rowid, new.name, new.description);
END;

CREATE TRIGGER products_search_update AFTER UPDATE OF name, description ON products
WHEN old.name IS NOT new.name OR old.description IS NOT new.description BEGIN
    INSERT INTO products_search (products_search, rowid, name, description)
    VALUES ('delete', old.rowid, old.name, old.description);
    INSERT INTO products_search (rowid, name, description)
    VALUES (new.rowid, new.name, new.description);
END;

CREATE TRIGGER products_search_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_search (products_search, rowid, name, description)
    VALUES ('delete', old.rowid, old.name, old.description);
END;
