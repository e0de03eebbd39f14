-- Discarded stock and the ESPR disclosure (API-SUSTAINABILITY.md, section 6).
--
-- A category may be under the ban on destroying unsold products (ESPR
-- art. 25: apparel and footwear).
ALTER TABLE categories ADD COLUMN destruction_banned INTEGER NOT NULL DEFAULT 0
    CHECK (destruction_banned IN (0, 1));

-- The ledger: one row per discard, written in the same transaction as the
-- stock it takes. It keeps the product's category and unit weight (integer
-- grams) as they were, so that the yearly report does not change when the
-- product does. Append-only: the triggers below refuse any change.
CREATE TABLE discards (
    id              BLOB PRIMARY KEY,
    product_id      BLOB NOT NULL REFERENCES products (id),
    category        TEXT NULL,
    quantity        INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000000000),
    unit_weight_g   INTEGER NULL CHECK (unit_weight_g > 0),
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
    recorded_by     BLOB NULL,
    recorded_at     TEXT NOT NULL
) STRICT;
CREATE INDEX discards_by_product ON discards (product_id, recorded_at DESC, id DESC);
CREATE INDEX discards_by_time ON discards (recorded_at);

CREATE TRIGGER discards_no_update BEFORE UPDATE ON discards
BEGIN
    SELECT RAISE(ABORT, 'the discard ledger is append-only');
END;
CREATE TRIGGER discards_no_delete BEFORE DELETE ON discards
BEGIN
    SELECT RAISE(ABORT, 'the discard ledger is append-only');
END;

-- Each year's statement of the measures taken or planned to prevent the
-- destruction of unsold products (ESPR art. 24(1)(d)).
CREATE TABLE discard_disclosures (
    year                INTEGER PRIMARY KEY CHECK (year BETWEEN 1970 AND 9999),
    prevention_measures TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;
