package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/pipeline/pipelinetest"
)

func TestStatusShowsARevokedStoreFailingWithItsError(t *testing.T) {
	bin := buildKramar(t)
	e := pipelinetest.New(t, map[string]int{"prom-a": 30, "prom-b": 20})
	e.Clock.Set(time.Now().UTC())
	status := func() (string, int) {
		out, err := kramarOn(context.Background(), t, bin, e, "status").CombinedOutput()
		return string(out), exitCode(err)
	}
	if out, err := kramarOn(context.Background(), t, bin, e, "run", "--once").CombinedOutput(); err != nil {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	out, code := status()
	if code != 0 || !regexp.MustCompile(`(?m)^prom-a\s+prom\s+ok\s+\d{4}-`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^prom-b\s+prom\s+ok\s`).MatchString(out) {
		t.Fatalf("healthy stores: exit %d\n%s", code, out)
	}

	e.SB.Revoke(e.Tokens["prom-b"])
	_, _ = kramarOn(context.Background(), t, bin, e, "run", "--once").CombinedOutput()
	out, code = status()
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
