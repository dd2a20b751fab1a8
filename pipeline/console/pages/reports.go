package pages

import (
	"net/http"
	"net/url"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/reports"
)

// reportsPage is the Звіти page: the pickers, the workbooks' links and the
// month's totals, read as the workbooks read them.
type reportsPage struct {
	Month   string // YYYY-MM
	Store   string // "" = every store
	Stores  []string
	Error   string // a month that does not parse
	Books   []book
	Expense []expenseTotal
	Revenue []marketplaceRevenue
}

// book is one workbook's download link.
type book struct {
	Name, Title, About, URL, File string
}

// expenseTotal is the month's expenses of one kind and currency, over the
// stores chosen.
type expenseTotal struct {
	Kind, Label, Currency string
	Entries               uint64
	Amount                decimal.Decimal
}

// marketplaceRevenue is the month's orders of one marketplace, as the
// orders workbook sums them (every order created in the month).
type marketplaceRevenue struct {
	Marketplace       string
	Orders, Cancelled uint64
	Revenue           decimal.Decimal
}

// The workbooks, in the order the page lists them.
var books = []book{
	{Name: "expenses", Title: "Витрати", About: "комісії маркетплейсів та інші витрати: підсумок і аркуш на кожен магазин"},
	{Name: "orders", Title: "Замовлення", About: "замовлення, виручка й скасування по днях і маркетплейсах, з графіком"},
	{Name: "royalties", Title: "Комісії по замовленнях", About: "комісія CPA та ProSale кожного замовлення місяця"},
}

// kindLabels name the expense kinds as the expenses workbook does; a kind
// not listed (a fee named in an import) shows as it is.
var kindLabels = map[string]string{"cpa_commission": "Комісія CPA", "prosale_commission": "Комісія ProSale"}

func (h *handler) reports(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	month := reports.MonthOf(h.Clock())
	rp := reportsPage{Store: q.Get("store")}
	for _, s := range h.Config().Stores {
		rp.Stores = append(rp.Stores, s.ID)
	}
	if m := q.Get("month"); m != "" {
		parsed, err := reports.ParseMonth(m)
		if err != nil {
			rp.Month, rp.Error = m, "Місяць «"+m+"» не розпізнано: потрібен рік і місяць, наприклад 2026-11."
			h.render(w, http.StatusBadRequest, "reports", h.newPage(r, "Звіти", "reports", rp))
			return
		}
		month = parsed
	}
	rp.Month = month.Format("2006-01")
	period := clickhouse.Period{From: month, To: month.AddDate(0, 1, 0)}
	if rp.Store != "" {
		period.Stores = []string{rp.Store}
	}
	for _, b := range books {
		v := url.Values{"month": {rp.Month}}
		if rp.Store != "" {
			v.Set("store", rp.Store)
		}
		b.URL = "/reports/" + b.Name + "?" + v.Encode()
		b.File = reports.FileName(b.Name, month)
		rp.Books = append(rp.Books, b)
	}
	ctx := r.Context()
	expenses, err := h.Warehouse.ExpenseTotals(ctx, period)
	if err != nil {
		h.failWarehouse(w, r, err)
		return
	}
	rp.Expense = sumExpenses(expenses)
	days, err := h.Warehouse.OrdersPerDay(ctx, period)
	if err != nil {
		h.failWarehouse(w, r, err)
		return
	}
	rp.Revenue = sumRevenue(days)
	h.render(w, http.StatusOK, "reports", h.newPage(r, "Звіти", "reports", rp))
}

// sumExpenses adds up the stores' totals per kind and currency.
func sumExpenses(ts []clickhouse.ExpenseTotal) []expenseTotal {
	type key struct{ kind, currency string }
	by := map[key]*expenseTotal{}
	var out []expenseTotal
	var order []key
	for _, t := range ts {
		k := key{t.Kind, t.Currency}
		if by[k] == nil {
			label, ok := kindLabels[t.Kind]
			if !ok {
				label = t.Kind
			}
			by[k] = &expenseTotal{Kind: t.Kind, Label: label, Currency: t.Currency}
			order = append(order, k)
		}
		by[k].Entries += t.Entries
		by[k].Amount = by[k].Amount.Add(t.Amount)
	}
	sort.Slice(order, func(a, b int) bool {
		return order[a].kind < order[b].kind || order[a].kind == order[b].kind && order[a].currency < order[b].currency
	})
	for _, k := range order {
		out = append(out, *by[k])
	}
	return out
}

// sumRevenue adds up the days per marketplace.
func sumRevenue(days []clickhouse.DayOrders) []marketplaceRevenue {
	by := map[string]*marketplaceRevenue{}
	var names []string
	for _, d := range days {
		m := by[d.Marketplace]
		if m == nil {
			m = &marketplaceRevenue{Marketplace: d.Marketplace}
			by[d.Marketplace] = m
			names = append(names, d.Marketplace)
		}
		m.Orders += d.Orders
		m.Cancelled += d.Cancelled
		m.Revenue = m.Revenue.Add(d.Revenue)
	}
	sort.Strings(names)
	out := make([]marketplaceRevenue, 0, len(names))
	for _, n := range names {
		out = append(out, *by[n])
	}
	return out
}
