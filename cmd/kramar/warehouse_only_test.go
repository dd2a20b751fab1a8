package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramar/kramar/loaders/clickhouse/chtest"
)

// An analyst with only the warehouse's address: no config file, or a config
// whose stores lack their tokens, still exports, reports and sees status;
// only the jobs that call the marketplaces insist on the stores.
func TestWarehouseCommandsNeedOnlyTheWarehouse(t *testing.T) {
	e, withStores := promCLI(t, map[string]int{"prom-a": 25})
	if r := e.Run()["prom-a"]; !r.OK() {
		t.Fatal(r.Err)
	}
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
	if err := os.WriteFile(brokenStores.config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
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
	if err := os.WriteFile(brokenStores.config, []byte("clickhouse:\n  flush_interval: 5m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
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
