package pipeline_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/connectors/epicentr/epicentrtest"
	"github.com/kramar/kramar/pipeline/connectors/horoshop/horoshoptest"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/connectors/rozetka/rozetkatest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	epsb "github.com/kramar/kramar/sandbox/epicentr"
	"github.com/kramar/kramar/sandbox/feedgen"
	hssb "github.com/kramar/kramar/sandbox/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
	rzsb "github.com/kramar/kramar/sandbox/rozetka"
)

// probeStores is one store on each API sandbox.
func probeStores(t *testing.T, clock *kit.Clock, wrap func(pipelinetest.Sandbox) pipelinetest.Sandbox) (*pipelinetest.Multi, []pipelinetest.StoreSpec) {
	t.Helper()
	if wrap == nil {
		wrap = func(s pipelinetest.Sandbox) pipelinetest.Sandbox { return s }
	}
	prom, _ := promtest.Store(t, promsb.New(promsb.Options{Clock: clock, Seed: 5}), "prom-a", 40)
	rz, _ := rozetkatest.Store(t, rzsb.New(rzsb.Options{Clock: clock, Seed: 5}), "rz-a", 40, 20)
	hs, _ := horoshoptest.Store(t, hssb.New(hssb.Options{Clock: clock, Seed: 5}), "hs-a", 40, 20)
	ep, _ := epicentrtest.Store(t, epsb.New(epsb.Options{Clock: clock, Seed: 5}), "ep-a", 40)
	specs := []pipelinetest.StoreSpec{prom, rz, hs, ep}
	for i := range specs {
		specs[i].Sandbox = wrap(specs[i].Sandbox)
	}
	return pipelinetest.NewMulti(t, clock, specs, ""), specs
}

func TestProbeEverySandboxIsGreenAndWritesNothing(t *testing.T) {
	clock := kit.NewClock(pipelinetest.Start)
	m, specs := probeStores(t, clock, nil)
	r := m.Runner()
	for _, id := range []string{"prom-a", "rz-a", "hs-a", "ep-a"} {
		rep, err := r.Probe(context.Background(), id, 30)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		printReport(&b, rep)
		t.Logf("%s", b.String())
		if !rep.OK() {
			t.Errorf("%s: probe not green", id)
		}
		for _, c := range rep.Calls {
			if len(c.Drift) > 0 {
				t.Errorf("%s: %s differs from the wire model: %+v", id, c.Call, c.Drift)
			}
		}
	}
	// No write reached any marketplace: reads are GETs, and the POSTs are
	// the login and Horoshop's read calls.
	reads := regexp.MustCompile(`^/(sites|api/auth|api/orders/get|api/orders/get_available_statuses|api/catalog/export)/?$`)
	for _, s := range specs {
		for _, req := range s.Sandbox.Recorder().Requests() {
			if req.Method != http.MethodGet && !reads.MatchString(req.Path) {
				t.Errorf("%s: probe sent %s %s", s.ID, req.Method, req.Path)
			}
		}
	}
	if n := m.Query("SELECT count() FROM {db}.pipeline_runs"); n[0] != "0" {
		t.Errorf("probe wrote %s runs to the warehouse", n[0])
	}
}

func printReport(b *strings.Builder, rep pipeline.ProbeReport) {
	for _, c := range rep.Calls {
		b.WriteString(fmt.Sprintf("%s %s: %d records %s\n", c.Call, c.Endpoint, c.Records, c.Note))
		for _, e := range c.Drift {
			b.WriteString("   " + string(e.Kind) + " " + e.Path + " " + e.Describe() + " " + e.Example + "\n")
		}
		if c.Err != nil {
			b.WriteString("   error " + c.Err.Error() + "\n")
		}
		for _, r := range c.Rejects {
			b.WriteString("   reject " + r.Field + " " + r.Reason + "\n")
		}
	}
}

// mutated serves a sandbox's answers changed by kit.Mutate.
type mutated struct {
	pipelinetest.Sandbox
	h http.Handler
}

func (m mutated) Handler() http.Handler { return m.h }

// The real shapes public evidence shows, served where the wire model
// expects others: each difference is reported, and only a missing id fails.
func TestProbeReportsEveryDifferenceOfAMutatedSandbox(t *testing.T) {
	muts := map[string][]kit.Mutation{
		"prom": {
			// Third-party tests send Prom prices as JSON numbers.
			{Route: "/orders", Path: "orders[].products[].price", Set: 250},
			// One client types cancellation as a string.
			{Route: "/orders", Path: "orders[].cancellation", Set: "Покупець відмовився"},
			// A field Prom adds without notice.
			{Route: "/orders", Path: "orders[].delivery_commission", Set: "25 грн"},
		},
		"rozetka": {
			// The apidoc describes seller_comment.created as a Unix integer.
			{Route: "/orders", Path: "content.orders[].seller_comment", Set: []any{map[string]any{"comment": "передзвонити", "created": 1490203200}}},
		},
		"horoshop": {
			// An order without its id: the one thing the pipeline cannot do without.
			{Route: "orders/get", Path: "response.orders[].order_id", Delete: true},
		},
		"epicentr": {
			{Route: "/orders", Path: "items[].address", Set: "вул. Хрещатик, 1"},
		},
	}
	want := map[string][]string{
		"prom-a": {"type_change products[].price", "type_change cancellation", "unknown_field delivery_commission"},
		"rz-a":   {"type_change seller_comment[].created"},
		"hs-a":   {"missing_field order_id"},
		"ep-a":   {"type_change address"},
	}
	clock := kit.NewClock(pipelinetest.Start)
	byStore := map[string]string{"prom-a": "prom", "rz-a": "rozetka", "hs-a": "horoshop", "ep-a": "epicentr"}
	i := 0
	order := []string{"prom", "rozetka", "horoshop", "epicentr"}
	m, _ := probeStores(t, clock, func(s pipelinetest.Sandbox) pipelinetest.Sandbox {
		mp := order[i]
		i++
		return mutated{Sandbox: s, h: kit.Mutate(s.Handler(), muts[mp]...)}
	})
	r := m.Runner()
	for store, paths := range want {
		rep, err := r.Probe(context.Background(), store, 30)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		printReport(&b, rep)
		seen := map[string]bool{}
		for _, c := range rep.Calls {
			for _, e := range c.Drift {
				seen[string(e.Kind)+" "+e.Path] = true
			}
		}
		for _, p := range paths {
			if !seen[p] {
				t.Errorf("%s (%s): %q not reported:\n%s", store, byStore[store], p, b.String())
			}
		}
		if wantOK := store != "hs-a"; rep.OK() != wantOK {
			t.Errorf("%s: OK = %v, want %v:\n%s", store, rep.OK(), wantOK, b.String())
		}
	}
}

// The order job files what differs in payload_drift and loads the orders.
func TestOrderJobRecordsDriftAndLoadsTheOrders(t *testing.T) {
	clock := kit.NewClock(pipelinetest.Start)
	sb := promsb.New(promsb.Options{Clock: clock, Seed: 9})
	spec, _ := promtest.Store(t, sb, "prom-d", 30)
	spec.Sandbox = mutated{Sandbox: sb, h: kit.Mutate(sb.Handler(),
		kit.Mutation{Route: "/orders", Path: "orders[].products[].price", Set: 250},
		kit.Mutation{Route: "/orders", Path: "orders[].phone", Set: 380501234567},
	)}
	m := pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{spec}, "")
	// A long lookback: the second run re-reads every order, unchanged.
	m.Configure("", map[string]string{"prom-d": "lookback: 8760h"})
	clock.Advance(time.Minute)
	res := m.Run(context.Background(), pipeline.JobOrders)["prom-d"]
	if !res.OK() || res.Rejected != 0 || res.New != 30 || res.Drift[drift.TypeChange] < 30 {
		t.Fatalf("run: %+v", res)
	}
	got := m.Query(`SELECT concat(endpoint, ' ', path, ' ', kind, ' ', expected, '>', observed, ' ', toString(count), ' ', example)
		FROM {db}.v_payload_drift ORDER BY path`)
	want := []string{
		"GET /orders/list phone type_change string>number 30 999999999999",
	}
	if len(got) != 2 || got[0] != want[0] || !strings.HasPrefix(got[1], "GET /orders/list products[].price type_change string>number ") {
		t.Errorf("payload_drift:\n%s", strings.Join(got, "\n"))
	}
	// Unchanged orders are the very payloads checked before: a second run
	// counts nothing more.
	clock.Advance(time.Minute)
	if res := m.Run(context.Background(), pipeline.JobOrders)["prom-d"]; !res.OK() || res.Unchanged != 30 {
		t.Fatalf("second run: %+v", res)
	}
	if n := m.Query(`SELECT sum(count) FROM {db}.payload_drift WHERE path = 'phone'`); len(n) != 1 || n[0] != "30" {
		t.Errorf("phone drift counted %v times after an unchanged re-read, want 30", n)
	}
	// The phone sent as a number is read, not lost.
	if phones := m.Query(`SELECT countIf(buyer_phone != '') FROM {db}.v_orders`); len(phones) != 1 || phones[0] != "30" {
		t.Errorf("phones loaded: %v", phones)
	}
	if strings.Contains(m.Logs.String(), "380501234567") {
		t.Error("the phone reached the log")
	}
	if !strings.Contains(m.Logs.String(), "orders differ from the wire model") {
		t.Errorf("no warning in the log:\n%s", m.Logs.String())
	}
}

// kramar probe on CommerceML stores: the orders file and the 1C exchange
// are read, and the exchange is never confirmed (mode=success would make the
// site stop offering those orders to the real exchange).
func TestProbeCommerceMLStoresReadsWithoutConfirming(t *testing.T) {
	m, sb := zakupkaStores(t, 30, 30)
	r := m.Runner()
	for _, store := range []string{"zk-file", "zk-1c"} {
		rep, err := r.Probe(context.Background(), store, 3650)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		printReport(&b, rep)
		if !rep.OK() || len(rep.Calls) == 0 || rep.Calls[0].Records == 0 {
			t.Errorf("%s: probe not green:\n%s", store, b.String())
		}
		for _, c := range rep.Calls {
			if len(c.Drift) > 0 {
				t.Errorf("%s: %s differs from the wire model:\n%s", store, c.Call, b.String())
			}
		}
	}
	exchanges := 0
	for _, req := range sb.Recorder().Requests() {
		if strings.Contains(req.RawQuery, "mode=query") {
			exchanges++
		}
		if strings.Contains(req.RawQuery, "mode=success") {
			t.Errorf("probe confirmed the exchange: %s?%s", req.Path, req.RawQuery)
		}
	}
	if exchanges == 0 {
		t.Error("the 1C exchange was not read")
	}
}

// A store whose catalog comes from a YML feed: probe reads the feed through
// and says what it holds, here a windows-1251 feed declared UTF-8 as real
// Rozetka price lists are (JEBS-O/desktop-converter-excel-xml rozetka.xml).
func TestProbeReadsTheStoresFeed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feed.xml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := feedgen.WriteYML(f, feedgen.Options{Offers: 25, Seed: 3, Encoding: feedgen.Windows1251, DeclaredEncoding: "UTF-8"}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	clock := kit.NewClock(pipelinetest.Start)
	sb := promsb.New(promsb.Options{Clock: clock, Seed: 5})
	spec, _ := promtest.Store(t, sb, "prom-f", 5)
	spec.YAML += "\nfeed_url: " + path
	m := pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{spec}, "")
	rep, err := m.Runner().Probe(context.Background(), "prom-f", 30)
	if err != nil {
		t.Fatal(err)
	}
	var feed *pipeline.ProbeCall
	for i := range rep.Calls {
		if rep.Calls[i].Call == "catalog feed" {
			feed = &rep.Calls[i]
		}
	}
	if feed == nil || feed.Err != nil || feed.Records != 25 || !strings.HasPrefix(feed.Note, "windows-1251") || !strings.Contains(feed.Note, "warnings") {
		t.Fatalf("feed call: %+v", feed)
	}
	if !rep.OK() {
		t.Errorf("probe not green: %+v", rep.Calls)
	}
}
