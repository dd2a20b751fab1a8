package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	promwire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
)

// addHistory adds one order every step from first to last (created and
// last modified then) to the store, and returns the store's orders whose
// modification falls in [from, to] by id.
func addHistory(t *testing.T, e *promtest.Env, store string, first, last time.Time, step time.Duration) {
	t.Helper()
	kyiv := time.FixedZone("EET", 2*3600)
	for at := first; !at.After(last); at = at.Add(step) {
		s := at.In(kyiv).Format("2006-01-02T15:04:05.000000-07:00")
		if e.SB.AddOrder(e.Tokens[store], func(o *promwire.Order) { o.DateCreated, o.DateModified = s, s }) == 0 {
			t.Fatal("sandbox refused the order")
		}
	}
}

// idsModifiedIn lists the sandbox's orders modified in [from, to].
func idsModifiedIn(t *testing.T, e *promtest.Env, store string, from, to time.Time) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, o := range e.SB.Orders(e.SB.StoreID(e.Tokens[store])) {
		m, err := time.Parse(time.RFC3339Nano, o.DateModified)
		if err != nil {
			m, err = time.ParseInLocation("2006-01-02 15:04:05", o.DateModified, time.UTC)
		}
		if err != nil {
			t.Fatalf("order %d: date_modified %q", o.ID, o.DateModified)
		}
		if m = m.Truncate(time.Second); !m.Before(from) && !m.After(to) {
			out[fmt.Sprint(o.ID)] = true
		}
	}
	return out
}

// assertLoaded checks the warehouse holds exactly the sandbox's orders and
// items of ids, field by field.
func assertLoaded(t *testing.T, e *promtest.Env, store string, ids map[string]bool) {
	t.Helper()
	pick := func(lines []string) []string {
		var out []string
		for _, l := range lines {
			if ids[strings.SplitN(l, "\t", 2)[0]] {
				out = append(out, l)
			}
		}
		return out
	}
	wo, wi := e.Truth(store)
	gotO, gotI := e.Warehouse(store)
	if d := pipelinetest.Diff(pick(wo), gotO); d != "" {
		t.Errorf("orders differ from the sandbox's in the window (%d vs %d):\n%s", len(gotO), len(pick(wo)), d)
	}
	if d := pipelinetest.Diff(pick(wi), gotI); d != "" {
		t.Errorf("items differ from the sandbox's in the window (%d vs %d):\n%s", len(gotI), len(pick(wi)), d)
	}
}

func TestBackfillLoadsItsWindowAndLeavesTheCursor(t *testing.T) {
	e := promtest.New(t, map[string]int{"prom-a": 40})
	start := pipelinetest.Start
	addHistory(t, e, "prom-a", start.Add(-140*24*time.Hour), start.Add(-35*24*time.Hour), 11*time.Hour)
	live := e.Run()["prom-a"]
	if !live.OK() {
		t.Fatalf("live run: %+v", live)
	}
	liveIDs := idsModifiedIn(t, e, "prom-a", start.Add(-5*time.Second-720*time.Hour), start.Add(-5*time.Second))
	state := `SELECT kind, key, value FROM {db}.v_extract_state WHERE kind != 'backfill' ORDER BY kind, key`
	before := e.Query(state)
	if !slices.ContainsFunc(before, func(l string) bool { return strings.HasPrefix(l, "cursor\t") }) {
		t.Fatalf("no live cursor to compare: %v", before)
	}

	from, to := start.Add(-130*24*time.Hour), start.Add(-40*24*time.Hour).Add(-time.Second)
	var seen []pipeline.BackfillProgress
	r := &pipeline.Runner{Warehouse: e.WH, Config: e.Cfg, Now: e.Clock.Now, Log: slog.New(slog.NewTextHandler(e.Logs, nil))}
	res, err := r.BackfillOrders(context.Background(), pipeline.Backfill{Store: "prom-a", From: from, To: to,
		Progress: func(p pipeline.BackfillProgress) { seen = append(seen, p) }})
	if err != nil || !res.OK() {
		t.Fatalf("backfill: %v %+v", err, res)
	}
	window := idsModifiedIn(t, e, "prom-a", from, to)
	if len(window) < 150 || res.New != len(window) {
		t.Fatalf("backfill found %d new orders; the window holds %d", res.New, len(window))
	}
	if last := seen[len(seen)-1]; last.Slices != 90 || last.Done != 90 || last.Fetched != len(window) {
		t.Errorf("last progress %+v, want 90 of 90 slices and %d orders", last, len(window))
	}
	if after := e.Query(state); !slices.Equal(before, after) {
		t.Errorf("the backfill moved the live state:\n before %v\n after  %v", before, after)
	}
	for id := range liveIDs {
		window[id] = true
	}
	assertLoaded(t, e, "prom-a", window)
	if n := e.Query(`SELECT count() FROM {db}.pipeline_runs WHERE job = 'backfill' AND status = 'ok'`)[0]; n != "1" {
		t.Errorf("%s backfill runs recorded, want 1", n)
	}
}

func TestBackfillResumesAfterSIGKILLWithoutRereadingFinishedSlices(t *testing.T) {
	e, c := promCLI(t, map[string]int{"prom-a": 0})
	start := pipelinetest.Start
	from, to := start.Add(-100*24*time.Hour), start.Add(-10*24*time.Hour).Add(-time.Second)
	addHistory(t, e, "prom-a", from.Add(-5*24*time.Hour), to.Add(5*24*time.Hour), 9*time.Hour)
	slowDown(t, e, 15, "")
	backfill := func(ctx context.Context) *exec.Cmd {
		return c.command(ctx, "backfill", "orders", "--store", "prom-a",
			"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--slice", "24h")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	first := backfill(ctx)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	progress := `SELECT value FROM {db}.v_extract_state WHERE kind = 'backfill'`
	var done struct {
		DoneThrough time.Time `json:"done_through"`
		Finished    bool      `json:"finished"`
	}
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if v := e.Query(progress); len(v) == 1 {
			_ = json.Unmarshal([]byte(v[0]), &done)
			if done.DoneThrough.After(from.Add(20 * 24 * time.Hour)) {
				_ = first.Process.Signal(syscall.SIGKILL)
				break
			}
		}
	}
	_ = first.Wait()
	if err := json.Unmarshal([]byte(e.Query(progress)[0]), &done); err != nil || done.Finished || done.DoneThrough.IsZero() {
		t.Fatalf("the kill was not mid-way: %+v %v", done, err)
	}
	e.SB.Recorder().Reset()

	if out, err := backfill(ctx).CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	lists := 0
	for _, r := range e.SB.Recorder().Requests() {
		if !strings.HasSuffix(r.Path, "/orders/list") {
			continue
		}
		lists++
		q, _ := url.ParseQuery(r.RawQuery)
		f, err := time.Parse(promwire.TimeLayout, q.Get("last_modified_from"))
		if err != nil || !f.After(done.DoneThrough) {
			t.Fatalf("the rerun read %s, before the finished slices' end %s", q.Get("last_modified_from"), done.DoneThrough)
		}
	}
	if want := int(to.Sub(done.DoneThrough) / (24 * time.Hour)); lists < want {
		t.Errorf("the rerun made %d list requests for %d slices left", lists, want)
	}
	assertLoaded(t, e, "prom-a", idsModifiedIn(t, e, "prom-a", from, to))
	if cursor := e.Query(`SELECT count() FROM {db}.v_extract_state WHERE kind = 'cursor'`)[0]; cursor != "0" {
		t.Errorf("the backfill set a live cursor")
	}
}
