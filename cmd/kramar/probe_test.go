package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/pipeline/pipelinetest"
)

func TestProbeIsGreenOnTheSandboxFailsOnARevokedTokenAndWritesNothing(t *testing.T) {
	e, c := promCLI(t, map[string]int{"prom-a": 30, "prom-b": 5})
	e.Clock.Set(time.Now().UTC())
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
