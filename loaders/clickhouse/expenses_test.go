package clickhouse_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
)

func expense(id string, amount string) clickhouse.Expense {
	return clickhouse.Expense{
		ExpenseID: id, Marketplace: "prom", Store: "shop1", OrderID: "7", Kind: "cpa_commission", Entry: clickhouse.EntryCharge,
		// Late in the Kyiv evening: still the 14th in Kyiv, the 14th in UTC too.
		BookedOn: time.Date(2026, 11, 14, 23, 30, 0, 0, kyiv), Amount: decimal.RequireFromString(amount), Currency: "UAH",
		Description: "Комісія Prom CPA за замовлення 7", Source: clickhouse.ExpenseFromRoyalties,
		CreatedAt: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
	}
}

func TestRecordNewExpensesWritesEachIDOnce(t *testing.T) {
	w := chtest.New(t)
	ctx := context.Background()
	first := []clickhouse.Expense{expense("a", "61.73"), expense("b", "-0.01"), expense("a", "99.99")}
	got, err := w.RecordNewExpenses(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ExpenseID != "a" || got[1].ExpenseID != "b" || got[0].Version == 0 {
		t.Fatalf("written: %+v, want a (first) and b with versions", got)
	}
	rows := func() []string {
		return chtest.Query(t, w, `SELECT expense_id, toString(booked_on), toString(amount), description, toString(created_at), _version
			FROM {db}.expenses ORDER BY expense_id`)
	}
	before := rows()
	if len(before) != 2 || !strings.HasPrefix(before[0], "a\t2026-11-14\t61.73\t") || !strings.HasPrefix(before[1], "b\t2026-11-14\t-0.01\t") {
		t.Fatalf("expenses: %q", before)
	}
	// The same entries again, one with another amount and day: nothing changes.
	again := expense("b", "5.00")
	again.BookedOn = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	got, err = w.RecordNewExpenses(ctx, []clickhouse.Expense{expense("a", "61.73"), again})
	if err != nil || len(got) != 0 {
		t.Fatalf("second record wrote %d (%v)", len(got), err)
	}
	if after := rows(); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("rows changed:\n%q\n%q", before, after)
	}
}

func TestRecordNewExpensesChecksIDsBeyondOneQuery(t *testing.T) {
	w := chtest.New(t)
	ctx := context.Background()
	var es []clickhouse.Expense
	for i := range 4500 { // more ids than one lookup query takes
		es = append(es, expense(fmt.Sprintf("id-%05d", i), "1.00"))
	}
	if got, err := w.RecordNewExpenses(ctx, es[:4000]); err != nil || len(got) != 4000 {
		t.Fatalf("first: %d, %v", len(got), err)
	}
	got, err := w.RecordNewExpenses(ctx, es)
	if err != nil || len(got) != 500 || got[0].ExpenseID != "id-04000" {
		t.Fatalf("second wrote %d (%v), want only the 500 new", len(got), err)
	}
	wantCount(t, w, "expenses", 4500)
}

func TestRoyaltiesForExpensesTakeTheMonthAndEarlierRefunds(t *testing.T) {
	w := chtest.New(t)
	ctx := context.Background()
	march := testOrder("1", 1) // accrued 2024-03-31 00:30 UTC (03:30 Kyiv)
	refunded := testOrder("2", 1)
	refunded.Royalty.CPARefunded = true
	other := testOrder("3", 1)
	other.Store = "shop2"
	load(t, w, march, refunded, other)

	ids := func(from time.Time, stores ...string) string {
		rs, err := w.RoyaltiesForExpenses(ctx, from, from.AddDate(0, 1, 0), stores)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			out = append(out, fmt.Sprintf("%s/%s %s %t %s", r.Store, r.OrderID, r.CPAAmount.StringFixed(2), r.CPARefunded, r.AccruedAt.Format(time.RFC3339)))
		}
		return strings.Join(out, "; ")
	}
	if got := ids(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)); got !=
		"shop1/1 61.73 false 2024-03-31T00:30:00Z; shop1/2 61.73 true 2024-03-31T00:30:00Z; shop2/3 61.73 false 2024-03-31T00:30:00Z" {
		t.Errorf("March: %s", got)
	}
	if got := ids(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "shop2"); got != "shop2/3 61.73 false 2024-03-31T00:30:00Z" {
		t.Errorf("March, shop2 only: %s", got)
	}
	if got := ids(time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)); got != "shop1/2 61.73 true 2024-03-31T00:30:00Z" {
		t.Errorf("April (only the earlier refund): %s", got)
	}
	if got := ids(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)); got != "" {
		t.Errorf("February (nothing accrued yet): %s", got)
	}
}
