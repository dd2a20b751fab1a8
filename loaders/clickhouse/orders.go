package clickhouse

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kramar/kramar/schema/rows"
)

// hashLookupChunk bounds the IN list of one ExistingHashes query.
const hashLookupChunk = 10_000

// ExistingHashes returns the current _hash of those of ids that the store
// already has in orders, keyed by external_id. Orders not loaded yet are absent.
func (w *Warehouse) ExistingHashes(ctx context.Context, marketplace, store string, ids []string) (map[string]uint64, error) {
	out := make(map[string]uint64, len(ids))
	q := `SELECT external_id, argMax(_hash, _version)
	      FROM ` + w.table("orders") + `
	      WHERE marketplace = ? AND store = ? AND external_id IN (SELECT arrayJoin(?))
	      GROUP BY external_id`
	for start := 0; start < len(ids); start += hashLookupChunk {
		chunk := ids[start:min(start+hashLookupChunk, len(ids))]
		// The ids travel as one array literal: 18.16 has no IN over an array,
		// but a subquery over it gives a set that still uses the primary key.
		err := w.each(ctx, q, func(rs driver.Rows) error {
			var id string
			var h uint64
			err := rs.Scan(&id, &h)
			out[id] = h
			return err
		}, marketplace, store, chunk)
		if err != nil {
			return nil, wrapErr(err, "existing hashes of %s/%s", marketplace, store)
		}
	}
	return out, nil
}

// InsertBatch writes batches as one insert per table: items and royalties
// first, the orders last. The view v_order_items joins on the order's items_count, so
// writing the order last means a reader never sees a new order without its
// lines.
func (w *Warehouse) InsertBatch(ctx context.Context, bs ...rows.Batch) error {
	var orders, items, royalties []arrow.Record
	for _, b := range bs {
		orders, items, royalties = append(orders, b.Orders), append(items, b.Items), append(royalties, b.Royalties)
	}
	if err := w.Insert(ctx, rows.ItemsTable, items...); err != nil {
		return err
	}
	if err := w.Insert(ctx, rows.RoyaltiesTable, royalties...); err != nil {
		return err
	}
	return w.Insert(ctx, rows.OrdersTable, orders...)
}
