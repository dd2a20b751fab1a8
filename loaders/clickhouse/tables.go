package clickhouse

import (
	"context"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ColumnInfo is one column of a table as system.columns describes it.
type ColumnInfo struct {
	Name string
	Type string // as system.columns spells it: String, DateTime('UTC'), Decimal(18, 2), …
}

// Columns returns the columns of a table or view of the database in their
// declared order; found is false when the database has no such table.
func (w *Warehouse) Columns(ctx context.Context, table string) (cols []ColumnInfo, found bool, err error) {
	var n uint64
	if err := w.conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = ?", w.db, table).Scan(&n); err != nil {
		return nil, false, wrapErr(err, "look up %s", table)
	}
	if n == 0 {
		return nil, false, nil
	}
	cols, err = collect(ctx, w, "SELECT name, type FROM system.columns WHERE database = ? AND table = ?",
		func(rs driver.Rows, c *ColumnInfo) error { return rs.Scan(&c.Name, &c.Type) }, w.db, table)
	return cols, true, wrapErr(err, "columns of %s", table)
}

// TableRead says which rows of a table ReadTable streams.
type TableRead struct {
	Table   string
	Columns []ColumnInfo // as Columns returned them: only those reach the query
	// From (inclusive) and To (exclusive) bound the column PeriodBy; a zero
	// time leaves that side open. With ByOrder the rows carry no time of
	// their own and the bounds choose them by their order's created_at.
	From, To time.Time
	PeriodBy ColumnInfo
	ByOrder  bool
}

// ReadTable streams the rows r chooses: each is scanned into dest (a
// pointer per column) and then row is called. Identifiers come from
// system.columns and the bounds are query arguments, so no caller text is
// spliced into the query.
func (w *Warehouse) ReadTable(ctx context.Context, r TableRead, dest []any, row func() error) error {
	names := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		names[i] = quoteIdent(c.Name)
	}
	q := "SELECT " + strings.Join(names, ", ") + " FROM " + w.table(r.Table)
	var cond string
	var args []any
	switch {
	case r.From.IsZero() && r.To.IsZero():
	case r.ByOrder:
		// The lines of the orders placed in the period.
		cond, args = between("created_at", false, r.From, r.To)
		cond = "(marketplace, store, order_id)" + w.in(false) + "(SELECT marketplace, store, external_id FROM " +
			w.table("orders") + " FINAL WHERE " + cond + ")"
	default:
		cond, args = between(r.PeriodBy.Name, r.PeriodBy.Type == "Date", r.From, r.To)
	}
	if cond != "" {
		q += " WHERE " + cond
	}
	return w.each(ctx, q, func(rs driver.Rows) error {
		if err := rs.Scan(dest...); err != nil {
			return err
		}
		return row()
	}, args...)
}

// between is "col >= from AND col < to" for the bounds that are set, with
// its arguments: a Date column (isDate) is compared with the bounds' UTC
// days, any other with their UTC times.
func between(col string, isDate bool, from, to time.Time) (string, []any) {
	layout, conv := time.DateTime, "toDateTime(?, 'UTC')"
	if isDate {
		layout, conv = time.DateOnly, "toDate(?)"
	}
	var conds []string
	var args []any
	if !from.IsZero() {
		conds = append(conds, quoteIdent(col)+" >= "+conv)
		args = append(args, from.UTC().Format(layout))
	}
	if !to.IsZero() {
		conds = append(conds, quoteIdent(col)+" < "+conv)
		args = append(args, to.UTC().Format(layout))
	}
	return strings.Join(conds, " AND "), args
}
