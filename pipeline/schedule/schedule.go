// Package schedule runs the pipeline's jobs on their schedule, per store:
// orders and push every few minutes, catalog and expenses at a time of day
// in the seller's timezone. A job never overlaps itself for a store: a firing
// that finds the store's previous run still going is caught up as soon as
// that run returns. Stores are spread over the whole interval, and a stop
// lets running jobs finish.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"

	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

// JobExpenses is the nightly expense generation: one run for all stores.
const JobExpenses = "expenses"

// Options are what the scheduler starts and how it tells time.
type Options struct {
	// RunStore runs one job for one store. Its ctx carries the firing time
	// the run serves (pipeline.WithScheduledAt) and ends only when a stop's
	// grace has run out.
	RunStore func(ctx context.Context, job, store string)
	// Skipped hears a firing merged into a catch-up run already pending
	// for the store and job: the store's run was still going, and one run
	// after it serves both firings.
	Skipped func(ctx context.Context, job, store string)
	// Expenses runs the nightly expense generation (its ctx as RunStore's);
	// nil = no such job.
	Expenses func(ctx context.Context)
	// Lease, when set, is asked before every run (several workers sharing
	// the stores): ok false skips the firing, since another worker runs
	// the store or ZooKeeper cannot tell; otherwise the run gets ctx and
	// calls done when it returns. store is "" for expenses.
	Lease func(ctx context.Context, job, store string) (run context.Context, done func(), ok bool)
	// Clock is the scheduler's time (tests pass a fake); default real.
	Clock clockwork.Clock
	Log   *slog.Logger
}

// Scheduler keeps one gocron job per store and job.
type Scheduler struct {
	o   Options
	gs  gocron.Scheduler
	log *slog.Logger

	mu   sync.Mutex
	ids  map[string]uuid.UUID // job name → gocron job
	busy map[string]bool      // job names running now
	// pending holds the job names whose run is going with a firing waiting
	// for it, and that firing's time: one catch-up run follows the run.
	pending map[string]time.Time

	// runCtx is what runs get; cancelled when a stop's grace runs out.
	runCtx    context.Context
	cancelRun context.CancelFunc
	running   sync.WaitGroup
	stopping  bool
}

// New builds a scheduler for cfg; Start starts it.
func New(cfg *config.Config, o Options) (*Scheduler, error) {
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	s := &Scheduler{o: o, log: o.Log, ids: map[string]uuid.UUID{}, busy: map[string]bool{}, pending: map[string]time.Time{}}
	s.runCtx, s.cancelRun = context.WithCancel(context.Background())
	gs, err := gocron.NewScheduler(
		gocron.WithClock(o.Clock),
		// Stop waits for runs itself (see Stop); gocron need not.
		gocron.WithStopTimeout(time.Second),
	)
	if err != nil {
		return nil, err
	}
	s.gs = gs
	if err := s.Apply(cfg); err != nil {
		_ = gs.Shutdown()
		return nil, err
	}
	return s, nil
}

// Start begins firing jobs.
func (s *Scheduler) Start() { s.gs.Start() }

// entry is one scheduled job of one store (or of all, for expenses).
type entry struct {
	job, store string
	def        gocron.JobDefinition
	start      time.Time     // first run of an interval job; zero for daily ones
	every      time.Duration // the interval; a day for daily jobs
	offset     time.Duration // an interval job's phase within every
}

func (e entry) name() string { return e.job + "/" + e.store }

// firing is the time of the firing that fired at now: the last phase point
// of an interval job, or the second a daily job's cron time fired.
func (e entry) firing(now time.Time) time.Time {
	if e.start.IsZero() {
		return now.Truncate(time.Second)
	}
	return FirstRun(now, e.every, e.offset).Add(-e.every)
}

// Apply makes the jobs match cfg: a reload changes, adds and removes jobs
// without disturbing the ones that are running.
func (s *Scheduler) Apply(cfg *config.Config) error {
	entries, err := plan(cfg, s.o.Clock.Now(), s.o.Expenses != nil)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	want := map[string]bool{}
	for _, e := range entries {
		want[e.name()] = true
		opts := []gocron.JobOption{
			// No gocron singleton mode: it would drop a firing that comes
			// while the store's run is going; fire keeps it as a catch-up.
			gocron.WithName(e.name()), gocron.WithTags(e.job, e.store),
			// A daily time that falls into a spring-forward gap runs just
			// after the switch instead of being dropped for the day.
			gocron.WithDaylightSavingsTimePolicy(gocron.DaylightSavingsTimeRunAfterTransition),
		}
		if !e.start.IsZero() {
			// A start that passed while the jobs before it were added (a
			// plan of 10,000 stores takes a while) moves on by whole
			// intervals, keeping the store's phase.
			opts = append(opts, gocron.WithStartAt(gocron.WithStartDateTimePast(e.start)))
		}
		task := gocron.NewTask(s.fire, e)
		var j gocron.Job
		if id, ok := s.ids[e.name()]; ok {
			j, err = s.gs.Update(id, e.def, task, opts...)
		} else {
			j, err = s.gs.NewJob(e.def, task, opts...)
		}
		if err != nil {
			return fmt.Errorf("schedule %s: %w", e.name(), err)
		}
		s.ids[e.name()] = j.ID()
	}
	for name, id := range s.ids {
		if !want[name] {
			if err := s.gs.RemoveJob(id); err != nil && !errors.Is(err, gocron.ErrJobNotFound) {
				return err
			}
			delete(s.ids, name)
		}
	}
	s.log.Info("schedule applied", "jobs", len(entries), "orders_every", cfg.Schedule.OrdersEvery.String(),
		"push_every", cfg.Schedule.PushEvery.String(), "catalog_at", cfg.Schedule.CatalogAt,
		"expenses_at", cfg.Schedule.ExpensesAt, "timezone", cfg.Schedule.Timezone, "jitter", cfg.Schedule.Jitter.String())
	return nil
}

// plan lists the jobs cfg asks for, as of now.
func plan(cfg *config.Config, now time.Time, expenses bool) ([]entry, error) {
	sc := cfg.Schedule
	loc, err := sc.Location()
	if err != nil {
		return nil, err
	}
	var out []entry
	every := func(job string, d time.Duration, stores []config.Store) {
		if d <= 0 {
			return
		}
		for _, st := range stores {
			// The whole interval, whatever the jitter: 10,000 stores every
			// 2m start about 83 a second, never in a burst.
			off := Offset(st.ID, d)
			out = append(out, entry{job: job, store: st.ID, def: gocron.DurationJob(d),
				start: FirstRun(now, d, off), every: d, offset: off})
		}
	}
	daily := func(job, at string, stores []string, jitter time.Duration) error {
		h, m, on, err := config.ClockTime(at)
		if err != nil || !on {
			return err
		}
		for _, id := range stores {
			at := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + Offset(id, jitter)
			at %= 24 * time.Hour
			spec := fmt.Sprintf("CRON_TZ=%s %d %d %d * * *", loc.String(), int(at.Seconds())%60, int(at.Minutes())%60, int(at.Hours()))
			out = append(out, entry{job: job, store: id, def: gocron.CronJob(spec, true), every: 24 * time.Hour})
		}
		return nil
	}
	var all []string
	var pushStores []config.Store
	for _, st := range cfg.Stores {
		all = append(all, st.ID)
		if st.Push.Enabled() {
			pushStores = append(pushStores, st)
		}
	}
	every(pipeline.JobOrders, sc.OrdersEvery.Duration, cfg.Stores)
	every(pipeline.JobPush, sc.PushEvery.Duration, pushStores)
	if err := daily(pipeline.JobCatalog, sc.CatalogAt, all, min(sc.Jitter.Duration, 24*time.Hour)); err != nil {
		return nil, err
	}
	if expenses {
		if err := daily(JobExpenses, sc.ExpensesAt, []string{""}, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Offset is a store's fixed place within span: the same store always gets
// the same offset, and many stores spread evenly over it.
func Offset(store string, span time.Duration) time.Duration {
	if span <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(store))
	ms := span.Milliseconds()
	if ms <= 0 {
		return 0
	}
	return time.Duration(h.Sum64()%uint64(ms)) * time.Millisecond
}

// FirstRun is the first instant after now that lies offset past a multiple
// of every (counted from the Unix epoch): a store keeps its phase across
// restarts and reloads.
func FirstRun(now time.Time, every, offset time.Duration) time.Time {
	t := now.Truncate(every).Add(offset)
	for !t.After(now) {
		t = t.Add(every)
	}
	return t
}

// fire is every job's task. A firing that finds the same job of the store
// still running (a first load longer than the interval, or a run begun
// before a reload replaced the job) becomes the one pending catch-up run,
// started as soon as the running one returns; later firings merge into it,
// since the next run reads from the store's cursor whatever it missed.
func (s *Scheduler) fire(e entry) {
	name := e.name()
	at := e.firing(s.o.Clock.Now())
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return
	}
	if s.busy[name] {
		_, merged := s.pending[name]
		if !merged {
			s.pending[name] = at
		}
		s.mu.Unlock()
		if merged {
			s.skipped(e.job, e.store)
		} else {
			s.log.Debug("run deferred: the previous one is still going; it follows at once", "job", e.job, "store", e.store)
		}
		return
	}
	s.busy[name] = true
	s.running.Add(1)
	s.mu.Unlock()
	defer s.running.Done()
	for {
		s.run(e, at)
		s.mu.Lock()
		next, ok := s.pending[name]
		delete(s.pending, name)
		_, scheduled := s.ids[name] // a reload may have removed the job
		if !ok || !scheduled || s.stopping {
			delete(s.busy, name)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		at = next
	}
}

// run runs e once for the firing at, if this worker holds the store.
func (s *Scheduler) run(e entry, at time.Time) {
	ctx := pipeline.WithScheduledAt(s.runCtx, at)
	if s.o.Lease != nil {
		run, done, ok := s.o.Lease(ctx, e.job, e.store)
		if !ok {
			return
		}
		defer done()
		ctx = run
	}
	if late := s.o.Clock.Since(at); late > e.every {
		s.log.Warn("run starts more than an interval late", "job", e.job, "store", e.store,
			"scheduled_at", at.UTC().Format(time.RFC3339), "late", late.Round(time.Millisecond).String())
	}
	if e.job == JobExpenses {
		s.o.Expenses(ctx)
		return
	}
	s.o.RunStore(ctx, e.job, e.store)
}

// RunNow fires a store's job at once, as its schedule would (an ops
// person asked for it): a run of it already going makes this the one
// catch-up run after it, and with coordination only the worker holding the
// store's lease runs it. The job must be scheduled for the store.
func (s *Scheduler) RunNow(job, store string) error {
	s.mu.Lock()
	id, ok := s.ids[entry{job: job, store: store}.name()]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("the %s job is not scheduled for store %s", job, store)
	}
	for _, j := range s.gs.Jobs() {
		if j.ID() == id {
			return j.RunNow()
		}
	}
	return fmt.Errorf("the %s job of store %s has just been removed", job, store)
}

// skipped reports a firing merged into the pending catch-up run, off the
// scheduler's own goroutine (recording it writes to the warehouse).
func (s *Scheduler) skipped(job, store string) {
	s.log.Warn("firing merged into the pending catch-up run: the previous one is still going", "job", job, "store", store)
	if s.o.Skipped == nil {
		return
	}
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return
	}
	s.running.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.running.Done()
		s.o.Skipped(context.WithoutCancel(s.runCtx), job, store)
	}()
}

// Stop stops firing jobs and waits for the running ones; after grace it
// cancels their context and waits for them to return. It reports whether
// they all finished within grace.
func (s *Scheduler) Stop(grace time.Duration) bool {
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	shutdown := make(chan struct{})
	go func() { _ = s.gs.Shutdown(); close(shutdown) }()
	done := make(chan struct{})
	go func() { s.running.Wait(); close(done) }()
	inTime := true
	select {
	case <-done:
	case <-time.After(grace):
		inTime = false
		s.log.Warn("grace ran out: cancelling running jobs", "grace", grace.String(), "running", strings.Join(s.Running(), ", "))
		s.cancelRun()
		<-done
	}
	s.cancelRun()
	<-shutdown
	return inTime
}

// Running lists the job names ("orders/shop-a") running now.
func (s *Scheduler) Running() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.busy))
}

// NextRuns lists the next n runs of job for store ("" for expenses).
func (s *Scheduler) NextRuns(job, store string, n int) ([]time.Time, error) {
	s.mu.Lock()
	id, ok := s.ids[job+"/"+store]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("no %s job for store %q", job, store)
	}
	for _, j := range s.gs.Jobs() {
		if j.ID() == id {
			return j.NextRuns(n)
		}
	}
	return nil, fmt.Errorf("no %s job for store %q", job, store)
}
