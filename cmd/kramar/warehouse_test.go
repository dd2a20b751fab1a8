package main

import (
	"bytes"
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

func TestExportCommandWritesFilesAndRefusesUnknownTables(t *testing.T) {
	e, c := loadedCLI(t, map[string]int{"prom-a": 80})
	kramar := c.run
	dir := t.TempDir()

	// A CSV of one period, the format taken from the extension.
	days := e.Query("SELECT toString(min(toDate(created_at))), toString(max(toDate(created_at))) FROM {db}.v_orders")[0]
	from, to, _ := strings.Cut(days, "\t")
	want := e.Query("SELECT count() FROM {db}.v_orders WHERE created_at >= toDateTime(?, 'UTC') AND created_at < toDateTime(?, 'UTC')",
		from+" 00:00:00", to+" 00:00:00")[0]
	csvPath := filepath.Join(dir, "orders.csv")
	out, code := kramar("export", "v_orders", "--out", csvPath, "--from", from, "--to", to)
	if code != 0 || !strings.Contains(out, "v_orders: "+want+" rows") || !strings.Contains(out, csvPath) || want == "0" {
		t.Fatalf("exit %d, want 0 and %s rows named with the file:\n%s", code, want, out)
	}
	b, err := os.ReadFile(csvPath)
	if err != nil || !bytes.HasPrefix(b, []byte("\ufeffmarketplace,store,external_id,created_at")) {
		t.Errorf("%s does not start with the BOM and the header: %q, %v", csvPath, b[:min(len(b), 60)], err)
	}

	parquetPath := filepath.Join(dir, "items.parquet")
	want = e.Query("SELECT count() FROM {db}.v_order_items")[0]
	out, code = kramar("export", "v_order_items", "--format", "parquet", "--compression", "snappy", "--out", parquetPath)
	if code != 0 || !strings.Contains(out, "v_order_items: "+want+" rows") {
		t.Fatalf("exit %d, want 0 and %s rows:\n%s", code, want, out)
	}
	if b, err := os.ReadFile(parquetPath); err != nil || !bytes.HasPrefix(b, []byte("PAR1")) || !bytes.HasSuffix(b, []byte("PAR1")) {
		t.Errorf("%s is not a Parquet file (%v)", parquetPath, err)
	}

	refused := filepath.Join(dir, "refused.parquet")
	out, code = kramar("export", "extract_state", "--out", refused)
	if code == 0 || !strings.Contains(out, "unknown table") || !strings.Contains(out, "v_royalties_monthly") {
		t.Errorf("unknown table: exit %d, want it refused with the allowed names:\n%s", code, out)
	}
	if out, code = kramar("export", "v_orders", "--out", refused, "--from", "01.11.2026"); code != 2 {
		t.Errorf("bad --from: exit %d, want 2:\n%s", code, out)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*refused*")); len(left) != 0 {
		t.Errorf("a refused export left files behind: %v", left)
	}
}

// An analyst with only the warehouse's address: no config file, or a config
// whose stores lack their tokens, still exports, reports and sees status;
// only the jobs that call the marketplaces insist on the stores.
func TestWarehouseCommandsNeedOnlyTheWarehouse(t *testing.T) {
	e, withStores := loadedCLI(t, map[string]int{"prom-a": 25})
	dir := t.TempDir()
	noFile := *withStores
	noFile.config = filepath.Join(dir, "missing.yaml")

	out, code := noFile.run("export", "v_orders", "--out", filepath.Join(dir, "o.parquet"))
	want := e.Query("SELECT count() FROM {db}.v_orders")[0]
	if code != 0 || !strings.Contains(out, "v_orders: "+want+" rows") || want == "0" {
		t.Fatalf("export with no config file: exit %d, want 0 and %s rows:\n%s", code, want, out)
	}
	if out, code = noFile.run("status"); !strings.Contains(out, "prom-a") || code > 1 {
		t.Errorf("status with no config file: exit %d, want the warehouse's store listed:\n%s", code, out)
	}

	// Stores whose secrets this user does not have: one warning, not an error.
	brokenStores := noFile
	brokenStores.config = filepath.Join(dir, "kramar.yaml")
	yaml := "clickhouse:\n  flush_interval: 1s\nstores:\n" +
		"  - {id: a, marketplace: prom, token_env: NOT_SET_A}\n" +
		"  - {id: b, marketplace: rozetka, username: u, password_env: NOT_SET_B}\n"
	writeFile(t, brokenStores.config, yaml)
	out, code = brokenStores.run("export", "v_orders", "--out", filepath.Join(dir, "o.csv"))
	if code != 0 || !strings.Contains(out, "v_orders: "+want+" rows") {
		t.Fatalf("export with stores lacking tokens: exit %d, want 0:\n%s", code, out)
	}
	if n := strings.Count(out, "WARN"); n != 1 || !strings.Contains(out, "outside the clickhouse section") {
		t.Errorf("want one warning line about the stores, got %d:\n%s", n, out)
	}
	if out, code = brokenStores.run("run", "--once"); code != 2 || !strings.Contains(out, "NOT_SET_A") {
		t.Errorf("a job that calls the marketplaces must still refuse the config: exit %d:\n%s", code, out)
	}

	// A wrong clickhouse section stops even the warehouse commands.
	writeFile(t, brokenStores.config, "clickhouse:\n  flush_interval: 5m\n")
	if out, code = brokenStores.run("export", "v_orders", "--out", filepath.Join(dir, "x.csv")); code != 2 || !strings.Contains(out, "flush_interval") {
		t.Errorf("bad clickhouse section: exit %d, want 2 naming the key:\n%s", code, out)
	}

	// An empty table says so, and which database it read.
	empty := noFile
	empty.dsn = chtest.DSNOf(t, chtest.New(t))
	out, code = empty.run("export", "v_orders", "--out", filepath.Join(dir, "empty.csv"))
	if code != 0 || !strings.Contains(out, "v_orders is empty in database") {
		t.Errorf("empty export: exit %d, want it to say the table is empty and where:\n%s", code, out)
	}
}

// With neither a config file nor a DSN, the error says what is enough.
func TestWarehouseCommandWithNothingSaysWhatIsNeeded(t *testing.T) {
	c := &cli{bin: buildKramar(t), config: filepath.Join(t.TempDir(), "kramar.yaml")}
	out, code := c.run("export", "v_orders", "--out", filepath.Join(t.TempDir(), "o.csv"))
	if code != 2 || !strings.Contains(out, "KRAMAR_CLICKHOUSE_DSN") {
		t.Errorf("exit %d, want 2 naming KRAMAR_CLICKHOUSE_DSN:\n%s", code, out)
	}
}

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
