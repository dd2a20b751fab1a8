package pipeline_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	promwire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
)

func TestTwoRunsLeaveOneCurrentRowPerOrderAndItem(t *testing.T) {
	e := promtest.New(t, map[string]int{"prom-a": 120, "prom-b": 70})
	first := e.Run()
	for _, s := range []string{"prom-a", "prom-b"} {
		r := first[s]
		if !r.OK() || r.New != len(e.SB.Orders(e.SB.StoreID(e.Tokens[s]))) || r.Rejected != 0 {
			t.Fatalf("first run %s: %+v", s, r)
		}
	}
	e.Clock.Advance(2 * time.Minute)
	second := e.Run()
	for _, s := range []string{"prom-a", "prom-b"} {
		if r := second[s]; !r.OK() || r.New != 0 || r.Updated != 0 {
			t.Fatalf("second run %s changed rows: %+v", s, r)
		}
	}
	e.AssertEqual("prom-a", "prom-b")
	// One current row per key, and no key twice in the views.
	for _, q := range []string{
		`SELECT count() - uniqExact(store, external_id) FROM {db}.v_orders`,
		`SELECT count() - uniqExact(store, order_id, line) FROM {db}.v_order_items`,
		`SELECT count() - uniqExact(store, order_id) FROM {db}.v_royalties`,
	} {
		if got := e.Query(q); got[0] != "0" {
			t.Errorf("%s = %s, want 0", q, got[0])
		}
	}
	runs := e.Query(`SELECT status, count() FROM {db}.pipeline_runs GROUP BY status`)
	if len(runs) != 1 || runs[0] != "ok\t4" {
		t.Errorf("pipeline_runs = %v, want 4 ok runs", runs)
	}
}

func TestChangedOrdersAndSharedCursorTimestamp(t *testing.T) {
	e := promtest.New(t, map[string]int{"prom-a": 60})
	tok := e.Tokens["prom-a"]
	e.Run()
	cursor := e.Query(`SELECT value FROM {db}.v_extract_state WHERE store = 'prom-a' AND kind = 'cursor'`)
	if len(cursor) != 1 {
		t.Fatalf("cursor rows %v", cursor)
	}
	cur, err := time.Parse(time.RFC3339, cursor[0])
	if err != nil {
		t.Fatal(err)
	}
	orders := e.SB.Orders(e.SB.StoreID(tok))
	e.Clock.Advance(time.Minute)
	e.SB.SetStatus(tok, orders[0].ID, "received")
	e.SB.SetPayment(tok, orders[1].ID, "paid")
	e.SB.SetTTN(tok, orders[2].ID, "20450000123456")
	// Orders that land at exactly the cursor's second, after it was read.
	now := e.Clock.Now()
	e.Clock.Set(cur)
	for i := 0; i < 3; i++ {
		e.SB.AddOrder(tok, func(o *promwire.Order) { o.Price = "1 234,50 грн" })
	}
	e.Clock.Set(now.Add(time.Minute)) // past the safety lag

	r := e.Run()["prom-a"]
	if !r.OK() || r.New != 3 || r.Updated != 3 {
		t.Fatalf("second run: %+v, want 3 new and 3 updated", r)
	}
	e.AssertEqual("prom-a")
	// The harness config has no mappings: ops are told, once per run, how
	// many values lack one and where to see them; the run record counts them.
	if logs := e.Logs.String(); strings.Count(logs, "without a CRM mapping") != 2 || !strings.Contains(logs, "kramar mappings suggest --store prom-a") {
		t.Errorf("want one line about the unmapped values per run in the log:\n%.2000s", logs)
	}
	if got := e.Query(`SELECT min(unmapped_statuses) > 0 FROM {db}.pipeline_runs WHERE store = 'prom-a' AND job = 'orders'`); got[0] != "1" {
		t.Errorf("the run records do not count the unmapped statuses: %v", got)
	}
	if got := e.Query(`SELECT toString(amount) FROM {db}.v_orders WHERE amount = toDecimal64(1234.5, 2)`); len(got) != 3 {
		t.Errorf("orders priced \"1 234,50 грн\" in the warehouse: %v, want 3 at 1234.50", got)
	}
}

func TestUnpaidOrdersAreHeldAcrossRestarts(t *testing.T) {
	e := promtest.New(t, map[string]int{"prom-a": 10})
	tok := e.Tokens["prom-a"]
	e.Run() // the seeded orders are loaded before the hold is switched on
	e.Cfg.Stores[0].Hold = config.Hold{PaymentTypes: []string{"Пром-оплата"}, Minutes: 30}
	unpaid := func(o *promwire.Order) {
		o.PaymentOption = &promwire.Option{ID: 2, Name: "Пром-оплата"}
		o.PaymentData = &promwire.PaymentData{Type: "evopay", Status: "unpaid"}
		o.Status = "pending"
	}
	paidLater := e.SB.AddOrder(tok, unpaid)
	neverPaid := e.SB.AddOrder(tok, unpaid)
	e.Clock.Advance(time.Minute)

	inWarehouse := func(id int64) []string {
		return e.Query(`SELECT payment_status, paid FROM {db}.v_orders WHERE external_id = ?`, fmt.Sprint(id))
	}
	r := e.Run()["prom-a"]
	if r.Held != 2 || len(inWarehouse(paidLater)) != 0 || len(inWarehouse(neverPaid)) != 0 {
		t.Fatalf("after the first sight: %+v; want both held, none loaded", r)
	}
	if got := e.Query(`SELECT count() FROM {db}.v_extract_state WHERE kind = 'held'`); got[0] != "2" {
		t.Fatalf("held orders in extract_state: %v, want 2", got)
	}

	e.Clock.Advance(2 * time.Minute)
	must(t, e.SB.SetPayment(tok, paidLater, "paid"))
	e.Clock.Advance(10 * time.Minute) // the change falls out of the lookback: the re-check must find it
	r = e.Run()["prom-a"]
	if got := inWarehouse(paidLater); len(got) != 1 || got[0] != "paid\t1" {
		t.Fatalf("paid order after payment: %v (%+v), want loaded as paid", got, r)
	}
	if got := inWarehouse(neverPaid); len(got) != 0 || r.Held != 1 {
		t.Fatalf("unpaid order loaded before its delay ran out? %v %+v", got, r)
	}
	// 32 minutes since first sight > 30: on the next cycle it goes in as unpaid.
	e.Clock.Advance(20 * time.Minute)
	r = e.Run()["prom-a"]
	if got := inWarehouse(neverPaid); len(got) != 1 || got[0] != "unpaid\t0" || r.Held != 0 {
		t.Fatalf("unpaid order after the delay: %v (%+v), want loaded as unpaid", got, r)
	}
	if got := e.Query(`SELECT count() FROM {db}.v_extract_state WHERE kind = 'held'`); got[0] != "0" {
		t.Fatalf("held orders left in extract_state: %v", got)
	}
	e.AssertEqual("prom-a")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestReferenceJobLoadsAccountListsAndFlagsUnmappedNames(t *testing.T) {
	e := promtest.New(t, map[string]int{"prom-a": 5})
	e.Cfg.Mappings = map[string]config.Mappings{"prom": {Payment: map[string]string{"пром-оплата ": "Пром-оплата"}}}
	problems := referenceJob(t, e.Runner(), "")
	got := e.Query(`SELECT kind, name FROM {db}.v_marketplace_options WHERE store = 'prom-a' AND kind = 'payment' ORDER BY name`)
	if len(got) < 2 || !slices.Contains(got, "payment\tПром-оплата") {
		t.Fatalf("payment options in the warehouse: %v", got)
	}
	for _, p := range problems {
		if p.Store != "prom-a" || !p.Warning {
			t.Errorf("problem %+v, want a warning for prom-a", p)
		}
	}
	text := messages(problems)
	// Mapped (forgivingly: case and spaces) → not reported; every other payment and delivery → reported.
	if strings.Contains(text, `payment "Пром-оплата"`) || !strings.Contains(text, `payment "Оплата при отриманні"`) || !strings.Contains(text, "delivery ") {
		t.Errorf("unmapped warnings:\n%s", text)
	}
}

// referenceJob runs the reference job (every store must fetch a list) and
// returns the mapping check's warnings about field ("mappings.status"), or
// about every field when field is "".
func referenceJob(t *testing.T, r *pipeline.Runner, field string) []config.Problem {
	t.Helper()
	res, err := r.RunJob(context.Background(), pipeline.JobReference)
	if err != nil || !res[0].OK() || res[0].Fetched == 0 {
		t.Fatalf("reference job: %+v %v", res, err)
	}
	problems, err := pipeline.UnmappedOptions(context.Background(), r.Warehouse, r.Config)
	if err != nil {
		t.Fatal(err)
	}
	var out []config.Problem
	for _, p := range problems {
		if field == "" || p.Field == field {
			out = append(out, p)
		}
	}
	return out
}

// messages is the problems' messages, one a line.
func messages(problems []config.Problem) string {
	var b strings.Builder
	for _, p := range problems {
		b.WriteString(p.Message + "\n")
	}
	return b.String()
}
