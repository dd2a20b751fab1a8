-- Notifications of new orders: one row per step (queued, sent, failed) of
-- one order's message on one channel. A log, never rewritten; v_notifications
-- shows each message's latest step. A 'sent' row is written only after the
-- receiver confirmed the message, so a message is never sent twice on
-- purpose; one whose answer was lost may be.

CREATE TABLE IF NOT EXISTS {db}.notifications
(
    marketplace  String,          -- marketplace code
    store        String,          -- store id
    order_id     String,          -- the marketplace's order id
    channel      String,          -- telegram | webhook
    state        String,          -- queued | sent | failed | gave_up
    attempt      UInt32,          -- sends so far
    payload      String,          -- the order's details the message is made of (JSON)
    error        String,          -- the last failure, without secrets
    at           DateTime('UTC'), -- when the step was written
    _version     UInt64           -- orders the steps of one message
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (marketplace, store, order_id, channel, _version);

-- The current state of every message; columns as in notifications.
CREATE VIEW IF NOT EXISTS {db}.v_notifications AS
SELECT
    marketplace,
    store,
    order_id,
    channel,
    argMax(state, _version)   AS state,
    argMax(attempt, _version) AS attempt,
    argMax(payload, _version) AS payload,
    argMax(error, _version)   AS error,
    max(at)                   AS at
FROM {db}.notifications
GROUP BY marketplace, store, order_id, channel;
