-- Discarded stock and the ESPR disclosure (API-SUSTAINABILITY.md, section 6).
--
-- A category may be under the ban on destroying unsold products (ESPR
-- art. 25: apparel and footwear). A constant default: no rewrite of the table.
ALTER TABLE categories ADD COLUMN destruction_banned BOOLEAN NOT NULL DEFAULT FALSE;

-- The ledger: one row per discard, written in the same transaction as the
-- stock it takes. It keeps the product's category and unit weight (integer
-- grams) as they were, so that the yearly report does not change when the
-- product does. Append-only: the triggers below refuse any change.
CREATE TABLE discards (
    id              UUID PRIMARY KEY,
    product_id      UUID NOT NULL REFERENCES products (id),
    category        TEXT NULL,
    quantity        BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 1000000000),
    unit_weight_g   BIGINT NULL CHECK (unit_weight_g > 0),
    reason          TEXT NOT NULL CHECK (reason IN (
        'unsold', 'returned', 'damaged', 'expired', 'recalled', 'safety')),
    destination     TEXT NOT NULL CHECK (destination IN (
        'reuse', 'donation', 'remanufacture', 'recycling', 'energy_recovery',
        'incineration', 'landfill')),
    derogation      TEXT NULL CHECK (derogation IN (
        'dangerous', 'non_compliant', 'ip_infringement', 'licence_expired',
        'unremovable_marks', 'unrepairable_damage', 'manufacturing_defect',
        'donation_refused', 'no_charity_recipient', 'no_reuse_recipient')),
    note            TEXT NULL,
    recorded_by     UUID NULL,
    recorded_at     TIMESTAMPTZ NOT NULL
);
-- A product's entries, newest first.
CREATE INDEX discards_by_product ON discards (product_id, recorded_at DESC, id DESC);
-- A year's entries, for the report.
CREATE INDEX discards_by_time ON discards (recorded_at);

CREATE FUNCTION discards_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the discard ledger is append-only';
END;
$$;
CREATE TRIGGER discards_no_update BEFORE UPDATE OR DELETE ON discards
    FOR EACH ROW EXECUTE FUNCTION discards_append_only();
CREATE TRIGGER discards_no_truncate BEFORE TRUNCATE ON discards
    FOR EACH STATEMENT EXECUTE FUNCTION discards_append_only();

-- Each year's statement of the measures taken or planned to prevent the
-- destruction of unsold products (ESPR art. 24(1)(d)).
CREATE TABLE discard_disclosures (
    year                INTEGER PRIMARY KEY CHECK (year BETWEEN 1970 AND 9999),
    prevention_measures TEXT NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
