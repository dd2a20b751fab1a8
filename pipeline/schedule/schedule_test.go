package schedule

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
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

// A run slower than its interval is followed at once by one catch-up run;
// the firings that come while that one is already pending are merged into
// it and reported.
func TestAJobNeverOverlapsItselfAndCatchesUp(t *testing.T) {
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
		t.Errorf("merged firings %v: want some for the slow shop-a and none for shop-b", skips)
	}
	// Back to back: the first run starts within 100ms, each takes 350ms.
	if runs["shop-a"] < 3 || runs["shop-b"] < 6 {
		t.Errorf("runs %v: the slow store must run back to back and not hold the other back", runs)
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

func TestCatchUpRunFollowsALongRunWithTheFiringItReplaced(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	clock := clockwork.NewFakeClockAt(t0)
	cfg := testConfig("shop")
	cfg.Schedule.OrdersEvery.Duration = time.Minute
	cfg.Schedule.CatalogAt = config.ScheduleOff
	logs := &strings.Builder{}
	var logMu sync.Mutex
	type run struct {
		at      time.Time // the firing it serves
		started time.Time // on the fake clock
	}
	runs := make(chan run, 10)
	release := make(chan struct{})
	var inflight, most atomic.Int32
	var first atomic.Bool
	first.Store(true)
	skips := make(chan string, 10)
	s := start(t, cfg, Options{
		Clock: clock,
		Log:   slog.New(slog.NewTextHandler(lockedWriter{&logMu, logs}, nil)),
		RunStore: func(ctx context.Context, job, store string) {
			n := inflight.Add(1)
			defer inflight.Add(-1)
			if n > most.Load() {
				most.Store(n)
			}
			at, ok := pipeline.ScheduledAt(ctx)
			if !ok {
				t.Error("a scheduled run's ctx has no scheduled time")
			}
			runs <- run{at, clock.Now()}
			if first.Swap(false) {
				<-release // the first load: longer than two intervals
			}
		},
		Skipped: func(_ context.Context, job, store string) { skips <- job + "/" + store },
	})
	f1 := FirstRun(t0, time.Minute, Offset("shop", time.Minute))
	advanceTo := func(at time.Time) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := clock.BlockUntilContext(ctx, 1); err != nil { // the job's timer is set
			t.Fatal("the scheduler set no timer")
		}
		clock.Advance(at.Sub(clock.Now()))
	}
	next := func(what string) run {
		t.Helper()
		select {
		case r := <-runs:
			return r
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s", what)
			return run{}
		}
	}
	advanceTo(f1)
	if r := next("first run"); !r.at.Equal(f1) {
		t.Fatalf("first run serves %v, want its firing %v", r.at, f1)
	}
	// The next firing finds the first run going: it waits, pending.
	advanceTo(f1.Add(time.Minute))
	waitUntil(t, "the firing pending", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		_, ok := s.pending["orders/shop"]
		return ok
	})
	select {
	case k := <-skips:
		t.Fatalf("the first pending firing was reported as skipped (%s): it will run", k)
	default:
	}
	// One more merges into it, and is reported; ten seconds past it the
	// first run returns.
	advanceTo(f1.Add(2*time.Minute + 10*time.Second))
	select {
	case k := <-skips:
		if k != "orders/shop" {
			t.Errorf("merged firing reported for %s", k)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the firing merged into the pending run was not reported")
	}
	close(release)
	r := next("catch-up run")
	if !r.at.Equal(f1.Add(time.Minute)) || !r.started.Equal(f1.Add(2*time.Minute+10*time.Second)) {
		t.Errorf("catch-up serves %v and started at %v; want the replaced firing %v, at once", r.at, r.started, f1.Add(time.Minute))
	}
	select {
	case r := <-runs:
		t.Fatalf("a second catch-up run (for %v): merged firings must make one", r.at)
	case <-time.After(100 * time.Millisecond):
	}
	// The cycle goes on at the store's phase.
	advanceTo(f1.Add(3 * time.Minute))
	if r := next("run after the catch-up"); !r.at.Equal(f1.Add(3 * time.Minute)) {
		t.Errorf("next run serves %v, want %v", r.at, f1.Add(3*time.Minute))
	}
	if most.Load() != 1 {
		t.Errorf("%d runs of the store at once", most.Load())
	}
	logMu.Lock()
	defer logMu.Unlock()
	if l := logs.String(); strings.Count(l, "more than an interval late") != 1 || !strings.Contains(l, "late=1m10s") {
		t.Errorf("want one lateness warning, for the catch-up 1m10s late:\n%s", l)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5s: %s", what)
		}
	}
}

// tenThousand is a config of 10,000 stores with the default schedule.
func tenThousand() *config.Config {
	ids := make([]string, 10000)
	for i := range ids {
		ids[i] = fmt.Sprintf("store-%05d", i)
	}
	return testConfig(ids...)
}

func TestTenThousandStoresSpreadOverTheWholeInterval(t *testing.T) {
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	cfg := tenThousand()
	entries, err := plan(cfg, now, false)
	if err != nil {
		t.Fatal(err)
	}
	every := cfg.Schedule.OrdersEvery.Duration
	perSecond := map[int64]int{}
	for _, e := range entries {
		if e.job != pipeline.JobOrders {
			continue
		}
		if d := e.start.Sub(now); d <= 0 || d > every {
			t.Fatalf("%s: first run %v after now, want within one interval", e.store, d)
		}
		perSecond[e.start.Unix()]++
	}
	seconds := int(every / time.Second)
	mean := float64(len(cfg.Stores)) / float64(seconds)
	busiest := 0
	for _, n := range perSecond {
		busiest = max(busiest, n)
	}
	// About 83 a second. Evenly hashed, the busiest of 120 seconds holds
	// about mean + 3 standard deviations (√83 ≈ 9), some 110; 1.5 × mean
	// leaves room for that and still fails stores spread over only half the
	// interval (2 × mean every second), as a 1m jitter did.
	t.Logf("busiest second starts %d stores, mean %.1f", busiest, mean)
	if float64(busiest) > 1.5*mean || len(perSecond) != seconds {
		t.Errorf("busiest second starts %d stores (mean %.1f); %d of %d seconds used", busiest, mean, len(perSecond), seconds)
	}
	// The jitter spreads only daily jobs: interval ones keep their place.
	cfg.Schedule.Jitter.Duration = 0
	again, err := plan(cfg, now, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range again {
		if e.job == pipeline.JobOrders && !e.start.Equal(entries[i].start) {
			t.Fatalf("%s: first run %v with no jitter, %v with 1m", e.store, e.start, entries[i].start)
		}
	}
}

// BenchmarkApply10000 measures a reload of 10,000 stores (orders every 2m
// and a daily catalog: 20,000 jobs) on a running scheduler. The real clock:
// the fake one sorts all its timers on every new one.
func BenchmarkApply10000(b *testing.B) {
	cfg := tenThousand()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	t0 := time.Now()
	s, err := New(cfg, Options{Log: log, RunStore: func(context.Context, string, string) {}})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first apply (New) of 10,000 stores: %v", time.Since(t0))
	s.Start()
	defer s.Stop(time.Second)
	for b.Loop() {
		if err := s.Apply(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// creepingClock moves on 10ms each time it is read, as the real one does
// while thousands of jobs are added.
type creepingClock struct{ *clockwork.FakeClock }

func (c creepingClock) Now() time.Time { c.Advance(10 * time.Millisecond); return c.FakeClock.Now() }

func TestAStartThatPassesWhileThePlanIsAppliedStaysOnItsPhase(t *testing.T) {
	clock := creepingClock{clockwork.NewFakeClockAt(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))}
	cfg := tenThousand()
	cfg.Stores = cfg.Stores[:1000]
	cfg.Schedule.CatalogAt = config.ScheduleOff
	s, err := New(cfg, Options{Clock: clock, RunStore: func(context.Context, string, string) {}})
	if err != nil {
		t.Fatalf("a plan of 1,000 stores: %v", err)
	}
	s.Start()
	t.Cleanup(func() { s.Stop(time.Second) })
	every := cfg.Schedule.OrdersEvery.Duration
	for _, st := range cfg.Stores {
		next, err := s.NextRuns(pipeline.JobOrders, st.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if on := FirstRun(next[0].Add(-time.Nanosecond), every, Offset(st.ID, every)); !on.Equal(next[0]) {
			t.Fatalf("%s: next run %v is off its phase", st.ID, next[0])
		}
	}
}

type leaseKey struct{}

// With a Lease, a store runs only while the lease says so; the run gets
// the lease's context and gives it back when it returns.
func TestRunsFollowTheLease(t *testing.T) {
	cfg := testConfig("mine", "theirs")
	cfg.Schedule.OrdersEvery.Duration = 100 * time.Millisecond
	cfg.Schedule.CatalogAt = config.ScheduleOff
	var mu sync.Mutex
	runs, asked, open := map[string]int{}, map[string]int{}, 0
	s := start(t, cfg, Options{
		Lease: func(ctx context.Context, job, store string) (context.Context, func(), bool) {
			mu.Lock()
			defer mu.Unlock()
			asked[store]++
			if store != "mine" {
				return nil, nil, false
			}
			open++
			return context.WithValue(ctx, leaseKey{}, store), func() { mu.Lock(); open--; mu.Unlock() }, true
		},
		RunStore: func(ctx context.Context, job, store string) {
			mu.Lock()
			defer mu.Unlock()
			if ctx.Value(leaseKey{}) != store {
				t.Errorf("%s ran without the lease's context", store)
			}
			if _, ok := pipeline.ScheduledAt(ctx); !ok {
				t.Errorf("%s: the lease's context lost the firing time", store)
			}
			runs[store]++
		},
	})
	waitUntil := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := asked["theirs"]
		mu.Unlock()
		if n >= 3 || time.Now().After(waitUntil) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Stop(time.Second)
	mu.Lock()
	defer mu.Unlock()
	if runs["theirs"] != 0 || runs["mine"] == 0 || asked["theirs"] < 3 {
		t.Errorf("runs %v, lease asked %v: want runs of mine only", runs, asked)
	}
	if open != 0 {
		t.Errorf("%d leases not given back after their runs", open)
	}
}
