package clickhouse_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/schema/rows"
)

// loadCatalog writes one catalog load of the given offers and records it as finished.
func loadCatalog(t *testing.T, w *clickhouse.Warehouse, run string, ids ...string) {
	t.Helper()
	ctx := context.Background()
	stageCatalog(t, w, run, ids...)
	if _, err := w.PublishCatalog(ctx, "zakupka", "z1", run, rows.NextVersion(), time.Now()); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := w.RecordRun(ctx, clickhouse.Run{RunID: run, Marketplace: "zakupka", Store: "z1", Job: "catalog", Status: "ok",
		StartedAt: now, FinishedAt: now.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
}

// stageCatalog writes the offers of a load that has not finished (yet).
func stageCatalog(t *testing.T, w *clickhouse.Warehouse, run string, ids ...string) {
	t.Helper()
	var ps []canon.Product
	for _, id := range ids {
		ps = append(ps, canon.Product{Marketplace: "zakupka", Store: "z1", ProductID: id, Name: "Товар " + id + " " + run,
			Price: decimal.RequireFromString("99.90"), Stock: 5, Available: true, Photos: []string{"https://img/" + id, "https://img/" + id + "-2"},
			Description: "Опис " + id + " & все", DescriptionHTML: "<p>Опис " + id + " &amp; все</p>",
			ParamNames: []string{"Колір", "Вага"}, ParamUnits: []string{"", "г"}, ParamValues: []string{"білий", id},
			Brand: "Kvitka", GroupID: "g-" + id, VendorCode: "VC-" + id, Barcode: "482000000000" + id,
			CategoryPath: []string{"Дім", "Кухня"}})
	}
	rec, err := rows.Products(ps, rows.Meta{RunID: run, Version: rows.NextVersion(), LoadedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if err := w.StageCatalog(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
}

// A load that fails after some of its inserts never shows, not even once
// ClickHouse has merged every part of products: its rows were never there.
func TestAFailedCatalogLoadLeavesTheLastGoodOneAfterMerges(t *testing.T) {
	w := chtest.New(t)
	loadCatalog(t, w, "load-1", "a", "b", "c")
	stageCatalog(t, w, "load-2", "a", "b") // fails before it finishes
	for _, table := range []string{"products", "products_staging"} {
		chtest.Exec(t, w, "OPTIMIZE TABLE {db}."+table+" FINAL")
	}
	got := chtest.Query(t, w, `SELECT product_id, available, name FROM {db}.v_products ORDER BY product_id`)
	sameRows(t, got, []string{"a\t1\tТовар a load-1", "b\t1\tТовар b load-1", "c\t1\tТовар c load-1"})

	// The next load that finishes replaces it whole, and publishing it
	// again (a retry after a lost answer) changes nothing.
	loadCatalog(t, w, "load-3", "b", "d")
	if _, err := w.PublishCatalog(context.Background(), "zakupka", "z1", "load-3", rows.NextVersion(), time.Now()); err != nil {
		t.Fatal(err)
	}
	chtest.Exec(t, w, "OPTIMIZE TABLE {db}.products FINAL")
	got = chtest.Query(t, w, `SELECT product_id, available, name FROM {db}.v_products ORDER BY product_id`)
	sameRows(t, got, []string{"a\t0\tТовар a load-1", "b\t1\tТовар b load-3", "c\t0\tТовар c load-1", "d\t1\tТовар d load-3"})
}

func TestOffersGoneFromTheCatalogStayAsUnavailable(t *testing.T) {
	w := chtest.New(t)
	loadCatalog(t, w, "load-1", "a", "b", "c")
	loadCatalog(t, w, "load-2", "a", "c")
	loadCatalog(t, w, "load-3", "c", "d")
	got := chtest.Query(t, w, `SELECT product_id, available, stock, name, arrayStringConcat(photos, ',') FROM {db}.v_products ORDER BY product_id`)
	want := []string{
		"a\t0\t0\tТовар a load-2\thttps://img/a,https://img/a-2", // gone in load 3
		"b\t0\t0\tТовар b load-1\thttps://img/b,https://img/b-2", // gone in load 2, still unavailable
		"c\t1\t5\tТовар c load-3\thttps://img/c,https://img/c-2",
		"d\t1\t5\tТовар d load-3\thttps://img/d,https://img/d-2",
	}
	sameRows(t, got, want)
}

// sameRows compares the v_products rows a query gave with those wanted.
func sameRows(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("v_products:\n%v\nwant\n%v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d:\n%q\nwant\n%q", i, got[i], want[i])
		}
	}
}

// v_products shows the complete row (migration 017 re-made the view over
// the new columns), and an offer carried over keeps its details.
func TestCatalogDetailsReachTheView(t *testing.T) {
	w := chtest.New(t)
	loadCatalog(t, w, "load-1", "a", "b")
	loadCatalog(t, w, "load-2", "b")
	got := chtest.Query(t, w, `SELECT product_id, available, description, description_html,
		arrayStringConcat(param_names, '|'), arrayStringConcat(param_units, '|'), arrayStringConcat(param_values, '|'),
		brand, group_id, vendor_code, barcode, arrayStringConcat(category_path, ' > '), length(photos)
		FROM {db}.v_products ORDER BY product_id`)
	want := []string{
		"a\t0\tОпис a & все\t<p>Опис a &amp; все</p>\tКолір|Вага\t|г\tбілий|a\tKvitka\tg-a\tVC-a\t482000000000a\tДім > Кухня\t2",
		"b\t1\tОпис b & все\t<p>Опис b &amp; все</p>\tКолір|Вага\t|г\tбілий|b\tKvitka\tg-b\tVC-b\t482000000000b\tДім > Кухня\t2",
	}
	sameRows(t, got, want)
}
