package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/connectors/epicentr/epicentrtest"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/connectors/rozetka/rozetkatest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	epsb "github.com/kramar/kramar/sandbox/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
	rzsb "github.com/kramar/kramar/sandbox/rozetka"
)

// productTotals are per product key: units and revenue of the orders not
// cancelled, and units of the cancelled ones.
type productTotals map[string][3]decimal.Decimal

// expectedTotals adds up the current lines in Go, from the order_items and
// orders tables themselves (the latest version of each, only the lines the
// order still has), with the seller's matches applied as the README says.
func expectedTotals(t *testing.T, m *pipelinetest.Multi, matches map[string]string) (totals productTotals, unmatched int) {
	t.Helper()
	cancelled := map[string]bool{}
	count := map[string]int{}
	for _, r := range m.Query(`SELECT marketplace, store, external_id, argMax(items_count, _version),
			argMax(cancel_reason != '' OR marketplace_status = 'canceled', _version) FROM {db}.orders GROUP BY marketplace, store, external_id`) {
		f := strings.Split(r, "\t")
		k := f[0] + "/" + f[1] + "/" + f[2]
		var n int
		fmt.Sscan(f[3], &n)
		count[k], cancelled[k] = n, f[4] == "1"
	}
	out := productTotals{}
	for _, r := range m.Query(`SELECT marketplace, store, order_id, line, argMax(product_id, _version), argMax(external_id, _version),
			argMax(sku, _version), toString(argMax(quantity, _version)), toString(argMax(total, _version))
			FROM {db}.order_items GROUP BY marketplace, store, order_id, line`) {
		f := strings.Split(r, "\t")
		order := f[0] + "/" + f[1] + "/" + f[2]
		var line int
		fmt.Sscan(f[3], &line)
		if line >= count[order] {
			continue // a line the order no longer has
		}
		matchKey := f[4]
		if matchKey == "" {
			matchKey = f[5]
		}
		key := matches[f[0]+"/"+f[1]+"/"+matchKey]
		if key == "" {
			key = f[5]
		}
		if key == "" {
			key = f[6]
		}
		if key == "" {
			unmatched++
			continue
		}
		q, total := decimal.RequireFromString(f[7]), decimal.RequireFromString(f[8])
		v := out[key]
		if cancelled[order] {
			v[2] = v[2].Add(q)
		} else {
			v[0], v[1] = v[0].Add(q), v[1].Add(total)
		}
		out[key] = v
	}
	return out, unmatched
}

// viewTotals reads the same from v_product_sales.
func viewTotals(t *testing.T, m *pipelinetest.Multi) productTotals {
	t.Helper()
	out := productTotals{}
	for _, r := range m.Query(`SELECT product_key, toString(sum(quantity)), toString(sum(revenue)), toString(sum(cancelled_quantity))
			FROM {db}.v_product_sales GROUP BY product_key`) {
		f := strings.Split(r, "\t")
		out[f[0]] = [3]decimal.Decimal{decimal.RequireFromString(f[1]), decimal.RequireFromString(f[2]), decimal.RequireFromString(f[3])}
	}
	return out
}

func compareTotals(t *testing.T, when string, got, want productTotals) {
	t.Helper()
	for k, w := range want {
		if g := got[k]; !g[0].Equal(w[0]) || !g[1].Equal(w[1]) || !g[2].Equal(w[2]) {
			t.Errorf("%s: product %s: v_product_sales %v, want %v (quantity, revenue, cancelled quantity)", when, k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: v_product_sales has product %s, which no line is", when, k)
		}
	}
}

// Orders of Prom, Rozetka and Epicentr add up per seller's product in
// v_product_sales, to the kopeck; a match imported afterwards moves the
// products' sales to the seller's product across the three marketplaces
// with no reload, and the same file again changes nothing.
func TestProductSalesFollowTheSellersMatches(t *testing.T) {
	clock := kit.NewClock(pipelinetest.Start)
	pr, rz, ep := promsb.New(promsb.Options{Clock: clock, Seed: 7}), rzsb.New(rzsb.Options{Clock: clock, Seed: 7}), epsb.New(epsb.Options{Clock: clock, Seed: 7})
	prom, _ := promtest.Store(t, pr, "prom-a", 60)
	rozetka, _ := rozetkatest.Store(t, rz, "rz-a", 60, 150)
	epicentr, _ := epicentrtest.Store(t, ep, "ep-a", 60)
	m := pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{prom, rozetka, epicentr}, "")
	clock.Advance(time.Minute)
	for id, r := range m.Run(context.Background(), pipeline.JobOrders) {
		if !r.OK() || r.New == 0 {
			t.Fatalf("orders of %s: %+v", id, r)
		}
	}
	want, unmatched := expectedTotals(t, m, nil)
	compareTotals(t, "auto", viewTotals(t, m), want)
	// Epicentr's cards made by hand carry no id of the seller's.
	if got := m.Query(`SELECT toString(sum(lines)) FROM {db}.v_unmatched_items`)[0]; got != fmt.Sprint(unmatched) || unmatched == 0 {
		t.Errorf("v_unmatched_items counts %s lines, want %d (lines with no id of the seller's)", got, unmatched)
	}

	// The seller lists one catalog on every marketplace: the same product
	// sells on all three under its own id, and adds up with no match.
	shared := m.Query(`SELECT count() FROM (SELECT product_key FROM {db}.v_order_items WHERE match_source = 'auto'
		GROUP BY product_key HAVING uniqExact(marketplace) = 3)`)[0]
	if shared == "0" {
		t.Error("no product is sold on all three marketplaces under the seller's id")
	}

	// One product of each marketplace is, for the seller, the same lamp.
	pick := func(store string) string {
		return m.Query(`SELECT if(product_id != '', product_id, external_id) FROM {db}.v_order_items WHERE store = ? ORDER BY quantity DESC, order_id LIMIT 1`, store)[0]
	}
	matches := map[string]string{
		"prom/prom-a/" + pick("prom-a"): "LAMP-1", "rozetka/rz-a/" + pick("rz-a"): "LAMP-1", "epicentr/ep-a/" + pick("ep-a"): "LAMP-1",
	}
	csv := "\ufeffstore;product_id;product_key\n"
	for k, v := range matches {
		f := strings.SplitN(k, "/", 3)
		csv += f[1] + ";" + f[2] + ";" + v + "\n"
	}
	runs := m.Query(`SELECT count(), max(_version) FROM {db}.orders`)[0]
	imported := func() int {
		ms, errs := pipeline.ParseMatchesCSV(strings.NewReader(csv), "matches.csv", m.Cfg, pipelinetest.Start)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		n, err := m.WH.RecordMatches(context.Background(), ms)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := imported(); n != 3 {
		t.Fatalf("%d matches recorded, want 3", n)
	}
	want, _ = expectedTotals(t, m, matches)
	compareTotals(t, "matched", viewTotals(t, m), want)
	if lamp := want["LAMP-1"]; lamp[0].IsZero() && lamp[2].IsZero() {
		t.Fatal("the matched products sold nothing: the test checks nothing")
	}
	if got := m.Query(`SELECT uniqExact(marketplace) FROM {db}.v_order_items WHERE product_key = 'LAMP-1' AND match_source = 'manual'`)[0]; got != "3" {
		t.Errorf("LAMP-1 is sold on %s marketplaces, want 3", got)
	}
	if got := m.Query(`SELECT count(), max(_version) FROM {db}.orders`)[0]; got != runs {
		t.Errorf("the orders were written again (%s, before %s): a match must need no reload", got, runs)
	}

	if n := imported(); n != 0 {
		t.Errorf("the same file again recorded %d matches, want none", n)
	}
	if got := m.Query(`SELECT count() FROM {db}.product_matches`)[0]; got != "3" {
		t.Errorf("%s rows in product_matches after importing the file twice, want 3", got)
	}
}

// A store that matches products by vendor code (match_by) gets each order
// line's product from its catalog: the line names Rozetka's product id and
// the seller's offer id, and after a catalog load its product is the
// offer's vendor code, as the seller's CRM knows it. The seller's own
// match still wins, and a second load of the same catalog records nothing.
func TestACatalogMatchesOrderLinesByTheStoresMatchBy(t *testing.T) {
	clock := kit.NewClock(pipelinetest.Start)
	rz := rzsb.New(rzsb.Options{Clock: clock, Seed: 9})
	spec, _ := rozetkatest.Store(t, rz, "rz-a", 60, 40)
	spec.YAML += "\nmatch_by: vendor_code"
	m := pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{spec}, "")
	clock.Advance(time.Minute)
	for _, job := range []string{pipeline.JobOrders, pipeline.JobCatalog} {
		if r := m.Run(context.Background(), job)["rz-a"]; !r.OK() {
			t.Fatalf("%s: %+v", job, r)
		}
	}
	// Lines of catalog products, and those whose product is the vendor code
	// although the line's own external id is another.
	lines := `SELECT count(), countIf(product_key = vendor_code AND match_source = 'auto'), countIf(vendor_code != external_id)
		FROM (SELECT product_id, external_id, product_key, match_source FROM {db}.v_order_items WHERE store = 'rz-a')
		ANY INNER JOIN (SELECT product_id, vendor_code FROM {db}.v_products WHERE store = 'rz-a' AND vendor_code != '') USING (product_id)`
	f := strings.Split(m.Query(lines)[0], "\t")
	if f[0] == "0" || f[2] == "0" {
		t.Fatalf("lines of catalog products %s, of them with an external id other than the vendor code %s: the test checks nothing", f[0], f[2])
	}
	if f[1] != f[0] {
		t.Errorf("%s of %s lines of catalog products have the vendor code as their product", f[1], f[0])
	}
	if got := m.Query(`SELECT count() FROM {db}.v_order_items WHERE store = 'rz-a' AND catalog_key != '' AND product_key != catalog_key`)[0]; got != "0" {
		t.Errorf("%s lines with a catalog match have another product", got)
	}

	recorded := m.Query(`SELECT count() FROM {db}.product_matches`)[0]
	clock.Advance(time.Minute)
	if r := m.Run(context.Background(), pipeline.JobCatalog)["rz-a"]; !r.OK() {
		t.Fatalf("catalog again: %+v", r)
	}
	if got := m.Query(`SELECT count() FROM {db}.product_matches`)[0]; got != recorded {
		t.Errorf("the same catalog again: %s rows in product_matches, before %s", got, recorded)
	}

	// The seller's match wins over the catalog's.
	product := m.Query(`SELECT product_id FROM {db}.v_order_items WHERE store = 'rz-a' AND catalog_key != '' ORDER BY order_id, line LIMIT 1`)[0]
	ms, errs := pipeline.ParseMatchesCSV(strings.NewReader("store,product_id,product_key\nrz-a,"+product+",LAMP-1\n"), "matches.csv", m.Cfg, pipelinetest.Start)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if _, err := m.WH.RecordMatches(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	if got := m.Query(`SELECT count() > 0, countIf(product_key != 'LAMP-1' OR match_source != 'manual') FROM {db}.v_order_items WHERE store = 'rz-a' AND product_id = ?`, product)[0]; got != "1\t0" {
		t.Errorf("the lines of product %s after the seller's match: %s (any, not LAMP-1 by hand), want 1 0", product, got)
	}
}
