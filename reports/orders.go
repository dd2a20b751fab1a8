package reports

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/kramar/kramar/loaders/clickhouse"
)

// Sheet names of the orders workbook.
const (
	ordersSheet  = "Замовлення"
	revenueSheet = "Виручка по днях"
)

var orderColumns = []column{
	{header: "Дата", width: 12, kind: dateCell},
	{header: "Маркетплейс", width: 16},
	{header: "Замовлень", width: 12, kind: countCell, sum: true},
	{header: "Виручка", width: 18, kind: moneyCell, sum: true},
	{header: "Скасовано", width: 12, kind: countCell, sum: true},
}

func buildOrders(ctx context.Context, b *book, wh *clickhouse.Warehouse, p Params) error {
	// A row per day and marketplace: small enough to hold, and the revenue
	// sheet pivots it.
	days, err := wh.OrdersPerDay(ctx, p.period())
	if err != nil {
		return err
	}
	pivot := pivotRevenue(days)
	err = b.fill(ordersSheet, orderColumns, func(t *table) error {
		if len(pivot.marketplaces) > 0 {
			t.beforeFlush = func(t *table) error { return b.f.AddChart(t.sheet, "G2", pivot.chart()) }
		}
		for _, d := range days {
			if err := t.add(d.Day, d.Marketplace, d.Orders, d.Revenue, d.Cancelled); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return pivot.write(b)
}

// revenuePivot is the revenue per day (rows) and marketplace (columns),
// every day from the first of the month to the last day with orders, so the
// chart's axis has no gaps.
type revenuePivot struct {
	days         []time.Time
	marketplaces []string
	revenue      map[time.Time]map[string]decimal.Decimal
}

func pivotRevenue(rows []clickhouse.DayOrders) revenuePivot {
	p := revenuePivot{revenue: map[time.Time]map[string]decimal.Decimal{}}
	if len(rows) == 0 {
		return p
	}
	for _, r := range rows {
		day := r.Day.UTC()
		if p.revenue[day] == nil {
			p.revenue[day] = map[string]decimal.Decimal{}
		}
		p.revenue[day][r.Marketplace] = r.Revenue
		if !slices.Contains(p.marketplaces, r.Marketplace) {
			p.marketplaces = append(p.marketplaces, r.Marketplace)
		}
	}
	slices.Sort(p.marketplaces)
	last := rows[len(rows)-1].Day.UTC()
	for d := MonthOf(last); !d.After(last); d = d.AddDate(0, 0, 1) {
		p.days = append(p.days, d)
	}
	return p
}

// write puts the pivot on its own sheet, which the chart reads.
func (p revenuePivot) write(b *book) error {
	cols := []column{{header: "Дата", width: 12, kind: dateCell}}
	for _, m := range p.marketplaces {
		cols = append(cols, column{header: m, width: 16, kind: moneyCell, sum: true})
	}
	return b.fill(revenueSheet, cols, func(t *table) error {
		values := make([]any, len(cols))
		for _, d := range p.days {
			values[0] = d
			for i, m := range p.marketplaces {
				values[i+1] = p.revenue[d][m] // zero when the marketplace had no orders that day
			}
			if err := t.add(values...); err != nil {
				return err
			}
		}
		return nil
	})
}

// chart is a line chart of revenue per day, a line per marketplace.
func (p revenuePivot) chart() *excelize.Chart {
	last := len(p.days) + 1
	ref := func(col, from, to int) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", revenueSheet, columnName(col), from, columnName(col), to)
	}
	c := &excelize.Chart{
		Type:      excelize.Line,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Виручка по днях"}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 720, Height: 360},
		YAxis:     excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: uahFormat}},
	}
	for i := range p.marketplaces {
		c.Series = append(c.Series, excelize.ChartSeries{
			Name:       fmt.Sprintf("'%s'!$%s$1", revenueSheet, columnName(i+2)),
			Categories: ref(1, 2, last),
			Values:     ref(i+2, 2, last),
		})
	}
	return c
}
