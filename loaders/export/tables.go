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
	"v_product_sales":       {timeColumn: "day"},
	"v_unmatched_items":     {timeColumn: "last_ordered"},
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
	clickhouse.ColumnInfo
	codec codec
}

// describe checks the name against the list of exportable tables and the
// database's system tables, and returns its columns in table order. Only
// names that pass both checks ever reach SQL text.
func describe(ctx context.Context, wh *clickhouse.Warehouse, table string) (source, []column, error) {
	src, ok := sources[table]
	if !ok {
		return source{}, nil, fmt.Errorf("export: unknown table %q; one of: %s", table, strings.Join(Tables(), ", "))
	}
	infos, found, err := wh.Columns(ctx, table)
	if err != nil {
		return source{}, nil, fmt.Errorf("export: %w", err)
	}
	if !found {
		return source{}, nil, fmt.Errorf("export: %s is not in database %s (run kramar migrate)", table, wh.Database())
	}
	cols := make([]column, len(infos))
	for i, info := range infos {
		cols[i].ColumnInfo = info
		if cols[i].codec, err = codecFor(info.Type); err != nil {
			return source{}, nil, fmt.Errorf("export: %s.%s: %w", table, info.Name, err)
		}
	}
	return src, cols, nil
}

// read says which rows of table to export: those of [from, to) when either
// is set.
func read(table string, src source, cols []column, from, to time.Time) (clickhouse.TableRead, error) {
	r := clickhouse.TableRead{Table: table, From: from, To: to, ByOrder: src.viaOrder}
	for _, c := range cols {
		r.Columns = append(r.Columns, c.ColumnInfo)
		if c.Name == src.timeColumn {
			r.PeriodBy = c.ColumnInfo
		}
	}
	switch {
	case from.IsZero() && to.IsZero():
	case src.timeColumn == "":
		return r, fmt.Errorf("export: %s has no time column; --from/--to do not apply", table)
	case !src.viaOrder && r.PeriodBy.Name == "":
		return r, fmt.Errorf("export: %s has no column %s", table, src.timeColumn)
	}
	return r, nil
}
