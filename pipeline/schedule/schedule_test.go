package schedule

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

func testConfig(stores ...string) *config.Config {
	cfg := &config.Config{Schedule: config.DefaultSchedule}
	for _, id := range stores {
		cfg.Stores = append(cfg.Stores, config.Store{ID: id})
	}
	return cfg
}

func start(t *testing.T, cfg *config.Config, o Options) *Scheduler {
	t.Helper()
	s, err := New(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(func() { s.Stop(time.Second) })
	return s
}

// The catalog's 04:00 Kyiv is 02:00 UTC in winter and 01:00 UTC in summer;
// the switches are on 2026-03-29 (03:00 → 04:00) and 2026-10-25 (04:00 → 03:00).
func TestCatalogAtFourKyivAcrossDaylightSaving(t *testing.T) {
	utc := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for _, c := range []struct {
		from string
		want []string
	}{
		{"2026-03-27T12:00:00Z", []string{"2026-03-28T02:00:00Z", "2026-03-29T01:00:00Z", "2026-03-30T01:00:00Z"}},
		{"2026-10-23T12:00:00Z", []string{"2026-10-24T01:00:00Z", "2026-10-25T02:00:00Z", "2026-10-26T02:00:00Z"}},
	} {
		t.Run(c.from[:10], func(t *testing.T) {
			clock := clockwork.NewFakeClockAt(utc(c.from))
			cfg := testConfig("shop")
			cfg.Schedule.Jitter.Duration = 0
			cfg.Schedule.OrdersEvery.Duration = 0
			fired := make(chan time.Time, 10)
			s := start(t, cfg, Options{Clock: clock, RunStore: func(_ context.Context, job, store string) {
				if job == pipeline.JobCatalog {
					fired <- clock.Now().UTC()
				}
			}})
			next, err := s.NextRuns(pipeline.JobCatalog, "shop", 3)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range c.want {
				if !next[i].Equal(utc(w)) {
					t.Errorf("next run %d at %s, want %s", i, next[i].UTC().Format(time.RFC3339), w)
				}
			}
			// Let the fake clock reach each instant: the job fires there and not before.
			for _, w := range c.want {
				for clock.Now().Before(utc(w)) {
					step := min(utc(w).Sub(clock.Now()), time.Hour)
					time.Sleep(5 * time.Millisecond) // let the scheduler set its timer
					clock.Advance(step)
				}
				select {
				case got := <-fired:
					if !got.Equal(utc(w)) {
						t.Errorf("fired at %s, want %s", got.Format(time.RFC3339), w)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("did not fire at %s", w)
				}
			}
		})
	}
}

func TestAJobNeverOverlapsItselfAndTheSkipIsReported(t *testing.T) {
	cfg := testConfig("shop-a", "shop-b")
	cfg.Schedule.OrdersEvery.Duration = 100 * time.Millisecond
	cfg.Schedule.Jitter.Duration = 0
	cfg.Schedule.CatalogAt = config.ScheduleOff
	var mu sync.Mutex
	running, overlaps, runs := map[string]bool{}, 0, map[string]int{}
	skips := map[string]int{}
	s := start(t, cfg, Options{
		RunStore: func(_ context.Context, job, store string) {
			mu.Lock()
			if running[store] {
				overlaps++
			}
			running[store] = true
			runs[store]++
			mu.Unlock()
			if store == "shop-a" {
				time.Sleep(350 * time.Millisecond) // slower than its interval
			}
			mu.Lock()
			running[store] = false
			mu.Unlock()
		},
		Skipped: func(_ context.Context, job, store string) { mu.Lock(); skips[job+"/"+store]++; mu.Unlock() },
	})
	time.Sleep(time.Second)
	s.Stop(time.Second)
	mu.Lock()
	defer mu.Unlock()
	if overlaps != 0 {
		t.Errorf("%d runs started while the same store's previous one was going", overlaps)
	}
	if skips["orders/shop-a"] == 0 || skips["orders/shop-b"] != 0 {
		t.Errorf("skips %v: want some for the slow shop-a and none for shop-b", skips)
	}
	if runs["shop-a"] < 2 || runs["shop-b"] < 6 {
		t.Errorf("runs %v: the slow store must not hold the other back", runs)
	}
}

func TestStopCancelsOnlyAfterGrace(t *testing.T) {
	cfg := testConfig("shop")
	cfg.Schedule.OrdersEvery.Duration = 50 * time.Millisecond
	cfg.Schedule.Jitter.Duration = 0
	started := make(chan struct{}, 10)
	var cancelled atomic.Bool
	s := start(t, cfg, Options{RunStore: func(ctx context.Context, _, _ string) {
		started <- struct{}{}
		<-ctx.Done() // a run that ends only when told to
		cancelled.Store(true)
	}})
	<-started
	t0 := time.Now()
	if s.Stop(300 * time.Millisecond) {
		t.Error("Stop says the run finished within grace")
	}
	if took := time.Since(t0); took < 300*time.Millisecond || !cancelled.Load() {
		t.Errorf("stopped after %v, cancelled=%v: want the context cancelled after the 300ms grace", took, cancelled.Load())
	}

	s2 := start(t, cfg, Options{RunStore: func(ctx context.Context, _, _ string) {
		started <- struct{}{}
		select {
		case <-time.After(100 * time.Millisecond): // finishes its batch
		case <-ctx.Done():
			t.Error("a run that finishes within grace was cancelled")
		}
	}})
	<-started
	if !s2.Stop(2 * time.Second) {
		t.Error("a run finishing within grace was not waited for")
	}
}

func TestOffsetSpreadsStoresAndStaysPut(t *testing.T) {
	perSecond := map[int64]int{}
	for i := range 1000 {
		id := fmt.Sprintf("store-%04d", i)
		off := Offset(id, 2*time.Minute)
		if off != Offset(id, 2*time.Minute) || off < 0 || off >= 2*time.Minute {
			t.Fatalf("%s: offset %v", id, off)
		}
		perSecond[int64(off/time.Second)]++
	}
	busiest := 0
	for _, n := range perSecond {
		busiest = max(busiest, n)
	}
	// 1000 stores over 120 seconds: about 8 a second; all at once would be 1000.
	if busiest > 25 || len(perSecond) < 110 {
		t.Errorf("busiest second starts %d stores; %d of 120 seconds used", busiest, len(perSecond))
	}
	if Offset("x", 0) != 0 {
		t.Error("no jitter must mean no offset")
	}
}

func TestFirstRunKeepsThePhase(t *testing.T) {
	now := time.Date(2026, 5, 1, 10, 0, 50, 0, time.UTC)
	if got := FirstRun(now, 2*time.Minute, 30*time.Second); !got.Equal(time.Date(2026, 5, 1, 10, 2, 30, 0, time.UTC)) {
		t.Errorf("first run %v", got)
	}
	if got := FirstRun(now, 2*time.Minute, 70*time.Second); !got.Equal(time.Date(2026, 5, 1, 10, 1, 10, 0, time.UTC)) {
		t.Errorf("first run %v", got)
	}
}

func TestReloadAddsChangesAndRemovesJobs(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
	cfg := testConfig("shop-a", "shop-b")
	cfg.Schedule.Jitter.Duration = 0
	s := start(t, cfg, Options{Clock: clock, RunStore: func(context.Context, string, string) {}})
	if _, err := s.NextRuns(pipeline.JobPush, "shop-a", 1); err == nil {
		t.Error("a store that pushes nothing has a push job")
	}
	next := testConfig("shop-a", "shop-c")
	next.Schedule.Jitter.Duration = 0
	next.Schedule.OrdersEvery.Duration = 5 * time.Minute
	next.Stores[0].Push.Orders = true
	if err := s.Apply(next); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NextRuns(pipeline.JobOrders, "shop-b", 1); err == nil {
		t.Error("a removed store keeps its job")
	}
	for _, c := range []struct{ job, store string }{{pipeline.JobOrders, "shop-c"}, {pipeline.JobPush, "shop-a"}} {
		if _, err := s.NextRuns(c.job, c.store, 1); err != nil {
			t.Errorf("%s %s: %v", c.job, c.store, err)
		}
	}
	runs, err := s.NextRuns(pipeline.JobOrders, "shop-a", 2)
	if err != nil || len(runs) != 2 || runs[1].Sub(runs[0]) != 5*time.Minute {
		t.Errorf("orders of shop-a after reload: %v %v, want 5m apart", runs, err)
	}
}
