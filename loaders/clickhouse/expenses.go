package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/schema/rows"
)

// Expense is one row of expenses: an entry of the accountants' ledger.
type Expense struct {
	ExpenseID   string
	Marketplace string
	Store       string
	OrderID     string
	Kind        string // cpa_commission, prosale_commission or a fee named in an import
	Entry       string // charge or reversal
	BookedOn    time.Time
	Amount      decimal.Decimal
	Currency    string
	Description string
	Source      string // royalties or import
	CreatedAt   time.Time
	Version     uint64 `ch:"_version"`
}

// The expense entries and where they come from.
const (
	EntryCharge          = "charge"
	EntryReversal        = "reversal"
	ExpenseFromRoyalties = "royalties"
	ExpenseFromImport    = "import"
)

// booked_on is a Date column; the spec carries it as a time at midnight UTC,
// which the driver writes as that day.
var expensesSpec = rows.FromStruct("expenses",
	rows.Time("booked_on", func(e Expense) time.Time { return Day(e.BookedOn) }),
)

// ExpensesTable describes the expenses table as this package writes it
// (booked_on, a Date on the server, is declared as a DateTime column).
func ExpensesTable() rows.Table { return expensesSpec.Table() }

// Day is t's calendar day in UTC, at midnight.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// idsPerQuery bounds the ids bound into one query: parameters are inlined
// into the query text, which the server limits (max_query_size, 256 KiB).
const idsPerQuery = 2000

// RecordNewExpenses writes the entries whose expense_id the table does not
// hold yet (an id repeated in es counts once) and returns them. An entry
// already there is never written again, so its booking date and amount stay
// as first recorded. Entries without a version get the next one.
func (w *Warehouse) RecordNewExpenses(ctx context.Context, es []Expense) ([]Expense, error) {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ExpenseID
	}
	present, err := w.existingExpenseIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var fresh []Expense
	for _, e := range es {
		if present[e.ExpenseID] {
			continue
		}
		present[e.ExpenseID] = true
		if e.Version == 0 {
			e.Version = rows.NextVersion()
		}
		fresh = append(fresh, e)
	}
	if err := insertAll(ctx, w, expensesSpec, fresh, "record expenses"); err != nil {
		return nil, err
	}
	return fresh, nil
}

func (w *Warehouse) existingExpenseIDs(ctx context.Context, ids []string) (map[string]bool, error) {
	present := map[string]bool{}
	for start := 0; start < len(ids); start += idsPerQuery {
		chunk := ids[start:min(start+idsPerQuery, len(ids))]
		err := w.addIDs(ctx, present, `SELECT DISTINCT expense_id FROM `+w.table("expenses")+`
		      WHERE expense_id IN (SELECT arrayJoin(?))`, chunk)
		if err != nil {
			return nil, wrapErr(err, "expense ids already recorded")
		}
	}
	return present, nil
}

// RoyaltyLine is an order's current royalties row.
type RoyaltyLine struct {
	Marketplace   string
	Store         string
	OrderID       string
	CPAAmount     decimal.Decimal
	CPARefunded   bool
	ProSaleAmount decimal.Decimal
	Currency      string
	AccruedAt     time.Time
}

// RoyaltiesForExpenses returns the current royalties accrued in [from, to)
// and, from before from, those whose CPA commission is refunded: what a
// month's expenses are made of. stores, when given, limits it to those stores.
func (w *Warehouse) RoyaltiesForExpenses(ctx context.Context, from, to time.Time, stores []string) ([]RoyaltyLine, error) {
	q := `SELECT marketplace, store, order_id, cpa_amount, cpa_refunded, prosale_amount, currency, accrued_at
	      FROM ` + w.table("v_royalties") + `
	      WHERE accrued_at < ? AND (accrued_at >= ? OR cpa_refunded = 1)`
	args := []any{to.UTC(), from.UTC()}
	if len(stores) > 0 {
		q += ` AND store IN (SELECT arrayJoin(?))`
		args = append(args, stores)
	}
	q += ` ORDER BY marketplace, store, accrued_at, order_id`
	out, err := collect(ctx, w, q, func(rs driver.Rows, r *RoyaltyLine) error {
		var refunded uint8
		err := rs.Scan(&r.Marketplace, &r.Store, &r.OrderID, &r.CPAAmount, &refunded, &r.ProSaleAmount, &r.Currency, &r.AccruedAt)
		r.CPARefunded = refunded == 1
		return err
	}, args...)
	return out, wrapErr(err, "royalties accrued before %s", to.UTC().Format(time.DateOnly))
}

// seedExpensesSQL makes N expense entries in ClickHouse itself: three
// stores, 30 days from the month's first, a reversal in every 50.
const seedExpensesSQL = `INSERT INTO %[1]s
	(expense_id, marketplace, store, order_id, kind, entry, booked_on, amount, currency, description, source, created_at, _version)
SELECT concat('bench-', toString(number)), 'prom', concat('bench-', toString(number %% 3)), toString(100000000 + number),
	if(number %% 5 = 0, 'prosale_commission', 'cpa_commission'), if(number %% 50 = 0, 'reversal', 'charge'),
	toDate('%[2]s') + number %% 30,
	if(number %% 50 = 0, -1, 1) * toDecimal64(number %% 100000, 2) / 100, 'UAH',
	concat('Комісія за замовлення №', toString(100000000 + number)), 'royalties', now(), 1
FROM system.numbers LIMIT %[3]d`

// SeedExpenses writes n made-up expense entries booked in month, for a
// benchmark of the reports. They are made by ClickHouse (INSERT … SELECT),
// so the process measured holds none of them.
func (w *Warehouse) SeedExpenses(ctx context.Context, month time.Time, n int) error {
	q := fmt.Sprintf(seedExpensesSQL, w.table("expenses"), month.UTC().Format(time.DateOnly), n)
	return wrapErr(w.conn.Exec(ctx, q), "seed %d expenses", n)
}
