-- Who sets an offer's stock on the marketplace: 'feed' (the seller's
-- price-list feed, which overwrites a stock pushed through the API:
-- Rozetka's sync_source.availability 3), 'api', or '' when the marketplace
-- does not say. The stock push skips 'feed' offers without asking again.
ALTER TABLE {db}.products ADD COLUMN stock_managed_by String DEFAULT '';

-- v_products takes the new column (a view keeps the columns it was made with).
DROP TABLE IF EXISTS {db}.v_products;
CREATE VIEW IF NOT EXISTS {db}.v_products AS
SELECT *
FROM {db}.products FINAL
WHERE (marketplace, store, _run_id) IN
    (SELECT marketplace, store, argMax(run_id, (finished_at, _version))
     FROM {db}.pipeline_runs
     WHERE job = 'catalog' AND status = 'ok'
     GROUP BY marketplace, store);
