package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/kramar/kramar/loaders/clickhouse/chtest"
)

func TestReportWritesTheWorkbook(t *testing.T) {
	bin := buildKramar(t)
	wh := chtest.New(t)
	ctx := context.Background()
	batch, err := wh.Conn().PrepareBatch(ctx, "INSERT INTO "+wh.Database()+
		".expenses (expense_id, store, order_id, kind, entry, booked_on, amount, currency, _version)")
	if err != nil {
		t.Fatal(err)
	}
	for _, store := range []string{"prom-main", "prom-outlet"} {
		if err := batch.Append("e-"+store, store, "7", "cpa_commission", "charge",
			time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC), decimal.RequireFromString("42.10"), "UAH", uint64(1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := newCLI(t, bin, wh.Database(), filepath.Join(dir, "none.yaml"))
	c.dir = dir
	kramar := c.run

	out, code := kramar("report", "expenses", "--month", "2026-11", "--store", "prom-outlet")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	path := filepath.Join(dir, "kramar-expenses-2026-11.xlsx")
	if !strings.Contains(out, "kramar-expenses-2026-11.xlsx") {
		t.Errorf("output does not name the file:\n%s", out)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "Підсумок|prom-outlet" {
		t.Errorf("sheets %s, want the summary and prom-outlet", got)
	}
	if v, _ := f.GetCellValue("prom-outlet", "E2", excelize.Options{RawCellValue: true}); v != "42.1" {
		t.Errorf("amount %q, want 42.1", v)
	}

	out, code = kramar("report", "orders", "--month", "2026-11", "--out", "o.xlsx")
	if code != 0 {
		t.Fatalf("orders: exit %d:\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "o.xlsx")); err != nil {
		t.Error(err)
	}
	for _, args := range [][]string{{"report", "salaries"}, {"report", "expenses", "--month", "11.2026"}} {
		if out, code := kramar(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2:\n%s", args, code, out)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".kramar-report-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
