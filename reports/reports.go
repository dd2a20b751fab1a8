package reports

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
)

// Params chooses what a report covers.
type Params struct {
	Month  time.Time // the first day of the month (UTC); see ParseMonth
	Stores []string  // only these store ids; every store when empty
}

// Report writes one workbook to w.
type Report func(ctx context.Context, w io.Writer, wh *clickhouse.Warehouse, p Params) error

// builders fill a workbook; Report and the HTTP handler wrap them.
var builders = map[string]func(ctx context.Context, b *book, wh *clickhouse.Warehouse, p Params) error{
	"expenses":  buildExpenses,
	"orders":    buildOrders,
	"royalties": buildRoyalties,
}

// Names lists the reports: expenses, orders, royalties.
func Names() []string {
	names := make([]string, 0, len(builders))
	for n := range builders {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Lookup returns the report called name.
func Lookup(name string) (Report, bool) {
	build, ok := builders[name]
	if !ok {
		return nil, false
	}
	return func(ctx context.Context, w io.Writer, wh *clickhouse.Warehouse, p Params) error {
		b, err := render(ctx, build, wh, p)
		if err != nil {
			return err
		}
		return b.write(w)
	}, true
}

// Expenses writes the month's expense entries (v_expenses): a summary sheet
// (per store and kind) and one sheet per store.
func Expenses(ctx context.Context, w io.Writer, wh *clickhouse.Warehouse, p Params) error {
	return run(ctx, "expenses", w, wh, p)
}

// Orders writes the month's orders per UTC day and marketplace (v_orders):
// orders, revenue and cancellations, with a chart of revenue per day.
func Orders(ctx context.Context, w io.Writer, wh *clickhouse.Warehouse, p Params) error {
	return run(ctx, "orders", w, wh, p)
}

// Royalties writes the marketplace's commission on each of the month's
// orders (v_royalties with the order's date and status from v_orders).
func Royalties(ctx context.Context, w io.Writer, wh *clickhouse.Warehouse, p Params) error {
	return run(ctx, "royalties", w, wh, p)
}

func run(ctx context.Context, name string, w io.Writer, wh *clickhouse.Warehouse, p Params) error {
	r, _ := Lookup(name)
	return r(ctx, w, wh, p)
}

// render fills a new workbook; nothing is written yet, so a failed query
// can still be answered with an error.
func render(ctx context.Context, build func(context.Context, *book, *clickhouse.Warehouse, Params) error,
	wh *clickhouse.Warehouse, p Params) (*book, error) {
	b, err := newBook()
	if err != nil {
		return nil, err
	}
	b.title = monthTitle(p.Month)
	if err := build(ctx, b, wh, p); err != nil {
		b.close()
		return nil, fmt.Errorf("reports: %w", err)
	}
	return b, nil
}

// ParseMonth reads a month as YYYY-MM and returns its first day in UTC.
func ParseMonth(s string) (time.Time, error) {
	m, err := time.Parse("2006-01", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("month %q: want YYYY-MM, e.g. 2026-11", s)
	}
	return m, nil
}

// MonthOf returns the first day (UTC) of the month t is in.
func MonthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// FileName is the name a report's file is offered under:
// kramar-expenses-2026-11.xlsx.
func FileName(name string, month time.Time) string {
	return fmt.Sprintf("kramar-%s-%s.xlsx", name, month.Format("2006-01"))
}

// period is what the warehouse reads for p: its month and stores.
func (p Params) period() clickhouse.Period {
	from := MonthOf(p.Month)
	return clickhouse.Period{From: from, To: from.AddDate(0, 1, 0), Stores: p.Stores}
}
