package pages_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/schema/canon"
)

// benchStores is how many stores the store list benchmark shows (the
// issue asks for 1,000 in under 300 ms of server time).
const benchStores = 1000

// seedStores writes n stores' day: an order cycle every 15 minutes (every
// tenth store's last one failed), a catalog, a reference and ten push runs,
// twenty orders (half of them today), two held orders, pushes and messages
// — through the loaders' record methods, a Unit per hundred stores.
func seedStores(b *testing.B, wh *clickhouse.Warehouse, n int) *config.Config {
	b.Helper()
	ctx := context.Background()
	cfg := &config.Config{}
	for lo := 0; lo < n; lo += 100 {
		u := wh.NewUnit()
		var orders []canon.Order
		for i := lo; i < min(lo+100, n); i++ {
			id := fmt.Sprintf("store-%04d", i)
			cfg.Stores = append(cfg.Stores, promStore(id))
			for c := 96; c > 0; c-- {
				status, errText := "ok", ""
				if c == 1 && i%10 == 0 {
					status, errText = "failed", "prom: 502 Bad Gateway"
				}
				must(b, u.RecordRun(ctx, run(fmt.Sprintf("%s-o%d", id, c), id, "orders", status, now.Add(-time.Duration(c)*15*time.Minute), errText)))
			}
			must(b, u.RecordRun(ctx, run(id+"-cat", id, "catalog", "ok", now.Add(-8*time.Hour), "")))
			must(b, u.RecordRun(ctx, run(id+"-ref", id, "reference", "ok", now.Add(-8*time.Hour), "")))
			for c := 10; c > 0; c-- {
				must(b, u.RecordRun(ctx, run(fmt.Sprintf("%s-p%d", id, c), id, "push", "ok", now.Add(-time.Duration(c)*time.Hour), "")))
			}
			for o := 0; o < 20; o++ {
				orders = append(orders, order(id, fmt.Sprint(o), now.Add(-time.Duration(o)*time.Hour), "delivered", "Виконано", "Виконано", "100.00"))
			}
			must(b, u.SaveState(ctx, "prom", id, []clickhouse.StateEntry{
				{Kind: "held", Key: "h1", Value: `{"since":"2026-11-19T08:00:00Z"}`},
				{Kind: "held", Key: "h2", Value: `{"since":"2026-11-19T09:00:00Z"}`},
				{Kind: "cursor", Key: "orders", Value: `"2026-11-20T11:45:00Z"`},
			}, nil))
			must(b, u.RecordPushSteps(ctx,
				clickhouse.PushStep{PushID: id + "-1", Marketplace: "prom", Store: id, OrderID: "1", State: "done", Final: true, At: now},
				clickhouse.PushStep{PushID: id + "-2", Marketplace: "prom", Store: id, OrderID: "2", State: "sending", At: now},
			))
			must(b, u.RecordNotes(ctx,
				clickhouse.Note{Marketplace: "prom", Store: id, OrderID: "1", Channel: "telegram", State: "sent", At: now},
				clickhouse.Note{Marketplace: "prom", Store: id, OrderID: "2", Channel: "telegram", State: "queued", At: now},
			))
		}
		must(b, u.Commit(ctx))
		insertOrders(b, wh, orders...)
	}
	return cfg
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPages renders the pages over 1,000 stores' day: store_list is
// Магазини (the issue asks for under 300 ms of server time), store_page one
// store's page, reports the month's Звіти. The time per request is the
// server's: the warehouse's queries and the template. selects/op are the
// queries a request sent; the store list's do not grow with the stores.
func BenchmarkPages(b *testing.B) {
	wh := newWarehouse(b)
	cfg := seedStores(b, wh, benchStores)
	h := handlerOf(b, wh, cfg, fakeSession{"ops", "ops"})
	// Check once that every store is there, and warm the server up.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 200 || strings.Count(rec.Body.String(), `<a href="/stores/store-`) != benchStores ||
		!strings.Contains(rec.Body.String(), "зі збоєм: 100") {
		b.Fatalf("store list: %d, %d stores", rec.Code, strings.Count(rec.Body.String(), `<a href="/stores/store-`))
	}
	for _, c := range []struct{ name, path string }{
		{"store_list", "/"},
		{"store_page", "/stores/store-0500"},
		{"reports", "/reports?month=2026-11"},
	} {
		b.Run(c.name, func(b *testing.B) { benchPage(b, wh, h, c.path) })
	}
}

func benchPage(b *testing.B, wh *clickhouse.Warehouse, h http.Handler, path string) {
	ctx := context.Background()
	_, before, err := wh.QueryCounts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	n, size := 0, 0
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != 200 {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
		n, size = n+1, rec.Body.Len()
	}
	b.StopTimer()
	_, after, err := wh.QueryCounts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// The count read itself is one select.
	b.ReportMetric(float64(after-before-1)/float64(n), "selects/op")
	b.ReportMetric(float64(size), "page-bytes")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(n), "ms/op")
}
