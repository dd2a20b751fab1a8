package clickhouse_test

import (
	"context"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
)

func TestPayloadDriftSumsRunsPerPath(t *testing.T) {
	w := chtest.New(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	entry := func(count uint64, first time.Time, example string) drift.Entry {
		return drift.Entry{Key: drift.Key{Endpoint: "GET /orders/list", Path: "products[].price", Kind: drift.TypeChange, Expected: drift.String, Observed: drift.Number},
			Count: count, Example: example, FirstSeen: first, LastSeen: first.Add(time.Minute)}
	}
	if err := w.RecordDrift(ctx, "r1", "prom", "a", []drift.Entry{entry(3, t0, "999")}); err != nil {
		t.Fatal(err)
	}
	if err := w.RecordDrift(ctx, "r2", "prom", "b", []drift.Entry{entry(2, t0.Add(time.Hour), "99.9")}); err != nil {
		t.Fatal(err)
	}
	missing := drift.Entry{Key: drift.Key{Endpoint: "GET /orders/list", Path: "id", Kind: drift.Missing, Expected: drift.Number, Observed: drift.Null},
		Required: true, Count: 1, FirstSeen: t0, LastSeen: t0}
	if err := w.RecordDrift(ctx, "r3", "rozetka", "c", []drift.Entry{missing}); err != nil {
		t.Fatal(err)
	}
	got, err := w.PayloadDrift(ctx, t0.Add(-time.Hour), "prom")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("rows: %+v", got)
	}
	d := got[0]
	if d.Count != 5 || d.Stores != 2 || !d.FirstSeen.Equal(t0) || !d.LastSeen.Equal(t0.Add(time.Hour+time.Minute)) || d.Example != "99.9" ||
		d.Kind != "type_change" || d.Expected != "string" || d.Observed != "number" || d.Required {
		t.Errorf("row: %+v", d)
	}
	all, err := w.PayloadDrift(ctx, t0.Add(-time.Hour))
	if err != nil || len(all) != 2 || !all[0].Required || all[0].Path != "id" {
		t.Errorf("all: %+v %v", all, err)
	}
}
