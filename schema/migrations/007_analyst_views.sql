-- Views for analysts: daily sales and monthly marketplace commissions, read
-- from the current rows only (FINAL), so re-loaded versions never count twice.
-- Days and months are UTC, like every time in the warehouse. Amounts are summed
-- per currency: currency is part of each view's key, never mixed.
--
-- An order counts as cancelled when the marketplace says so: a cancel reason
-- (Rozetka, Epicentr and Horoshop set it for every cancelling status) or
-- Prom's status "canceled", whose cancellation block may be missing
-- (Prom's order schema, https://public-api.docs.prom.ua, describes the
-- block as present for cancelled orders, no more).

-- Sales per UTC day (of the order's creation), marketplace, store and currency.
--   day                date the orders were placed, UTC
--   marketplace        marketplace code
--   store              store id
--   currency           ISO currency code of the amounts
--   orders             orders placed that day (any status)
--   cancelled_orders   of those, orders cancelled now
--   gross              sum of amount over all the orders, cancelled ones included
--   revenue            sum of amount over the orders not cancelled
--   cancellation_rate  cancelled_orders / orders, 0..1 (Float64, rounded to 4 places)
CREATE VIEW IF NOT EXISTS {db}.v_daily_sales AS
SELECT
    toDate(created_at)                               AS day,
    marketplace,
    store,
    currency,
    count()                                          AS orders,
    countIf(cancelled = 1)                           AS cancelled_orders,
    sum(amount)                                      AS gross,
    sumIf(amount, cancelled = 0)                     AS revenue,
    round(countIf(cancelled = 1) / count(), 4)       AS cancellation_rate
FROM
(
    SELECT
        created_at, marketplace, store, currency, amount,
        (cancel_reason != '' OR marketplace_status = 'canceled') AS cancelled
    FROM {db}.orders FINAL
)
GROUP BY day, marketplace, store, currency;

-- Marketplace commissions per UTC month (of the order's creation), marketplace,
-- store and currency, from royalties. CPA and ProSale are booked as separate
-- charges (see expenses); a refunded CPA commission is taken back in full.
--   month          first day of the month, UTC
--   marketplace    marketplace code
--   store          store id
--   currency       ISO currency code of the amounts
--   orders         orders with a royalty row that month
--   cpa            CPA commission charged, refunded or not
--   prosale        ProSale commission charged
--   refunded_cpa   CPA commission refunded (orders with cpa_refunded = 1)
--   net            what the marketplace keeps: cpa - refunded_cpa + prosale
CREATE VIEW IF NOT EXISTS {db}.v_royalties_monthly AS
SELECT
    toStartOfMonth(accrued_at)                       AS month,
    marketplace,
    store,
    currency,
    count()                                          AS orders,
    sum(cpa_amount)                                  AS cpa,
    sum(prosale_amount)                              AS prosale,
    sumIf(cpa_amount, cpa_refunded = 1)              AS refunded_cpa,
    cpa - refunded_cpa + prosale                     AS net
FROM {db}.royalties FINAL
GROUP BY month, marketplace, store, currency;
