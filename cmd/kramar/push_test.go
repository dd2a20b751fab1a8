package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
)

// tableCounts is the row count of every table (not view) of the warehouse.
func tableCounts(t *testing.T, m *pipelinetest.Multi) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range m.Query(`SELECT name FROM system.tables WHERE database = ? AND engine NOT LIKE '%View'`, m.WH.Database()) {
		out[name] = m.Query(fmt.Sprintf("SELECT count() FROM {db}.`%s`", name))[0]
	}
	return out
}

func TestPushDryRunPrintsThePlanAndChangesNothing(t *testing.T) {
	bin := buildKramar(t)
	clock := kit.NewClock(time.Now().UTC().Add(-time.Hour).Truncate(time.Second))
	sb := promsb.New(promsb.Options{Clock: clock, Seed: 7})
	spec, token := promtest.Store(t, sb, "prom-a", 40)
	outbound := "outbound:\n  prom:\n    Прийнято: {status: received}\n"
	m := pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{spec}, outbound)
	clock.Set(time.Now().UTC())
	if r := m.Run(context.Background(), pipeline.JobOrders)["prom-a"]; !r.OK() {
		t.Fatal(r.Err)
	}
	// Pushes turned on after the load, so its orders were not accepted on import.
	m.Configure(outbound, map[string]string{"prom-a": "push: {orders: true, stock: true, auto_accept: true}"})
	pending := m.Query(`SELECT external_id FROM {db}.v_orders WHERE marketplace_status = 'pending' ORDER BY external_id`)
	target := pending[0]
	var ups []clickhouse.CRMUpdate
	for _, c := range []pipeline.CRMChange{
		{Store: "prom-a", OrderID: target, Status: "Прийнято", ChangedBy: "Оля"},
		{Store: "prom-a", OrderID: target, Status: "Невідомий статус", ChangedBy: "Оля"},
	} {
		c.ChangedAt = clock.Now()
		u, err := pipeline.NewCRMUpdate(m.Cfg, c)
		if err != nil {
			t.Fatal(err)
		}
		ups = append(ups, u)
	}
	if err := m.WH.RecordCRMUpdates(context.Background(), ups); err != nil {
		t.Fatal(err)
	}
	products := sb.ExternalIDs(token)[:3]
	stock, errs := pipeline.ParseStockCSV(strings.NewReader("store,external_id,quantity\nprom-a,"+strings.Join(products, ",5\nprom-a,")+",5\n"),
		"stock.csv", m.Cfg, clock.Now())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if err := m.WH.RecordCRMStock(context.Background(), stock); err != nil {
		t.Fatal(err)
	}

	kramar := newCLI(t, bin, m.WH.Database(), m.Path).run
	requests, tables := len(sb.Recorder().Requests()), tableCounts(t, m)
	out, code := kramar("push", "--dry-run")
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s", code, out)
	}
	// One line per pending order (auto_accept; the CRM's own change to
	// the first one is a line too), the unmapped status, three products.
	for _, want := range []string{
		"pending → received", "CRM change by Оля", "rule auto_accept: in status pending",
		`NOT SENT: CRM status "Невідомий статус" has no outbound mapping for prom`,
		products[0], "quantity 5", "nothing was sent and nothing was written",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "pending → received"); n != len(pending)+1 {
		t.Errorf("%d status lines for %d pending orders and 1 CRM change:\n%s", n, len(pending), out)
	}
	if n := len(sb.Recorder().Requests()); n != requests {
		t.Errorf("the dry run made %d requests to the marketplace", n-requests)
	}
	if after := tableCounts(t, m); fmt.Sprint(after) != fmt.Sprint(tables) {
		t.Errorf("the dry run wrote rows:\nbefore %v\nafter  %v", tables, after)
	}

	// The plan was real: the push itself sends it.
	if out, code := kramar("push"); code != 0 {
		t.Fatalf("push: exit %d\n%s", code, out)
	}
	if got := m.Query(`SELECT count() FROM {db}.v_pushes WHERE state = 'done' AND action = 'status'`)[0]; got != fmt.Sprint(len(pending)) {
		t.Errorf("%s status pushes done, want %d (one per pending order: the CRM change and the rule coincide on %s)", got, len(pending), target)
	}
}
