package pipeline_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
)

func TestClickHouseRefusingInsertsFailsRunsCleanlyAndLaterCyclesCatchUpExactly(t *testing.T) {
	stores := map[string]int{"prom-a": 90, "prom-b": 60, "prom-c": 40, "prom-d": 30}
	e := promtest.New(t, stores)
	proxy, relay := chtest.Relayed(t, e.WH)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	writer := clickhouse.NewWriter(relay, clickhouse.WriterOptions{Interval: 200 * time.Millisecond})
	cycle := func() map[string]bool {
		r := e.Runner()
		r.Warehouse, r.Writer, r.Parallel = relay, writer, len(stores)
		res, err := r.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ok := map[string]bool{}
		for _, x := range res {
			ok[x.Store] = x.OK()
			if !x.OK() && !strings.Contains(x.Err.Error(), "clickhouse") {
				t.Errorf("store %s failed for another reason than the warehouse: %v", x.Store, x.Err)
			}
		}
		return ok
	}

	// While the server refuses writes, every run fails, cleanly: the store
	// has neither orders nor a cursor, and nothing piles up in memory.
	proxy.RefuseInserts(true)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 2 {
		for store, ok := range cycle() {
			if ok {
				t.Errorf("%s: ok while ClickHouse refuses inserts", store)
			}
		}
		e.SB.AddOrder(e.Tokens["prom-b"], nil)
		e.Clock.Advance(time.Minute)
	}
	if g := writer.Gathered(); g != 0 {
		t.Errorf("%d bytes held by the writer after the failed cycles", g)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 32<<20 {
		t.Errorf("the heap grew by %d MB over two failed cycles", grown>>20)
	}
	if got := e.Query(`SELECT count() FROM {db}.orders`)[0]; got != "0" {
		t.Errorf("%s order rows written while inserts were refused", got)
	}

	// The server takes writes again: the next cycles catch up exactly.
	proxy.RefuseInserts(false)
	for store, ok := range cycle() {
		if !ok {
			t.Errorf("%s: failed once ClickHouse took writes again", store)
		}
	}
	e.SB.AddOrder(e.Tokens["prom-c"], nil)
	e.Clock.Advance(time.Minute)
	cycle()
	e.AssertEqual("prom-a", "prom-b", "prom-c", "prom-d")
	if got := e.Query(`SELECT status, count() FROM {db}.pipeline_runs GROUP BY status ORDER BY status`); strings.Join(got, ",") != "ok\t8" {
		t.Errorf("run records %v: want the 8 ok runs (the refused ones could not be written)", got)
	}
}
