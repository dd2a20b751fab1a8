-- The way back: what the seller's CRM changed, to be pushed to the marketplaces.

-- CRM-side order changes. Another system may insert here directly; people use
-- `kramar order set-status` / `kramar order set-ttn`, bulk changes
-- `kramar order import FILE.csv`. A log: every change is kept.
CREATE TABLE IF NOT EXISTS {db}.crm_updates
(
    update_id    String,          -- unique id of the change (its idempotency key)
    marketplace  String,          -- marketplace code
    store        String,          -- store id
    order_id     String,          -- the marketplace's order id
    crm_status   String,          -- the new CRM status; '' when only the ТТН changed
    ttn          String,          -- waybill number, checked for its carrier; '' when none
    carrier      String,          -- nova_poshta | ukrposhta | … ('' when no ТТН)
    changed_at   DateTime('UTC'), -- when the CRM made the change
    changed_by   String           -- who or what made it
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(changed_at)
ORDER BY (marketplace, store, order_id, changed_at);
