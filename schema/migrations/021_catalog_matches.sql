-- Matches kramar makes from the store's catalog, so that a line's product
-- follows the store's match_by (id, vendor_code or barcode) even where the
-- line carries only the marketplace's product id.
--
-- Every catalog load that finishes records, for each offer with a key, the
-- key match_by names (id: the seller's offer id; vendor_code: the vendor
-- code, else the article; barcode: the barcode) under the offer's product
-- id and under its offer id: product_matches rows with source 'auto' and
-- changed_by 'catalog'. An offer whose key is already recorded so is not
-- written again; one gone from the catalog keeps its match.
--
-- An order line's product is now, in this order:
--   1. the seller's match (source 'manual'), by product id, or by external
--      id where the line has no product id: match_source 'manual';
--   2. the catalog's match by the line's product id, then by its external
--      id: 'auto';
--   3. the seller's own id the line carries: its external id, else its
--      article (sku): 'auto';
--   4. none: product_key and match_source ''.
-- v_order_items, v_product_sales and v_unmatched_items read v_order_lines,
-- so they follow; nothing is reloaded.

DROP TABLE IF EXISTS {db}.v_order_lines;

-- Current order lines with their products; one row per (marketplace, store,
-- order_id, line), only lines the current version of the order still has:
-- the columns of order_items, then match_key, manual_key (the seller's
-- match, '' when none), catalog_key (the catalog's, '' when none),
-- product_key and match_source (above).
CREATE VIEW IF NOT EXISTS {db}.v_order_lines AS
SELECT
    marketplace, store, order_id, line, product_id, external_id, sku, name, quantity, unit, price,
    total, commission, _version, _loaded_at, match_key, manual_key,
    if(by_key != '', by_key, by_external) AS catalog_key,
    multiIf(manual_key != '', manual_key, by_key != '', by_key, by_external != '', by_external, external_id != '', external_id, sku) AS product_key,
    multiIf(manual_key != '', 'manual', by_key != '' OR by_external != '' OR external_id != '' OR sku != '', 'auto', '') AS match_source
FROM
(
    SELECT
        marketplace, store, order_id, line, product_id, external_id, sku, name, quantity, unit, price,
        total, commission, _version, _loaded_at, match_key, manual_key, by_key
    FROM
    (
        SELECT *, if(product_id != '', product_id, external_id) AS match_key
        FROM {db}.order_items FINAL
        WHERE (marketplace, store, order_id, line) IN
            (SELECT marketplace, store, external_id, arrayJoin(range(items_count)) FROM {db}.orders FINAL)
    )
    ANY LEFT JOIN
    (
        SELECT marketplace, store, match_key,
            argMaxIf(product_key, _version, source = 'manual') AS manual_key,
            argMaxIf(product_key, _version, source = 'auto') AS by_key
        FROM {db}.product_matches
        GROUP BY marketplace, store, match_key
    ) USING (marketplace, store, match_key)
)
ANY LEFT JOIN
(
    SELECT marketplace, store, match_key AS external_id, argMax(product_key, _version) AS by_external
    FROM {db}.product_matches
    WHERE source = 'auto' AND match_key != ''
    GROUP BY marketplace, store, match_key
) USING (marketplace, store, external_id);

-- v_order_items is v_order_lines, with catalog_key now.
DROP TABLE IF EXISTS {db}.v_order_items;

CREATE VIEW IF NOT EXISTS {db}.v_order_items AS
SELECT * FROM {db}.v_order_lines;
