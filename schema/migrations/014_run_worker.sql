-- Which `kramar serve` worker made the run (coordination.worker; its
-- hostname-pid by default). Runs of a daemon without coordination, of
-- `kramar run` and rows from before this migration have ''.
ALTER TABLE {db}.pipeline_runs ADD COLUMN worker String DEFAULT '';
