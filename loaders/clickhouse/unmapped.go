package clickhouse

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// SeenValue is a marketplace value of one mapping kind (status, delivery,
// payment) that a store's orders or reference lists carry.
type SeenValue struct {
	Marketplace, Store string
	Kind               string // status | delivery | payment
	Value              string // as the orders carry it: what a mapping is written against
	Name               string // the marketplace's own name for it, when it has one
	// Orders is how many current orders carry the value with no CRM value;
	// 0 for a value only the reference lists name.
	Orders uint64
}

// UnmappedOrderValues lists, per store, the marketplace statuses, deliveries
// and payments of current orders (v_orders) that were loaded with no CRM
// value, with how many orders carry each; only the stores named, or every
// store when none is.
func (w *Warehouse) UnmappedOrderValues(ctx context.Context, stores []string) ([]SeenValue, error) {
	v := w.table("v_orders")
	only := storesCond(stores)
	q := `SELECT marketplace, store, kind, value, any(name), sum(n) FROM (
	        SELECT marketplace, store, 'status' AS kind, marketplace_status AS value, status_name AS name, count() AS n
	        FROM ` + v + ` WHERE status = '' AND marketplace_status != ''` + only + `
	        GROUP BY marketplace, store, marketplace_status, status_name
	        UNION ALL
	        SELECT marketplace, store, 'delivery' AS kind, marketplace_delivery AS value, '' AS name, count() AS n
	        FROM ` + v + ` WHERE delivery = '' AND marketplace_delivery != ''` + only + `
	        GROUP BY marketplace, store, marketplace_delivery
	        UNION ALL
	        SELECT marketplace, store, 'payment' AS kind, marketplace_payment AS value, '' AS name, count() AS n
	        FROM ` + v + ` WHERE payment = '' AND marketplace_payment != ''` + only + `
	        GROUP BY marketplace, store, marketplace_payment)
	      GROUP BY marketplace, store, kind, value
	      ORDER BY marketplace, store, kind, value`
	out, err := collect(ctx, w, q, func(rs driver.Rows, s *SeenValue) error {
		return rs.Scan(&s.Marketplace, &s.Store, &s.Kind, &s.Value, &s.Name, &s.Orders)
	}, storeArgs(stores, 3)...)
	return out, wrapErr(err, "unmapped order values")
}

// ReferenceValues lists every entry of the stores' current reference lists
// (v_marketplace_options) as the value orders would carry: statuses by
// their id, deliveries and payments by their name, as the transforms match
// them; only the stores named, or every store when none is.
func (w *Warehouse) ReferenceValues(ctx context.Context, stores []string) ([]SeenValue, error) {
	q := `SELECT marketplace, store, kind, if(kind = 'status', option_id, name), if(kind = 'status', name, '')
	      FROM ` + w.table("v_marketplace_options") + `
	      WHERE kind IN ('status', 'delivery', 'payment')` + storesCond(stores) + `
	      ORDER BY marketplace, store, kind, option_id`
	out, err := collect(ctx, w, q, func(rs driver.Rows, s *SeenValue) error {
		return rs.Scan(&s.Marketplace, &s.Store, &s.Kind, &s.Value, &s.Name)
	}, storeArgs(stores, 1)...)
	return out, wrapErr(err, "reference values")
}

// storesCond narrows a query to the stores given (none: every store); each
// use takes the stores as one argument (storeArgs).
func storesCond(stores []string) string {
	if len(stores) == 0 {
		return ""
	}
	return " AND has(?, store)"
}

// storeArgs are the arguments of n uses of storesCond.
func storeArgs(stores []string, n int) []any {
	if len(stores) == 0 {
		return nil
	}
	args := make([]any, n)
	for i := range args {
		args[i] = stores
	}
	return args
}
