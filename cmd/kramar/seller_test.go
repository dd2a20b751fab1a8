package main

import (
	"fmt"
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
	writeFile(t, csv, data)
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
		writeFile(t, path, body)
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

func TestProductMatchImportSetAndClear(t *testing.T) {
	dir := t.TempDir()
	kramar, wh := shopCLI(t, dir, "")
	path := filepath.Join(dir, "matches.csv")
	// Excel's Ukrainian CSV: a BOM and semicolons; a store the config does
	// not have names its marketplace; a row without a product is refused.
	body := "\ufeffstore;marketplace;product_id;external_id;product_key\n" +
		"shop;;1001;;LAMP-1\n" +
		"other;rozetka;;SKU-7;LAMP-1\n" +
		"shop;;1002;;\n"
	writeFile(t, path, body)
	out, code := kramar.run("products", "match", "import", path)
	if code != 1 || !strings.Contains(out, "2 product match(es) recorded, 1 refused") || !strings.Contains(out, "matches.csv:4: store shop, product 1002: product_key: is required") {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	rows := func() string {
		return strings.Join(pipelinetest.Query(t, wh, `SELECT marketplace, store, match_key, argMax(product_key, _version), argMax(source, _version)
			FROM {db}.product_matches GROUP BY marketplace, store, match_key ORDER BY store`), ";")
	}
	if got := rows(); got != "rozetka\tother\tSKU-7\tLAMP-1\tmanual;prom\tshop\t1001\tLAMP-1\tmanual" {
		t.Fatalf("product_matches: %s", got)
	}
	if out, _ := kramar.run("products", "match", "import", path); !strings.Contains(out, "0 product match(es) recorded") {
		t.Errorf("the same file again must record nothing:\n%s", out)
	}
	if out, code := kramar.run("products", "match", "set", "--store", "shop", "--product-id", "1001", "--product", "LAMP-2"); code != 0 || !strings.Contains(out, "matched to LAMP-2") {
		t.Errorf("set: exit %d\n%s", code, out)
	}
	if out, code := kramar.run("products", "match", "clear", "--store", "shop", "--product-id", "1001"); code != 0 || !strings.Contains(out, "match cleared") {
		t.Errorf("clear: exit %d\n%s", code, out)
	}
	if got := rows(); !strings.Contains(got, "prom\tshop\t1001\t\tmanual") {
		t.Errorf("after clear: %s", got)
	}
	if out, code := kramar.run("products", "match", "set", "--store", "nowhere", "--product-id", "1", "--product", "X"); code != 2 || !strings.Contains(out, "name its marketplace") {
		t.Errorf("a store with no marketplace known: exit %d\n%s", code, out)
	}
}

func TestExpensesGenerateAndImport(t *testing.T) {
	e, c := loadedCLI(t, map[string]int{"shop": 80})
	kramar := c.run

	out, code := kramar("expenses", "generate", "--month", "2026-11", "--store", "shop")
	counts := e.Query(`SELECT countIf(entry = 'charge'), countIf(entry = 'reversal') FROM {db}.v_expenses`)
	var charges, reversals int
	fmt.Sscanf(counts[0], "%d\t%d", &charges, &reversals)
	if code != 0 || charges == 0 || !strings.Contains(out, fmt.Sprintf("expenses 2026-11: %d charge(s) and %d reversal(s) written, 0 already recorded", charges, reversals)) {
		t.Fatalf("generate: exit %d, table %v\n%s", code, counts, out)
	}
	if out, code := kramar("expenses", "generate", "--month", "2026-11"); code != 0 ||
		!strings.Contains(out, fmt.Sprintf("0 charge(s) and 0 reversal(s) written, %d already recorded", charges+reversals)) {
		t.Fatalf("generate again: exit %d\n%s", code, out)
	}
	if out, code := kramar("expenses", "generate", "--month", "2026-11", "--store", "nope"); code != 2 || !strings.Contains(out, `no store "nope"`) {
		t.Fatalf("unknown store: exit %d\n%s", code, out)
	}
	if out, code := kramar("expenses", "generate", "--month", "11.2026"); code != 2 || !strings.Contains(out, "--month: want YYYY-MM") {
		t.Fatalf("bad month: exit %d\n%s", code, out)
	}

	csv := filepath.Join(t.TempDir(), "fees.csv")
	data := "store,date,kind,amount,currency,description,order_id\n" +
		"shop,2026-11-30,advertising,\"1 234,50\",,Реклама Prom за листопад,\n" +
		"shop,2026-11-30,packaging,-15.00,UAH,Повернення за пакування,\n" +
		"shop,2026-11-31,advertising,10,,,\n"
	writeFile(t, csv, data)
	for _, want := range []string{"2 new expense(s) recorded, 1 refused", "0 new expense(s) recorded, 1 refused"} {
		out, code := kramar("expenses", "import", csv)
		if code != 1 || !strings.Contains(out, want) || !strings.Contains(out, "fees.csv:4: store shop: date: want YYYY-MM-DD") {
			t.Fatalf("import: exit %d, want %q\n%s", code, want, out)
		}
	}
	got := e.Query(`SELECT toString(booked_on), kind, entry, toString(amount), currency, description FROM {db}.v_expenses
		WHERE source = 'import' ORDER BY kind`)
	if strings.Join(got, "\n") != "2026-11-30\tadvertising\tcharge\t1234.50\tUAH\tРеклама Prom за листопад\n"+
		"2026-11-30\tpackaging\treversal\t-15.00\tUAH\tПовернення за пакування" {
		t.Errorf("imported expenses:\n%s", strings.Join(got, "\n"))
	}
	if n := e.Query(`SELECT count() FROM {db}.expenses`); n[0] != fmt.Sprint(charges+reversals+2) {
		t.Errorf("expenses holds %s rows, want %d", n[0], charges+reversals+2)
	}
}
