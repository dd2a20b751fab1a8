package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/console/consoletest"
)

// slowSchedule leaves a store's next order run an hour away: a run that
// comes sooner is the console's.
const slowSchedule = "schedule:\n  orders_every: 1h\n  push_every: 0s\n  catalog_at: \"off\"\n  expenses_at: \"off\"\n  grace: 5s\n"

// Ops run a store's job now and load a past window from the console; each
// action is recorded with who did it; an accountant may do neither.
func TestConsoleActionsRunAndBackfillAndAreRecorded(t *testing.T) {
	m, _, _ := promPair(t)
	m.Configure(slowSchedule, nil)
	withLogins(t, m)
	d := startServe(t, m)
	c := consoletest.New("http://"+d.addr, nil)
	ops, opsCSRF := c.Login(t, "olena", webOpsPassword)
	acc, accCSRF := c.Login(t, "petro", webAccPassword)

	orderRuns := func() int {
		return count(t, m, `SELECT count() FROM {db}.pipeline_runs WHERE store = 'prom-a' AND job = 'orders'`)
	}
	before := orderRuns() // the schedule's own first run is spread over the hour

	if a := c.Send(t, "POST", "/stores/prom-a/run", url.Values{"csrf": {accCSRF}, "job": {"orders"}}, consoletest.Browser, acc); a.Code != http.StatusForbidden {
		t.Errorf("an accountant running a job: %d, want 403", a.Code)
	}
	if a := c.Send(t, "POST", "/stores/prom-a/run", url.Values{"job": {"orders"}}, consoletest.Browser, ops); a.Code != http.StatusForbidden {
		t.Errorf("a run without the CSRF token: %d, want 403", a.Code)
	}
	if a := c.Send(t, "POST", "/stores/prom-a/run", url.Values{"csrf": {opsCSRF}, "job": {"orders"}}, consoletest.Browser, ops); a.Code != http.StatusSeeOther || a.Header.Get("Location") != "/actions" {
		t.Fatalf("run now: %d %s, want 303 to /actions", a.Code, a.Header.Get("Location"))
	}
	waitFor(t, 20*time.Second, "the order run asked for from the console", func() bool { return orderRuns() > before })

	a := c.Send(t, "POST", "/stores/prom-b/backfill", url.Values{"csrf": {opsCSRF}, "from": {"2026-10-01"}, "to": {"2026-10-05"}}, consoletest.Browser, ops)
	if a.Code != http.StatusSeeOther {
		t.Fatalf("backfill: %d", a.Code)
	}
	waitFor(t, 30*time.Second, "the console's backfill to finish", func() bool {
		return count(t, m, `SELECT count() FROM {db}.pipeline_runs WHERE store = 'prom-b' AND job = 'backfill' AND status = 'ok'`) == 1
	})
	page := c.Send(t, "GET", "/actions", nil, consoletest.Browser, ops)
	if page.Code != 200 || !strings.Contains(page.Body, "orders:2026-10-01T00:00:00Z..2026-10-05T23:59:59Z") || !strings.Contains(page.Body, "5 / 5") {
		t.Errorf("/actions does not show the finished backfill's window and its 5 of 5 slices:\n%.3000s", page.Body)
	}
	if a := c.Send(t, "GET", "/actions", nil, consoletest.Browser, acc); a.Code != http.StatusForbidden {
		t.Errorf("an accountant on /actions: %d, want 403", a.Code)
	}
	if a := c.Send(t, "POST", "/stores/prom-a/run", url.Values{"csrf": {opsCSRF}, "job": {"catalog"}}, consoletest.Browser, ops); a.Code != http.StatusSeeOther {
		t.Errorf("a job the store has no schedule for: %d", a.Code)
	}
	got := m.Query(`SELECT user, role, action, store, detail, outcome FROM {db}.console_actions ORDER BY at, action`)
	want := []string{"olena\tops\trun\tprom-a\torders\tstarted", "olena\tops\tbackfill\tprom-b\t2026-10-01..2026-10-05\tstarted", "olena\tops\trun\tprom-a\tcatalog\trefused"}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("console_actions lacks %q; has %q", w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("console_actions has %d rows, want %d (refused requests of an accountant or without CSRF are not actions): %q", len(got), len(want), got)
	}
}

// Ops match a marketplace product to the seller's from the store page: the
// past lines count for it at once, a clear gives them back to the
// marketplace's ids, each change is a console action, and an accountant may
// not make one.
func TestConsoleMatchesAProductAndPastLinesFollow(t *testing.T) {
	m, _, _ := promPair(t)
	m.Configure(slowSchedule, nil)
	withLogins(t, m)
	if res := m.Run(context.Background(), pipeline.JobOrders, "prom-a"); !res["prom-a"].OK() {
		t.Fatalf("loading prom-a: %+v", res["prom-a"])
	}
	line := m.Query(`SELECT product_id, any(product_key), count() FROM {db}.v_order_items WHERE store = 'prom-a' AND product_id != '' GROUP BY product_id ORDER BY product_id LIMIT 1`)
	if len(line) != 1 {
		t.Fatal("prom-a has no order lines with a product id")
	}
	f := strings.Split(line[0], "\t")
	productID, autoKey, lines := f[0], f[1], f[2]
	keyOf := func() []string {
		return m.Query(`SELECT DISTINCT product_key, match_source FROM {db}.v_order_items WHERE store = 'prom-a' AND product_id = ?`, productID)
	}

	d := startServe(t, m)
	c := consoletest.New("http://"+d.addr, nil)
	ops, opsCSRF := c.Login(t, "olena", webOpsPassword)
	acc, accCSRF := c.Login(t, "petro", webAccPassword)
	match := func(session *http.Cookie, csrf, product string) consoletest.Answer {
		return c.Send(t, "POST", "/stores/prom-a/matches", url.Values{"csrf": {csrf}, "match_key": {productID}, "product_key": {product}}, consoletest.Browser, session)
	}
	if a := match(acc, accCSRF, "KETTLE-1"); a.Code != http.StatusForbidden {
		t.Errorf("an accountant matching a product: %d, want 403", a.Code)
	}
	if a := match(ops, opsCSRF, "KETTLE-1"); a.Code != http.StatusSeeOther || a.Header.Get("Location") != "/stores/prom-a#products" {
		t.Fatalf("match: %d %s, want 303 back to the store page", a.Code, a.Header.Get("Location"))
	}
	if got := keyOf(); len(got) != 1 || got[0] != "KETTLE-1\tmanual" {
		t.Errorf("the %s lines of %s after the match: %v, want all KETTLE-1 manual", lines, productID, got)
	}
	match(ops, opsCSRF, "KETTLE-1") // the same again changes nothing
	if a := match(ops, opsCSRF, ""); a.Code != http.StatusSeeOther {
		t.Fatalf("clear: %d", a.Code)
	}
	if got := keyOf(); len(got) != 1 || got[0] != autoKey+"\tauto" {
		t.Errorf("the lines of %s after the match was cleared: %v, want %s auto again", productID, got, autoKey)
	}
	got := strings.Join(m.Query(`SELECT user, action, detail, outcome FROM {db}.console_actions ORDER BY at, outcome`), "\n")
	for _, want := range []string{"olena\tmatch\t" + productID + " → KETTLE-1\tdone", "olena\tmatch\t" + productID + " → KETTLE-1\tunchanged", "olena\tmatch\t" + productID + " → (cleared)\tdone"} {
		if !strings.Contains(got, want) {
			t.Errorf("console_actions lacks %q:\n%s", want, got)
		}
	}
	if n := count(t, m, `SELECT count() FROM {db}.product_matches WHERE store = 'prom-a'`); n != 2 {
		t.Errorf("product_matches holds %d rows for prom-a, want 2 (the match and its clearing)", n)
	}
}
