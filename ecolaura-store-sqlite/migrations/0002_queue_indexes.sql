-- The job queue, shaped so that no operation's cost grows with the backlog
-- (see the Postgres migration of the same name).
DROP INDEX jobs_claimable;
CREATE INDEX jobs_ready ON jobs (kind, run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_leased ON jobs (locked_until) WHERE status = 'running';
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE status = 'done';
CREATE INDEX jobs_dead ON jobs (kind) WHERE status = 'dead';
