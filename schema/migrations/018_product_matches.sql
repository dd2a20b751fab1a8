-- The seller's products: which of the seller's own products each marketplace
-- product is, so sales add up per product across marketplaces and stores.
--
-- An order line's product is, in this order:
--   1. the seller's match for it (`kramar products match import|set`), by the
--      marketplace's product id, or by the external id where a line has no
--      product id: match_source 'manual';
--   2. the seller's own id the marketplace sent with the line: its external
--      id, else its article (sku): 'auto';
--   3. none: product_key and match_source '' (v_unmatched_items lists them).
-- A match changed or cleared re-attributes past lines at once: the views read
-- the matches, nothing is reloaded, and catalog loads never touch them.

-- Matches; one current row per (marketplace, store, match_key, source). The
-- source is part of the key so that matches made by kramar itself (from a
-- catalog, later) never replace the seller's.
CREATE TABLE IF NOT EXISTS {db}.product_matches
(
    marketplace  String,          -- marketplace code
    store        String,          -- store id
    match_key    String,          -- the line's product_id, or its external_id where it has none
    source       String,          -- manual (import, set, clear)
    product_key  String,          -- the seller's product; '' = the match was cleared
    changed_by   String,          -- who made the change
    changed_at   DateTime('UTC'), -- when
    _version     UInt64           -- version; the highest wins
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (marketplace, store, match_key, source);

-- Current order lines with their products: one row per (marketplace, store,
-- order_id, line), only lines that the current version of the order still
-- has; the columns of order_items, then match_key, manual_key (the seller's
-- match, '' when none), product_key and match_source (above). v_order_items
-- shows it; the views below read it, so that a migration running on two
-- servers at once never builds them on a v_order_items being re-created.
-- The columns are named, not *: a join's * repeats the key columns on
-- ClickHouse 18.16.
CREATE VIEW IF NOT EXISTS {db}.v_order_lines AS
SELECT
    marketplace, store, order_id, line, product_id, external_id, sku, name, quantity, unit, price,
    total, commission, _version, _loaded_at, match_key, manual_key,
    multiIf(manual_key != '', manual_key, external_id != '', external_id, sku) AS product_key,
    multiIf(manual_key != '', 'manual', external_id != '' OR sku != '', 'auto', '') AS match_source
FROM
(
    SELECT *, if(product_id != '', product_id, external_id) AS match_key
    FROM {db}.order_items FINAL
    WHERE (marketplace, store, order_id, line) IN
        (SELECT marketplace, store, external_id, arrayJoin(range(items_count)) FROM {db}.orders FINAL)
)
ANY LEFT JOIN
(
    SELECT marketplace, store, match_key, argMaxIf(product_key, _version, source = 'manual') AS manual_key
    FROM {db}.product_matches
    GROUP BY marketplace, store, match_key
) USING (marketplace, store, match_key);


-- v_order_items gains the product columns: it is v_order_lines.
DROP TABLE IF EXISTS {db}.v_order_items;

CREATE VIEW IF NOT EXISTS {db}.v_order_items AS
SELECT * FROM {db}.v_order_lines;

-- Sales per UTC day (of the order's creation), seller's product, marketplace,
-- store and currency, from the current lines of the current orders.
--   day                 date the orders were placed, UTC
--   product_key         the seller's product (v_order_items)
--   marketplace, store, currency
--   quantity            units ordered, cancelled orders left out
--   revenue             sum of the lines' totals, cancelled orders left out
--   orders              orders with the product, cancelled ones left out
--   cancelled_quantity  units in orders cancelled now
CREATE VIEW IF NOT EXISTS {db}.v_product_sales AS
SELECT
    toDate(created_at)                        AS day,
    product_key,
    marketplace,
    store,
    currency,
    sumIf(line_quantity, cancelled = 0)       AS quantity,
    sumIf(line_total, cancelled = 0)          AS revenue,
    uniqExactIf(order_id, cancelled = 0)      AS orders,
    sumIf(line_quantity, cancelled = 1)       AS cancelled_quantity
FROM
(
    SELECT marketplace, store, order_id, product_key, quantity AS line_quantity, total AS line_total
    FROM {db}.v_order_lines
    WHERE product_key != ''
)
ANY INNER JOIN
(
    SELECT marketplace, store, external_id AS order_id, created_at, currency,
        (cancel_reason != '' OR marketplace_status = 'canceled') AS cancelled
    FROM {db}.orders FINAL
) USING (marketplace, store, order_id)
GROUP BY day, product_key, marketplace, store, currency;

-- Lines no product is known for, per marketplace, store and the ids they
-- carry, the most ordered first: what to match (`kramar products match set`).
--   marketplace, store, product_id, external_id, sku, name (one of the names)
--   lines, orders, quantity; last_ordered (the newest order's creation, UTC)
CREATE VIEW IF NOT EXISTS {db}.v_unmatched_items AS
SELECT
    marketplace, store, product_id, external_id, sku,
    any(line_name)             AS name,
    count()                    AS lines,
    uniqExact(order_id)        AS orders,
    sum(line_quantity)         AS quantity,
    max(created_at)            AS last_ordered
FROM
(
    SELECT marketplace, store, order_id, product_id, external_id, sku, name AS line_name, quantity AS line_quantity
    FROM {db}.v_order_lines
    WHERE match_source = ''
)
ANY INNER JOIN
(
    SELECT marketplace, store, external_id AS order_id, created_at
    FROM {db}.orders FINAL
) USING (marketplace, store, order_id)
GROUP BY marketplace, store, product_id, external_id, sku;
