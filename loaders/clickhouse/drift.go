package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/schema/rows"
)

type driftRow struct {
	runID, marketplace, store string
	e                         *drift.Entry
}

var driftSpec = rows.NewSpec("payload_drift",
	rows.Str("run_id", func(r driftRow) string { return r.runID }),
	rows.Str("marketplace", func(r driftRow) string { return r.marketplace }),
	rows.Str("store", func(r driftRow) string { return r.store }),
	rows.Str("endpoint", func(r driftRow) string { return r.e.Endpoint }),
	rows.Str("path", func(r driftRow) string { return r.e.Path }),
	rows.Str("kind", func(r driftRow) string { return string(r.e.Kind) }),
	rows.Str("expected", func(r driftRow) string { return r.e.Expected.String() }),
	rows.Str("observed", func(r driftRow) string { return r.e.Observed.String() }),
	rows.Flag("required", func(r driftRow) bool { return r.e.Required }),
	rows.U64("count", func(r driftRow) uint64 { return r.e.Count }),
	rows.Str("example", func(r driftRow) string { return r.e.Example }),
	rows.Time("first_seen", func(r driftRow) time.Time { return r.e.FirstSeen }),
	rows.Time("last_seen", func(r driftRow) time.Time { return r.e.LastSeen }),
)

// RecordDrift appends the payload differences run runID met on a store.
func (w *Warehouse) RecordDrift(ctx context.Context, runID, marketplace, store string, entries []drift.Entry) error {
	rs := make([]driftRow, len(entries))
	for i := range entries {
		rs[i] = driftRow{runID: runID, marketplace: marketplace, store: store, e: &entries[i]}
	}
	return insertAll(ctx, w, driftSpec, rs, "record payload drift of run "+runID)
}

// Drift is one row of v_payload_drift.
type Drift struct {
	Marketplace, Endpoint, Path, Kind, Expected, Observed string
	Required                                              bool
	FirstSeen, LastSeen                                   time.Time
	Count, Stores                                         uint64
	Example                                               string
}

// PayloadDrift lists the differences seen since `since`, for the given
// marketplaces (all when none), most recent first.
func (w *Warehouse) PayloadDrift(ctx context.Context, since time.Time, marketplaces ...string) ([]Drift, error) {
	q := fmt.Sprintf(`SELECT marketplace, endpoint, path, kind, expected, observed, required,
	first_seen, last_seen, count, stores, example
FROM %s
WHERE last_seen >= ?`, w.table("v_payload_drift"))
	args := []any{since.UTC()}
	if len(marketplaces) > 0 {
		q += " AND marketplace IN (SELECT arrayJoin(?))"
		args = append(args, marketplaces)
	}
	q += " ORDER BY required DESC, last_seen DESC, marketplace, endpoint, path"
	out, err := collect(ctx, w, q, func(rs driver.Rows, d *Drift) error {
		var required uint8
		err := rs.Scan(&d.Marketplace, &d.Endpoint, &d.Path, &d.Kind, &d.Expected, &d.Observed, &required,
			&d.FirstSeen, &d.LastSeen, &d.Count, &d.Stores, &d.Example)
		d.Required = required == 1
		return err
	}, args...)
	return out, wrapErr(err, "read payload drift")
}
