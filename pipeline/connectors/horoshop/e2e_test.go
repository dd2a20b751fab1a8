package horoshop_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/pipeline"
	_ "github.com/kramar/kramar/pipeline/connectors/horoshop"
	"github.com/kramar/kramar/pipeline/connectors/horoshop/horoshoptest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
	transform "github.com/kramar/kramar/transforms/horoshop"
)

// env is two Horoshop shops on one sandbox, in the shared harness: hs-a
// splits names and shows the buyers' article, hs-b keeps them as sent.
type env struct {
	*pipelinetest.Multi
	sb    *horoshop.Sandbox
	shops map[string]string // store id → sandbox shop id
}

var stores = []string{"hs-a", "hs-b"}

func newEnv(t *testing.T, orders map[string]int) *env {
	t.Helper()
	clock := kit.NewClock(time.Date(2026, 10, 26, 8, 0, 0, 0, time.UTC))
	e := &env{sb: horoshop.New(horoshop.Options{Clock: clock, Seed: 11}), shops: map[string]string{}}
	var specs []pipelinetest.StoreSpec
	for _, id := range stores {
		spec, shop := horoshoptest.Store(t, e.sb, id, orders[id], 30)
		e.shops[id], specs = shop, append(specs, spec)
	}
	e.Multi = pipelinetest.NewMulti(t, clock, specs, "")
	e.Configure("", map[string]string{"hs-a": "split_names: true\narticle: external"})
	clock.Advance(time.Minute) // the newest orders are past the safety lag
	return e
}

// run is one order cycle in a fresh Runner, as a new process would start it.
func (e *env) run() map[string]pipeline.StoreResult {
	return e.Run(context.Background(), pipeline.JobOrders)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
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
	if got := e.Query(`SELECT count() FROM {db}.v_orders`); got[0] != "0" {
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
	e.Clock.Advance(time.Minute)
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
		got := e.Query(`SELECT recipient_last_name, recipient_first_name, recipient_middle_name, recipient_phone FROM {db}.v_orders WHERE store = ? AND external_id = toString(?)`, s, ids[s])
		if len(got) != 1 || got[0] != want[s] {
			t.Errorf("%s: recipient %q, want %q", s, got, want[s])
		}
	}
	// hs-a shows the article buyers see (article: external).
	o, _ := e.sb.Order(e.shops["hs-a"], ids["hs-a"])
	if got := e.Query(`SELECT sku FROM {db}.v_order_items WHERE store = 'hs-a' AND line = 0`); len(got) != 1 || got[0] != o.Products[0].ArticleForDisplay {
		t.Errorf("hs-a line sku %v, want the external article %s", got, o.Products[0].ArticleForDisplay)
	}
}

func TestHoroshopCatalogAndReferenceJobs(t *testing.T) {
	e := newEnv(t, map[string]int{})
	for _, s := range e.Run(t.Context(), pipeline.JobCatalog) {
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
		got := e.Query(`SELECT countIf(available), count() FROM {db}.v_products WHERE store = ?`, s)
		if got[0] != fmt.Sprintf("%d\t30", want) {
			t.Errorf("%s: available and all products %v, want %d of 30", s, got, want)
		}
	}
	if r := e.Run(t.Context(), pipeline.JobReference)["hs-a"]; !r.OK() || r.New != 5 {
		t.Fatalf("reference: %+v", r)
	}
	if got := e.Query(`SELECT name FROM {db}.marketplace_options WHERE store = 'hs-a' AND kind = 'status' AND option_id = '4'`); len(got) == 0 || got[0] != "Не доставлене" {
		t.Errorf("status 4 option: %v", got)
	}
}
