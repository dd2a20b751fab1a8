package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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
