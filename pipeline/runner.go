// Package pipeline runs jobs for stores: one order cycle per store, with its
// state, its run record and its summary.
package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/schema/canon"
)

// Run statuses written to pipeline_runs.
const (
	StatusOK          = "ok"
	StatusFailed      = "failed"
	StatusAuthFailed  = "auth_failed"
	StatusRateLimited = "rate_limited"
	// StatusNotModified: a catalog source unchanged since the last load.
	StatusNotModified = "not_modified"
	// StatusSkippedOverlap: the scheduler merged a firing into the catch-up
	// run already waiting for the store's previous run of the same job.
	StatusSkippedOverlap = "skipped_overlap"
	// StatusSkippedHeld: a one-shot command did not run the store because
	// another process (a serve worker, another command) held its lease for
	// as long as the command waited.
	StatusSkippedHeld = "skipped_held"
)

// Jobs, as pipeline_runs names them.
const (
	JobOrders    = "orders"    // changed orders, every few minutes
	JobCatalog   = "catalog"   // the whole catalog, nightly and on demand
	JobReference = "reference" // delivery services, payment methods, statuses of the account
	JobPush      = "push"      // the way back: CRM statuses, ТТН and stock to the marketplace
)

// Jobs lists every job name.
var Jobs = []string{JobOrders, JobCatalog, JobReference, JobPush}

// Runner runs cycles against one warehouse.
type Runner struct {
	Warehouse *clickhouse.Warehouse
	Config    *config.Config
	// Now is the clock (tests share the sandbox's); default time.Now.
	Now func() time.Time
	Log *slog.Logger
	// HTTP overrides transport settings for every store (tests shorten backoffs).
	HTTP func(*httpx.Options)
	// Parallel bounds how many stores run at once (default 64): a store run
	// mostly waits, on the marketplace and on the shared flush its rows
	// ride in, so many run at once.
	Parallel int
	// Progress, when set, hears how far catalog loads have got.
	Progress Progress
	// PushBackoff is the first wait before a push is re-checked and sent
	// again (default 1s); tests shorten it.
	PushBackoff time.Duration
	// Notify sends the messages about new orders; nil = the process's
	// default notifier.
	Notify *Notifier
	// Limiters holds one request limiter per store, shared by every job of
	// the store; Runners built from a reloaded config pass the same one on.
	// Nil: the Runner makes its own on first use.
	Limiters *Limiters
	// OnResult, when set, hears every store run's result (metrics).
	OnResult func(StoreResult)
	// OnHTTP, when set, hears every HTTP attempt of every store (metrics).
	OnHTTP func(marketplace string, call httpx.Call)
	// Writer gathers the inserts of every store run into one insert per
	// table per flush; Runners built from a reloaded config pass the same
	// one on. Nil: the Runner makes its own on first use, flushing every
	// clickhouse.flush_interval.
	Writer *clickhouse.Writer
	// Worker names this process in every run record it writes (the
	// coordination's worker name; "" without coordination).
	Worker string
	// Hold, when set, is asked before each store's job and each backfill
	// slice: once the store's lease is held it returns the run's context,
	// cancelled if the lease may be lost, and the release; or why the store
	// is not run (a *coord.HeldError). One-shot commands lease this way;
	// kramar serve leases in its scheduler instead.
	Hold func(ctx context.Context, store string) (context.Context, func(), error)

	limitersOnce sync.Once
	writerOnce   sync.Once
	through      *clickhouse.Warehouse
}

// Limiters are the request limiters of marketplace accounts, one per store:
// the marketplace counts an account's requests whichever job makes them.
type Limiters struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

// NewLimiters returns an empty set of limiters.
func NewLimiters() *Limiters { return &Limiters{m: map[string]*rate.Limiter{}} }

// For returns the store's limiter, set to perSecond (0 = unlimited): a
// reloaded config changes the rate of the limiter in use.
func (l *Limiters) For(store string, perSecond float64) *rate.Limiter {
	limit := rate.Inf
	if perSecond > 0 {
		limit = rate.Limit(perSecond)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.m[store]
	if !ok {
		lim = httpx.NewLimiter(perSecond)
		l.m[store] = lim
	} else if lim.Limit() != limit {
		lim.SetLimit(limit)
	}
	return lim
}

// wh is the warehouse as store runs use it: inserts through the Writer.
func (r *Runner) wh() *clickhouse.Warehouse {
	r.writerOnce.Do(func() {
		if r.Writer == nil && r.Warehouse.Writer() == nil {
			r.Writer = clickhouse.NewWriter(r.Warehouse, clickhouse.WriterOptions{Interval: r.Config.ClickHouse.FlushInterval.Duration})
		}
		r.through = r.Warehouse.Through(r.Writer)
	})
	return r.through
}

func (r *Runner) limiters() *Limiters {
	r.limitersOnce.Do(func() {
		if r.Limiters == nil {
			r.Limiters = NewLimiters()
		}
	})
	return r.Limiters
}

// StoreResult is the outcome of one store's cycle.
type StoreResult struct {
	RunID       string
	Store       string
	Marketplace string
	Job         string
	Status      string
	Fetched     int
	New         int
	Updated     int
	Unchanged   int
	Rejected    int
	Held        int
	// Drift counts, by kind (drift.Unknown, drift.Missing, drift.TypeChange),
	// the differences from the wire model the run's payloads showed.
	Drift map[drift.Kind]uint64
	// Unmapped counts, by mapping kind (status, delivery, payment), the
	// distinct marketplace values the run's orders carried with no CRM mapping.
	Unmapped map[string]int
	Duration time.Duration
	Err      error
}

// OK says the store's cycle succeeded (a catalog found unchanged included).
func (r StoreResult) OK() bool { return r.Status == StatusOK || r.Status == StatusNotModified }

// RunOnce runs one order cycle for the given stores (all when empty) and
// returns one result per store, in config order. One store's failure never
// stops the others.
func (r *Runner) RunOnce(ctx context.Context, storeIDs ...string) ([]StoreResult, error) {
	return r.RunJob(ctx, JobOrders, storeIDs...)
}

// RunJob runs one job for the given stores (all when empty), like RunOnce.
func (r *Runner) RunJob(ctx context.Context, job string, storeIDs ...string) ([]StoreResult, error) {
	if !slices.Contains(Jobs, job) {
		return nil, fmt.Errorf("no job %q (have %s)", job, strings.Join(Jobs, ", "))
	}
	pick := r.pick
	if job == JobPush {
		pick = r.pushStores // without ids: only the stores that push
	}
	stores, err := pick(storeIDs)
	if err != nil {
		return nil, err
	}
	par := r.Parallel
	if par <= 0 {
		par = 64
	}
	results := make([]StoreResult, len(stores))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, st := range stores {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = r.runStore(ctx, st, job)
		}()
	}
	wg.Wait()
	return results, nil
}

func (r *Runner) pick(ids []string) ([]config.Store, error) {
	if len(ids) == 0 {
		return r.Config.Stores, nil
	}
	var out []config.Store
	for _, id := range ids {
		s, ok := r.Config.Store(id)
		if !ok {
			return nil, fmt.Errorf("no store %q in %s", id, r.Config.Path)
		}
		out = append(out, *s)
	}
	return out, nil
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (r *Runner) logger() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.Default()
}

func (r *Runner) runStore(ctx context.Context, st config.Store, job string) StoreResult {
	res := StoreResult{RunID: newRunID(), Store: st.ID, Marketplace: st.Marketplace, Job: job}
	started := time.Now()
	startedAt := r.now()
	at := runTimes{started: startedAt}
	at.scheduled, at.late = lateness(ctx, started)
	log := r.logger().With("store", st.ID, "marketplace", st.Marketplace, "job", job, "run", res.RunID)
	// The run's last rows, its state and its run record land in one flush.
	defer r.wh().Writer().Join()()
	tail := r.wh().NewUnit()
	// The lease is held until the run's rows and record are in.
	leased, release, err := r.hold(ctx, st.ID)
	if err == nil {
		defer release()
		ctx = leased
		err = r.dispatch(ctx, st, job, &res, log, nil, tail)
	}
	res.Duration = time.Since(started)
	res.Status = StatusOK
	if errors.Is(err, ErrNotModified) {
		res.Status, err = StatusNotModified, nil
		log.Info("catalog not modified since the last load; it stays current")
	}
	if err != nil {
		res.Status = statusOf(err)
		res.Err = err
	}
	rec := r.runRecord(st, job, at, &res)
	if cerr := r.commit(ctx, tail, rec); cerr != nil && err == nil {
		// The run's rows are not (all) in: it failed, and says so.
		err = fmt.Errorf("write to the warehouse: %w", cerr)
		res.Status, res.Err = StatusFailed, err
		rec = r.runRecord(st, job, at, &res)
		if rerr := r.wh().RecordRun(context.WithoutCancel(ctx), rec); rerr != nil {
			log.Error("recording the run failed", "error", rerr)
		}
	}
	switch {
	case res.Status == StatusSkippedHeld:
		log.Warn("store not run", "error", err)
	case err != nil:
		log.Error("store run failed", "status", res.Status, "error", err)
	default:
		log.Info("store run done", "fetched", res.Fetched, "new", res.New, "updated", res.Updated,
			"unchanged", res.Unchanged, "rejected", res.Rejected, "held", res.Held, "duration", res.Duration)
	}
	if r.OnResult != nil {
		r.OnResult(res)
	}
	return res
}

// hold takes the store's lease when the Runner has a Hold; without one
// every store is the process's to run.
func (r *Runner) hold(ctx context.Context, store string) (context.Context, func(), error) {
	if r.Hold == nil {
		return ctx, func() {}, nil
	}
	return r.Hold(ctx, store)
}

// commit writes the run's gathered rows with its run record.
func (r *Runner) commit(ctx context.Context, tail *clickhouse.Unit, rec clickhouse.Run) error {
	if err := tail.RecordRun(ctx, rec); err != nil {
		tail.Discard()
		return err
	}
	return tail.Commit(context.WithoutCancel(ctx))
}

// runTimes are when a run started, and when and how late against its schedule.
type runTimes struct {
	started, scheduled time.Time
	late               time.Duration
}

// runRecord is the pipeline_runs row of a store run.
func (r *Runner) runRecord(st config.Store, job string, at runTimes, res *StoreResult) clickhouse.Run {
	rec := clickhouse.Run{
		RunID: res.RunID, Marketplace: st.Marketplace, Store: st.ID, Job: job,
		StartedAt: at.started, FinishedAt: at.started.Add(res.Duration), DurationMS: uint64(res.Duration.Milliseconds()),
		Status: res.Status, Fetched: uint64(res.Fetched), New: uint64(res.New), Updated: uint64(res.Updated),
		Unchanged: uint64(res.Unchanged), Rejected: uint64(res.Rejected), Held: uint64(res.Held),
		ScheduledAt: at.scheduled, LateMS: uint64(at.late.Milliseconds()), Worker: r.Worker,
		UnmappedStatuses: uint32(res.Unmapped["status"]), UnmappedDeliveries: uint32(res.Unmapped["delivery"]),
		UnmappedPayments: uint32(res.Unmapped["payment"]),
	}
	if res.Err != nil {
		rec.Error = res.Err.Error()
	}
	return rec
}

// RecordSkip writes the pipeline_runs row of a run the scheduler did not
// start because the store's previous run of job was still going.
func (r *Runner) RecordSkip(ctx context.Context, storeID, job string) (StoreResult, error) {
	sts, err := r.pick([]string{storeID})
	if err != nil {
		return StoreResult{}, err
	}
	res := StoreResult{RunID: newRunID(), Store: storeID, Marketplace: sts[0].Marketplace, Job: job, Status: StatusSkippedOverlap}
	at := r.now()
	err = r.wh().RecordRun(ctx, clickhouse.Run{
		RunID: res.RunID, Marketplace: res.Marketplace, Store: storeID, Job: job,
		StartedAt: at, FinishedAt: at, Status: StatusSkippedOverlap,
		Error:  "the previous " + job + " run of the store was still going",
		Worker: r.Worker,
	})
	if r.OnResult != nil {
		r.OnResult(res)
	}
	return res, err
}

// dispatch opens the store's client and runs one job with it.
// span, for the order job, is an explicit window (a backfill slice) instead
// of the one the store's cursor gives.
// tail gathers the rows the order job writes last, with its state; the
// caller commits it.
func (r *Runner) dispatch(ctx context.Context, st config.Store, job string, res *StoreResult, log *slog.Logger, span *orderWindow, tail *clickhouse.Unit) error {
	conn, cfg, src, sc, err := r.open(st)
	if err != nil {
		return err
	}
	switch job {
	case JobCatalog:
		job := &catalogJob{wh: r.wh(), store: st, runID: res.RunID, now: r.now(), result: res, log: log, progress: r.Progress}
		if st.FeedURL != "" {
			job.feedSource = st.FeedSource(r.Config.Path)
			return job.run(ctx, job.feedPages())
		}
		cat, ok := src.(source.Catalog)
		if !ok || conn.TransformProduct == nil {
			return fmt.Errorf("store %s: marketplace %s has no catalog API here; set feed_url to its YML feed", st.ID, st.Marketplace)
		}
		return job.run(ctx, apiProducts(cat, conn, sc))
	case JobReference:
		ref, ok := src.(source.Reference)
		if !ok {
			return fmt.Errorf("store %s: marketplace %s has no reference lists here", st.ID, st.Marketplace)
		}
		return loadReference(ctx, r.wh(), st, ref, res)
	case JobPush:
		return r.push(ctx, st, conn, cfg, res, log)
	}
	err = (&orderJob{wh: r.wh(), tail: tail, store: st, conn: conn, src: src, now: r.now(), runID: res.RunID, log: log, result: res, sc: sc,
		span: span, notifier: r.Notifier(), wire: conn.OrderModel()}).run(ctx)
	if err == nil && span == nil {
		r.acceptOnImport(ctx, st, conn, cfg, log)
	}
	return err
}

// open finds the store's connector and opens its client.
func (r *Runner) open(st config.Store) (connectors.Connector, source.Config, source.Orders, canon.Store, error) {
	conn, err := r.connectorFor(st)
	if err != nil {
		return conn, source.Config{}, nil, canon.Store{}, err
	}
	cfg, err := r.sourceConfig(st)
	if err != nil {
		return conn, cfg, nil, canon.Store{}, err
	}
	return conn, cfg, conn.Open(cfg), connectors.Store(r.Config, st), nil
}

// connectorFor is the store's built-in connector, or the one its spec describes.
func (r *Runner) connectorFor(st config.Store) (connectors.Connector, error) {
	if st.Spec != "" {
		c, err := connectors.FromSpec(st.SpecPath(r.Config.Path), st.Marketplace)
		if err != nil {
			return c, fmt.Errorf("store %s: spec: %w", st.ID, err)
		}
		return c, nil
	}
	c, ok := connectors.ForStore(st)
	if !ok {
		return c, fmt.Errorf("store %s: no connector for marketplace %q", st.ID, st.Marketplace)
	}
	return c, nil
}

// sourceConfig gathers what the store's client needs, credentials included.
func (r *Runner) sourceConfig(st config.Store) (source.Config, error) {
	cfg := source.Config{Store: st.ID, BaseURL: st.BaseURL, PageSize: st.PageSize, HTTP: httpx.Options{
		Timeout:       st.Timeout.Duration,
		MaxAttempts:   st.MaxAttempts,
		RatePerSecond: st.RatePerSecond,
		Limiter:       r.limiters().For(st.ID, st.RatePerSecond),
	}}
	if r.OnHTTP != nil {
		marketplace, observe := st.Marketplace, r.OnHTTP
		cfg.HTTP.Observe = func(c httpx.Call) { observe(marketplace, c) }
	}
	if r.HTTP != nil {
		r.HTTP(&cfg.HTTP)
	}
	cfg.Options = st.Options
	var err error
	switch {
	case st.UsesLogin():
		cfg.Username = st.Username
		cfg.Password, err = st.Password()
	case st.HasToken() || (!config.MarketplaceCapabilities(st.Marketplace).CredentialsOptional && st.Spec == ""):
		cfg.Token, err = st.Token()
	}
	return cfg, err
}

func newRunID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// normalize compares cabinet names forgivingly (case, surrounding spaces).
func normalize(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
