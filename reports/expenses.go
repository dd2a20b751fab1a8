package reports

import (
	"context"

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
	totals, err := wh.ExpenseTotals(ctx, p.period())
	if err != nil {
		return err
	}
	return b.fill(summarySheet, summaryColumns, func(t *table) error {
		for _, s := range totals {
			if err := t.add(s.Store, label(kindLabels, s.Kind), s.Currency, s.Entries, b.money(s.Amount, s.Currency)); err != nil {
				return err
			}
		}
		return nil
	})
}

// expenseSheets streams the entries, one sheet (or more) per store.
func expenseSheets(ctx context.Context, b *book, wh *clickhouse.Warehouse, p Params) error {
	var t *table
	err := wh.EachExpense(ctx, p.period(), func(e clickhouse.Expense) error {
		if t == nil || e.Store != t.base {
			if t != nil {
				if err := t.close(); err != nil {
					return err
				}
			}
			var err error
			if t, err = b.table(e.Store, expenseColumns); err != nil {
				return err
			}
		}
		return t.add(e.BookedOn, e.OrderID, label(kindLabels, e.Kind), label(entryLabels, e.Entry),
			b.money(e.Amount, e.Currency), e.Currency, e.Description)
	})
	if err != nil {
		return err
	}
	if t != nil {
		return t.close()
	}
	return nil
}
