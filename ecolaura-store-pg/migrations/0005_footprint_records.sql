-- Product carbon footprint records (API-SUSTAINABILITY.md, section 1; ISO
-- 14067 and the PACT Technical Specification). At most one record per
-- product; while it exists, the product's carbon_footprint_kg is its
-- per-item figure and footprint_source says 'record'. Both are written in
-- one transaction by the adapter.
--
-- A constant default makes the new column instant on Postgres 11+ (no table
-- rewrite, whatever the number of products); every existing figure was
-- declared by staff.
ALTER TABLE products
    ADD COLUMN footprint_source TEXT NOT NULL DEFAULT 'declared'
        CONSTRAINT products_footprint_source_known CHECK (footprint_source IN ('declared', 'record'));

CREATE TABLE product_footprints (
    product_id                UUID PRIMARY KEY REFERENCES products (id),
    declared_unit             TEXT NOT NULL CHECK (declared_unit IN (
        'piece', 'kilogram', 'liter', 'cubic_meter', 'square_meter',
        'kilowatt_hour', 'megajoule', 'ton_kilometer')),
    -- kg CO2e per declared unit, to the gram; the amount to the milli-gram
    -- of a kilogram (or the millionth of any unit).
    unitary_product_amount    NUMERIC(13, 6) NOT NULL CHECK (unitary_product_amount > 0),
    pcf_excluding_biogenic_kg NUMERIC(13, 3) NOT NULL CHECK (pcf_excluding_biogenic_kg >= 0),
    pcf_including_biogenic_kg NUMERIC(13, 3) NOT NULL,
    boundary                  TEXT NOT NULL CHECK (boundary IN (
        'cradle-to-gate', 'cradle-to-grave', 'gate-to-gate')),
    reference_period_start    DATE NOT NULL,
    reference_period_end      DATE NOT NULL,
    valid_until               DATE NOT NULL,
    geography                 TEXT NOT NULL CHECK (geography = 'GLOBAL' OR geography ~ '^[A-Z]{2}$'),
    primary_data_share        NUMERIC(5, 2) NULL CHECK (primary_data_share BETWEEN 0 AND 100),
    -- A JSON array of strings.
    standards                 TEXT NOT NULL,
    -- NULL: no verification was stated (then neither detail is set).
    verified                  BOOLEAN NULL,
    verification_provider     TEXT NULL,
    verification_date         DATE NULL,
    updated_at                TIMESTAMPTZ NOT NULL,
    CHECK (reference_period_end > reference_period_start),
    CHECK (valid_until >= reference_period_end),
    CHECK (verified IS NOT NULL OR (verification_provider IS NULL AND verification_date IS NULL))
);
