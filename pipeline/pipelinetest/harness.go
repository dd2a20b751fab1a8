// Package pipelinetest is the end-to-end harness every marketplace shares:
// simulators on test servers, a fresh warehouse database, a config of
// stores, a comparison of what the analysts' views show with what the
// simulator holds, and the acceptance suite. Each marketplace's own part
// (its stores, its truth, its driver) lives in pipeline/connectors/<name>/<name>test.
package pipelinetest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
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
)

// Sandbox is what every marketplace sandbox offers a test.
type Sandbox interface {
	Handler() http.Handler
	Recorder() *kit.Recorder
	Faults() *kit.Faults
}

// StoreSpec is one store of a Multi harness.
type StoreSpec struct {
	ID string
	// Sandbox is served for the store; a store without one (its catalog
	// read from a feed file, say) gets no server.
	Sandbox Sandbox
	// YAML is the store's config keys after its id, one per line and not
	// indented ("marketplace: prom", "token_env: X", …); "{url}" stands for
	// the sandbox's address.
	YAML string
	// Secret is the store's token or password, and SecretEnv the
	// environment variable the config reads it from.
	Secret, SecretEnv string
}

// ChangeSecret gives the store's config a wrong secret, as when the seller
// changed the password in the cabinet and not in kramar.
func ChangeSecret(t testing.TB, spec StoreSpec) {
	t.Helper()
	if spec.SecretEnv == "" {
		t.Fatalf("store %s: no secret variable to change", spec.ID)
	}
	t.Setenv(spec.SecretEnv, "a-changed-password")
}

// harnessDefaults keep runs fast and batches small, so tests cross batch edges.
const harnessDefaults = "defaults:\n  rate_per_second: 0\n  timeout: 300ms\n  max_attempts: 8\n  batch_size: 64\n  page_size: 25\n"

// Start is where every harness clock begins.
var Start = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// harness is what Env and Multi share: one clock, one fresh warehouse
// database, the config and the runs' log.
type harness struct {
	t     testing.TB
	Clock *kit.Clock
	WH    *clickhouse.Warehouse
	Cfg   *config.Config
	Logs  *bytes.Buffer
	Path  string // the config file
	// Notify, when set, sends the new-order messages of the runs.
	Notify *pipeline.Notifier
	specs  []StoreSpec
	url    func(store string) string // its simulator's address
}

func newHarness(t testing.TB, clock *kit.Clock) harness {
	return harness{t: t, Clock: clock, WH: chtest.New(t), Logs: &bytes.Buffer{}}
}

// T is the test the harness belongs to.
func (h *harness) T() testing.TB { return h.t }

// Serve starts handler on a test server that closes with the test and
// returns its address: a simulator, or another receiver the runs talk to.
func (h *harness) Serve(handler http.Handler) string {
	srv := httptest.NewServer(handler)
	h.t.Cleanup(srv.Close)
	return srv.URL
}

// serve is Serve calling before ahead of every request.
func (h *harness) serve(handler http.Handler, before func(*http.Request)) string {
	return h.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		before(r)
		handler.ServeHTTP(w, r)
	}))
}

// Runner is a fresh Runner, as a new process would start it.
func (h *harness) Runner() *pipeline.Runner {
	return &pipeline.Runner{
		Warehouse: h.WH, Config: h.Cfg, Now: h.Clock.Now, Notify: h.Notify,
		Log:         slog.New(slog.NewTextHandler(h.Logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		HTTP:        func(o *httpx.Options) { o.InitialBackoff = 5 * time.Millisecond },
		PushBackoff: 10 * time.Millisecond,
		// One store at a time keeps the sandbox's seeded fault sequence repeatable.
		Parallel: 1,
	}
}

// RunJob runs one cycle of job for the stores (all when none) in a fresh
// Runner and returns the results by store.
func (h *harness) RunJob(ctx context.Context, job string, stores ...string) map[string]pipeline.StoreResult {
	h.t.Helper()
	res, err := h.Runner().RunJob(ctx, job, stores...)
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]pipeline.StoreResult{}
	for _, x := range res {
		out[x.Store] = x
		if x.Err != nil {
			h.t.Logf("store %s %s: %s: %v", x.Store, job, x.Status, x.Err)
		}
	}
	return out
}

// Query returns the rows of q ({db} = the warehouse's database).
func (h *harness) Query(q string, args ...any) []string {
	h.t.Helper()
	return Query(h.t, h.WH, q, args...)
}

// Multi is a harness of stores on different marketplaces, each on its own
// sandbox server, sharing one clock and one warehouse.
type Multi struct {
	harness
	urls map[string]string // store → sandbox address
	// before, when set, runs before a sandbox answers a request of a store.
	before atomic.Value
}

// NewMulti starts one server per store's sandbox and writes a config with
// the stores and extra (top-level YAML such as outbound:).
func NewMulti(t testing.TB, clock *kit.Clock, specs []StoreSpec, extra string) *Multi {
	t.Helper()
	m := &Multi{harness: newHarness(t, clock), urls: map[string]string{}}
	m.specs, m.url = specs, func(id string) string { return m.urls[id] }
	for _, s := range specs {
		if s.Sandbox == nil {
			continue
		}
		id := s.ID
		m.urls[id] = m.serve(s.Sandbox.Handler(), func(r *http.Request) {
			if f, ok := m.before.Load().(func(string, *http.Request)); ok && f != nil {
				f(id, r)
			}
		})
	}
	m.Configure(extra, nil)
	return m
}

// Configure rewrites the config: extra top-level YAML, and per store extra
// keys (same form as StoreSpec.YAML, nested blocks indented by two spaces).
func (h *harness) Configure(extra string, perStore map[string]string) {
	h.t.Helper()
	h.Path, h.Cfg = WriteConfig(h.t, configText(h.specs, h.url, extra, perStore))
}

// configText is a harness config: the harness defaults, extra top-level
// YAML, and the stores of specs with url(id) for "{url}" and perStore's
// extra keys.
func configText(specs []StoreSpec, url func(id string) string, extra string, perStore map[string]string) string {
	var b strings.Builder
	b.WriteString(harnessDefaults)
	b.WriteString(extra)
	if extra != "" && !strings.HasSuffix(extra, "\n") {
		b.WriteString("\n")
	}
	b.WriteString("stores:\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "  - id: %s\n", s.ID)
		for _, block := range []string{s.YAML, perStore[s.ID]} {
			for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
				if strings.TrimSpace(line) != "" {
					b.WriteString("    " + strings.ReplaceAll(line, "{url}", url(s.ID)) + "\n")
				}
			}
		}
	}
	return b.String()
}

// WriteConfig writes text to a fresh kramar.yaml and loads it.
func WriteConfig(t testing.TB, text string) (string, *config.Config) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kramar.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, text)
	}
	return path, cfg
}

// URL is the address of the store's sandbox server.
func (m *Multi) URL(store string) string { return m.urls[store] }

// Before sets a hook that sees every request before the sandbox does.
func (m *Multi) Before(f func(store string, r *http.Request)) { m.before.Store(f) }

// Run runs one cycle of job for the stores (all when none) in a fresh Runner.
func (m *Multi) Run(ctx context.Context, job string, stores ...string) map[string]pipeline.StoreResult {
	m.t.Helper()
	return m.RunJob(ctx, job, stores...)
}

// SecretEnv puts a fresh secret for a store into an environment variable
// and returns the variable's name and the secret.
func SecretEnv(t testing.TB, prefix, store string) (string, string) {
	name := prefix + "_" + strings.ToUpper(strings.ReplaceAll(store, "-", "_"))
	secret := fmt.Sprintf("%s-%s-S3CR3T-%d", strings.ToLower(prefix), store, time.Now().UnixNano())
	t.Setenv(name, secret)
	return name, secret
}

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

// NewEnv serves h (a simulator on clock) and gives it a fresh warehouse;
// Configure adds the stores.
func NewEnv(t testing.TB, clock *kit.Clock, h http.Handler) *Env {
	t.Helper()
	return NewEnvOn(t, clock, h, chtest.New(t))
}

// NewEnvOn is NewEnv on a warehouse of the test's own (migrated), such as
// one on a local cluster.
func NewEnvOn(t testing.TB, clock *kit.Clock, h http.Handler, wh *clickhouse.Warehouse) *Env {
	t.Helper()
	e := &Env{harness: harness{t: t, Clock: clock, WH: wh, Logs: &bytes.Buffer{}}, Tokens: map[string]string{}}
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
	e.specs, e.url = specs, func(string) string { return e.URL }
	e.harness.Configure("", nil)
}

// Seed adds a store per entry of orders through add, in id order, and
// configures them as Configure does.
func (e *Env) Seed(orders map[string]int, add func(id string, n int) StoreSpec, truth func(store string) (orders, items []string)) {
	e.t.Helper()
	var specs []StoreSpec
	for _, id := range SortedKeys(orders) {
		specs = append(specs, add(id, orders[id]))
	}
	e.Configure(specs, truth)
}

// Reconfigure rewrites the config of the stores with extra top-level YAML
// and per store extra keys, as Multi.Configure does.
func (e *Env) Reconfigure(extra string, perStore map[string]string) {
	e.t.Helper()
	e.harness.Configure(extra, perStore)
}

// SortedKeys are the stores of a map of order counts, in order.
func SortedKeys(m map[string]int) []string { return slices.Sorted(maps.Keys(m)) }

// Run is one order cycle in a fresh Runner, as a new process would start it.
func (e *Env) Run(stores ...string) map[string]pipeline.StoreResult {
	e.t.Helper()
	return e.RunJob(context.Background(), pipeline.JobOrders, stores...)
}

// Query runs q ({db} = the warehouse's database) and returns its rows as
// tab-joined text.
var Query = chtest.Query

// Money reads a sandbox money string independently of the code under test.
func Money(t testing.TB, s string) string {
	t.Helper()
	return Decimal(t, s).StringFixed(2)
}

// Decimal reads a sandbox or document amount ("1 234,50 грн" too)
// independently of the code under test.
func Decimal(t testing.TB, s string) decimal.Decimal {
	t.Helper()
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "грн"))
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".").Replace(s)
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("sandbox money %q: %v", s, err)
	}
	return d
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
	return Fixed(orders, 2), Fixed(items, 3)
}

// Fixed writes the given columns of the warehouse's tab-joined rows at 2
// places (ClickHouse prints decimals without trailing zeros) and sorts the
// rows.
func Fixed(rows []string, cols ...int) []string {
	for i, l := range rows {
		f := strings.Split(l, "\t")
		for _, c := range cols {
			f[c] = decimal.RequireFromString(f[c]).StringFixed(2)
		}
		rows[i] = strings.Join(f, "\t")
	}
	sort.Strings(rows)
	return rows
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

// Add sums two decimal strings at 2 places.
func Add(a, b string) string {
	return decimal.RequireFromString(a).Add(decimal.RequireFromString(b)).StringFixed(2)
}
