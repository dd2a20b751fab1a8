-- A catalog load is written here first and becomes the catalog (products)
-- only once it has finished, in one INSERT … SELECT inside ClickHouse. So a
-- load that fails half-way never reaches products, where its newer versions
-- would outlive the last good load's once ClickHouse merged the parts.
-- Keyed like products: each load's rows replace the store's previous load's
-- here too, so the table holds about one catalog per store, not every load.
CREATE TABLE IF NOT EXISTS {db}.products_staging
(
    marketplace         String,
    store               String,
    product_id          String,
    external_id         String,
    article             String,
    name                String,
    price               Decimal(18, 2),
    old_price           Decimal(18, 2),
    promo_price         Decimal(18, 2),
    currency            String,
    stock               UInt32,
    available           UInt8,
    availability_title  String,
    sell_status         String,
    sold                UInt32,
    fulfillment         UInt8,
    category_id         String,
    category            String,
    url                 String,
    photos              Array(String),
    created_at          DateTime('UTC'),
    _run_id             String,
    _loaded_at          DateTime('UTC'),
    _version            UInt64,
    stock_managed_by    String DEFAULT '',
    description         String DEFAULT '',
    description_html    String DEFAULT '',
    param_names         Array(String),
    param_units         Array(String),
    param_values        Array(String),
    brand               String DEFAULT '',
    group_id            String DEFAULT '',
    vendor_code         String DEFAULT '',
    barcode             String DEFAULT '',
    category_path       Array(String)
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (marketplace, store, product_id);

-- products now holds finished loads only, so the current catalog is simply
-- the latest version of every offer (offers gone from a source are carried
-- into each finished load as unavailable). No filter by run is needed, and
-- none could be trusted next to FINAL: ClickHouse may apply it before the
-- versions are collapsed.
DROP TABLE IF EXISTS {db}.v_products;
CREATE VIEW IF NOT EXISTS {db}.v_products AS
SELECT *
FROM {db}.products FINAL;
