package clickhouse

import (
	"context"
	"maps"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kramar/kramar/schema/rows"
)

// ExistingHashes returns the current _hash of those of ids that the store
// already has in orders, keyed by external_id. Orders not loaded yet are
// absent. Concurrent calls share queries (see gather).
func (w *Warehouse) ExistingHashes(ctx context.Context, marketplace, store string, ids []string) (map[string]uint64, error) {
	out := make(map[string]uint64, len(ids))
	for start := 0; start < len(ids); start += hashIDsPerQuery {
		chunk := ids[start:min(start+hashIDsPerQuery, len(ids))]
		got, err := w.reads.hashes.do(ctx, hashRequest{storeKey{marketplace, store}, chunk})
		if err != nil {
			return nil, wrapErr(err, "existing hashes of %s/%s", marketplace, store)
		}
		maps.Copy(out, got)
	}
	return out, nil
}

// InsertBatch writes batches as one insert per table: items and royalties
// first, the orders last (in one flush with a Writer). The view
// v_order_items joins on the order's items_count, so writing the order last
// means a reader never sees a new order without its lines.
func (w *Warehouse) InsertBatch(ctx context.Context, bs ...rows.Batch) error {
	var orders, items, royalties []arrow.Record
	for _, b := range bs {
		orders, items, royalties = append(orders, b.Orders), append(items, b.Items), append(royalties, b.Royalties)
	}
	return w.write(ctx, []tableRecords{{rows.ItemsTable, items}, {rows.RoyaltiesTable, royalties}, {rows.OrdersTable, orders}})
}
