-- Complete catalog rows: what an offer says of itself besides its price and
-- stock, for the YML feeds and the catalog APIs alike ('' or [] when the
-- source does not send it).
-- The description as plain text (tags stripped, entities decoded, whitespace folded).
ALTER TABLE {db}.products ADD COLUMN description String DEFAULT '';
-- The description as the source sent it (HTML).
ALTER TABLE {db}.products ADD COLUMN description_html String DEFAULT '';
-- The params (YML <param>, the APIs' characteristics) as three parallel arrays: name, unit ('' for none), value.
ALTER TABLE {db}.products ADD COLUMN param_names Array(String);
ALTER TABLE {db}.products ADD COLUMN param_units Array(String);
ALTER TABLE {db}.products ADD COLUMN param_values Array(String);
-- The brand (YML vendor, the APIs' producer or brand).
ALTER TABLE {db}.products ADD COLUMN brand String DEFAULT '';
-- Offers sharing a group_id are variants of one product (YML group_id, Horoshop parent_article).
ALTER TABLE {db}.products ADD COLUMN group_id String DEFAULT '';
-- The seller's article and the barcode (EAN/GTIN), both, whichever of them match_by makes external_id.
ALTER TABLE {db}.products ADD COLUMN vendor_code String DEFAULT '';
ALTER TABLE {db}.products ADD COLUMN barcode String DEFAULT '';
-- The category and its ancestors, root first.
ALTER TABLE {db}.products ADD COLUMN category_path Array(String);

-- v_products takes the new columns (a view keeps the columns it was made with).
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
