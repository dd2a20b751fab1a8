-- Initial warehouse schema. Runs on ClickHouse 18.16 and on current releases:
-- no LowCardinality, DateTime64, Map, TTL, codecs or column COMMENTs.
--
-- Conventions:
--   * every time is DateTime('UTC') (seconds); an unknown time is 1970-01-01 00:00:00;
--   * money is Decimal(18,2), quantities Decimal(18,3);
--   * booleans are UInt8 (0 or 1);
--   * replaceable tables are ReplacingMergeTree(_version) ordered by their natural key:
--     the row with the highest _version wins, so re-loading the same rows is harmless.
--     Analysts read the v_* views, which show one current row per key.
--   * columns starting with "_" are load metadata, not marketplace data.
-- The Go column lists live in schema/rows (orders, order_items, royalties) and
-- loaders/clickhouse (extract_state, pipeline_runs, rejects); a test checks that
-- they match these tables.

CREATE TABLE IF NOT EXISTS {db}.orders
(
    marketplace            String,          -- marketplace code: prom, rozetka, …
    store                  String,          -- store id from kramar.yaml
    external_id            String,          -- the marketplace's order id
    created_at             DateTime('UTC'), -- when the buyer placed the order
    modified_at            DateTime('UTC'), -- last change on the marketplace
    marketplace_status     String,          -- status as the marketplace names it
    status_name            String,          -- marketplace's human-readable status name
    status                 String,          -- status in the seller's CRM vocabulary
    cancel_reason          String,          -- why the order was cancelled, if it was
    cancel_initiator       String,          -- who cancelled: buyer, seller, marketplace
    order_type             String,          -- CRM order type from the store's config
    order_source           String,          -- CRM order source from the store's config
    channel                String,          -- where the buyer ordered (Prom: portal, company_site, mobile_app…)
    buyer_last_name        String,          -- buyer's last name
    buyer_first_name       String,          -- buyer's first name
    buyer_middle_name      String,          -- buyer's middle (patronymic) name
    buyer_phone            String,          -- buyer's phone
    buyer_email            String,          -- buyer's email
    buyer_comment          String,          -- buyer's comment to the order
    recipient_last_name    String,          -- recipient's last name
    recipient_first_name   String,          -- recipient's first name
    recipient_middle_name  String,          -- recipient's middle name
    recipient_phone        String,          -- recipient's phone
    manager_comment        String,          -- comment for the manager; names the recipient when it differs from the buyer
    dont_call_back         UInt8,           -- 1 = buyer asked not to be called back
    marketplace_delivery   String,          -- delivery method as the marketplace names it
    delivery               String,          -- delivery method in the CRM vocabulary
    delivery_provider      String,          -- carrier (Nova Poshta, Ukrposhta, …)
    delivery_address       String,          -- delivery address as one line
    ttn                    String,          -- carrier's waybill number (ТТН)
    marketplace_payment    String,          -- payment method as the marketplace names it
    payment                String,          -- payment method in the CRM vocabulary
    payment_status         String,          -- payment status from the marketplace
    paid                   UInt8,           -- 1 = the order is paid
    currency               String,          -- ISO currency code of the amounts
    amount                 Decimal(18, 2),  -- order amount (goods)
    full_amount            Decimal(18, 2),  -- order amount including delivery and discounts
    delivery_cost          Decimal(18, 2),  -- delivery cost
    utm_source             String,          -- UTM source of the visit
    utm_medium             String,          -- UTM medium
    utm_campaign           String,          -- UTM campaign
    prosale                UInt8,           -- 1 = sold through Prom's ProSale advertising
    items_count            UInt32,          -- number of order lines; v_order_items shows lines 0..items_count-1
    _hash                  UInt64,          -- content hash of the canonical order, to skip unchanged orders
    _run_id                String,          -- pipeline run that wrote this version
    _loaded_at             DateTime('UTC'), -- when this version was written
    _version               UInt64           -- version; the highest wins
)
ENGINE = ReplacingMergeTree(_version)
PARTITION BY toYYYYMM(created_at)
ORDER BY (marketplace, store, external_id);

-- Order lines. A line's number is its 0-based position in the order, so lines that
-- disappear from an order are hidden by v_order_items (line >= items_count).
-- Unpartitioned: the lines carry no time that never changes.
CREATE TABLE IF NOT EXISTS {db}.order_items
(
    marketplace  String,          -- marketplace code
    store        String,          -- store id
    order_id     String,          -- orders.external_id
    line         UInt32,          -- 0-based position of the line in the order
    product_id   String,          -- marketplace's product id
    external_id  String,          -- seller's product id (external id on the marketplace)
    sku          String,          -- seller's SKU / article
    name         String,          -- product name as ordered
    quantity     Decimal(18, 3),  -- quantity ordered
    unit         String,          -- unit of the quantity (pcs, kg, …)
    price        Decimal(18, 2),  -- price per unit
    total        Decimal(18, 2),  -- line total
    commission   Decimal(18, 2),  -- marketplace commission on the line
    _version     UInt64,          -- version; the highest wins (same as the order's)
    _loaded_at   DateTime('UTC')  -- when this version was written
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (marketplace, store, order_id, line);

-- The marketplace's commission on one order.
CREATE TABLE IF NOT EXISTS {db}.royalties
(
    marketplace     String,          -- marketplace code
    store           String,          -- store id
    order_id        String,          -- orders.external_id
    cpa_amount      Decimal(18, 2),  -- Prom CPA commission
    cpa_refunded    UInt8,           -- 1 = the CPA commission was refunded
    prosale_amount  Decimal(18, 2),  -- ProSale commission; replaces CPA as the advertising cost when present
    currency        String,          -- ISO currency code of the amounts
    accrued_at      DateTime('UTC'), -- the order's creation time: the month it is booked in
    _version        UInt64,          -- version; the highest wins (same as the order's)
    _loaded_at      DateTime('UTC')  -- when this version was written
)
ENGINE = ReplacingMergeTree(_version)
PARTITION BY toYYYYMM(accrued_at)
ORDER BY (marketplace, store, order_id);

-- Extractor state: cursors, held (unpaid) orders and the like. Written after the
-- rows it covers. Clearing an entry writes active = 0 with a higher version.
CREATE TABLE IF NOT EXISTS {db}.extract_state
(
    marketplace  String,          -- marketplace code
    store        String,          -- store id
    kind         String,          -- 'cursor', 'held', …
    key          String,          -- entry key within the kind
    value        String,          -- JSON value
    active       UInt8,           -- 0 = the entry was cleared
    updated_at   DateTime('UTC'), -- when the entry was written
    _version     UInt64           -- version; the highest wins
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (marketplace, store, kind, key);

-- One row per pipeline job run: a log, never replaced.
CREATE TABLE IF NOT EXISTS {db}.pipeline_runs
(
    run_id       String,          -- run id
    marketplace  String,          -- marketplace code
    store        String,          -- store id
    job          String,          -- job name (orders, catalog, push, …)
    started_at   DateTime('UTC'), -- start of the run
    finished_at  DateTime('UTC'), -- end of the run
    duration_ms  UInt64,          -- run time in milliseconds
    status       String,          -- ok | failed | auth_failed | rate_limited | partial
    fetched      UInt64,          -- records fetched from the source
    new          UInt64,          -- orders not seen before
    updated      UInt64,          -- orders whose content changed
    unchanged    UInt64,          -- orders fetched again without changes
    rejected     UInt64,          -- records rejected (see rejects)
    held         UInt64,          -- orders held back (e.g. unpaid)
    error        String           -- error text of a failed run, without secrets
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(started_at)
ORDER BY (started_at, store);

-- Records that could not be turned into canonical rows: a log.
CREATE TABLE IF NOT EXISTS {db}.rejects
(
    run_id       String,          -- run that met the record
    marketplace  String,          -- marketplace code
    store        String,          -- store id
    record_id    String,          -- the record's id on the marketplace
    field        String,          -- offending field
    reason       String,          -- why it was rejected
    payload      String,          -- the raw record, for inspection
    seen_at      DateTime('UTC')  -- when it was rejected
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(seen_at)
ORDER BY (seen_at, store);

-- Current orders: one row per (marketplace, store, external_id); columns as in orders.
CREATE VIEW IF NOT EXISTS {db}.v_orders AS
SELECT *
FROM {db}.orders FINAL;

-- Current order lines: one row per (marketplace, store, order_id, line), only lines
-- that the current version of the order still has; columns as in order_items.
CREATE VIEW IF NOT EXISTS {db}.v_order_items AS
SELECT *
FROM {db}.order_items FINAL
WHERE (marketplace, store, order_id, line) IN
    (SELECT marketplace, store, external_id, arrayJoin(range(items_count)) FROM {db}.orders FINAL);

-- Current royalties: one row per (marketplace, store, order_id); columns as in royalties.
CREATE VIEW IF NOT EXISTS {db}.v_royalties AS
SELECT *
FROM {db}.royalties FINAL;

-- Current, active extractor state; columns as in extract_state.
CREATE VIEW IF NOT EXISTS {db}.v_extract_state AS
SELECT *
FROM {db}.extract_state FINAL
WHERE active = 1;
