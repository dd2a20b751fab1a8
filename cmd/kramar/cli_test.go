package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspectOrderPrintsCanonicalOrdersAndRejects(t *testing.T) {
	for _, c := range []struct{ marketplace, file, badField string }{
		{"prom", "testdata/orders_list_page.json", "price"},
		{"rozetka", "testdata/rozetka_orders_search.json", "amount_with_discount"},
	} {
		t.Run(c.marketplace, func(t *testing.T) { inspectPage(t, c.marketplace, c.file, c.badField) })
	}
}

func inspectPage(t *testing.T, marketplace, file, badField string) {
	bin := buildKramar(t)
	out, err := exec.Command(bin, "inspect", "order", "--marketplace", marketplace, file, "--json").Output()
	if exitCode(err) != 1 {
		t.Fatalf("exit %d (%v), want 1: the page holds one malformed order", exitCode(err), err)
	}
	var got struct {
		Orders []struct {
			ExternalID string `json:"external_id"`
			Amount     string `json:"amount"`
			CreatedAt  string `json:"created_at"`
		} `json:"orders"`
		Rejects []struct {
			RecordID string `json:"record_id"`
			Field    string `json:"field"`
		} `json:"rejects"`
		Drift []struct {
			Path string `json:"path"`
			Kind string `json:"kind"`
		} `json:"drift"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// The saved pages are trimmed: the fields they leave out show as drift.
	missing := 0
	for _, d := range got.Drift {
		if d.Kind == "missing_field" {
			missing++
		}
	}
	if missing == 0 {
		t.Errorf("no missing field reported as drift: %+v\n%s", got.Drift, out)
	}
	if len(got.Orders) != 1 || len(got.Rejects) != 1 {
		t.Fatalf("orders %d, rejects %d; want 1 and 1:\n%s", len(got.Orders), len(got.Rejects), out)
	}
	if !strings.HasSuffix(got.Orders[0].CreatedAt, "Z") {
		t.Errorf("created_at %q is not UTC", got.Orders[0].CreatedAt)
	}
	if got.Rejects[0].Field != badField || got.Rejects[0].RecordID == "" {
		t.Errorf("reject %+v, want the record id and field %s", got.Rejects[0], badField)
	}
}

func TestConfigCheckNamesLineStoreFieldAndExits2(t *testing.T) {
	bin := buildKramar(t)
	path := filepath.Join(t.TempDir(), "kramar.yaml")
	bad := "clickhouse:\n  dsn: clickhouse://127.0.0.1:9000/kramar\nstores:\n  - id: shop-1\n    marketplace: prom\n    token_env: NO_SUCH_TOKEN_VAR\n    order_type: Роздріб\n    order_sourc: Prom\n"
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "config", "check", "--config", path).CombinedOutput()
	if exitCode(err) != 2 {
		t.Fatalf("exit %d, want 2:\n%s", exitCode(err), out)
	}
	for _, want := range []string{path + ":6:", `store "shop-1"`, "token_env", path + ":8:", "order_sourc"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestExampleConfigPassesCheck(t *testing.T) {
	bin := buildKramar(t)
	cmd := exec.Command(bin, "config", "check", "--config", "../../kramar.example.yaml")
	cmd.Env = append(os.Environ(), "PROM_MAIN_TOKEN=x", "PROM_OUTLET_TOKEN=y", "ROZETKA_MAIN_PASSWORD=z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestEverySubcommandHasHelp(t *testing.T) {
	bin := buildKramar(t)
	for _, sub := range [][]string{{"run"}, {"migrate"}, {"sandbox"}, {"inspect", "order"}, {"config", "check"}, {"demo"}, {"bench"}} {
		out, err := exec.Command(bin, append(sub, "--help")...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Usage:") {
			t.Errorf("kramar %s --help: %v\n%s", strings.Join(sub, " "), err, out)
		}
	}
}

func TestInspectZakupkaShowsSkippedOrdersApartFromRejects(t *testing.T) {
	bin := buildKramar(t)
	out, err := exec.Command(bin, "inspect", "order", "--marketplace", "zakupka", "../../extractors/feeds/cml/testdata/orders_cp1251.xml", "--json").Output()
	var got struct {
		Orders []struct {
			ExternalID string `json:"external_id"`
		} `json:"orders"`
		Rejects []json.RawMessage `json:"rejects"`
		Skipped []string          `json:"skipped"`
	}
	if err != nil || json.Unmarshal(out, &got) != nil || len(got.Orders) == 0 || len(got.Skipped) == 0 || len(got.Rejects) != 0 {
		t.Fatalf("exit %d: %s", exitCode(err), out)
	}
}
