// Package pipelinetest is the end-to-end harness: a Prom sandbox, a fresh
// warehouse database, a config of stores, and a comparison of what the
// analysts' views show with what the sandbox holds.
package pipelinetest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	_ "github.com/kramar/kramar/pipeline/connectors/all"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
	rzsb "github.com/kramar/kramar/sandbox/rozetka"
)

// Env is one sandbox, one fresh warehouse database and a config of stores.
type Env struct {
	t      testing.TB
	Clock  *kit.Clock
	SB     *promsb.Sandbox // Prom stores (New)
	RZ     *rzsb.Sandbox   // Rozetka stores (NewRozetka)
	WH     *clickhouse.Warehouse
	Cfg    *config.Config
	Tokens map[string]string // store -> its secret (Prom token, Rozetka password)
	RZIDs  map[string]string // Rozetka store -> the sandbox's store id
	Logs   *bytes.Buffer
	URL    string // the sandbox
	Path   string // the config file
	// BeforeRequest, when set, sees every request before the Rozetka
	// sandbox does: tests use it to act in the middle of a pull.
	BeforeRequest func(*http.Request)
	// Notify, when set, sends the new-order messages of the runs.
	Notify *pipeline.Notifier
}

// harnessDefaults keep runs fast and batches small, so tests cross batch edges.
const harnessDefaults = "defaults:\n  rate_per_second: 0\n  timeout: 300ms\n  max_attempts: 8\n  batch_size: 64\n  page_size: 25\n"

// Start is where every harness clock begins.
var Start = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// New seeds one sandbox store per entry of orders and writes a config for them.
func New(t testing.TB, orders map[string]int) *Env {
	t.Helper()
	e := &Env{t: t, Clock: kit.NewClock(Start), Tokens: map[string]string{}, Logs: &bytes.Buffer{}}
	e.SB = promsb.New(promsb.Options{Clock: e.Clock, Seed: 7})
	srv := httptest.NewServer(e.SB.Handler())
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	e.WH = chtest.New(t)

	var specs []StoreSpec
	for _, id := range sortedKeys(orders) {
		spec, token := PromStore(t, e.SB, id, orders[id])
		e.Tokens[id], specs = token, append(specs, spec)
	}
	e.Path, e.Cfg = WriteConfig(t, configText(specs, func(string) string { return srv.URL }, "", nil))
	return e
}

// NewRozetka seeds one Rozetka sandbox store per entry of orders (each with
// goods offers) and writes a config that logs in with username and password.
func NewRozetka(t testing.TB, orders map[string]int, goods int) *Env {
	t.Helper()
	e := &Env{t: t, Clock: kit.NewClock(Start), Tokens: map[string]string{}, RZIDs: map[string]string{}, Logs: &bytes.Buffer{}}
	e.RZ = rzsb.New(rzsb.Options{Clock: e.Clock, Seed: 7})
	h := e.RZ.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.BeforeRequest != nil {
			e.BeforeRequest(r)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	e.WH = chtest.New(t)
	var specs []StoreSpec
	for _, id := range sortedKeys(orders) {
		spec, sid := RozetkaStore(t, e.RZ, id, orders[id], goods)
		spec.YAML += "\ncustomer_cancel_status: Скасовано покупцем"
		e.Tokens[id], e.RZIDs[id], specs = spec.Secret, sid, append(specs, spec)
	}
	e.Path, e.Cfg = WriteConfig(t, configText(specs, func(string) string { return srv.URL }, "", nil))
	return e
}

func sortedKeys(m map[string]int) []string {
	var ids []string
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Run is one cycle in a fresh Runner, as a new process would start it.
func (e *Env) Run(stores ...string) map[string]pipeline.StoreResult {
	e.t.Helper()
	r := &pipeline.Runner{
		Warehouse: e.WH, Config: e.Cfg, Now: e.Clock.Now, Notify: e.Notify,
		Log:  slog.New(slog.NewTextHandler(e.Logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		HTTP: func(o *httpx.Options) { o.InitialBackoff = 5 * time.Millisecond },
		// One store at a time keeps the sandbox's seeded fault sequence repeatable.
		Parallel: 1,
	}
	res, err := r.RunOnce(context.Background(), stores...)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]pipeline.StoreResult{}
	for _, x := range res {
		out[x.Store] = x
		if x.Err != nil {
			e.t.Logf("store %s: %s: %v", x.Store, x.Status, x.Err)
		}
	}
	return out
}

// Query returns the rows of q as tab-joined strings.
func (e *Env) Query(q string, args ...any) []string {
	e.t.Helper()
	return Query(e.t, e.WH, q, args...)
}

// Query runs q ({db} = the warehouse's database) and returns its rows as
// tab-joined text.
func Query(t testing.TB, wh *clickhouse.Warehouse, q string, args ...any) []string {
	t.Helper()
	rows, err := wh.Conn().Query(context.Background(), strings.ReplaceAll(q, "{db}", wh.Database()), args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols := rows.ColumnTypes()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		for i, c := range cols {
			vals[i] = newOf(c.ScanType())
		}
		if err := rows.Scan(vals...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(deref(v))
		}
		out = append(out, strings.Join(parts, "\t"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// normMoney reads a sandbox money string independently of the code under test.
func normMoney(t testing.TB, s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "грн"))
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".").Replace(s)
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("sandbox money %q: %v", s, err)
	}
	return d.StringFixed(2)
}

// Truth is what the warehouse must show for a store: one line per order
// (id, marketplace status, amount, ttn, payment status) and one per item
// (order, line, seller's product id, total).
func (e *Env) Truth(store string) (orders, items []string) {
	if e.RZ != nil {
		return e.rozetkaTruth(store)
	}
	for _, o := range e.SB.Orders(e.SB.StoreID(e.Tokens[store])) {
		ttn, pay := "", ""
		if o.DeliveryProviderData != nil {
			ttn = o.DeliveryProviderData.DeclarationNumber
		}
		if o.PaymentData != nil {
			pay = o.PaymentData.Status
		}
		status := o.Status
		if status == "cancelled" {
			status = "canceled"
		}
		orders = append(orders, fmt.Sprintf("%d\t%s\t%s\t%s\t%s", o.ID, status, normMoney(e.t, o.Price), ttn, pay))
		for i, p := range o.Products {
			items = append(items, fmt.Sprintf("%d\t%d\t%s\t%s", o.ID, i, p.ExternalID, normMoney(e.t, p.TotalPrice)))
		}
	}
	sort.Strings(orders)
	sort.Strings(items)
	return orders, items
}

// rozetkaTruth reads the Rozetka sandbox: what the buyer pays for the goods,
// lines not removed while editing (purchase status 0), the seller's offer id.
func (e *Env) rozetkaTruth(store string) (orders, items []string) {
	for _, o := range e.RZ.Orders(e.RZIDs[store]) {
		pay := ""
		if o.Payment != nil && o.Payment.PaymentStatus != nil {
			pay = o.Payment.PaymentStatus.Name
		}
		orders = append(orders, fmt.Sprintf("%d\t%d\t%s\t%s\t%s", o.ID, o.Status, normMoney(e.t, or(string(o.AmountWithDiscount), string(o.Amount))), o.TTN, pay))
		line := 0
		for _, p := range o.Purchases {
			if p.Status == 0 {
				continue
			}
			offer := ""
			if p.Item != nil {
				offer = p.Item.PriceOfferID
			}
			items = append(items, fmt.Sprintf("%d\t%d\t%s\t%s", o.ID, line, offer, normMoney(e.t, or(string(p.CostWithDiscount), string(p.Cost)))))
			line++
		}
	}
	sort.Strings(orders)
	sort.Strings(items)
	return orders, items
}

func or(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// Warehouse is the same picture read from the analysts' views.
func (e *Env) Warehouse(store string) (orders, items []string) {
	orders = e.Query(`SELECT external_id, marketplace_status, toString(amount), ttn, payment_status
		FROM {db}.v_orders WHERE store = ? ORDER BY external_id`, store)
	items = e.Query(`SELECT order_id, line, external_id, toString(total)
		FROM {db}.v_order_items WHERE store = ? ORDER BY order_id, line`, store)
	// ClickHouse prints decimals without trailing zeros; compare at 2 places.
	for i, l := range orders {
		f := strings.Split(l, "\t")
		f[2] = decimal.RequireFromString(f[2]).StringFixed(2)
		orders[i] = strings.Join(f, "\t")
	}
	for i, l := range items {
		f := strings.Split(l, "\t")
		f[3] = decimal.RequireFromString(f[3]).StringFixed(2)
		items[i] = strings.Join(f, "\t")
	}
	sort.Strings(orders)
	sort.Strings(items)
	return orders, items
}

// AssertEqual checks the warehouse equals the sandbox for every store.
func (e *Env) AssertEqual(stores ...string) {
	e.t.Helper()
	for _, s := range stores {
		wo, wi := e.Truth(s)
		go_, gi := e.Warehouse(s)
		if d := Diff(wo, go_); d != "" {
			e.t.Errorf("store %s orders differ from the sandbox (%d vs %d):\n%s", s, len(go_), len(wo), d)
		}
		if d := Diff(wi, gi); d != "" {
			e.t.Errorf("store %s items differ from the sandbox (%d vs %d):\n%s", s, len(gi), len(wi), d)
		}
	}
}

// Diff lists, as a multiset, the lines want and got do not share: "+n" a
// line the warehouse has n times too often, "-n" one it lacks; at most ten.
// "" means equal.
func Diff(want, got []string) string {
	w := map[string]int{}
	for _, x := range want {
		w[x]++
	}
	for _, x := range got {
		w[x]--
	}
	var b strings.Builder
	n := 0
	for k, v := range w {
		if v != 0 && n < 10 {
			fmt.Fprintf(&b, "  %+d  %s\n", -v, k)
			n++
		}
	}
	return b.String()
}

func newOf(t reflect.Type) any { return reflect.New(t).Interface() }

func deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "NULL"
		}
		rv = rv.Elem()
	}
	return rv.Interface()
}
