package prom_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
)

func pullAll(t *testing.T, faults kit.FaultConfig) (map[int64]int, *promsb.Sandbox) {
	t.Helper()
	clock := kit.NewClock(time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC))
	sb := promsb.New(promsb.Options{Clock: clock, Seed: 11})
	sb.AddStore("tok", 537)
	sb.Faults().Set(faults)
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	c := prom.NewClient(source.Config{Store: "shop", BaseURL: srv.URL + promsb.APIPath, Token: "tok", PageSize: 10,
		HTTP: httpx.Options{Timeout: 200 * time.Millisecond, MaxAttempts: 10, InitialBackoff: time.Millisecond}})
	seen := map[int64]int{}
	err := c.ModifiedBetween(context.Background(), clock.Now().Add(-30*24*time.Hour), clock.Now(), func(page []source.RawOrder) error {
		for _, r := range page {
			var id int64
			for _, ch := range r.ID {
				id = id*10 + int64(ch-'0')
			}
			seen[id]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return seen, sb
}

func TestPagingDeliversEveryOrderOnce(t *testing.T) {
	seen, sb := pullAll(t, kit.FaultConfig{})
	for _, o := range sb.Orders(sb.StoreID("tok")) {
		if seen[o.ID] != 1 {
			t.Errorf("order %d delivered %d times", o.ID, seen[o.ID])
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
		if seen[o.ID] != 1 {
			t.Errorf("order %d delivered %d times", o.ID, seen[o.ID])
		}
	}
	if len(seen) != 537 {
		t.Errorf("%d orders delivered, want 537 (faults: %v)", len(seen), counts)
	}
}
