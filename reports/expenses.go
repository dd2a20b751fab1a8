package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/loaders/clickhouse"
)

// summarySheet names the expenses workbook's first sheet.
const summarySheet = "Підсумок"

// kindLabels and entryLabels name expense kinds and entries for the
// accountant; a kind not listed (a fee named in an import) shows as is.
var (
	kindLabels  = map[string]string{"cpa_commission": "Комісія CPA", "prosale_commission": "Комісія ProSale"}
	entryLabels = map[string]string{"charge": "Нарахування", "reversal": "Сторно"}
)

func label(labels map[string]string, code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return code
}

var (
	summaryColumns = []column{
		{header: "Магазин", width: 22},
		{header: "Вид", width: 24},
		{header: "Валюта", width: 9},
		{header: "Записів", width: 11, kind: countCell, sum: true},
		{header: "Сума", width: 18, kind: moneyCell, sum: true},
	}
	expenseColumns = []column{
		{header: "Дата", width: 12, kind: dateCell},
		{header: "Замовлення", width: 16},
		{header: "Вид", width: 20},
		{header: "Запис", width: 14},
		{header: "Сума", width: 16, kind: moneyCell, sum: true},
		{header: "Валюта", width: 9},
		{header: "Опис", width: 60},
	}
)

func buildExpenses(ctx context.Context, b *book, wh *clickhouse.Warehouse, p Params) error {
	if err := expenseSummary(ctx, b, wh, p); err != nil {
		return err
	}
	return expenseSheets(ctx, b, wh, p)
}

// expenseSummary writes the total per store, kind and currency.
func expenseSummary(ctx context.Context, b *book, wh *clickhouse.Warehouse, p Params) error {
	cond, args := p.filter("booked_on", true)
	rows, err := wh.Conn().Query(ctx, fmt.Sprintf(`SELECT store, kind, currency, count(), sum(amount)
		FROM %s.v_expenses WHERE %s GROUP BY store, kind, currency ORDER BY store, kind, currency`, wh.Database(), cond), args...)
	if err != nil {
		return fmt.Errorf("reports: expenses summary: %w", err)
	}
	defer rows.Close()
	t, err := b.table(summarySheet, summaryColumns)
	if err != nil {
		return err
	}
	for rows.Next() {
		var store, kind, currency string
		var n uint64
		var sum decimal.Decimal
		if err := rows.Scan(&store, &kind, &currency, &n, &sum); err != nil {
			return fmt.Errorf("reports: expenses summary: %w", err)
		}
		if err := t.add(store, label(kindLabels, kind), currency, n, b.money(sum, currency)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reports: expenses summary: %w", err)
	}
	return t.close()
}

// expenseSheets streams the entries, one sheet (or more) per store.
func expenseSheets(ctx context.Context, b *book, wh *clickhouse.Warehouse, p Params) error {
	cond, args := p.filter("booked_on", true)
	rows, err := wh.Conn().Query(streaming(ctx), fmt.Sprintf(`SELECT store, booked_on, order_id, kind, entry, amount, currency, description
		FROM %s.v_expenses WHERE %s ORDER BY store, booked_on, order_id, kind, entry, expense_id`, wh.Database(), cond), args...)
	if err != nil {
		return fmt.Errorf("reports: expenses: %w", err)
	}
	defer rows.Close()
	var t *table
	var current string
	for rows.Next() {
		var store, orderID, kind, entry, currency, description string
		var booked time.Time
		var amount decimal.Decimal
		if err := rows.Scan(&store, &booked, &orderID, &kind, &entry, &amount, &currency, &description); err != nil {
			return fmt.Errorf("reports: expenses: %w", err)
		}
		if t == nil || store != current {
			if t != nil {
				if err := t.close(); err != nil {
					return err
				}
			}
			if t, err = b.table(store, expenseColumns); err != nil {
				return err
			}
			current = store
		}
		if err := t.add(booked, orderID, label(kindLabels, kind), label(entryLabels, entry),
			b.money(amount, currency), currency, description); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reports: expenses: %w", err)
	}
	if t != nil {
		return t.close()
	}
	return nil
}
