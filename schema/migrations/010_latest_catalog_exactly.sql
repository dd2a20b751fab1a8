-- Two catalog loads of a store can finish within the same second (a manual
-- backfill next to the nightly job); the load v_products shows is now the
-- one recorded last (pipeline_runs._version), never a tie. Same columns.
DROP TABLE IF EXISTS {db}.v_products;

-- The current catalog: the offers of each store's latest successful catalog load.
-- A load that fails half-way never replaces the last good catalog.
CREATE VIEW IF NOT EXISTS {db}.v_products AS
SELECT *
FROM {db}.products FINAL
WHERE (marketplace, store, _run_id) IN
    (SELECT marketplace, store, argMax(run_id, (finished_at, _version))
     FROM {db}.pipeline_runs
     WHERE job = 'catalog' AND status = 'ok'
     GROUP BY marketplace, store);
