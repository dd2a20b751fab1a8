-- What marketplaces send that kramar's wire model does not expect: fields it
-- does not know, expected fields that are missing, values whose JSON type
-- changed. A log: each run appends one row per difference it met, with how
-- many payloads showed it; v_payload_drift sums them per marketplace,
-- endpoint, path and kind. Examples are masked (letters x/X, digits 9): they
-- show a value's shape, never a buyer's name or phone.
CREATE TABLE IF NOT EXISTS {db}.payload_drift
(
    run_id       String,          -- run that met the difference
    marketplace  String,          -- marketplace code
    store        String,          -- store id
    endpoint     String,          -- API call the payload came from ("GET /orders/list")
    path         String,          -- JSON path, array indices folded ("products[].price")
    kind         String,          -- unknown_field | missing_field | type_change
    expected     String,          -- JSON type the model expects (any for unknown fields)
    observed     String,          -- JSON type sent (null for missing fields)
    required     UInt8,           -- 1: the warehouse cannot do without this field
    count        UInt64,          -- payloads of the run that showed it
    example      String,          -- one masked example value
    first_seen   DateTime('UTC'), -- first payload of the run that showed it
    last_seen    DateTime('UTC')  -- last payload of the run that showed it
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(first_seen)
ORDER BY (marketplace, endpoint, path, kind, first_seen);

-- One row per (marketplace, endpoint, path, kind, expected, observed): when it
-- was first and last seen, in how many payloads and stores, one example.
CREATE VIEW IF NOT EXISTS {db}.v_payload_drift AS
SELECT
    marketplace,
    endpoint,
    path,
    kind,
    expected,
    observed,
    max(d_required)                 AS required,
    min(d_first_seen)               AS first_seen,
    max(d_last_seen)                AS last_seen,
    sum(d_count)                    AS count,
    uniqExact(store)                AS stores,
    argMax(d_example, d_last_seen)  AS example
FROM
(
    -- Renamed so that the aggregates' names do not shadow their columns.
    SELECT marketplace, store, endpoint, path, kind, expected, observed,
           required AS d_required, first_seen AS d_first_seen, last_seen AS d_last_seen,
           count AS d_count, example AS d_example
    FROM {db}.payload_drift
)
GROUP BY marketplace, endpoint, path, kind, expected, observed;
