package clickhouse

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

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
	out, err := collect(ctx, w, q, func(rs driver.Rows, o *canon.Option) error {
		o.Marketplace, o.Store = marketplace, store
		var active uint8
		err := rs.Scan(&o.Kind, &o.ID, &o.Name, &o.Extra, &active)
		o.Active = active == 1
		return err
	}, marketplace, store)
	return out, wrapErr(err, "options of %s/%s", marketplace, store)
}
