package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramar/kramar/pipeline/pipelinetest"
)

func TestOrderChangesAreRecordedAndBadOnesRefused(t *testing.T) {
	dir := t.TempDir()
	c, wh := shopCLI(t, dir, "")
	kramar := c.run
	rows := func() []string {
		return pipelinetest.Query(t, wh, `SELECT order_id, crm_status, ttn, carrier FROM {db}.crm_updates ORDER BY order_id, changed_at`)
	}

	if out, code := kramar("order", "set-status", "--store", "shop", "--order", "101", "--status", "Відправлено", "--ttn", "2045 1136 8204 11"); code != 0 {
		t.Fatalf("set-status: exit %d\n%s", code, out)
	}
	if out, code := kramar("order", "set-ttn", "--store", "shop", "--order", "102", "--ttn", "12345"); code != 2 || !strings.Contains(out, "ttn:") {
		t.Fatalf("a bad ТТН: exit %d\n%s", code, out)
	}
	if got := rows(); strings.Join(got, ";") != "101\tВідправлено\t20451136820411\tnova_poshta" {
		t.Fatalf("crm_updates: %v", got)
	}

	csv := filepath.Join(dir, "changes.csv")
	data := "\ufeffstore;order_id;status;ttn;carrier\nshop;201;Скасовано;;\nshop;202;;RA067022878UA;ukrposhta\nshop;203;Відправлено;RA067022871UA;ukrposhta\nnope;204;Новий;;\n"
	if err := os.WriteFile(csv, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := kramar("order", "import", csv)
	if code != 1 || !strings.Contains(out, "2 change(s) recorded, 2 refused") ||
		!strings.Contains(out, "changes.csv:4: store shop, order 203: ttn:") || !strings.Contains(out, `changes.csv:5: store nope, order 204: store: no store "nope"`) {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	if got := rows(); len(got) != 3 || got[1] != "201\tСкасовано\t\t" || got[2] != "202\t\tRA067022878UA\tukrposhta" {
		t.Fatalf("crm_updates after the import: %v", got)
	}
	// The same file again: the same two change ids.
	kramar("order", "import", csv)
	if got := pipelinetest.Query(t, wh, `SELECT count(), uniqExact(update_id) FROM {db}.crm_updates`); got[0] != "5\t3" {
		t.Fatalf("after importing twice (rows, distinct changes): %v, want 5 and 3", got)
	}
}

func TestStockImportKeepsTheLatestCountPerProduct(t *testing.T) {
	dir := t.TempDir()
	kramar, wh := shopCLI(t, dir, "")
	imp := func(body string) (string, int) {
		path := filepath.Join(dir, "stock.csv")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return kramar.run("stock", "import", path)
	}
	out, code := imp("store,external_id,quantity,changed_at\nshop,SKU-1,5,2026-11-26T10:00:00+02:00\nshop,SKU-2,0,2026-11-26T10:00:00+02:00\nshop,SKU-3,-2,\n")
	if code != 1 || !strings.Contains(out, "stock.csv:4: store shop, product SKU-3: quantity:") {
		t.Fatalf("first import: exit %d\n%s", code, out)
	}
	if out, code := imp("store;external_id;quantity;changed_at\nshop;SKU-1;3;2026-11-26T12:00:00+02:00\n"); code != 0 {
		t.Fatalf("second import: exit %d\n%s", code, out)
	}
	got := pipelinetest.Query(t, wh, `SELECT external_id, quantity FROM {db}.v_crm_stock ORDER BY external_id`)
	if strings.Join(got, ";") != "SKU-1\t3;SKU-2\t0" {
		t.Fatalf("v_crm_stock: %v, want the latest count per product", got)
	}
}
