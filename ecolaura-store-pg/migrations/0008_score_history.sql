-- A versioned, explainable score (API-SUSTAINABILITY.md, section 3).
--
-- Every score keeps why it was computed and the points behind it (as
-- JSON). Nullable, without a default, so that the columns are added
-- without rewriting the table: a NULL reason is read from the score's
-- source, a NULL breakdown as the default rules' breakdown for a score by
-- `ecolaura-default@1` (the only rules there were) and none otherwise.
ALTER TABLE products
    ADD COLUMN score_reason TEXT
        CHECK (score_reason IN ('metrics_changed', 'policy_changed', 'claim_changed', 'manual')),
    ADD COLUMN score_breakdown TEXT;

-- Each product's scores, one row per computation of a new score, written
-- in the transaction that stores the score. Read newest first by the
-- primary key.
CREATE TABLE score_history (
    product_id UUID        NOT NULL REFERENCES products (id),
    at         TIMESTAMPTZ NOT NULL,
    score      INTEGER     NOT NULL CHECK (score BETWEEN 0 AND 100),
    method     TEXT        NOT NULL,
    reason     TEXT        NOT NULL
        CHECK (reason IN ('metrics_changed', 'policy_changed', 'claim_changed', 'manual')),
    PRIMARY KEY (product_id, at)
);

-- The default policy's rules, one row per published version (none until
-- staff publish one: version 1 is the rules Ecolaura ships). A version
-- never changes once published; `rescored_through` is where the rescoring
-- job to it stands (the highest product id of its last batch).
CREATE TABLE score_policies (
    version          INTEGER     PRIMARY KEY CHECK (version >= 2),
    rules            TEXT        NOT NULL,
    published_at     TIMESTAMPTZ NOT NULL,
    rescored_through UUID
);

-- The daily rescoring of products whose certified claims started or
-- stopped holding looks claims up by either date (the last day is indexed
-- since 0006).
CREATE INDEX product_claims_by_start ON product_claims (evidence_valid_from, id);
