-- Indexed search (API.md, "API v2"): `search=` keeps its meaning, a
-- case-insensitive substring of the name or the description, matched as
-- `lower(name) LIKE '%term%' OR lower(description) LIKE '%term%'`, and is
-- now served by two trigram indexes on exactly those expressions instead of
-- a scan of the table. The planner reads both and ORs their bitmaps; every
-- candidate is rechecked against the LIKE, so the index only narrows.
--
-- pg_trgm ships with Postgres (contrib) and is a trusted extension since
-- Postgres 13: the database's owner may create it without being superuser.
-- A term of one or two characters has no trigram; docs/operations.md says
-- how such searches are served.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX products_live_name_trgm ON products USING gin (lower(name) gin_trgm_ops) WHERE NOT archived;
CREATE INDEX products_live_description_trgm ON products USING gin (lower(description) gin_trgm_ops) WHERE NOT archived;
