package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/drift"
)

func TestStatusShowsARevokedStoreFailingWithItsError(t *testing.T) {
	e, c := promCLI(t, map[string]int{"prom-a": 30, "prom-b": 20})
	e.Clock.Set(time.Now().UTC())
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
	e, c := promCLI(t, map[string]int{"prom-a": 10})
	e.Clock.Set(time.Now().UTC())
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
