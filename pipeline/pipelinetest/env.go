// Package pipelinetest is the end-to-end harness every marketplace shares:
// simulators on test servers, a fresh warehouse database, a config of
// stores, a comparison of what the analysts' views show with what the
// simulator holds, and the acceptance suite. Each marketplace's own part
// (its stores, its truth, its driver) lives in pipeline/connectors/<name>/<name>test.
package pipelinetest

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	_ "github.com/kramar/kramar/pipeline/connectors/all"
	"github.com/kramar/kramar/sandbox/kit"
)

// Env is one simulator, one fresh warehouse database and a config of stores.
type Env struct {
	harness
	Tokens map[string]string // store -> its secret (token or password)
	URL    string            // the simulator
	// BeforeRequest, when set, sees every request before the simulator
	// does: tests use it to act in the middle of a pull.
	BeforeRequest func(*http.Request)
	truth         func(store string) (orders, items []string)
}

// harnessDefaults keep runs fast and batches small, so tests cross batch edges.
const harnessDefaults = "defaults:\n  rate_per_second: 0\n  timeout: 300ms\n  max_attempts: 8\n  batch_size: 64\n  page_size: 25\n"

// Start is where every harness clock begins.
var Start = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// NewEnv serves h (a simulator on clock) and gives it a fresh warehouse;
// Configure adds the stores.
func NewEnv(t testing.TB, clock *kit.Clock, h http.Handler) *Env {
	t.Helper()
	e := &Env{harness: newHarness(t, clock), Tokens: map[string]string{}}
	e.URL = e.serve(h, func(r *http.Request) {
		if e.BeforeRequest != nil {
			e.BeforeRequest(r)
		}
	})
	return e
}

// Configure writes the config of specs; truth reads a store's truth (see
// Driver.Truth) for AssertEqual.
func (e *Env) Configure(specs []StoreSpec, truth func(store string) (orders, items []string)) {
	e.t.Helper()
	for _, s := range specs {
		e.Tokens[s.ID] = s.Secret
	}
	e.truth = truth
	e.Path, e.Cfg = WriteConfig(e.t, configText(specs, func(string) string { return e.URL }, "", nil))
}

// SortedKeys are the stores of a map of order counts, in order.
func SortedKeys(m map[string]int) []string { return sortedKeys(m) }

func sortedKeys(m map[string]int) []string {
	var ids []string
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Run is one order cycle in a fresh Runner, as a new process would start it.
func (e *Env) Run(stores ...string) map[string]pipeline.StoreResult {
	e.t.Helper()
	return e.RunJob(context.Background(), pipeline.JobOrders, stores...)
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

// Money reads a sandbox money string independently of the code under test.
func Money(t testing.TB, s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "грн"))
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".").Replace(s)
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("sandbox money %q: %v", s, err)
	}
	return d.StringFixed(2)
}

// Truth is what the warehouse must show for a store (see Driver.Truth).
func (e *Env) Truth(store string) (orders, items []string) { return e.truth(store) }

// Or is a, or b when a is blank.
func Or(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// Warehouse is the same picture read from the analysts' views.
func (e *Env) Warehouse(store string) (orders, items []string) { return Picture(e.t, e.WH, store) }

// Picture is what the analysts' views show of a store, in the terms of
// Driver.Truth.
func Picture(t testing.TB, wh *clickhouse.Warehouse, store string) (orders, items []string) {
	orders = Query(t, wh, `SELECT external_id, marketplace_status, toString(amount), ttn, payment_status
		FROM {db}.v_orders WHERE store = ? ORDER BY external_id`, store)
	items = Query(t, wh, `SELECT order_id, line, external_id, toString(total)
		FROM {db}.v_order_items WHERE store = ? ORDER BY order_id, line`, store)
	// ClickHouse prints decimals without trailing zeros; compare at 2 places.
	fixColumn(orders, 2)
	fixColumn(items, 3)
	sort.Strings(orders)
	sort.Strings(items)
	return orders, items
}

func fixColumn(rows []string, col int) {
	for i, l := range rows {
		f := strings.Split(l, "\t")
		f[col] = decimal.RequireFromString(f[col]).StringFixed(2)
		rows[i] = strings.Join(f, "\t")
	}
}

// AssertPicture fails t unless the warehouse shows what truth holds.
func AssertPicture(t testing.TB, wh *clickhouse.Warehouse, store string, truthOrders, truthItems []string) {
	t.Helper()
	gotO, gotI := Picture(t, wh, store)
	if d := Diff(truthOrders, gotO); d != "" {
		t.Errorf("store %s: orders differ from the simulator (%d in the warehouse, %d in the simulator):\n%s", store, len(gotO), len(truthOrders), d)
	}
	if d := Diff(truthItems, gotI); d != "" {
		t.Errorf("store %s: lines differ from the simulator (%d in the warehouse, %d in the simulator):\n%s", store, len(gotI), len(truthItems), d)
	}
}

// AssertEqual checks the warehouse equals the sandbox for every store.
func (e *Env) AssertEqual(stores ...string) {
	e.t.Helper()
	for _, s := range stores {
		o, i := e.Truth(s)
		AssertPicture(e.t, e.WH, s, o, i)
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

// Add sums two decimal strings at 2 places.
func Add(a, b string) string {
	return decimal.RequireFromString(a).Add(decimal.RequireFromString(b)).StringFixed(2)
}
