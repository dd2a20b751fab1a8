package pipeline_test

import (
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/zakupka"
	transformcml "github.com/kramar/kramar/transforms/cml"
)

// TestZakupkaOrdersFileAndExchange pulls a windows-1251 orders file and a 1C
// exchange: only New orders are imported, and Cyrillic arrives unchanged.
func TestZakupkaOrdersFileAndExchange(t *testing.T) {
	m, sb := zakupkaStores(t, 80, 60)
	for _, r := range m.Run(t.Context(), pipeline.JobOrders) {
		if !r.OK() || r.Rejected != 0 {
			t.Fatalf("%s: %+v", r.Store, r)
		}
	}
	for i, store := range []string{"zk-file", "zk-1c"} {
		key := []string{"file-key-S3CR3T", "x-key"}[i]
		var want []string
		for _, d := range sb.Orders(sb.StoreID(key)) {
			if transformcml.IsNew(&d) {
				want = append(want, d.Key()+"\t"+nameWords(buyer(d)))
			}
		}
		if len(want) == 0 || len(want) == len(sb.Orders(sb.StoreID(key))) {
			t.Fatalf("%s: %d new of %d orders: the test needs both kinds", store, len(want), len(sb.Orders(sb.StoreID(key))))
		}
		got := m.Query(`SELECT external_id, concat(buyer_last_name, ' ', buyer_first_name, ' ', buyer_middle_name) FROM {db}.v_orders WHERE store = ?`, store)
		for j := range got {
			f := strings.SplitN(got[j], "\t", 2)
			got[j] = f[0] + "\t" + nameWords(f[1])
		}
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: warehouse orders\n%s\nwant the New ones\n%s", store, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// zakupkaStores serves two Zakupka stores on one sandbox: zk-file, a
// windows-1251 orders file of fileOrders orders (key file-key-S3CR3T), and
// zk-1c, a 1C exchange of exchangeOrders (key x-key).
func zakupkaStores(t *testing.T, fileOrders, exchangeOrders int) (*pipelinetest.Multi, *zakupka.Sandbox) {
	t.Helper()
	clock := kit.NewClock(pipelinetest.Start)
	sb := zakupka.New(zakupka.Options{Clock: clock, Seed: 5})
	sb.AddStore(zakupka.StoreOptions{Key: "file-key-S3CR3T", Orders: fileOrders, Encoding: zakupka.Windows1251})
	sb.AddStore(zakupka.StoreOptions{Key: "x-key", Login: "exchange", Password: "pw-S3CR3T", Orders: exchangeOrders})
	clock.Advance(time.Minute)
	t.Setenv("ZK_FILE_KEY", "file-key-S3CR3T")
	t.Setenv("ZK_EXCHANGE_PASSWORD", "pw-S3CR3T")
	return pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{
		{ID: "zk-file", Sandbox: sb, YAML: "marketplace: zakupka\nbase_url: {url}" + zakupka.OrdersPath + "\ntoken_env: ZK_FILE_KEY\norder_type: Роздріб\norder_source: Zakupka\ntimeout: " + zakupka.TestTimeout},
		{ID: "zk-1c", Sandbox: sb, YAML: "marketplace: zakupka\nbase_url: {url}" + zakupka.ExchangePath +
			"\nprotocol: 1c_exchange\nusername: exchange\npassword_env: ZK_EXCHANGE_PASSWORD\norder_type: Роздріб\norder_source: Zakupka\ntimeout: " + zakupka.TestTimeout},
	}, ""), sb
}

func buyer(d cml.Document) string {
	for _, c := range d.Counterparties {
		if c.FullName != "" {
			return c.FullName
		}
		if c.Name != "" {
			return c.Name
		}
	}
	return ""
}

// nameWords compares names whatever order the split chose.
func nameWords(s string) string {
	w := strings.Fields(s)
	sort.Strings(w)
	return strings.Join(w, " ")
}

// TestCommerceMLOrdersForAnotherMarketplace reads an Allo store whose
// platform exports CommerceML orders: every status is imported (New-only is
// Zakupka's rule), under the store's own marketplace name.
func TestCommerceMLOrdersForAnotherMarketplace(t *testing.T) {
	clock := kit.NewClock(pipelinetest.Start)
	sb := zakupka.New(zakupka.Options{Clock: clock, Seed: 8})
	sb.AddStore(zakupka.StoreOptions{Key: "allo-key", Orders: 50})
	clock.Advance(time.Minute)
	t.Setenv("ALLO_KEY", "allo-key")
	m := pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{{ID: "allo-cml", Sandbox: sb,
		YAML: "marketplace: allo\nprotocol: file\nbase_url: {url}" + zakupka.OrdersPath + "\ntoken_env: ALLO_KEY\norder_type: Роздріб\norder_source: Allo\ntimeout: " + zakupka.TestTimeout}}, "")
	if res := m.Run(t.Context(), pipeline.JobOrders)["allo-cml"]; !res.OK() {
		t.Fatalf("%+v", res)
	}
	got := m.Query(`SELECT marketplace, count() FROM {db}.v_orders GROUP BY marketplace`)
	if len(got) != 1 || got[0] != "allo\t50" {
		t.Fatalf("v_orders: %v, want all 50 orders under allo", got)
	}
}

// TestA1CExchangeIsConfirmedOnlyOnceItsOrdersAreIn: a run whose rows do
// not reach the warehouse must not tell the site they are loaded, or the
// site stops offering them and they are lost.
func TestA1CExchangeIsConfirmedOnlyOnceItsOrdersAreIn(t *testing.T) {
	m, sb := zakupkaStores(t, 10, 40)
	proxy, relay := chtest.Relayed(t, m.WH)
	run := func() pipeline.StoreResult {
		r := m.Runner()
		r.Warehouse = relay
		res, err := r.RunJob(t.Context(), pipeline.JobOrders, "zk-1c")
		if err != nil {
			t.Fatal(err)
		}
		return res[0]
	}
	proxy.RefuseInserts(true)
	if r := run(); r.OK() {
		t.Fatal("a run whose inserts were refused is ok")
	}
	proxy.RefuseInserts(false)
	if r := run(); !r.OK() || r.New == 0 {
		t.Fatalf("the run after the refused one: %+v", r)
	}
	var want int
	for _, d := range sb.Orders(sb.StoreID("x-key")) {
		if transformcml.IsNew(&d) {
			want++
		}
	}
	if got := m.Query(`SELECT count() FROM {db}.v_orders WHERE store = 'zk-1c'`)[0]; got != strconv.Itoa(want) {
		t.Errorf("%s orders of zk-1c in the warehouse, want its %d new ones: the failed run's were confirmed and lost", got, want)
	}
	// Confirmed now: the next exchange offers nothing new.
	if r := run(); !r.OK() || r.Fetched != 0 {
		t.Errorf("after a confirmed load the exchange still offers %d orders (%+v)", r.Fetched, r)
	}
}
