-- A product's composition for its Digital Product Passport
-- (API-SUSTAINABILITY.md, section 4): materials with their shares and
-- recycled content, origin, manufacturer, care and disposal. Kept as one
-- JSON document, written in the same transaction as a version bump of its
-- product (so cached reads of the product are dropped on every host);
-- the rules are checked in core before it is written.
CREATE TABLE product_compositions (
    product_id  BLOB PRIMARY KEY REFERENCES products (id),
    document    TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
