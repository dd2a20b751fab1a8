package clickhouse

import (
	"context"
	"fmt"

	"github.com/kramar/kramar/schema/canon"
)

// Options returns the store's current reference lists (marketplace_options),
// ordered by kind and name.
func (w *Warehouse) Options(ctx context.Context, marketplace, store string) ([]canon.Option, error) {
	q := `SELECT kind, option_id, argMax(name, _version), argMax(extra, _version), argMax(active, _version)
	      FROM ` + w.table("marketplace_options") + `
	      WHERE marketplace = ? AND store = ?
	      GROUP BY kind, option_id
	      ORDER BY kind, option_id`
	rs, err := w.conn.Query(ctx, q, marketplace, store)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: options of %s/%s: %w", marketplace, store, err)
	}
	defer rs.Close()
	var out []canon.Option
	for rs.Next() {
		o := canon.Option{Marketplace: marketplace, Store: store}
		var active uint8
		if err := rs.Scan(&o.Kind, &o.ID, &o.Name, &o.Extra, &active); err != nil {
			return nil, fmt.Errorf("clickhouse: options of %s/%s: %w", marketplace, store, err)
		}
		o.Active = active == 1
		out = append(out, o)
	}
	return out, rs.Err()
}
