package clickhouse

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kramar/kramar/schema/rows"
)

// Note is one step of a new-order message (table notifications).
type Note struct {
	Marketplace, Store, OrderID, Channel, State string
	Attempt                                     uint32
	Payload, Error                              string
	At                                          time.Time
	Version                                     uint64 `ch:"_version"`
}

var notesSpec = rows.FromStruct[Note]("notifications")

// RecordNotes appends message steps; each gets the next version, and the
// current time when it has none.
func (w *Warehouse) RecordNotes(ctx context.Context, notes ...Note) error {
	for i := range notes {
		notes[i].Version = rows.NextVersion()
		if notes[i].At.IsZero() {
			notes[i].At = time.Now().UTC()
		}
	}
	return insertAll(ctx, w, notesSpec, notes, "record notifications")
}

// OpenNotes returns the store's messages whose latest state is one of
// states, written since since, oldest first.
func (w *Warehouse) OpenNotes(ctx context.Context, marketplace, store string, since time.Time, states ...string) ([]Note, error) {
	q := `SELECT order_id, channel, argMax(state, _version) AS cur_state, argMax(attempt, _version),
	             argMax(payload, _version), min(at) AS first_at
	      FROM ` + w.table("notifications") + `
	      WHERE marketplace = ? AND store = ? AND at >= ?
	      GROUP BY order_id, channel
	      HAVING cur_state IN (SELECT arrayJoin(?))
	      ORDER BY first_at, order_id`
	out, err := collect(ctx, w, q, func(rs driver.Rows, r *Note) error {
		r.Marketplace, r.Store = marketplace, store
		return rs.Scan(&r.OrderID, &r.Channel, &r.State, &r.Attempt, &r.Payload, &r.At)
	}, marketplace, store, since, states)
	return out, wrapErr(err, "open notifications of %s/%s", marketplace, store)
}

// NotedOrders returns which of ids already have a message on record.
func (w *Warehouse) NotedOrders(ctx context.Context, marketplace, store string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := w.addIDs(ctx, out, `SELECT DISTINCT order_id FROM `+w.table("notifications")+`
	      WHERE marketplace = ? AND store = ? AND order_id IN (SELECT arrayJoin(?))`, marketplace, store, ids)
	if err != nil {
		return nil, wrapErr(err, "notified orders of %s/%s", marketplace, store)
	}
	return out, nil
}
