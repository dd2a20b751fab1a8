package clickhouse_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/schema/rows"
)

func TestConsoleReadsOneStoresRunsRejectsHoldsPushesAndCatalog(t *testing.T) {
	ctx := context.Background()
	wh := chtest.New(t)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	run := func(id, store, job, status string, at time.Time) clickhouse.Run {
		return clickhouse.Run{RunID: id, Marketplace: "prom", Store: store, Job: job, Status: status,
			StartedAt: at, FinishedAt: at.Add(1500 * time.Millisecond), Fetched: 7, New: 3, Error: map[bool]string{true: "", false: "boom " + id}[status == "ok"]}
	}
	for _, r := range []clickhouse.Run{
		run("r1", "shop1", "orders", "ok", now.Add(-3*time.Hour)),
		run("r2", "shop1", "orders", "failed", now.Add(-2*time.Hour)),
		run("r3", "shop1", "catalog", "ok", now.Add(-time.Hour)),
		run("r4", "shop1", "orders", "skipped_overlap", now.Add(-30*time.Minute)),
		run("r5", "shop2", "orders", "ok", now),
	} {
		if err := wh.RecordRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := wh.RecentRuns(ctx, "prom", "shop1", 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.RunID)
	}
	if strings.Join(ids, ",") != "r3,r2,r1" || runs[1].Error != "boom r2" || runs[1].DurationMS != 1500 || runs[1].Fetched != 7 {
		t.Errorf("recent runs of shop1: %s, %+v", ids, runs)
	}
	if runs, _ := wh.RecentRuns(ctx, "prom", "shop1", 1); len(runs) != 1 || runs[0].RunID != "r3" {
		t.Errorf("limit 1: %+v", runs)
	}

	long := strings.Repeat("я", clickhouse.RejectPayloadChars+10)
	if err := wh.RecordRejects(ctx, "r2", []canon.Reject{
		{Marketplace: "prom", Store: "shop1", RecordID: "o1", Field: "price", Reason: "not a number", Payload: long},
		{Marketplace: "prom", Store: "shop2", RecordID: "o2", Field: "id", Reason: "missing", Payload: "{}"},
	}, now); err != nil {
		t.Fatal(err)
	}
	rejects, err := wh.RecentRejects(ctx, "prom", "shop1", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rejects) != 1 || rejects[0].RecordID != "o1" || rejects[0].Field != "price" || rejects[0].Reason != "not a number" ||
		utf8.RuneCountInString(rejects[0].Payload) != clickhouse.RejectPayloadChars || !rejects[0].SeenAt.Equal(now) {
		t.Errorf("rejects of shop1: %d, %+v", len(rejects), rejects[0].RecordID)
	}

	if err := wh.SaveState(ctx, "prom", "shop1", []clickhouse.StateEntry{
		{Kind: "held", Key: "o7", Value: `{"since":"2026-11-19T10:00:00Z"}`},
		{Kind: "held", Key: "o8", Value: `{}`},
		{Kind: "cursor", Key: "orders", Value: `"x"`},
	}, nil); err != nil {
		t.Fatal(err)
	}
	if err := wh.SaveState(ctx, "prom", "shop1", nil, []clickhouse.StateEntry{{Kind: "held", Key: "o8"}}); err != nil {
		t.Fatal(err)
	}
	held, err := wh.HeldOrders(ctx, "prom", "shop1", 10)
	if err != nil || len(held) != 1 || held[0].Key != "o7" || !strings.Contains(held[0].Value, "2026-11-19") {
		t.Errorf("held orders: %+v, %v", held, err)
	}

	if err := wh.RecordPushSteps(ctx,
		clickhouse.PushStep{PushID: "p1", Marketplace: "prom", Store: "shop1", OrderID: "o1", State: "sending", At: now},
		clickhouse.PushStep{PushID: "p1", Marketplace: "prom", Store: "shop1", OrderID: "o1", State: "rejected", Final: true, Reason: "status not allowed", At: now},
		clickhouse.PushStep{PushID: "p2", Marketplace: "prom", Store: "shop1", OrderID: "o2", State: "done", Final: true, At: now},
		clickhouse.PushStep{PushID: "p3", Marketplace: "prom", Store: "shop1", OrderID: "o3", State: "failed", Reason: "timeout", Attempt: 2, At: now.Add(time.Minute)},
	); err != nil {
		t.Fatal(err)
	}
	pushes, err := wh.FailedPushes(ctx, "prom", "shop1", 10)
	if err != nil || len(pushes) != 2 || pushes[0].PushID != "p3" || pushes[0].Reason != "timeout" || pushes[0].Attempt != 2 ||
		pushes[1].PushID != "p1" || pushes[1].State != "rejected" || pushes[1].Reason != "status not allowed" {
		t.Errorf("failed pushes: %+v, %v", pushes, err)
	}

	rec, err := rows.Products([]canon.Product{
		{Marketplace: "prom", Store: "shop1", ProductID: "a", Name: "A"},
		{Marketplace: "prom", Store: "shop1", ProductID: "b", Name: "B"},
	}, rows.Meta{RunID: "r3", Version: rows.NextVersion(), LoadedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if err := wh.Insert(ctx, "products", rec); err != nil {
		t.Fatal(err)
	}
	cat, err := wh.LastCatalogLoad(ctx, "prom", "shop1")
	if err != nil || cat.Last.RunID != "r3" || cat.Last.Status != "ok" || cat.Offers != 2 {
		t.Errorf("catalog of shop1: %+v, %v", cat, err)
	}
	if cat, err := wh.LastCatalogLoad(ctx, "prom", "shop2"); err != nil || cat.Last.RunID != "" || cat.Offers != 0 {
		t.Errorf("catalog of shop2, never loaded: %+v, %v", cat, err)
	}
}

func TestConsoleCountsOrdersSinceADayPerStore(t *testing.T) {
	ctx := context.Background()
	wh := chtest.New(t)
	today := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	orders := testOrders(5, func(i int) string { return []string{"shop1", "shop1", "shop2", "shop1", "shop3"}[i] })
	for i := range orders {
		orders[i].CreatedAt = today.Add(time.Duration(i) * time.Hour)
	}
	orders[3].CreatedAt = today.Add(-time.Second) // yesterday
	if err := wh.InsertBatch(ctx, batchOf(t, "r1", orders)); err != nil {
		t.Fatal(err)
	}
	got, err := wh.OrdersSince(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	want := map[clickhouse.StoreKey]uint64{{Marketplace: "prom", Store: "shop1"}: 2, {Marketplace: "prom", Store: "shop2"}: 1, {Marketplace: "prom", Store: "shop3"}: 1}
	if len(got) != len(want) {
		t.Errorf("orders today: %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("orders today of %v: %d, want %d", k, got[k], n)
		}
	}
}
