-- What ops did through the console: who, when, what, to which store, and
-- how it went. A plain log: one row per action, written once.
CREATE TABLE IF NOT EXISTS {db}.console_actions
(
    at           DateTime('UTC'), -- when the action was asked for
    user         String,          -- the console user
    role         String,          -- their role (ops)
    action       String,          -- run | backfill
    marketplace  String,          -- marketplace code of the store
    store        String,          -- store id
    detail       String,          -- what exactly: the job, the backfill's window
    outcome      String,          -- started | queued | refused
    message      String           -- why it was refused, or what follows
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (at, store);
