package pipeline_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
)

// sandboxCommissions reads the sandbox's commissions of a store, independently
// of the transform: per order id, the CPA amount (with "refunded" when so)
// and the ProSale amount, and the totals.
func sandboxCommissions(t *testing.T, e *promtest.Env, store string) (cpa, prosale map[string]string, refunded []string, cpaSum, prosaleSum decimal.Decimal) {
	cpa, prosale = map[string]string{}, map[string]string{}
	for _, o := range e.SB.Orders(e.SB.StoreID(e.Tokens[store])) {
		id := fmt.Sprint(o.ID)
		if c := o.CPACommission; c != nil {
			d := decimal.RequireFromString(c.Amount)
			if d.IsPositive() {
				cpa[id] = d.StringFixed(2)
				cpaSum = cpaSum.Add(d)
				if c.IsRefunded {
					refunded = append(refunded, id)
				}
			}
		}
		if p := o.ProsaleCommission; p != nil {
			d := decimal.RequireFromString(string(p.Value))
			if d.IsPositive() {
				prosale[id] = d.StringFixed(2)
				prosaleSum = prosaleSum.Add(d)
			}
		}
	}
	return cpa, prosale, refunded, cpaSum, prosaleSum
}

// ledger is every expense row of the store, all columns, in a fixed order.
func ledger(e *promtest.Env, store string) []string {
	return e.Query(`SELECT expense_id, order_id, kind, entry, toString(booked_on), toString(amount), currency, description,
		source, toString(created_at), _version FROM {db}.expenses WHERE store = ? ORDER BY order_id, kind, entry`, store)
}

func TestExpensesFromRoyalties(t *testing.T) {
	e := promtest.New(t, map[string]int{"shop": 240, "other": 30})
	ctx := context.Background()
	e.Run()
	cpa, prosale, refunded, cpaSum, prosaleSum := sandboxCommissions(t, e, "shop")
	if len(refunded) == 0 || len(prosale) == 0 || len(cpa) == len(refunded) {
		t.Fatalf("the sandbox seeded %d CPA, %d refunded, %d ProSale commissions: the test would prove little", len(cpa), len(refunded), len(prosale))
	}
	// Every seeded order is from the week before the clock's start: November 2026.
	now := pipelinetest.Start
	s, err := pipeline.GenerateExpenses(ctx, e.WH, now, []string{"shop"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := (pipeline.ExpenseSummary{Charges: len(cpa) + len(prosale), Reversals: len(refunded)}); s != want {
		t.Fatalf("summary %+v, want %+v", s, want)
	}
	if n := e.Query(`SELECT count() FROM {db}.expenses WHERE store != 'shop'`); n[0] != "0" {
		t.Fatalf("another store got %s rows", n[0])
	}

	// One charge per commission with its amount, booked on the order's day.
	got := e.Query(`SELECT e.order_id, e.kind, toString(e.amount), toString(e.booked_on) = toString(toDate(r.accrued_at)), e.description
		FROM {db}.v_expenses AS e ANY INNER JOIN (SELECT order_id, accrued_at FROM {db}.v_royalties WHERE store = 'shop') AS r USING order_id
		WHERE e.store = 'shop' AND e.entry = 'charge'`)
	charges := map[string]string{}
	for _, l := range got {
		f := strings.Split(l, "\t")
		if f[3] != "1" {
			t.Errorf("charge %s %s is not booked on the order's day", f[0], f[1])
		}
		name := map[string]string{"cpa_commission": "CPA", "prosale_commission": "ProSale"}[f[1]]
		if f[4] != "Комісія Prom "+name+" за замовлення "+f[0] {
			t.Errorf("charge description %q", f[4])
		}
		charges[f[1]+" "+f[0]] = decimal.RequireFromString(f[2]).StringFixed(2)
	}
	for id, amount := range cpa {
		if charges["cpa_commission "+id] != amount {
			t.Errorf("order %s: CPA charge %q, want %s", id, charges["cpa_commission "+id], amount)
		}
	}
	for id, amount := range prosale {
		if charges["prosale_commission "+id] != amount {
			t.Errorf("order %s: ProSale charge %q, want %s", id, charges["prosale_commission "+id], amount)
		}
	}
	if len(charges) != len(cpa)+len(prosale) {
		t.Errorf("%d charges, want %d", len(charges), len(cpa)+len(prosale))
	}

	// A refund adds exactly one reversal; the charge stays.
	for _, id := range refunded {
		rows := e.Query(`SELECT entry, toString(amount), toString(booked_on), description FROM {db}.v_expenses
			WHERE store = 'shop' AND order_id = ? AND kind = 'cpa_commission' ORDER BY entry`, id)
		if len(rows) != 2 || !strings.HasPrefix(rows[0], "charge\t") || !strings.HasPrefix(rows[1], "reversal\t") {
			t.Fatalf("order %s CPA entries: %q, want a charge and a reversal", id, rows)
		}
		rev := strings.Split(rows[1], "\t")
		if decimal.RequireFromString(rev[1]).StringFixed(2) != "-"+cpa[id] || rev[2] != "2026-11-20" ||
			!strings.HasPrefix(rev[3], "Сторно комісії Prom CPA за замовлення "+id+" від ") {
			t.Errorf("order %s reversal: %q, want -%s booked 2026-11-20", id, rows[1], cpa[id])
		}
	}

	// The money adds up to the royalties' to the kopeck.
	sums := e.Query(`SELECT toString(sumIf(amount, kind = 'cpa_commission' AND entry = 'charge')),
		toString(sumIf(amount, kind = 'prosale_commission')), toString(sumIf(amount, entry = 'reversal'))
		FROM {db}.v_expenses WHERE store = 'shop'`)
	royal := e.Query(`SELECT toString(sum(cpa_amount)), toString(sum(prosale_amount)), toString(-sumIf(cpa_amount, cpa_refunded = 1))
		FROM {db}.v_royalties WHERE store = 'shop'`)
	if len(sums) != 1 || !sameMoney(sums[0], royal[0]) || !sameMoney(sums[0], cpaSum.StringFixed(2)+"\t"+prosaleSum.StringFixed(2)+"\t"+strings.Split(royal[0], "\t")[2]) {
		t.Errorf("expense sums (CPA, ProSale, reversals) %q; royalties %q; sandbox CPA %s ProSale %s", sums, royal, cpaSum, prosaleSum)
	}

	// Again, a day later: nothing is written, nothing changes.
	before := ledger(e, "shop")
	s, err = pipeline.GenerateExpenses(ctx, e.WH, now, nil, now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	oCPA, oProSale, oRefunded, _, _ := sandboxCommissions(t, e, "other")
	if want := (pipeline.ExpenseSummary{Charges: len(oCPA) + len(oProSale), Reversals: len(oRefunded), Present: len(before)}); s != want {
		t.Fatalf("second generation, all stores: %+v, want %+v (only the other store's entries new)", s, want)
	}
	if after := ledger(e, "shop"); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatalf("the ledger changed on a second run:\n%s", pipelinetest.Diff(before, after))
	}

	// A refund seen later, in December: one reversal booked on that day, by
	// December's generation; November's adds nothing after it.
	late := ""
	for id := range cpa {
		if !slices.Contains(refunded, id) {
			late = id
			break
		}
	}
	err = e.WH.Conn().Exec(ctx, strings.ReplaceAll(`INSERT INTO {db}.royalties
		SELECT marketplace, store, order_id, cpa_amount, 1, prosale_amount, currency, accrued_at, _version + 1, now()
		FROM {db}.v_royalties WHERE store = 'shop' AND order_id = '`+late+`'`, "{db}", e.WH.Database()))
	if err != nil {
		t.Fatal(err)
	}
	december := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	if s, err = pipeline.GenerateExpenses(ctx, e.WH, december, nil, december); err != nil ||
		s != (pipeline.ExpenseSummary{Reversals: 1, Present: len(refunded) + len(oRefunded)}) {
		t.Fatalf("December: %+v, %v; want one new reversal, the earlier reversals present and no November charges", s, err)
	}
	rev := e.Query(`SELECT toString(amount), toString(booked_on) FROM {db}.v_expenses
		WHERE store = 'shop' AND order_id = ? AND entry = 'reversal'`, late)
	if len(rev) != 1 || !strings.HasSuffix(rev[0], "\t2026-12-03") || !sameMoney(strings.Split(rev[0], "\t")[0], "-"+cpa[late]) {
		t.Errorf("late refund of %s: %q, want one reversal of %s on 2026-12-03", late, rev, cpa[late])
	}
	if s, err = pipeline.GenerateExpenses(ctx, e.WH, now, nil, december.Add(time.Hour)); err != nil || s.Charges+s.Reversals != 0 {
		t.Errorf("November again after the late refund: %+v, %v", s, err)
	}
	if n := e.Query(`SELECT count() FROM {db}.expenses WHERE store = 'shop'`); n[0] != fmt.Sprint(len(before)+1) {
		t.Errorf("%s rows, want %d", n[0], len(before)+1)
	}
}

func sameMoney(a, b string) bool {
	x, y := strings.Split(a, "\t"), strings.Split(b, "\t")
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if !decimal.RequireFromString(x[i]).Equal(decimal.RequireFromString(y[i])) {
			return false
		}
	}
	return true
}

func TestParseExpensesCSV(t *testing.T) {
	cfg := &config.Config{Path: "kramar.yaml", Stores: []config.Store{{ID: "shop", Marketplace: "prom"}}}
	data := "\ufeffstore;date;kind;amount;currency;description;order_id\n" +
		"shop;2026-11-03;advertising;1 234,50;;Реклама за листопад;\n" +
		"shop;2026-11-04;advertising;1234.50;usd;Реклама, друга кампанія;\n" +
		"shop;2026-11-05;cpa_commission;-12.30;UAH;Повернення комісії;350000002\n" +
		"shop;05.11.2026;fee;1;;;\n" +
		"nope;2026-11-05;fee;1;;;\n" +
		"shop;2026-11-05;;1;;;\n" +
		"shop;2026-11-05;fee;abc;;;\n" +
		"shop;2026-11-05;fee;1.005;;;\n" +
		"shop;2026-11-05;fee;0;;;\n" +
		"shop;2026-11-05;fee;1;гривня;;\n" +
		"shop;2026-11-03;advertising;1234.5;UAH;Реклама за листопад;\n"
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	es, errs := pipeline.ParseExpensesCSV(strings.NewReader(data), "fees.csv", cfg, now)
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%s %s %s %s %s %s %s %q %s %s", e.Marketplace, e.Store, e.BookedOn.Format(time.DateOnly), e.Kind, e.Entry,
			e.Amount.StringFixed(2), e.Currency, e.Description, e.OrderID, e.Source))
	}
	want := []string{
		`prom shop 2026-11-03 advertising charge 1234.50 UAH "Реклама за листопад"  import`,
		`prom shop 2026-11-04 advertising charge 1234.50 USD "Реклама, друга кампанія"  import`,
		`prom shop 2026-11-05 cpa_commission reversal -12.30 UAH "Повернення комісії" 350000002 import`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("expenses:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantErrs := []string{
		`fees.csv:5: store shop: date: want YYYY-MM-DD, not "05.11.2026"`,
		`fees.csv:6: store: no store "nope" in kramar.yaml`,
		`fees.csv:7: store shop: kind: is required`,
		`fees.csv:8: store shop: amount: bad money "abc"`,
		`fees.csv:9: store shop: amount: 1.005 has more than 2 decimal places`,
		`fees.csv:10: store shop: amount: is zero`,
		`fees.csv:11: store shop: currency: want a 3-letter code like UAH, not "гривня"`,
		`fees.csv:12: store shop: the same expense as line 2`,
	}
	if len(errs) != len(wantErrs) {
		t.Fatalf("errors: %v", errs)
	}
	for i, err := range errs {
		if !strings.HasPrefix(err.Error(), wantErrs[i]) {
			t.Errorf("error %d: %v, want %s…", i, err, wantErrs[i])
		}
	}
	ids := map[string]bool{}
	for _, e := range es {
		ids[e.ExpenseID] = true
	}
	again, _ := pipeline.ParseExpensesCSV(strings.NewReader(data), "fees.csv", cfg, now.Add(time.Hour))
	for _, e := range again {
		if !ids[e.ExpenseID] {
			t.Errorf("the same row read again has a new id: %+v", e)
		}
	}
	if len(ids) != 3 {
		t.Errorf("%d distinct ids, want 3", len(ids))
	}
}
