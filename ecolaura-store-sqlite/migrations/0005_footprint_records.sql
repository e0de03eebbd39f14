-- Product carbon footprint records (API-SUSTAINABILITY.md, section 1; ISO
-- 14067 and the PACT Technical Specification). At most one record per
-- product; while it exists, the product's carbon_footprint_kg is its
-- per-item figure and footprint_source says 'record'. Both are written in
-- one transaction by the adapter.
--
-- Every existing figure was declared by staff. SQLite adds a NOT NULL
-- column only with a default.
ALTER TABLE products
    ADD COLUMN footprint_source TEXT NOT NULL DEFAULT 'declared'
        CHECK (footprint_source IN ('declared', 'record'));

-- Decimal figures are kept as their digits (TEXT): SQLite has no decimal
-- type, and nothing here is compared or summed in SQL. Dates are
-- 'YYYY-MM-DD'.
CREATE TABLE product_footprints (
    product_id                BLOB PRIMARY KEY REFERENCES products (id),
    declared_unit             TEXT NOT NULL CHECK (declared_unit IN (
        'piece', 'kilogram', 'liter', 'cubic_meter', 'square_meter',
        'kilowatt_hour', 'megajoule', 'ton_kilometer')),
    unitary_product_amount    TEXT NOT NULL,
    pcf_excluding_biogenic_kg TEXT NOT NULL,
    pcf_including_biogenic_kg TEXT NOT NULL,
    boundary                  TEXT NOT NULL CHECK (boundary IN (
        'cradle-to-gate', 'cradle-to-grave', 'gate-to-gate')),
    reference_period_start    TEXT NOT NULL,
    reference_period_end      TEXT NOT NULL,
    valid_until               TEXT NOT NULL,
    geography                 TEXT NOT NULL CHECK (geography = 'GLOBAL' OR geography GLOB '[A-Z][A-Z]'),
    primary_data_share        TEXT NULL,
    -- A JSON array of strings.
    standards                 TEXT NOT NULL CHECK (json_type(standards) = 'array'),
    -- NULL: no verification was stated (then neither detail is set).
    verified                  INTEGER NULL CHECK (verified IN (0, 1)),
    verification_provider     TEXT NULL,
    verification_date         TEXT NULL,
    updated_at                TEXT NOT NULL,
    CHECK (reference_period_end > reference_period_start),
    CHECK (valid_until >= reference_period_end),
    CHECK (verified IS NOT NULL OR (verification_provider IS NULL AND verification_date IS NULL))
) STRICT;
