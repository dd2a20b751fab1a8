package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kramar/kramar/schema/rows"
)

// stagedProducts is where a catalog load is written until it has finished
// (migration 020): a load that fails half-way never reaches products.
const stagedProducts = "products_staging"

// StageCatalog writes one insert of a catalog load aside; the load becomes
// the catalog only through PublishCatalog.
func (w *Warehouse) StageCatalog(ctx context.Context, rec arrow.Record) error {
	return w.Insert(ctx, stagedProducts, rec)
}

// carriedOver is what an offer carried over into a new load holds instead
// of its previous value; the placeholders take, in column order, the new
// load's run id, load time and version.
var carriedOver = map[string]string{
	"stock":      "toUInt32(0)",
	"available":  "toUInt8(0)",
	"_run_id":    "?",
	"_loaded_at": "toDateTime(?, 'UTC')",
	"_version":   "toUInt64(?)",
}

// PublishCatalog makes the finished load run the store's catalog: its
// staged offers are copied into products, and every offer of the catalog
// the load does not have is written again as part of it, unavailable with
// no stock: an offer gone from a feed is out of sale, not forgotten. Both
// copies run inside ClickHouse (INSERT … SELECT), so a million-offer
// catalog costs no memory here. It returns how many offers were carried
// over. Repeating it after a failure is harmless: a copy again is the same
// version of the same offers.
func (w *Warehouse) PublishCatalog(ctx context.Context, marketplace, store, run string, version uint64, loadedAt time.Time) (uint64, error) {
	var cols, exprs []string
	for _, t := range rows.Tables() {
		if t.Name != rows.ProductsTable {
			continue
		}
		for _, c := range t.Columns {
			cols = append(cols, quoteIdent(c.Name))
			expr, ok := carriedOver[c.Name]
			if !ok {
				expr = quoteIdent(c.Name)
			}
			exprs = append(exprs, expr)
		}
	}
	products, staged := w.table(rows.ProductsTable), w.table(stagedProducts)
	into := "INSERT INTO " + products + " (" + strings.Join(cols, ", ") + ") SELECT "
	// No FINAL on staging: the load's rows are its store's newest there,
	// and each load holds each offer once.
	ofLoad := `marketplace = ? AND store = ? AND _run_id = ?`
	if err := w.conn.Exec(ctx, into+strings.Join(cols, ", ")+" FROM "+staged+" WHERE "+ofLoad, marketplace, store, run); err != nil {
		return 0, fmt.Errorf("clickhouse: publish catalog load %s of %s/%s: %w", run, marketplace, store, err)
	}
	// Only key columns in the filter: ClickHouse may apply it before FINAL
	// collapses the versions, which is harmless for them alone.
	gone := " FROM " + products + " FINAL WHERE marketplace = ? AND store = ? AND product_id" + w.in(true) +
		"(SELECT product_id FROM " + staged + " WHERE " + ofLoad + ")"
	var n uint64
	if err := w.conn.QueryRow(ctx, "SELECT count()"+gone, marketplace, store, marketplace, store, run).Scan(&n); err != nil {
		return 0, fmt.Errorf("clickhouse: count the offers gone from %s/%s: %w", marketplace, store, err)
	}
	if n == 0 {
		return 0, nil
	}
	if err := w.conn.Exec(ctx, into+strings.Join(exprs, ", ")+gone, run, loadedAt.UTC().Unix(), version, marketplace, store, marketplace, store, run); err != nil {
		return 0, fmt.Errorf("clickhouse: carry over the offers missing from %s/%s: %w", marketplace, store, err)
	}
	return n, nil
}
