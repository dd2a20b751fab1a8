-- CRM stock per product, to be pushed to the marketplaces as stock and
-- availability. Filled by `kramar stock import FILE.csv` or by another system.
CREATE TABLE IF NOT EXISTS {db}.crm_stock
(
    marketplace  String,          -- marketplace code
    store        String,          -- store id
    external_id  String,          -- the product's id as the store matches it (match_by)
    quantity     UInt32,          -- units in stock
    changed_at   DateTime('UTC'), -- when the CRM counted it
    changed_by   String,          -- who or what reported it
    _version     UInt64           -- version; the highest wins
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (marketplace, store, external_id);

-- The current CRM stock: one row per product; columns as in crm_stock.
CREATE VIEW IF NOT EXISTS {db}.v_crm_stock AS
SELECT *
FROM {db}.crm_stock FINAL;
