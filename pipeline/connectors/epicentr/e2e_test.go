package epicentr_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	_ "github.com/kramar/kramar/pipeline/connectors/epicentr"
	"github.com/kramar/kramar/pipeline/connectors/epicentr/epicentrtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	epsb "github.com/kramar/kramar/sandbox/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
)

// env is one Epicentr sandbox, a fresh warehouse database and a config
// file with one store per entry.
type env struct {
	t     *testing.T
	clock *kit.Clock
	sb    *epsb.Sandbox
	wh    *clickhouse.Warehouse
	cfg   *config.Config
	ids   map[string]string // config store → sandbox store
}

func newEnv(t *testing.T, orders map[string]int) *env {
	t.Helper()
	e := &env{t: t, clock: kit.NewClock(time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)), ids: map[string]string{}}
	e.sb = epsb.New(epsb.Options{Clock: e.clock, Seed: 7})
	srv := httptest.NewServer(e.sb.Handler())
	t.Cleanup(srv.Close)
	e.wh = chtest.New(t)
	var b strings.Builder
	b.WriteString("defaults:\n  rate_per_second: 0\n  timeout: 300ms\n  max_attempts: 8\n  batch_size: 1000\n  page_size: 100\n")
	b.WriteString("mappings:\n  epicentr:\n    status:\n      new: Новий\n      completed: Виконано\nstores:\n")
	var names []string
	for id := range orders {
		names = append(names, id)
	}
	sort.Strings(names)
	for _, id := range names {
		token := fmt.Sprintf("tok-%s-S3CR3T-%d", id, time.Now().UnixNano())
		e.ids[id] = e.sb.AddStore(token, orders[id])
		envName := "EPICENTR_TOKEN_" + strings.ToUpper(strings.ReplaceAll(id, "-", "_"))
		t.Setenv(envName, token)
		fmt.Fprintf(&b, "  - id: %s\n    marketplace: epicentr\n    base_url: %s\n    token_env: %s\n    order_type: Роздріб\n    order_source: Епіцентр\n",
			id, srv.URL, envName)
	}
	_, e.cfg = pipelinetest.WriteConfig(t, b.String())
	e.clock.Advance(time.Minute) // the newest seeded orders are past the safety lag
	return e
}

// run is one order cycle in a fresh Runner, as a new process would start it.
func (e *env) run() map[string]pipeline.StoreResult {
	e.t.Helper()
	r := &pipeline.Runner{
		Warehouse: e.wh, Config: e.cfg, Now: e.clock.Now, Parallel: 1,
		HTTP: func(o *httpx.Options) { o.InitialBackoff = 5 * time.Millisecond },
	}
	res, err := r.RunOnce(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]pipeline.StoreResult{}
	for _, x := range res {
		out[x.Store] = x
	}
	return out
}

func (e *env) query(q string, args ...any) []string {
	e.t.Helper()
	return pipelinetest.Query(e.t, e.wh, q, args...)
}

func (e *env) truth(store string) (orders, items []string) {
	return epicentrtest.Truth(e.t, e.sb, e.ids[store])
}

// warehouse is the same picture read from the analysts' views.
func (e *env) assertEqual(store string) {
	e.t.Helper()
	o, i := e.truth(store)
	pipelinetest.AssertPicture(e.t, e.wh, store, o, i)
}

// diff walks two sorted lists and names the first 10 lines only one has.

func TestFiveThousandOrdersLoadExactly(t *testing.T) {
	e := newEnv(t, map[string]int{"ep-main": 5000})
	r := e.run()["ep-main"]
	if !r.OK() || r.New != 5000 || r.Rejected != 0 {
		t.Fatalf("first run: %+v", r)
	}
	e.assertEqual("ep-main")
	if got := e.query(`SELECT count(), uniqExact(external_id) FROM {db}.v_orders`); got[0] != "5000\t5000" {
		t.Fatalf("v_orders rows and keys: %v", got)
	}
	if got := e.query(`SELECT countIf(status != ''), countIf(marketplace_status IN ('new', 'completed')) FROM {db}.v_orders`); len(got) != 1 || strings.Split(got[0], "\t")[0] != strings.Split(got[0], "\t")[1] {
		t.Errorf("mapped statuses (CRM status set, new/completed orders): %v", got)
	}
	e.clock.Advance(2 * time.Minute)
	if r := e.run()["ep-main"]; !r.OK() || r.New != 0 || r.Updated != 0 {
		t.Fatalf("a second run over unchanged data wrote rows: %+v", r)
	}
}

func TestAlternateRecipientLandsInTheManagerComment(t *testing.T) {
	e := newEnv(t, map[string]int{"ep-main": 0})
	id := e.ids["ep-main"]
	buyer := func(o *wire.Order) {
		o.StatusCode = wire.StatusConfirmed // a new order's contacts are hidden
		o.Address.LastName, o.Address.FirstName, o.Address.Patronymic, o.Address.Phone = "Савчук", "Ірина", "Олегівна", "0671112233"
	}
	other := e.sb.AddOrder(id, func(o *wire.Order) {
		buyer(o)
		o.Address.IsAlternateRecipient = true
		o.Address.Recipient = &wire.Person{LastName: "Гнатюк", FirstName: "Богдан", Patronymic: "Васильович", Phone: "380935554433"}
	})
	same := e.sb.AddOrder(id, func(o *wire.Order) {
		buyer(o)
		o.Address.IsAlternateRecipient = false
		o.Address.Recipient = &wire.Person{LastName: "Савчук", FirstName: "Ірина", Phone: "+380671112233"}
	})
	e.clock.Advance(time.Minute)
	if r := e.run()["ep-main"]; !r.OK() || r.New != 2 {
		t.Fatalf("run: %+v", r)
	}
	comment := func(id string) string {
		return e.query(`SELECT manager_comment FROM {db}.v_orders WHERE external_id = ?`, id)[0]
	}
	if c := comment(other); c != "Отримувач: Гнатюк Богдан Васильович, +380935554433" {
		t.Errorf("recipient ≠ buyer: comment %q", c)
	}
	if c := comment(same); c != "" {
		t.Errorf("recipient = buyer: comment %q, want none", c)
	}
	got := e.query(`SELECT recipient_last_name, buyer_last_name FROM {db}.v_orders WHERE external_id = ?`, other)
	if got[0] != "Гнатюк\tСавчук" {
		t.Errorf("recipient and buyer: %v", got)
	}
}
