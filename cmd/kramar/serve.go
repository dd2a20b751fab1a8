package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/coord"
	"github.com/kramar/kramar/pipeline/metrics"
	"github.com/kramar/kramar/pipeline/schedule"
	"github.com/kramar/kramar/reports"
)

func init() { addCommand(serveCmd) }

func serveCmd() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve [--listen 127.0.0.1:9108]",
		Short: "Run every job on its schedule, with /healthz, /readyz, /metrics and /reports/",
		Long: "serve is the daemon: per store, orders every schedule.orders_every, push every\n" +
			"schedule.push_every (stores with push: set), the catalog daily at schedule.catalog_at and the\n" +
			"month's expenses daily at schedule.expenses_at, in schedule.timezone. A job never overlaps itself\n" +
			"for a store: a firing that comes while the store's run is going starts as soon as that run\n" +
			"returns, and later firings are merged into it (recorded as skipped_overlap). Each run record\n" +
			"has the time it was due (scheduled_at) and how late it started (late_ms). SIGHUP reloads the config\n" +
			"(a broken one is refused and the old one kept); SIGTERM or SIGINT stops scheduling, lets running\n" +
			"jobs finish for schedule.grace, then cancels them and exits 0. With coordination: set, several\n" +
			"workers share the stores through ZooKeeper: each runs only the stores it holds the lease of.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			debug, _ := cmd.Flags().GetBool("debug")
			log := newDaemonLogger(os.Stderr, debug)
			slog.SetDefault(log)

			ctx, stop := context.WithCancel(cmd.Context())
			defer stop()
			reload := make(chan struct{}, 1)
			signals := make(chan os.Signal, 4)
			signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			defer signal.Stop(signals)
			go func() {
				for sig := range signals {
					if sig == syscall.SIGHUP {
						select {
						case reload <- struct{}{}:
						default:
						}
						continue
					}
					log.Info("stop requested", "signal", sig.String())
					stop()
				}
			}()

			cmd.SetContext(ctx)
			return withWarehouse(cmd, func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				return serve(ctx, serveOptions{Config: cfg, WH: wh, Listen: listen, Log: log, Reload: reload})
			})
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:9108", "address of /healthz, /readyz, /metrics and /reports/ (keep it private: reports hold sales)")
	return cmd
}

// newDaemonLogger logs text to a terminal and JSON lines otherwise (for the
// journal and log shippers).
func newDaemonLogger(w io.Writer, debug bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if debug {
		opts.Level = slog.LevelDebug
	}
	if isTerminal(w) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

type serveOptions struct {
	Config *config.Config
	WH     *clickhouse.Warehouse
	Listen string
	Log    *slog.Logger
	// Reload asks for the config file to be read again (SIGHUP).
	Reload <-chan struct{}
	// Serving, when set, gets the address of the endpoints once they listen.
	Serving chan<- string
	// Tune adjusts every Runner (tests share the sandbox's clock).
	Tune func(*pipeline.Runner)
}

// daemon is what serve keeps between reloads: the warehouse, the metrics
// and the limiters stay; the config and the Runner built on it change.
type daemon struct {
	o        serveOptions
	metrics  *metrics.Metrics
	limiters *pipeline.Limiters
	runner   atomic.Pointer[pipeline.Runner]
	// coord shares the stores with other workers; nil without coordination.
	coord  *coord.Coordinator
	worker string
	// quiet ends when serve returns, after the coordination has closed:
	// until then a lease waits for its store's message pass.
	quiet context.Context
}

// serve schedules every job until ctx ends, then stops gracefully.
func serve(ctx context.Context, o serveOptions) error {
	// One writer for the process: every store run's inserts, across
	// reloads, share its flushes.
	m := metrics.New(nil)
	o.WH = o.WH.Through(clickhouse.NewWriter(o.WH, clickhouse.WriterOptions{Interval: o.Config.ClickHouse.FlushInterval.Duration, Observe: m.ObserveFlush}))
	quiet, endQuiet := context.WithCancel(context.Background())
	defer endQuiet()
	d := &daemon{o: o, metrics: m, limiters: pipeline.NewLimiters(), quiet: quiet}
	if c := o.Config.Coordination; c.Enabled() {
		d.worker = c.WorkerName()
		var err error
		d.coord, err = coord.Start(coord.Options{Servers: c.ZooKeeper, Root: c.Root, SessionTimeout: c.SessionTimeout.Duration,
			Worker: d.worker, Log: o.Log, OnLease: m.SetLease})
		if err != nil {
			return &exitError{2, err}
		}
		defer d.coord.Close()
		o.Log.Info("sharing the stores with other workers through ZooKeeper", "worker", d.worker, "root", c.Root)
	}
	d.runner.Store(d.newRunner(o.Config))
	if err := d.loadLastSuccess(ctx); err != nil {
		o.Log.Warn("last successful runs not read; lag counts from now", "error", err)
	}
	var lease func(context.Context, string, string) (context.Context, func(), bool)
	if d.coord != nil {
		lease = d.lease
	}
	sched, err := schedule.New(o.Config, schedule.Options{
		RunStore: d.runStore,
		Lease:    lease,
		Skipped: func(ctx context.Context, job, store string) {
			if _, err := d.runner.Load().RecordSkip(ctx, store, job); err != nil {
				o.Log.Error("recording a skipped run failed", "job", job, "store", store, "error", err)
			}
		},
		Expenses: d.expenses,
		Log:      o.Log,
	})
	if err != nil {
		return &exitError{2, err}
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return &exitError{2, fmt.Errorf("--listen %s: %w", o.Listen, err)}
	}
	srv := &http.Server{Handler: d.endpoints(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	o.Log.Info("serving", "listen", ln.Addr().String(), "stores", len(o.Config.Stores), "config", o.Config.Path)
	if o.Serving != nil {
		o.Serving <- ln.Addr().String()
	}
	sched.Start()

	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-o.Reload:
			d.reload(sched)
		}
	}
	grace := d.runner.Load().Config.Schedule.Grace.Duration
	o.Log.Info("stopping: no new runs; waiting for running jobs", "grace", grace.String(), "running", strings.Join(sched.Running(), ", "))
	if !sched.Stop(grace) {
		o.Log.Warn("some jobs were cancelled after the grace period; their next run picks up where they stopped")
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Messages about new orders still in flight get the same few seconds;
	// those that do not make it stay queued for the next start.
	_ = d.runner.Load().Notifier().Wait(shutdown)
	_ = srv.Shutdown(shutdown)
	o.Log.Info("stopped")
	return nil
}

func (d *daemon) newRunner(cfg *config.Config) *pipeline.Runner {
	r := &pipeline.Runner{
		Warehouse: d.o.WH, Config: cfg, Log: d.o.Log, Limiters: d.limiters,
		OnResult: d.metrics.ObserveResult, OnHTTP: d.metrics.ObserveHTTP,
		// The scheduler starts each store on its own; one at a time per call.
		Parallel: 1,
		Worker:   d.worker,
	}
	if d.o.Tune != nil {
		d.o.Tune(r)
	}
	return r
}

func (d *daemon) runStore(ctx context.Context, job, store string) {
	if _, err := d.runner.Load().RunJob(ctx, job, store); err != nil {
		// The store left the config with a reload while its run was due.
		d.o.Log.Warn("run not started", "job", job, "store", store, "error", err)
	}
}

// lease asks the coordination whether this worker runs the store now
// (expenses: the one job for all stores, under a lease of its own).
func (d *daemon) lease(ctx context.Context, job, store string) (context.Context, func(), bool) {
	name := store
	if job == schedule.JobExpenses {
		name = coord.ExpensesLease
	}
	run, done, err := d.coord.Begin(ctx, name)
	if err != nil {
		d.o.Log.Debug("run skipped: not this worker's now", "job", job, "store", store, "reason", err.Error())
		return nil, nil, false
	}
	r := d.runner.Load()
	st, ok := r.Config.Store(store)
	if !ok || !st.Notify.Enabled() {
		return run, done, true
	}
	// The lease outlasts the run by the store's message pass, so the next
	// holder never sends a message this worker is sending.
	kept, notifier := *st, r.Notifier()
	return run, func() {
		go func() {
			notifier.Quiet(d.quiet, kept)
			done()
		}()
	}, true
}

// reload reads the config file again; a config with mistakes is refused
// and the running one kept.
func (d *daemon) reload(sched *schedule.Scheduler) {
	old := d.runner.Load().Config
	cfg, err := config.Load(old.Path)
	if err != nil {
		d.o.Log.Error("config reload refused; the previous config stays in force", "config", old.Path, "problems", err.Error())
		return
	}
	if cfg.DSN() != old.DSN() {
		d.o.Log.Warn("clickhouse settings changed; they take effect after a restart")
	}
	if !reflect.DeepEqual(cfg.Coordination, old.Coordination) {
		d.o.Log.Warn("coordination settings changed; they take effect after a restart")
	}
	if err := sched.Apply(cfg); err != nil {
		d.o.Log.Error("config reload refused; the previous schedule stays in force", "config", old.Path, "error", err)
		_ = sched.Apply(old)
		return
	}
	d.runner.Store(d.newRunner(cfg))
	if d.coord != nil {
		d.coord.Retain(func(store string) bool { _, ok := cfg.Store(store); return ok || store == coord.ExpensesLease })
	}
	d.o.Log.Info("config reloaded", "config", cfg.Path, "stores", len(cfg.Stores))
}

// expenses writes the expense entries of the month that yesterday (in the
// schedule's timezone) belongs to: on the 1st that closes the month before.
func (d *daemon) expenses(ctx context.Context) {
	r := d.runner.Load()
	loc, err := r.Config.Schedule.Location()
	if err != nil {
		loc = time.UTC
	}
	started := time.Now().UTC()
	y, m, day := started.In(loc).AddDate(0, 0, -1).Date()
	month := time.Date(y, m, day, 12, 0, 0, 0, time.UTC)
	sum, err := pipeline.GenerateExpenses(ctx, d.o.WH, month, nil, started)
	res := pipeline.StoreResult{Job: schedule.JobExpenses, Status: pipeline.StatusOK, New: sum.Charges + sum.Reversals,
		Unchanged: sum.Present, Duration: time.Since(started), Err: err}
	rec := clickhouse.Run{RunID: fmt.Sprintf("expenses-%d", started.UnixNano()), Job: schedule.JobExpenses,
		StartedAt: started, FinishedAt: started.Add(res.Duration), Status: pipeline.StatusOK,
		New: uint64(res.New), Unchanged: uint64(res.Unchanged), Worker: d.worker}
	if err != nil {
		res.Status, rec.Status, rec.Error = pipeline.StatusFailed, pipeline.StatusFailed, err.Error()
		d.o.Log.Error("expenses failed", "month", month.Format("2006-01"), "error", err)
	} else {
		d.o.Log.Info("expenses written", "month", month.Format("2006-01"), "charges", sum.Charges, "reversals", sum.Reversals, "present", sum.Present)
	}
	if err := d.o.WH.RecordRun(context.WithoutCancel(ctx), rec); err != nil {
		d.o.Log.Error("recording the expenses run failed", "error", err)
	}
	d.metrics.ObserveResult(res)
}

// loadLastSuccess starts the lag metrics from the warehouse's record.
func (d *daemon) loadLastSuccess(ctx context.Context) error {
	last, err := d.o.WH.LastSuccesses(ctx)
	if err != nil {
		return err
	}
	for k, at := range last {
		d.metrics.SetLastOK(k[0], k[1], at)
	}
	return nil
}

// endpoints: /healthz (the process answers), /readyz (ClickHouse answers
// SELECT 1, and with coordination the worker is in a ZooKeeper session),
// /metrics, and the accountants' workbooks under /reports/.
func (d *daemon) endpoints() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	var checks []func() error
	if d.coord != nil {
		checks = append(checks, func() error {
			if ok, why := d.coord.Ready(); !ok {
				return errors.New("zookeeper: " + why + "; no new runs start")
			}
			return nil
		})
	}
	mux.Handle("GET /readyz", readyHandler(d.o.WH, checks...))
	mux.Handle("GET /metrics", d.metrics.Handler())
	mux.Handle("GET /reports/", reports.Handler(d.o.WH))
	return mux
}

// readyHandler answers 200 when ClickHouse runs SELECT 1 within 2 seconds
// and every check passes, 503 with the reason otherwise (a check's error
// is short and holds no secret).
func readyHandler(wh *clickhouse.Warehouse, checks ...func() error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		err := wh.Ping(ctx)
		if err != nil {
			// The driver's error names the server address, never the password.
			if errors.Is(err, context.DeadlineExceeded) {
				err = errors.New("no answer within 2s")
			}
			http.Error(w, "clickhouse not reachable: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		for _, check := range checks {
			if err := check(); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		_, _ = io.WriteString(w, "ok\n")
	})
}
