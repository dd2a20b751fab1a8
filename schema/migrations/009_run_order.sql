-- Runs of one store and job can start within the same second (a manual
-- `kramar run` next to the daemon); _version orders them exactly, so "the
-- last run" is never a tie. Rows written before this migration have 0.
ALTER TABLE {db}.pipeline_runs ADD COLUMN _version UInt64 DEFAULT 0;
