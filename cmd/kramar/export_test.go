package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportCommandWritesFilesAndRefusesUnknownTables(t *testing.T) {
	e, c := promCLI(t, map[string]int{"prom-a": 80})
	if r := e.Run()["prom-a"]; !r.OK() {
		t.Fatal(r.Err)
	}
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
