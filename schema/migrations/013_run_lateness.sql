-- When the scheduler meant each run to start, and how late it started:
-- scheduled_at is the firing time (for a catch-up run, the firing it
-- catches up); late_ms is started_at - scheduled_at in milliseconds. Runs
-- not started by the scheduler (`kramar run`, rows from before this
-- migration) have the epoch and 0.
ALTER TABLE {db}.pipeline_runs ADD COLUMN scheduled_at DateTime('UTC');
ALTER TABLE {db}.pipeline_runs ADD COLUMN late_ms UInt64 DEFAULT 0;
