package horoshop_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	_ "github.com/kramar/kramar/pipeline/connectors/horoshop"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
	transform "github.com/kramar/kramar/transforms/horoshop"
)

// env is a Horoshop sandbox, a warehouse and a config with one store per
// shop: hs-a splits names, hs-b keeps them whole.
type env struct {
	t      *testing.T
	clock  *kit.Clock
	sb     *horoshop.Sandbox
	wh     *clickhouse.Warehouse
	cfg    *config.Config
	shops  map[string]string // store id → sandbox shop id
	before atomic.Value      // func(*http.Request), called before the sandbox answers
	// parallel is how many stores run at once (0: the runner's default).
	parallel int
}

var stores = []string{"hs-a", "hs-b"}

func newEnv(t *testing.T, orders map[string]int) *env {
	t.Helper()
	e := &env{t: t, clock: kit.NewClock(time.Date(2026, 10, 26, 8, 0, 0, 0, time.UTC)), shops: map[string]string{}}
	e.sb = horoshop.New(horoshop.Options{Clock: e.clock, Seed: 11})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f, ok := e.before.Load().(func(*http.Request)); ok && f != nil {
			f(r)
		}
		e.sb.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	yaml := "defaults:\n  rate_per_second: 0\n  timeout: 2s\n  page_size: 20\nstores:\n"
	for _, id := range stores {
		login, pass := "api-"+id, "pw-"+id+"-S3CR3T"
		e.shops[id] = e.sb.AddStore(login, pass, orders[id], 30)
		env := "HS_PASSWORD_" + strings.ToUpper(strings.ReplaceAll(id, "-", "_"))
		t.Setenv(env, pass)
		yaml += fmt.Sprintf("  - id: %s\n    marketplace: horoshop\n    base_url: %s\n    username: %s\n    password_env: %s\n    order_type: Роздріб\n    order_source: Сайт\n", id, srv.URL, login, env)
		if id == "hs-a" {
			yaml += "    split_names: true\n    article: external\n"
		}
	}
	_, e.cfg = pipelinetest.WriteConfig(t, yaml)
	e.wh = chtest.New(t)
	e.clock.Advance(time.Minute) // the newest orders are past the safety lag
	return e
}

func (e *env) run() map[string]pipeline.StoreResult {
	e.t.Helper()
	r := &pipeline.Runner{Warehouse: e.wh, Config: e.cfg, Now: e.clock.Now, Parallel: e.parallel, HTTP: func(o *httpx.Options) {
		o.Timeout, o.MaxAttempts, o.InitialBackoff = 300*time.Millisecond, 10, time.Millisecond
	}}
	res, err := r.RunOnce(e.t.Context())
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]pipeline.StoreResult{}
	for _, s := range res {
		out[s.Store] = s
	}
	return out
}

func (e *env) query(q string, args ...any) []string {
	e.t.Helper()
	return pipelinetest.Query(e.t, e.wh, q, args...)
}

func fixed(s string) string { return decimal.RequireFromString(s).StringFixed(2) }

// truth is what the warehouse must show: per order its number, status,
// amount (total_sum) to the kopeck, waybill and payment; per line the
// order, line, article and total.
func (e *env) truth(store string) (orders, items []string) {
	for _, o := range e.sb.Orders(e.shops[store]) {
		ttn, pay := "", "unpaid"
		if d := o.DeliveryData; d != nil && d.TNNumber != nil {
			ttn = string(*d.TNNumber)
		}
		if o.Payed {
			pay = "paid"
		}
		orders = append(orders, fmt.Sprintf("%d\t%d\t%s\t%s\t%s", o.OrderID, o.StatStatus, fixed(string(o.TotalSum)), ttn, pay))
		for i, p := range o.Products {
			items = append(items, fmt.Sprintf("%d\t%d\t%s\t%s", o.OrderID, i, p.Article, fixed(string(p.TotalPrice))))
		}
	}
	sort.Strings(orders)
	sort.Strings(items)
	return orders, items
}

func (e *env) warehouse(store string) (orders, items []string) {
	orders = e.query(`SELECT external_id, marketplace_status, toString(amount), ttn, payment_status FROM {db}.v_orders WHERE store = ?`, store)
	items = e.query(`SELECT order_id, line, external_id, toString(total) FROM {db}.v_order_items WHERE store = ?`, store)
	fixColumn(orders, 2)
	fixColumn(items, 3)
	sort.Strings(orders)
	sort.Strings(items)
	return orders, items
}

// fixColumn writes column col of tab-joined rows with 2 decimals
// (ClickHouse prints decimals without trailing zeros).
func fixColumn(rows []string, col int) {
	for i, l := range rows {
		f := strings.Split(l, "\t")
		f[col] = fixed(f[col])
		rows[i] = strings.Join(f, "\t")
	}
}

func (e *env) assertEqual(stores ...string) {
	e.t.Helper()
	for _, s := range stores {
		wo, wi := e.truth(s)
		go_, gi := e.warehouse(s)
		if d := pipelinetest.Diff(wo, go_); d != "" {
			e.t.Errorf("store %s: orders differ from the sandbox (%d in the warehouse, %d in the sandbox):\n%s", s, len(go_), len(wo), d)
		}
		if d := pipelinetest.Diff(wi, gi); d != "" {
			e.t.Errorf("store %s: lines differ from the sandbox (%d in the warehouse, %d in the sandbox):\n%s", s, len(gi), len(wi), d)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestHoroshopTwoStoresWithFaultsEqualTheSandboxAfterThreeRuns(t *testing.T) {
	e := newEnv(t, map[string]int{"hs-a": 500, "hs-b": 300})
	e.sb.Faults().Set(kit.FaultConfig{Rate: 0.10, Kinds: kit.AllKinds, Seed: 9, RetryAfter: 1, MaxWait: 2 * time.Second})
	a := e.shops["hs-a"]
	for i := 0; i < 3; i++ {
		if i > 0 {
			// Changes to orders placed days ago: orders/get filters on the
			// date an order was placed, so only the re-read window finds them.
			old := e.sb.Orders(a)[10*i]
			if old.StatStatus != 4 {
				must(t, e.sb.SetStatus(a, old.OrderID, 6))
			}
			must(t, e.sb.SetTTN(a, e.sb.Orders(a)[20*i].OrderID, fmt.Sprintf("2045000000000%d", i)))
			if unpaid := e.sb.Orders(e.shops["hs-b"])[5*i]; unpaid.StatStatus != 4 {
				must(t, e.sb.SetPayment(e.shops["hs-b"], unpaid.OrderID, true))
			}
			e.sb.AddOrder(a, nil)
			e.clock.Advance(2 * time.Minute)
		}
		for store, r := range e.run() {
			if !r.OK() {
				t.Logf("run %d, store %s: %s %v (a later run must make up for it)", i+1, store, r.Status, r.Err)
			}
		}
	}
	counts := e.sb.Faults().Counts()
	if len(counts) < 3 {
		t.Errorf("too few kinds of faults happened: %v", counts)
	}
	t.Logf("faults: %v", counts)
	e.assertEqual(stores...)
}

func TestHoroshopTokenExpiringMidRunCostsOneReauth(t *testing.T) {
	e := newEnv(t, map[string]int{"hs-a": 300})
	// One store at a time: the sandbox expires every shop's session, and
	// hs-b caught mid-run would rightly log in again too.
	e.parallel = 1
	var calls atomic.Int32
	e.before.Store(func(r *http.Request) {
		if r.URL.Path == wire.PathOrdersGet && calls.Add(1) == 4 {
			e.sb.ExpireTokens()
		}
	})
	res := e.run()
	if r := res["hs-a"]; !r.OK() || r.New != 300 {
		t.Fatalf("run: %+v", r)
	}
	// hs-a: one login and one re-login; hs-b (no orders): one login.
	auth := 0
	for _, r := range e.sb.Recorder().Requests() {
		if r.Path == wire.PathAuth {
			auth++
		}
	}
	if auth != 3 {
		t.Fatalf("%d logins for two stores, want 3 (hs-a re-logs in once)", auth)
	}
	e.assertEqual("hs-a")
}

func TestHoroshopHTMLAnswerFailsTheRunNamingTheStore(t *testing.T) {
	e := newEnv(t, map[string]int{"hs-a": 40, "hs-b": 40})
	e.sb.HTML(true)
	res := e.run()
	for _, s := range stores {
		r := res[s]
		if r.OK() || r.Err == nil {
			t.Fatalf("%s: a shop answering HTML succeeded: %+v", s, r)
		}
		msg := r.Err.Error()
		if !strings.Contains(msg, "store "+s) || !strings.Contains(msg, "HTML, not JSON") || strings.Contains(msg, "S3CR3T") {
			t.Errorf("%s: error %q must name the store and the HTML answer, and no secret", s, msg)
		}
	}
	if n := e.sb.Recorder().Count("/api/"); n != len(stores) {
		t.Errorf("%d requests against HTML pages, want %d (one per store, no retries)", n, len(stores))
	}
	if got := e.query(`SELECT count() FROM {db}.v_orders`); got[0] != "0" {
		t.Errorf("orders loaded from an HTML page: %v", got)
	}
	e.sb.HTML(false)
	for s, r := range e.run() {
		if !r.OK() || r.New != 40 {
			t.Errorf("%s after the shop is back: %+v", s, r)
		}
	}
}

func TestHoroshopDeliveryNameLandsInRecipientFirstName(t *testing.T) {
	e := newEnv(t, map[string]int{})
	ids := map[string]int64{}
	for _, s := range stores {
		ids[s] = e.sb.AddOrder(e.shops[s], func(o *wire.Order) {
			o.DeliveryName, o.DeliveryPhone, o.CustomerDetails = "Шевчук  Тарас Петрович", "+38 (067) 111-22-33", nil
		})
	}
	e.clock.Advance(time.Minute)
	for s, r := range e.run() {
		if !r.OK() || r.New != 1 {
			t.Fatalf("%s: %+v", s, r)
		}
	}
	want := map[string]string{
		"hs-a": "Шевчук\tТарас\tПетрович\t+380671112233",   // split_names: true
		"hs-b": "\tШевчук Тарас Петрович\t\t+380671112233", // one field, as typed
	}
	for _, s := range stores {
		got := e.query(`SELECT recipient_last_name, recipient_first_name, recipient_middle_name, recipient_phone FROM {db}.v_orders WHERE store = ? AND external_id = toString(?)`, s, ids[s])
		if len(got) != 1 || got[0] != want[s] {
			t.Errorf("%s: recipient %q, want %q", s, got, want[s])
		}
	}
	// hs-a shows the article buyers see (article: external).
	o, _ := e.sb.Order(e.shops["hs-a"], ids["hs-a"])
	if got := e.query(`SELECT sku FROM {db}.v_order_items WHERE store = 'hs-a' AND line = 0`); len(got) != 1 || got[0] != o.Products[0].ArticleForDisplay {
		t.Errorf("hs-a line sku %v, want the external article %s", got, o.Products[0].ArticleForDisplay)
	}
}

func TestHoroshopCatalogAndReferenceJobs(t *testing.T) {
	e := newEnv(t, map[string]int{})
	r := &pipeline.Runner{Warehouse: e.wh, Config: e.cfg, Now: e.clock.Now}
	res, err := r.RunJob(t.Context(), pipeline.JobCatalog)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res {
		if !s.OK() || s.New != 30 {
			t.Fatalf("catalog %s: %+v", s.Store, s)
		}
	}
	for _, s := range stores {
		want := 0
		for _, p := range e.sb.Products(e.shops[s]) {
			if transform.Available(string(p.Presence)) {
				want++
			}
		}
		got := e.query(`SELECT countIf(available), count() FROM {db}.v_products WHERE store = ?`, s)
		if got[0] != fmt.Sprintf("%d\t30", want) {
			t.Errorf("%s: available and all products %v, want %d of 30", s, got, want)
		}
	}
	if res, err = r.RunJob(t.Context(), pipeline.JobReference); err != nil || !res[0].OK() || res[0].New != 5 {
		t.Fatalf("reference: %+v %v", res, err)
	}
	if got := e.query(`SELECT name FROM {db}.marketplace_options WHERE store = 'hs-a' AND kind = 'status' AND option_id = '4'`); len(got) == 0 || got[0] != "Не доставлене" {
		t.Errorf("status 4 option: %v", got)
	}
}
