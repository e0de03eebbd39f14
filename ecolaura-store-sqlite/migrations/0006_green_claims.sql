-- Green claims with their evidence (API-SUSTAINABILITY.md, section 2). A
-- claim is written, and removed, in the same transaction as a version bump
-- of its product, so that a concurrent change of the product's metrics
-- sees it (or retries) and cached reads of the product are dropped.
CREATE TABLE product_claims (
    id                       BLOB PRIMARY KEY,
    product_id               BLOB NOT NULL REFERENCES products (id),
    claim_type               TEXT NOT NULL CHECK (claim_type IN (
        'recyclable', 'recycled_content', 'biodegradable', 'compostable', 'organic',
        'fair_trade', 'low_carbon', 'plastic_free', 'repairable',
        'environmentally_friendly', 'carbon_neutral')),
    statement                TEXT NOT NULL CHECK (length(statement) BETWEEN 1 AND 500),
    -- A JSON array of market codes ("EU", "FR", …).
    markets                  TEXT NOT NULL CHECK (json_type(markets) = 'array'),
    evidence_scheme          TEXT NOT NULL,
    evidence_certificate_id  TEXT NULL,
    evidence_issuer          TEXT NOT NULL,
    evidence_valid_from      TEXT NOT NULL,
    evidence_valid_until     TEXT NOT NULL,
    evidence_ecolabel_type_i INTEGER NOT NULL CHECK (evidence_ecolabel_type_i IN (0, 1)),
    evidence_url             TEXT NULL,
    created_at               TEXT NOT NULL,
    CHECK (evidence_valid_until > evidence_valid_from)
) STRICT;
CREATE INDEX product_claims_by_product ON product_claims (product_id, created_at, id);
CREATE INDEX product_claims_by_lapse ON product_claims (evidence_valid_until, id);
