package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/feedgen"
	"github.com/kramar/kramar/sandbox/kit"
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
	writeFile(t, path, bad)
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

// countTags counts opening tags by a plain scan that skips CDATA and
// comments: independent of the parsers under test.
func countTags(data []byte, tag string) int {
	if bytes.Contains(data[:min(len(data), 200)], []byte("windows-1251")) {
		data, _ = charmap.Windows1251.NewDecoder().Bytes(data)
	}
	skip := regexp.MustCompile(`(?s)<!\[CDATA\[.*?\]\]>|<!--.*?-->`)
	data = skip.ReplaceAll(data, nil)
	return len(regexp.MustCompile(`<`+regexp.QuoteMeta(tag)+`[\s>/]`).FindAll(data, -1))
}

func TestInspectFeedCountsEveryTestFeed(t *testing.T) {
	bin := buildKramar(t)
	var files []string
	for _, glob := range []string{"../../extractors/feeds/yml/testdata/*.xml", "../../extractors/feeds/cml/testdata/*.xml", "../../transforms/cml/testdata/files/*.xml"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 8 {
		t.Fatalf("only %d test feeds found", len(files))
	}
	for _, f := range files {
		out, err := exec.Command(bin, "inspect", "feed", f, "--json").Output()
		if err != nil {
			t.Errorf("%s: %v\n%s", f, err, out)
			continue
		}
		var rep struct {
			Format             string
			Offers, Categories int
			Orders             int
			Errors             []string
		}
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatalf("%s: %v\n%s", f, err, out)
		}
		data, _ := os.ReadFile(f)
		want := map[string]int{"yml": countTags(data, "offer"), "cml": countTags(data, "Документ")}[rep.Format]
		got := map[string]int{"yml": rep.Offers, "cml": rep.Orders}[rep.Format]
		if want == 0 || got != want || len(rep.Errors) != 0 {
			t.Errorf("%s: format %s, %d records (want %d), errors %v", f, rep.Format, got, want, rep.Errors)
		}
	}
}

func TestInspectFeedNamesTheBrokenPlace(t *testing.T) {
	bin := buildKramar(t)
	data, err := os.ReadFile("../../extractors/feeds/yml/testdata/prom.xml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut.xml")
	if err := os.WriteFile(path, data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "inspect", "feed", path, "--json").Output()
	var rep struct {
		Format string
		Errors []string
	}
	if exitCode(err) != 1 || json.Unmarshal(out, &rep) != nil || rep.Format != "yml" || len(rep.Errors) != 1 ||
		!regexp.MustCompile(`line \d+`).MatchString(rep.Errors[0]) {
		t.Fatalf("cut feed: exit %d, %s", exitCode(err), out)
	}
}

func TestBackfillCatalogLoadsAFeedStore(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.xml")
	var b bytes.Buffer
	if err := feedgen.WriteYML(&b, feedgen.Options{Offers: 1200, Seed: 3, Encoding: feedgen.Windows1251}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(feed, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, wh := shopCLI(t, dir, "    feed_url: "+feed+"\n")
	out, code := c.run("backfill", "catalog", "--store", "shop")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	// Not a terminal: plain log lines, not a bar.
	if !strings.Contains(string(out), "catalog load in progress") || !strings.Contains(string(out), "1200") {
		t.Errorf("output:\n%s", out)
	}
	if got := pipelinetest.Query(t, wh, `SELECT count() FROM {db}.v_products WHERE store = 'shop'`); got[0] != "1200" {
		t.Errorf("v_products holds %v offers, want 1200", got)
	}
}

// kramar sandbox serves every simulator a sandbox package registered, by
// its name alone; the command names none of them.
func TestSandboxServesEveryRegisteredSimulator(t *testing.T) {
	bin := buildKramar(t)
	sims := kit.Simulators()
	if len(sims) < 4 {
		t.Fatalf("%d simulators registered", len(sims))
	}
	for _, sim := range sims {
		cmd := exec.Command(bin, "sandbox", "--marketplace", sim.Marketplace, "--addr", "127.0.0.1:0")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		base, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
		if err != nil || !ok {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("%s: first line %q (%v)", sim.Marketplace, line, err)
		}
		client := http.Client{Timeout: 2 * time.Second}
		resp, err := client.Get(base + sim.APIPath + "/no-such-path")
		if err == nil {
			resp.Body.Close()
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		// Any answer will do (Horoshop answers an unknown function with 200
		// and an error envelope): the sandbox is serving.
		if err != nil {
			t.Errorf("%s: %v", sim.Marketplace, err)
		}
	}
}
