-- Catalogs and the reference lists of each store's account.

-- Catalog offers, one version per catalog load. Every load writes every offer
-- again with the load's _run_id, so an offer gone from the marketplace simply
-- is not in the latest load.
CREATE TABLE IF NOT EXISTS {db}.products
(
    marketplace         String,          -- marketplace code
    store               String,          -- store id
    product_id          String,          -- the marketplace's offer id (Rozetka rz_item_id)
    external_id         String,          -- the seller's offer id (Rozetka price_offer_id)
    article             String,          -- manufacturer's article
    name                String,          -- offer name
    price               Decimal(18, 2),  -- current price
    old_price           Decimal(18, 2),  -- crossed-out price, 0 when none
    promo_price         Decimal(18, 2),  -- promotional price, 0 when none
    currency            String,          -- ISO currency code of the prices
    stock               UInt32,          -- units in stock
    available           UInt8,           -- 1 = offered for sale
    availability_title  String,          -- the marketplace's availability label
    sell_status         String,          -- the marketplace's sale status
    sold                UInt32,          -- units sold, as the marketplace counts
    fulfillment         UInt8,           -- 1 = stored and shipped by the marketplace
    category_id         String,          -- marketplace category id
    category            String,          -- marketplace category name
    url                 String,          -- offer page
    photos              Array(String),   -- photo URLs, main first
    created_at          DateTime('UTC'), -- when the offer was created on the marketplace
    _run_id             String,          -- catalog load that wrote this version
    _loaded_at          DateTime('UTC'), -- when this version was written
    _version            UInt64           -- version; the highest wins
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (marketplace, store, product_id);

-- Delivery services, payment methods and order statuses as each store's
-- account names them, for writing mappings against real names.
CREATE TABLE IF NOT EXISTS {db}.marketplace_options
(
    marketplace  String,          -- marketplace code
    store        String,          -- store id
    kind         String,          -- delivery | payment | status
    option_id    String,          -- the marketplace's id
    name         String,          -- the name mappings are written against
    extra        String,          -- what else identifies it (status group, carrier code…)
    active       UInt8,           -- 1 = enabled in the account
    _run_id      String,          -- load that wrote this version
    _loaded_at   DateTime('UTC'), -- when this version was written
    _version     UInt64           -- version; the highest wins
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (marketplace, store, kind, option_id);

-- The current catalog: the offers of each store's latest successful catalog load.
-- A load that fails half-way never replaces the last good catalog.
CREATE VIEW IF NOT EXISTS {db}.v_products AS
SELECT *
FROM {db}.products FINAL
WHERE (marketplace, store, _run_id) IN
    (SELECT marketplace, store, argMax(run_id, finished_at)
     FROM {db}.pipeline_runs
     WHERE job = 'catalog' AND status = 'ok'
     GROUP BY marketplace, store);

-- The current reference lists; columns as in marketplace_options.
CREATE VIEW IF NOT EXISTS {db}.v_marketplace_options AS
SELECT *
FROM {db}.marketplace_options FINAL;
