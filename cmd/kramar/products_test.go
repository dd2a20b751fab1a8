package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramar/kramar/pipeline/pipelinetest"
)

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
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
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
