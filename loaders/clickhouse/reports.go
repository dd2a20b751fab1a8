package clickhouse

import (
	"context"
	"fmt"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"
)

// Period chooses what a report reads: the rows of [From, To) of some stores.
type Period struct {
	From, To time.Time
	Stores   []string // every store when empty
}

// where is the condition choosing the period on column col (a Date when
// isDate, else a DateTime('UTC')) and the stores, with its arguments.
func (p Period) where(col string, isDate bool) (string, []any) {
	cond, args := between(col, isDate, p.From, p.To)
	if len(p.Stores) > 0 {
		cond += " AND has(?, store)"
		args = append(args, p.Stores)
	}
	return cond, args
}

// streamBlock is the rows per block ClickHouse sends for the row-by-row
// reads: small blocks keep what the client holds at a time small.
const streamBlock = 8192

// streaming is ctx for a query whose rows are handed on one by one.
func streaming(ctx context.Context) context.Context {
	return ch.Context(ctx, ch.WithSettings(ch.Settings{"max_block_size": streamBlock}))
}

// cancelled tells a cancelled order: the CRM status, the marketplace's own
// status (Prom "canceled"), or any cancellation reason (Rozetka's cancelled
// statuses all carry one).
const cancelled = `status LIKE 'Скасовано%' OR marketplace_status IN ('canceled', 'cancelled') OR cancel_reason != ''`

// DayOrders is the orders of one UTC day and marketplace (v_orders).
type DayOrders struct {
	Day         time.Time
	Marketplace string
	Orders      uint64
	Revenue     decimal.Decimal
	Cancelled   uint64
}

// OrdersPerDay counts the period's orders (by creation time) per UTC day
// and marketplace, in that order.
func (w *Warehouse) OrdersPerDay(ctx context.Context, p Period) ([]DayOrders, error) {
	cond, args := p.where("created_at", false)
	q := fmt.Sprintf(`SELECT toDate(created_at) AS day, marketplace, count(), sum(amount), countIf(%s)
		FROM %s WHERE %s GROUP BY day, marketplace ORDER BY day, marketplace`, cancelled, w.table("v_orders"), cond)
	out, err := collect(ctx, w, q, func(rs driver.Rows, d *DayOrders) error {
		return rs.Scan(&d.Day, &d.Marketplace, &d.Orders, &d.Revenue, &d.Cancelled)
	}, args...)
	return out, wrapErr(err, "orders per day")
}

// ExpenseTotal is the sum of one store's expense entries of one kind and
// currency.
type ExpenseTotal struct {
	Store, Kind, Currency string
	Entries               uint64
	Amount                decimal.Decimal
}

// ExpenseTotals sums the period's entries (v_expenses, by booked_on) per
// store, kind and currency, in that order.
func (w *Warehouse) ExpenseTotals(ctx context.Context, p Period) ([]ExpenseTotal, error) {
	cond, args := p.where("booked_on", true)
	q := fmt.Sprintf(`SELECT store, kind, currency, count(), sum(amount)
		FROM %s WHERE %s GROUP BY store, kind, currency ORDER BY store, kind, currency`, w.table("v_expenses"), cond)
	out, err := collect(ctx, w, q, func(rs driver.Rows, t *ExpenseTotal) error {
		return rs.Scan(&t.Store, &t.Kind, &t.Currency, &t.Entries, &t.Amount)
	}, args...)
	return out, wrapErr(err, "expense totals")
}

// EachExpense streams the period's entries (v_expenses, by booked_on) to fn
// by store, day and order; only the columns a ledger shows are read (store,
// booked_on, order_id, kind, entry, amount, currency, description). A month
// of a million entries is never held whole.
func (w *Warehouse) EachExpense(ctx context.Context, p Period, fn func(Expense) error) error {
	cond, args := p.where("booked_on", true)
	q := fmt.Sprintf(`SELECT store, booked_on, order_id, kind, entry, amount, currency, description
		FROM %s WHERE %s ORDER BY store, booked_on, order_id, kind, entry, expense_id`, w.table("v_expenses"), cond)
	return wrapErr(w.each(streaming(ctx), q, func(rs driver.Rows) error {
		var e Expense
		if err := rs.Scan(&e.Store, &e.BookedOn, &e.OrderID, &e.Kind, &e.Entry, &e.Amount, &e.Currency, &e.Description); err != nil {
			return err
		}
		return fn(e)
	}, args...), "expenses")
}

// OrderRoyalty is an order's current royalties row with the order's day
// and status.
type OrderRoyalty struct {
	RoyaltyLine
	Day         time.Time // the order's creation day; accrued_at's when the order is not loaded
	OrderStatus string    // the order's CRM status; "" when it is not loaded
}

// The period is chosen by accrued_at, the order's creation time; the day
// is the order's (the same, unless the order is missing from v_orders, when
// accrued_at stands in).
const orderRoyaltiesSQL = `SELECT order_id, store, marketplace,
	if(toUnixTimestamp(order_created) > 0, toDate(order_created), toDate(accrued_at)) AS day,
	order_status, cpa_amount, cpa_refunded, prosale_amount, currency, accrued_at
FROM (
	SELECT marketplace, store, order_id, cpa_amount, cpa_refunded, prosale_amount, currency, accrued_at
	FROM %[1]s WHERE %[3]s
) ANY LEFT JOIN (
	SELECT marketplace, store, external_id AS order_id, created_at AS order_created, status AS order_status
	FROM %[2]s WHERE %[4]s
) USING (marketplace, store, order_id)
ORDER BY day, store, order_id`

// EachOrderRoyalty streams the period's royalties (v_royalties) with their
// orders (v_orders) to fn, by day, store and order.
func (w *Warehouse) EachOrderRoyalty(ctx context.Context, p Period, fn func(OrderRoyalty) error) error {
	royaltyCond, args := p.where("accrued_at", false)
	orderCond, orderArgs := p.where("created_at", false)
	q := fmt.Sprintf(orderRoyaltiesSQL, w.table("v_royalties"), w.table("v_orders"), royaltyCond, orderCond)
	return wrapErr(w.each(streaming(ctx), q, func(rs driver.Rows) error {
		var r OrderRoyalty
		var refunded uint8
		if err := rs.Scan(&r.OrderID, &r.Store, &r.Marketplace, &r.Day, &r.OrderStatus,
			&r.CPAAmount, &refunded, &r.ProSaleAmount, &r.Currency, &r.AccruedAt); err != nil {
			return err
		}
		r.CPARefunded = refunded == 1
		return fn(r)
	}, append(args, orderArgs...)...), "royalties")
}

// StatusCount is the orders of one store in one CRM status.
type StatusCount struct {
	Store, Status string
	Orders        uint64
	Amount        decimal.Decimal
}

// OrdersByStatusSQL is the query OrdersByStatus runs, for people to try by
// hand.
func (w *Warehouse) OrdersByStatusSQL() string {
	return `SELECT store, status, count() AS orders, sum(amount) AS amount_uah
FROM ` + w.db + `.v_orders GROUP BY store, status ORDER BY store, orders DESC`
}

// OrdersByStatus counts the current orders (v_orders) per store and CRM
// status, the most common status of each store first.
func (w *Warehouse) OrdersByStatus(ctx context.Context) ([]StatusCount, error) {
	out, err := collect(ctx, w, w.OrdersByStatusSQL(), func(rs driver.Rows, c *StatusCount) error {
		return rs.Scan(&c.Store, &c.Status, &c.Orders, &c.Amount)
	})
	return out, wrapErr(err, "orders by status")
}
