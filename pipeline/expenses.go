package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/transforms/money"
)

// The kinds of expense generated from royalties.
const (
	KindCPACommission     = "cpa_commission"
	KindProSaleCommission = "prosale_commission"
)

// ExpenseSummary counts what one generation did.
type ExpenseSummary struct {
	Charges   int // charge entries written now
	Reversals int // reversal entries written now
	Present   int // entries that were already recorded and stay as they are
}

// GenerateExpenses writes the expense entries of month (any time in it) from
// royalties, for every store or only the given ones: a charge per CPA and
// per ProSale commission of the orders accrued that month, booked on the
// order's day; a reversal of the CPA charge for every refunded commission of
// an order accrued that month or earlier, booked on the day now falls on —
// the day the refund was first seen (never before the charge's day). Entries
// are identified by what they are, so running it again writes only what is
// new and never changes an entry already there.
func GenerateExpenses(ctx context.Context, wh *clickhouse.Warehouse, month time.Time, stores []string, now time.Time) (ExpenseSummary, error) {
	y, m, _ := month.UTC().Date()
	from := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	royalties, err := wh.RoyaltiesForExpenses(ctx, from, from.AddDate(0, 1, 0), stores)
	if err != nil {
		return ExpenseSummary{}, err
	}
	now = now.UTC().Truncate(time.Second)
	var all []clickhouse.Expense
	for _, r := range royalties {
		all = append(all, royaltyExpenses(r, from, now)...)
	}
	written, err := wh.RecordNewExpenses(ctx, all)
	if err != nil {
		return ExpenseSummary{}, err
	}
	s := ExpenseSummary{Present: len(all) - len(written)}
	for _, e := range written {
		if e.Entry == clickhouse.EntryReversal {
			s.Reversals++
		} else {
			s.Charges++
		}
	}
	return s, nil
}

// royaltyExpenses are the entries one order's royalties give in the month
// starting at from: its charges only when it was accrued in that month.
func royaltyExpenses(r clickhouse.RoyaltyLine, from, now time.Time) []clickhouse.Expense {
	accrued := clickhouse.Day(r.AccruedAt)
	entry := func(kind, name, entry string, amount decimal.Decimal, booked time.Time, what string) clickhouse.Expense {
		return clickhouse.Expense{
			ExpenseID:   contentID(r.Marketplace, r.Store, r.OrderID, kind, entry),
			Marketplace: r.Marketplace, Store: r.Store, OrderID: r.OrderID, Kind: kind, Entry: entry,
			BookedOn: booked, Amount: amount, Currency: r.Currency,
			Description: fmt.Sprintf("%s %s %s за замовлення %s", what, connectors.DisplayName(r.Marketplace), name, r.OrderID),
			Source:      clickhouse.ExpenseFromRoyalties, CreatedAt: now,
		}
	}
	var out []clickhouse.Expense
	if !accrued.Before(from) {
		if r.CPAAmount.IsPositive() {
			out = append(out, entry(KindCPACommission, "CPA", clickhouse.EntryCharge, r.CPAAmount, accrued, "Комісія"))
		}
		if r.ProSaleAmount.IsPositive() {
			out = append(out, entry(KindProSaleCommission, "ProSale", clickhouse.EntryCharge, r.ProSaleAmount, accrued, "Комісія"))
		}
	}
	// cpa_refunded refunds the CPA commission only (Prom's
	// cpa_commission.is_refunded); the ProSale charge stays.
	if r.CPARefunded && r.CPAAmount.IsPositive() {
		rev := entry(KindCPACommission, "CPA", clickhouse.EntryReversal, r.CPAAmount.Neg(), maxTime(clickhouse.Day(now), accrued), "Сторно комісії")
		rev.Description += " від " + accrued.Format("02.01.2006")
		out = append(out, rev)
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// contentID is a stable id made of parts: the same parts, the same id.
func contentID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:12])
}

// expenseColumns are the columns of a manual expenses file; currency,
// description and order_id may be left out.
var expenseColumns = []string{"store", "date", "kind", "amount", "currency", "description", "order_id"}

// ParseExpensesCSV reads a CSV of expenses entered by hand. Good rows come
// back as entries (a positive amount a charge, a negative one a reversal)
// whose expense_id is made of the row's content, so importing the same file
// again records nothing new; each bad row gives an error naming its line,
// store and field. A row repeating an earlier row of the file is refused:
// it would be the same entry.
func ParseExpensesCSV(r io.Reader, name string, cfg *config.Config, now time.Time) ([]clickhouse.Expense, []error) {
	var out []clickhouse.Expense
	firstLine := map[string]int{}
	errs := eachCSVRow(r, name, expenseColumns, []string{"store", "date", "kind", "amount"}, func(line int, get func(string) string) error {
		e, err := manualExpense(cfg, get, now)
		if err != nil {
			return err
		}
		if prev, ok := firstLine[e.ExpenseID]; ok {
			return fmt.Errorf("store %s: the same expense as line %d (change its description to record both)", e.Store, prev)
		}
		firstLine[e.ExpenseID] = line
		out = append(out, e)
		return nil
	})
	return out, errs
}

func manualExpense(cfg *config.Config, get func(string) string, now time.Time) (clickhouse.Expense, error) {
	st, err := storeOf(cfg, get("store"))
	if err != nil {
		return clickhouse.Expense{}, err
	}
	fail := func(format string, args ...any) (clickhouse.Expense, error) {
		return clickhouse.Expense{}, fmt.Errorf("store %s: "+format, append([]any{st.ID}, args...)...)
	}
	day, err := time.Parse(time.DateOnly, get("date"))
	if err != nil {
		return fail("date: want YYYY-MM-DD, not %q", get("date"))
	}
	kind := get("kind")
	if kind == "" {
		return fail("kind: is required")
	}
	amount, err := money.Parse(get("amount"))
	if err != nil {
		return fail("amount: %v", err)
	}
	if amount.IsZero() {
		return fail("amount: is zero")
	}
	if !amount.Equal(amount.Round(2)) {
		return fail("amount: %s has more than 2 decimal places", get("amount"))
	}
	currency := strings.ToUpper(get("currency"))
	if currency == "" {
		currency = "UAH"
	}
	if len(currency) != 3 || strings.Trim(currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return fail("currency: want a 3-letter code like UAH, not %q", get("currency"))
	}
	entry := clickhouse.EntryCharge
	if amount.IsNegative() {
		entry = clickhouse.EntryReversal
	}
	e := clickhouse.Expense{
		Marketplace: st.Marketplace, Store: st.ID, OrderID: get("order_id"), Kind: kind, Entry: entry,
		BookedOn: day, Amount: amount, Currency: currency, Description: get("description"),
		Source: clickhouse.ExpenseFromImport, CreatedAt: now.UTC().Truncate(time.Second),
	}
	e.ExpenseID = contentID(clickhouse.ExpenseFromImport, e.Marketplace, e.Store, e.OrderID, e.Kind,
		day.Format(time.DateOnly), amount.StringFixed(2), e.Currency, e.Description)
	return e, nil
}

// CheckStores reports the first id that names no store of the config.
func CheckStores(cfg *config.Config, ids []string) error {
	for _, id := range ids {
		if _, err := storeOf(cfg, id); err != nil {
			return err
		}
	}
	return nil
}
