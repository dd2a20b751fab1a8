package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kramar/kramar/schema/rows"
)

// LastCatalogRun is the run id of the store's latest catalog load that
// finished ("" when there is none): the catalog v_products shows.
func (w *Warehouse) LastCatalogRun(ctx context.Context, marketplace, store string) (string, error) {
	var run string
	err := w.conn.QueryRow(ctx, `SELECT argMax(run_id, (finished_at, _version)) FROM `+w.table("pipeline_runs")+`
		WHERE marketplace = ? AND store = ? AND job = 'catalog' AND status = 'ok'`, marketplace, store).Scan(&run)
	if err != nil {
		return "", fmt.Errorf("clickhouse: last catalog run of %s/%s: %w", marketplace, store, err)
	}
	return run, nil
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

// CarryOverMissing copies, into the load newRun, every offer of the load
// prevRun that newRun does not have, marked unavailable with no stock: an
// offer gone from a feed is out of sale, not forgotten. The copy runs inside
// ClickHouse (INSERT … SELECT), so a million-offer catalog costs no memory
// here. It returns how many offers were carried over.
func (w *Warehouse) CarryOverMissing(ctx context.Context, marketplace, store, prevRun, newRun string, version uint64, loadedAt time.Time) (uint64, error) {
	if prevRun == "" {
		return 0, nil
	}
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
	products := w.table(rows.ProductsTable)
	// No FINAL with a filter on _run_id: 18.16 may move such a filter before
	// the merge. Each load holds each offer once, so none is needed.
	where := `marketplace = ? AND store = ? AND _run_id = ?`
	q := "INSERT INTO " + products + " (" + strings.Join(cols, ", ") + ") SELECT " + strings.Join(exprs, ", ") +
		" FROM " + products + " WHERE " + where + " AND product_id" + w.in(true) + "(SELECT product_id FROM " + products + " WHERE " + where + ")"
	before, err := w.countRun(ctx, marketplace, store, newRun)
	if err != nil {
		return 0, err
	}
	if err := w.conn.Exec(ctx, q, newRun, loadedAt.UTC().Unix(), version, marketplace, store, prevRun, marketplace, store, newRun); err != nil {
		return 0, fmt.Errorf("clickhouse: carry over the offers missing from %s/%s: %w", marketplace, store, err)
	}
	after, err := w.countRun(ctx, marketplace, store, newRun)
	return after - before, err
}

func (w *Warehouse) countRun(ctx context.Context, marketplace, store, run string) (uint64, error) {
	var n uint64
	err := w.conn.QueryRow(ctx, `SELECT count() FROM `+w.table(rows.ProductsTable)+` WHERE marketplace = ? AND store = ? AND _run_id = ?`,
		marketplace, store, run).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("clickhouse: count offers of load %s: %w", run, err)
	}
	return n, nil
}
