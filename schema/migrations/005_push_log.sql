-- The way back's log: every step of every push to a marketplace. A log:
-- one row per step, never rewritten; v_pushes has each push's latest step.

CREATE TABLE IF NOT EXISTS {db}.push_log
(
    push_id      String,          -- idempotency key: one change's one marketplace call
    update_id    String,          -- the CRM change it serves (crm_updates.update_id); '' for rules and stock
    marketplace  String,          -- marketplace code
    store        String,          -- store id
    order_id     String,          -- the marketplace's order id; '' for stock
    external_id  String,          -- product id for stock pushes; '' for orders
    source       String,          -- crm | rule:auto_accept | rule:auto_cancel | rule:close | stock
    action       String,          -- status | ttn | status+ttn | stock | change (the change as a whole)
    crm_status   String,          -- the CRM status asked for ('' for rules and stock)
    from_status  String,          -- the marketplace status before, as last read
    to_status    String,          -- the marketplace status asked for
    ttn          String,          -- waybill sent ('' when none)
    carrier      String,          -- carrier of the waybill
    quantity     UInt32,          -- stock sent
    state        String,          -- sending | done | already | rejected | failed | skipped
    final        UInt8,           -- 1 = the push is over (done, already, rejected, skipped)
    closes       UInt8,           -- 1 = this step ends the whole CRM change
    attempt      UInt32,          -- how many sends so far
    request      String,          -- what was sent, without credentials
    response     String,          -- what the marketplace answered, shortened
    reason       String,          -- why: the rule, the refusal, the error
    at           DateTime('UTC'), -- when the step was written
    _version     UInt64           -- nanoseconds; orders the steps of one push
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (marketplace, store, push_id, _version);

-- The current state of every push: its latest step; columns as in push_log.
CREATE VIEW IF NOT EXISTS {db}.v_pushes AS
SELECT
    push_id,
    argMax(update_id, _version)   AS update_id,
    marketplace,
    store,
    argMax(order_id, _version)    AS order_id,
    argMax(external_id, _version) AS external_id,
    argMax(source, _version)      AS source,
    argMax(action, _version)      AS action,
    argMax(crm_status, _version)  AS crm_status,
    argMax(from_status, _version) AS from_status,
    argMax(to_status, _version)   AS to_status,
    argMax(ttn, _version)         AS ttn,
    argMax(carrier, _version)     AS carrier,
    argMax(quantity, _version)    AS quantity,
    argMax(state, _version)       AS state,
    argMax(final, _version)       AS final,
    argMax(attempt, _version)     AS attempt,
    argMax(request, _version)     AS request,
    argMax(response, _version)    AS response,
    argMax(reason, _version)      AS reason,
    max(at)                       AS at
FROM {db}.push_log
GROUP BY marketplace, store, push_id;
