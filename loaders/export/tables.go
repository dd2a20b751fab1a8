package export

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
)

// source is a table or view that may be exported and how --from/--to apply to it.
type source struct {
	// timeColumn is the column the period filter compares; "" means the
	// table has no time of its own worth filtering on.
	timeColumn string
	// viaOrder: the rows carry no time, so the period selects them by their
	// order's creation time (orders.created_at).
	viaOrder bool
}

// sources are the exportable tables and views. Analysts read the current
// rows (v_*) and the logs; raw replaceable tables hold superseded versions
// and extract_state is internal, so neither is offered.
var sources = map[string]source{
	"v_orders":              {timeColumn: "created_at"},
	"v_order_items":         {timeColumn: "created_at", viaOrder: true},
	"v_royalties":           {timeColumn: "accrued_at"},
	"v_expenses":            {timeColumn: "booked_on"},
	"v_products":            {timeColumn: "created_at"},
	"v_marketplace_options": {},
	"v_crm_stock":           {timeColumn: "changed_at"},
	"v_pushes":              {timeColumn: "at"},
	"v_daily_sales":         {timeColumn: "day"},
	"v_royalties_monthly":   {timeColumn: "month"},
	"pipeline_runs":         {timeColumn: "started_at"},
	"rejects":               {timeColumn: "seen_at"},
	"crm_updates":           {timeColumn: "changed_at"},
	"push_log":              {timeColumn: "at"},
}

// Tables lists the names Export accepts, sorted.
func Tables() []string {
	return slices.Sorted(maps.Keys(sources))
}

// PeriodColumn names what --from/--to filter table on, for people: a column
// of the table, "created_at of the order" for order lines, "" when the
// table has no time to filter on.
func PeriodColumn(table string) string {
	src := sources[table]
	if src.viaOrder {
		return src.timeColumn + " of the order"
	}
	return src.timeColumn
}

// column is one column of the exported table as system.columns describes it.
type column struct {
	name   string
	chType string
	codec  codec
}

// describe checks the name against the list of exportable tables and the
// database's system tables, and returns its columns in table order. Only
// names that pass both checks ever reach SQL text.
func describe(ctx context.Context, wh *clickhouse.Warehouse, table string) (source, []column, error) {
	src, ok := sources[table]
	if !ok {
		return source{}, nil, fmt.Errorf("export: unknown table %q; one of: %s", table, strings.Join(Tables(), ", "))
	}
	var n uint64
	if err := wh.Conn().QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = ?",
		wh.Database(), table).Scan(&n); err != nil {
		return source{}, nil, fmt.Errorf("export: look up %s: %w", table, err)
	}
	if n == 0 {
		return source{}, nil, fmt.Errorf("export: %s is not in database %s (run kramar migrate)", table, wh.Database())
	}
	// system.columns lists a table's columns in their declared order.
	rows, err := wh.Conn().Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = ?",
		wh.Database(), table)
	if err != nil {
		return source{}, nil, fmt.Errorf("export: columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.chType); err != nil {
			return source{}, nil, err
		}
		if c.codec, err = codecFor(c.chType); err != nil {
			return source{}, nil, fmt.Errorf("export: %s.%s: %w", table, c.name, err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return source{}, nil, err
	}
	return src, cols, nil
}

// query builds the SELECT for table, restricted to [from, to) when either is
// set. Identifiers come from system.columns and the bounds are formatted
// from parsed times, so no caller text is spliced in.
func query(db, table string, src source, cols []column, from, to time.Time) (string, error) {
	names := make([]string, len(cols))
	types := map[string]string{}
	for i, c := range cols {
		names[i] = quote(c.name)
		types[c.name] = c.chType
	}
	q := "SELECT " + strings.Join(names, ", ") + " FROM " + quote(db) + "." + quote(table)
	if from.IsZero() && to.IsZero() {
		return q, nil
	}
	if src.timeColumn == "" {
		return "", fmt.Errorf("export: %s has no time column; --from/--to do not apply", table)
	}
	if src.viaOrder {
		// The lines of the orders placed in the period.
		return q + " WHERE (marketplace, store, order_id) IN (SELECT marketplace, store, external_id FROM " +
			quote(db) + ".orders FINAL WHERE " + period("created_at", "DateTime('UTC')", from, to) + ")", nil
	}
	t, ok := types[src.timeColumn]
	if !ok {
		return "", fmt.Errorf("export: %s has no column %s", table, src.timeColumn)
	}
	return q + " WHERE " + period(src.timeColumn, t, from, to), nil
}

// period is "col >= from AND col < to" for the bounds that are set. A Date
// column is compared with the bounds' UTC days.
func period(col, chType string, from, to time.Time) string {
	literal := func(t time.Time) string {
		if chType == "Date" {
			return "toDate('" + t.UTC().Format(time.DateOnly) + "')"
		}
		return "toDateTime('" + t.UTC().Format(time.DateTime) + "', 'UTC')"
	}
	var conds []string
	if !from.IsZero() {
		conds = append(conds, quote(col)+" >= "+literal(from))
	}
	if !to.IsZero() {
		conds = append(conds, quote(col)+" < "+literal(to))
	}
	return strings.Join(conds, " AND ")
}

func quote(ident string) string { return "`" + strings.ReplaceAll(ident, "`", "\\`") + "`" }
