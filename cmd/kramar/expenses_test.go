package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExpensesGenerateAndImport(t *testing.T) {
	e, c := promCLI(t, map[string]int{"shop": 80})
	e.Run()
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
	if err := os.WriteFile(csv, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
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
