package declarative_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	spec "github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	_ "github.com/kramar/kramar/pipeline/connectors/declarative"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	sandbox "github.com/kramar/kramar/sandbox/declarative"
	"github.com/kramar/kramar/sandbox/kit"
)

// bazarSpec is a marketplace no code knows: its own paths, field names,
// POST body with nested paging, header key, Kyiv times without an offset,
// comma money, one-letter status codes and the buyer in one field.
const bazarSpec = `# Bazar: a marketplace described only here.
name: bazar
auth: {type: header, name: X-Bazar-Key}
orders:
  request:
    method: POST
    path: /rpc/v2/orders.search
    body:
      period.since: "{{from}}"
      period.until: "{{to}}"
    time: {layout: "2006-01-02T15:04:05", zone: Europe/Kyiv}
  pagination:
    type: page
    param: paging.page
    size_param: paging.size
    has_more: paging.more
  records: payload.list
  id: ref
get_order:
  method: POST
  path: /rpc/v2/orders.get
  body: {ref: "{{id}}"}
  record: payload.order
fields:
  created_at: opened
  modified_at: touched
  marketplace_status: st
  buyer_full_name: client.fio
  buyer_phone: client.tel
  recipient_full_name: receiver.fio
  recipient_phone: receiver.tel
  delivery: logistics.how
  ttn: logistics.waybill
  payment: money.how
  paid: money.settled
  amount: money.goods
  full_amount: money.grand
  delivery_cost: logistics.fee
items:
  path: basket
  fields:
    external_id: art
    name: label
    quantity: qty
    price: cost
    total: line_sum
statuses: {A: new, B: accepted, C: shipped, D: delivered, X: canceled}
formats:
  money: comma
  time: {layout: "2006-01-02T15:04:05", zone: Europe/Kyiv}
errors:
  code: result
  ok_codes: [OK]
  message: problem
  auth_codes: [DENIED]
`

var start = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// market is one spec-described marketplace with its sandbox and store.
type market struct {
	store, marketplace string
	spec               *spec.Spec
	sb                 *sandbox.Sandbox
}

// TestNewMarketplaceFromSpecAlone: a marketplace written as a YAML spec at
// test time, and one store per shipped spec, load exactly into the
// warehouse through the ordinary order job — under 10% faults — and a
// second run changes nothing.
func TestNewMarketplaceFromSpecAlone(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "specs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "specs", "bazar.yaml"), []byte(bazarSpec), 0o600); err != nil {
		t.Fatal(err)
	}
	shipped, err := filepath.Abs("../../../specs")
	if err != nil {
		t.Fatal(err)
	}
	clock := kit.NewClock(start)
	faults := kit.FaultConfig{Rate: 0.1, Kinds: kit.AllKinds, MaxWait: time.Second} // seeded by each sandbox's own Seed

	var markets []market
	var yaml strings.Builder
	yaml.WriteString("defaults:\n  rate_per_second: 0\n  timeout: 400ms\n  max_attempts: 10\n  page_size: 7\n  batch_size: 40\nstores:\n")
	add := func(marketplace, specPath, specRef string, orders int) {
		sp, err := spec.Load(specPath)
		if err != nil {
			t.Fatal(err)
		}
		secret := fmt.Sprintf("S3CR3T-%s-%d", marketplace, time.Now().UnixNano())
		sb := sandbox.New(sp, sandbox.Options{Options: kit.Options{Clock: clock, Seed: int64(len(markets) + 3), Faults: faults}, Orders: orders, Token: secret, Username: marketplace + "@example.ua", Password: secret})
		srv := httptest.NewServer(sb.Handler())
		t.Cleanup(srv.Close)
		id := marketplace + "-main"
		env := "SECRET_" + strings.ToUpper(strings.ReplaceAll(marketplace, "-", "_"))
		t.Setenv(env, secret)
		fmt.Fprintf(&yaml, "  - id: %s\n    marketplace: %s\n    spec: %s\n    base_url: %s\n    order_type: Роздріб\n    order_source: %s\n",
			id, marketplace, specRef, srv.URL, marketplace)
		switch sp.Auth.Type {
		case spec.AuthBasic, spec.AuthLogin:
			fmt.Fprintf(&yaml, "    username: %s@example.ua\n    password_env: %s\n", marketplace, env)
		default:
			fmt.Fprintf(&yaml, "    token_env: %s\n", env)
		}
		markets = append(markets, market{store: id, marketplace: marketplace, spec: sp, sb: sb})
	}
	add("bazar", filepath.Join(dir, "specs", "bazar.yaml"), "specs/bazar.yaml", 120) // relative to kramar.yaml
	for _, spec := range []string{"hubber", "allo", "skidka", "allbiz", "shafa"} {
		path := filepath.Join(shipped, spec+".yaml")
		add(spec, path, path, 60)
	}
	cfgPath := filepath.Join(dir, "kramar.yaml")
	if err := os.WriteFile(cfgPath, []byte(yaml.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, yaml.String())
	}
	wh := chtest.New(t)
	var logs strings.Builder
	run := func() map[string]pipeline.StoreResult {
		t.Helper()
		clock.Advance(time.Minute)
		r := &pipeline.Runner{Warehouse: wh, Config: cfg, Now: clock.Now, Parallel: 1,
			Log:  slog.New(slog.NewTextHandler(&logs, nil)),
			HTTP: func(o *httpx.Options) { o.InitialBackoff = 2 * time.Millisecond }}
		res, err := r.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]pipeline.StoreResult{}
		for _, x := range res {
			out[x.Store] = x
			if !x.OK() || x.Rejected != 0 {
				t.Errorf("store %s: %s, %d rejected: %v", x.Store, x.Status, x.Rejected, x.Err)
			}
		}
		return out
	}

	first := run()
	for _, m := range markets {
		if first[m.store].New != len(m.sb.Orders()) {
			t.Errorf("%s: first run loaded %d new orders, the sandbox has %d", m.store, first[m.store].New, len(m.sb.Orders()))
		}
		assertLoaded(t, wh, m)
	}

	second := run()
	for _, m := range markets {
		if r := second[m.store]; r.New != 0 || r.Updated != 0 {
			t.Errorf("%s: the second run changed orders: %+v", m.store, r)
		}
		assertLoaded(t, wh, m)
	}

	// The marketplace moves on: a status change and a new order arrive.
	bazar := markets[0]
	changed := bazar.sb.Orders()[5].ID
	if err := bazar.sb.SetStatus(changed, "X"); err != nil {
		t.Fatal(err)
	}
	bazar.sb.AddOrder(nil)
	third := run()
	if r := third[bazar.store]; r.New != 1 || r.Updated != 1 {
		t.Errorf("after a change and a new order: %+v", r)
	}
	assertLoaded(t, wh, bazar)
	if got := pipelinetest.Query(t, wh, `SELECT marketplace_status FROM {db}.v_orders WHERE store = ? AND external_id = ?`, bazar.store, changed); len(got) != 1 || got[0] != "canceled" {
		t.Errorf("changed order's status: %v", got)
	}
	for _, m := range markets {
		if strings.Contains(logs.String(), "S3CR3T") {
			t.Fatalf("%s: a secret reached the logs", m.store)
		}
	}
	if errs := pipelinetest.Query(t, wh, `SELECT error FROM {db}.pipeline_runs WHERE position(error, 'S3CR3T') > 0`); len(errs) > 0 {
		t.Errorf("a secret reached pipeline_runs: %v", errs)
	}
	n := 0
	for _, m := range markets {
		for _, c := range m.sb.Faults().Counts() {
			n += c
		}
		t.Logf("%s: %d requests, faults %v", m.store, len(m.sb.Recorder().Requests()), m.sb.Faults().Counts())
	}
	if n == 0 {
		t.Error("no fault was injected")
	}
}

// assertLoaded compares the warehouse's views with the sandbox: every
// order with its status and amount to the kopeck, every line.
func assertLoaded(t *testing.T, wh *clickhouse.Warehouse, m market) {
	t.Helper()
	var wantOrders, wantItems []string
	for _, o := range m.sb.Orders() {
		status := o.Status
		if s, ok := m.spec.Statuses[o.Status]; ok {
			status = s
		}
		wantOrders = append(wantOrders, fmt.Sprintf("%s\t%s\t%s\t%s", o.ID, status, o.Amount.StringFixed(2), o.FullAmount.StringFixed(2)))
		for i, it := range o.Items {
			wantItems = append(wantItems, fmt.Sprintf("%s\t%d\t%s\t%s\t%s", o.ID, i, it.Name, it.Quantity.StringFixed(3), it.Total.StringFixed(2)))
		}
	}
	gotOrders := pipelinetest.Query(t, wh, `SELECT external_id, marketplace_status, toString(amount), toString(full_amount)
		FROM {db}.v_orders WHERE store = ? AND marketplace = ?`, m.store, m.marketplace)
	gotItems := pipelinetest.Query(t, wh, `SELECT order_id, line, name, toString(quantity), toString(total)
		FROM {db}.v_order_items WHERE store = ? AND marketplace = ?`, m.store, m.marketplace)
	fix := func(rows []string, cols ...int) {
		for i, r := range rows {
			f := strings.Split(r, "\t")
			for _, c := range cols {
				places := int32(2)
				if strings.Count(r, "\t") == 4 && c == 3 {
					places = 3
				}
				f[c] = decimal.RequireFromString(f[c]).StringFixed(places)
			}
			rows[i] = strings.Join(f, "\t")
		}
	}
	fix(gotOrders, 2, 3)
	fix(gotItems, 3, 4)
	for _, c := range []struct {
		what      string
		want, got []string
	}{{"orders", wantOrders, gotOrders}, {"items", wantItems, gotItems}} {
		sort.Strings(c.want)
		sort.Strings(c.got)
		if strings.Join(c.want, "\n") != strings.Join(c.got, "\n") {
			t.Errorf("%s: %s in the warehouse (%d) differ from the sandbox (%d):\n%s", m.store, c.what, len(c.got), len(c.want), firstDiff(c.want, c.got))
		}
	}
}

func firstDiff(want, got []string) string {
	w := map[string]bool{}
	for _, x := range want {
		w[x] = true
	}
	g := map[string]bool{}
	for _, x := range got {
		g[x] = true
	}
	var b strings.Builder
	for _, x := range want {
		if !g[x] {
			fmt.Fprintf(&b, "  missing %s\n", x)
		}
	}
	for _, x := range got {
		if !w[x] {
			fmt.Fprintf(&b, "  extra   %s\n", x)
		}
	}
	return b.String()
}
