-- How many distinct marketplace values of each mapping kind the run's orders
-- carried with no CRM mapping (`kramar mappings suggest` lists them). Runs of
-- other jobs, and rows from before this migration, have 0.
ALTER TABLE {db}.pipeline_runs ADD COLUMN unmapped_statuses UInt32 DEFAULT 0;
ALTER TABLE {db}.pipeline_runs ADD COLUMN unmapped_deliveries UInt32 DEFAULT 0;
ALTER TABLE {db}.pipeline_runs ADD COLUMN unmapped_payments UInt32 DEFAULT 0;
