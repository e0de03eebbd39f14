-- The job queue, shaped so that no operation's cost grows with the backlog
-- and nothing depends on fresh statistics or on autovacuum running.
--
-- A claim reads `jobs_ready` in order and stops after its limit: the index
-- holds exactly the claimable rows (queued), per kind. Expired leases are
-- found by the rescuer through `jobs_leased`; finished jobs are purged through
-- `jobs_finished`; `/metrics` counts dead jobs through `jobs_dead`.
DROP INDEX jobs_claimable;
CREATE INDEX jobs_ready ON jobs (kind, run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_leased ON jobs (locked_until) WHERE status = 'running';
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE status = 'done';
CREATE INDEX jobs_dead ON jobs (kind) WHERE status = 'dead';

-- Every job row is rewritten three times in a few seconds: leave room on each
-- page, and where autovacuum runs, vacuum and analyze the table after a fixed
-- number of changes rather than a fraction of its (growing) size.
ALTER TABLE jobs SET (
    fillfactor = 70,
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_insert_scale_factor = 0,
    autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_analyze_scale_factor = 0,
    autovacuum_analyze_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0
);
