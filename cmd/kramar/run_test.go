package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
)

func TestSIGKILLMidLoadThenRerunEqualsSandbox(t *testing.T) {
	// Small batches and a rate limit make the load long enough to be cut.
	e, c := wallClockCLI(t, map[string]int{"prom-a": 1500})
	slowDown(t, e, 40, "")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := c.command(ctx, "run", "--once")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	total := len(e.SB.Orders(e.SB.StoreID(e.Tokens["prom-a"])))
	killedAt := ""
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		n := e.Query(`SELECT count() FROM {db}.order_items`)[0]
		if n != "0" {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			killedAt = n
			break
		}
	}
	_ = cmd.Wait()
	if killedAt == "" {
		t.Fatal("the run never started loading")
	}
	loaded := e.Query(`SELECT count() FROM {db}.v_orders`)[0]
	if loaded == "" || loaded == strconv.Itoa(total) {
		t.Fatalf("killed after %s item rows, yet %s of %d orders are in: the kill was not mid-load", killedAt, loaded, total)
	}
	if cursor := e.Query(`SELECT count() FROM {db}.v_extract_state WHERE kind = 'cursor'`)[0]; cursor != "0" {
		t.Fatalf("a killed run saved its cursor")
	}
	t.Logf("killed with %s item rows and %s orders of %d loaded", killedAt, loaded, total)

	rerun := c.command(ctx, "run", "--once")
	if out, err := rerun.CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	e.AssertEqual("prom-a")
}

func TestSIGKILLBetweenTheFlushOfRowsAndTheFlushOfTheirCursorsThenRerunEqualsSandbox(t *testing.T) {
	e, c := wallClockCLI(t, map[string]int{"prom-a": 300, "prom-b": 200})
	// The run reaches ClickHouse through a relay that stalls the first
	// insert of extract_state: the rows before it in the flush are in, the
	// cursors that cover them are not.
	proxy, viaProxy := chtest.NewProxy(t, c.dsn)
	c.dsn = viaProxy
	held := proxy.HoldAt("INSERT INTO `" + e.WH.Database() + "`.`extract_state`")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := c.command(ctx, "run", "--once")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held:
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the run never sent a cursor")
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	proxy.Release()
	if n := e.Query(`SELECT count() FROM {db}.v_orders`)[0]; n == "0" {
		t.Fatal("no order was in when the cursor was sent: the kill was not between the two")
	}
	if n := e.Query(`SELECT count() FROM {db}.v_extract_state`)[0]; n != "0" {
		t.Fatalf("%s state entries written by the killed run", n)
	}
	t.Logf("killed with %s orders in and no cursor", e.Query(`SELECT count() FROM {db}.v_orders`)[0])

	if out, err := c.command(ctx, "run", "--once").CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	e.AssertEqual("prom-a", "prom-b")
}

func TestRunExitsOneWhenAStoreFailsAndLoadsTheOthers(t *testing.T) {
	e, c := wallClockCLI(t, map[string]int{"prom-a": 40, "prom-b": 30})
	e.SB.Revoke(e.Tokens["prom-b"])
	out, code := c.run("run", "--once")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{"prom-a", "ok", "prom-b", "auth_failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, e.Tokens["prom-b"]) {
		t.Errorf("the revoked token is printed:\n%s", out)
	}
	e.AssertEqual("prom-a")
}

func TestStatusShowsARevokedStoreFailingWithItsError(t *testing.T) {
	e, c := wallClockCLI(t, map[string]int{"prom-a": 30, "prom-b": 20})
	if out, code := c.run("run", "--once"); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, out)
	}
	out, code := c.run("status")
	if code != 0 || !regexp.MustCompile(`(?m)^prom-a\s+prom\s+ok\s+\d{4}-`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^prom-b\s+prom\s+ok\s`).MatchString(out) {
		t.Fatalf("healthy stores: exit %d\n%s", code, out)
	}

	e.SB.Revoke(e.Tokens["prom-b"])
	c.run("run", "--once")
	out, code = c.run("status")
	if code != 1 {
		t.Fatalf("exit %d with a failing store, want 1:\n%s", code, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^prom-a\s+prom\s+ok\s`),
		regexp.MustCompile(`(?m)^prom-b\s+prom\s+failing\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\S+\s+0\s+0\s+0\s+orders=auth_failed`),
		regexp.MustCompile(`(?m)^prom-b: last error auth_failed \(orders, .*\): .*\S`),
	} {
		if !want.MatchString(out) {
			t.Errorf("status lacks %s:\n%s", want, out)
		}
	}
	t.Logf("status:\n%s", out)
	if strings.Contains(out, e.Tokens["prom-b"]) {
		t.Errorf("status shows the token:\n%s", out)
	}
}

func TestStatusSumsUpPayloadDrift(t *testing.T) {
	e, c := promCLI(t, map[string]int{"prom-a": 3})
	now := time.Now().UTC().Truncate(time.Second)
	if err := e.WH.RecordDrift(context.Background(), "r1", "prom", "prom-a", []drift.Entry{
		{Key: drift.Key{Endpoint: "GET /orders/list", Path: "products[].price", Kind: drift.TypeChange, Expected: drift.String, Observed: drift.Number},
			Count: 12, Example: "999", FirstSeen: now.Add(-time.Hour), LastSeen: now},
		{Key: drift.Key{Endpoint: "GET /orders/list", Path: "price_with_special_offer", Kind: drift.Unknown, Expected: drift.Any, Observed: drift.String},
			Count: 30, Example: `"999 xxx"`, FirstSeen: now.Add(-time.Hour), LastSeen: now},
	}); err != nil {
		t.Fatal(err)
	}
	// Another marketplace than the config's stores: not shown.
	if err := e.WH.RecordDrift(context.Background(), "r2", "rozetka", "rz", []drift.Entry{
		{Key: drift.Key{Endpoint: "GET /x", Path: "y", Kind: drift.Missing, Expected: drift.String, Observed: drift.Null},
			Count: 1, FirstSeen: now, LastSeen: now},
	}); err != nil {
		t.Fatal(err)
	}
	out, code := c.run("status", "--drift")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^payload drift, last 7 days: 2 differences`),
		regexp.MustCompile(`(?m)^prom +GET /orders/list +products\[\]\.price +expected string, got number +12 +1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +999$`),
		regexp.MustCompile(`(?m)^prom +GET /orders/list +price_with_special_offer +new field \(string\) +30 +1 .* "999 xxx"$`),
	} {
		if !want.MatchString(out) {
			t.Errorf("status lacks %s:\n%s", want, out)
		}
	}
}

func TestStatusCountsAMergedFiringNeitherAsARunNorAsAFailure(t *testing.T) {
	e, c := wallClockCLI(t, map[string]int{"prom-a": 10})
	if out, code := c.run("run", "--once"); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, out)
	}
	// A firing merged into a catch-up while a run was going: the scheduler
	// records it, and it says nothing about the store's health.
	r := e.Runner()
	if _, err := r.RecordSkip(context.Background(), "prom-a", "orders"); err != nil {
		t.Fatal(err)
	}
	out, code := c.run("status")
	if code != 0 || !regexp.MustCompile(`(?m)^prom-a\s+prom\s+ok\s`).MatchString(out) || strings.Contains(out, "last error") {
		t.Errorf("a merged firing made the store look failing: exit %d\n%s", code, out)
	}
}

func TestProbeIsGreenOnTheSandboxFailsOnARevokedTokenAndWritesNothing(t *testing.T) {
	e, c := wallClockCLI(t, map[string]int{"prom-a": 30, "prom-b": 5})
	// The sandbox's orders are from around pipelinetest.Start.
	days := int(time.Since(pipelinetest.Start).Hours()/24) + 30
	probe := func(store string) (string, int) {
		return c.run("probe", "--store", store, "--days", strconv.Itoa(days))
	}
	out, code := probe("prom-a")
	if code != 0 {
		t.Fatalf("probe of a sandbox store: exit %d\n%s", code, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^probe prom-a \(prom\)$`),
		regexp.MustCompile(`(?m)^  ok +orders changed in the last \d+ days — GET /orders/list: 30 records, as expected$`),
		regexp.MustCompile(`(?m)^  ok +one order by id \(\d+\) — GET /orders/list: 1 record, as expected$`),
		regexp.MustCompile(`(?m)^  result: everything the pipeline needs is there$`),
	} {
		if !want.MatchString(out) {
			t.Errorf("probe lacks %s:\n%s", want, out)
		}
	}
	for _, r := range e.SB.Recorder().Requests() {
		if r.Method != "GET" {
			t.Errorf("probe sent %s %s", r.Method, r.Path)
		}
	}
	if n := pipelinetest.Query(t, e.WH, "SELECT count() FROM {db}.pipeline_runs"); n[0] != "0" {
		t.Errorf("probe wrote %s runs to the warehouse", n[0])
	}

	e.SB.Revoke(e.Tokens["prom-b"])
	out, code = probe("prom-b")
	if code != 1 || !regexp.MustCompile(`(?m)^  FAIL +orders changed`).MatchString(out) ||
		!strings.Contains(out, "something the pipeline needs is missing") {
		t.Errorf("probe of a revoked store: exit %d, want 1:\n%s", code, out)
	}
	if strings.Contains(out, e.Tokens["prom-b"]) {
		t.Errorf("probe shows the token:\n%s", out)
	}
	if _, code := probe("nope"); code != 2 {
		t.Errorf("probe of an unknown store: exit %d, want 2", code)
	}
	// No warehouse is needed: a seller may probe before there is one.
	cmd := c.command(context.Background(), "probe", "--store", "prom-a", "--days", strconv.Itoa(days))
	var env []string
	for _, kv := range cmd.Env {
		if !strings.HasPrefix(kv, "KRAMAR_CLICKHOUSE_DSN=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("probe without a ClickHouse address: %v\n%s", err, out)
	}
}
