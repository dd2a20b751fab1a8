-- Expense rows for accountants: the marketplace's cut of each order (Prom CPA
-- and ProSale commissions, from royalties) and fees entered by hand.

-- One row per expense entry. A refunded commission adds a reversing entry
-- (negative amount) and keeps the original: accountants need the trail.
-- expense_id is derived from what the entry is (store, order, kind, entry),
-- so generating a month again writes nothing new.
CREATE TABLE IF NOT EXISTS {db}.expenses
(
    expense_id   String,          -- stable id of the entry (its idempotency key)
    marketplace  String,          -- marketplace code
    store        String,          -- store id
    order_id     String,          -- the marketplace's order id; '' for fees not tied to an order
    kind         String,          -- cpa_commission | prosale_commission | a fee named in the import
    entry        String,          -- charge | reversal
    booked_on    Date,            -- the day the entry belongs to (a charge: the order's creation day, UTC; a reversal: the day the refund was seen)
    amount       Decimal(18, 2),  -- positive for a charge, negative for a reversal
    currency     String,          -- ISO currency code
    description  String,          -- what it is, for the accountant
    source       String,          -- royalties | import
    created_at   DateTime('UTC'), -- when kramar wrote the entry
    _version     UInt64           -- version; the highest wins
)
ENGINE = ReplacingMergeTree(_version)
PARTITION BY toYYYYMM(booked_on)
ORDER BY (marketplace, store, expense_id);

-- Current expense entries: one row per expense_id; columns as in expenses.
CREATE VIEW IF NOT EXISTS {db}.v_expenses AS
SELECT *
FROM {db}.expenses FINAL;
