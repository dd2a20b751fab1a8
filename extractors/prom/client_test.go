package prom_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/extractors/source/sourcetest"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
)

// testNow is the sandbox clock's start.
var testNow = time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)

// newClient serves sb and gives a client of the store "tok" on it.
func newClient(t *testing.T, sb *promsb.Sandbox, cfg source.Config) *prom.Client {
	t.Helper()
	cfg.Store, cfg.BaseURL, cfg.Token = "shop", promsb.APIPath, "tok"
	_, cfg = sourcetest.Serve(t, sb.Handler(), cfg)
	return prom.NewClient(cfg)
}

func pullAll(t *testing.T, faults kit.FaultConfig) (map[string]int, *promsb.Sandbox) {
	t.Helper()
	sb := promsb.New(promsb.Options{Clock: kit.NewClock(testNow), Seed: 11})
	sb.AddStore("tok", 537)
	sb.Faults().Set(faults)
	c := newClient(t, sb, source.Config{PageSize: 10})
	seen, err := sourcetest.Pull(t, c, testNow.Add(-30*24*time.Hour), testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	return seen, sb
}

func TestPagingDeliversEveryOrderOnce(t *testing.T) {
	seen, sb := pullAll(t, kit.FaultConfig{})
	for _, o := range sb.Orders(sb.StoreID("tok")) {
		if id := strconv.FormatInt(o.ID, 10); seen[id] != 1 {
			t.Errorf("order %s delivered %d times", id, seen[id])
		}
	}
	if len(seen) != 537 {
		t.Errorf("%d orders delivered, want 537", len(seen))
	}
	// last_id is inclusive, so after the first page of 10 each page brings 9
	// new orders: 1 + ceil(527/9) = 60 pages, the last one short, no extra request.
	if n := sb.Recorder().Count(promsb.APIPath + "/orders/list"); n != 60 {
		t.Errorf("%d list requests, want 60", n)
	}
}

func TestPagingSurvivesRepeatedAndShiftedPages(t *testing.T) {
	seen, sb := pullAll(t, kit.FaultConfig{Rate: 0.4, Kinds: []kit.Kind{kit.DuplicatePage, kit.ShiftPage, kit.Truncated, kit.ServerError}, Seed: 5})
	counts := sb.Faults().Counts()
	if counts[kit.DuplicatePage] == 0 || counts[kit.ShiftPage] == 0 {
		t.Fatalf("page faults did not happen: %v", counts)
	}
	for _, o := range sb.Orders(sb.StoreID("tok")) {
		if id := strconv.FormatInt(o.ID, 10); seen[id] != 1 {
			t.Errorf("order %s delivered %d times", id, seen[id])
		}
	}
	if len(seen) != 537 {
		t.Errorf("%d orders delivered, want 537 (faults: %v)", len(seen), counts)
	}
}
