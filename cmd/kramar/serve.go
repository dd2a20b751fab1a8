package main

import (
	"context"
	"crypto/tls"
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
	"github.com/kramar/kramar/pipeline/console"
	"github.com/kramar/kramar/pipeline/console/pages"
	"github.com/kramar/kramar/pipeline/coord"
	"github.com/kramar/kramar/pipeline/metrics"
	"github.com/kramar/kramar/pipeline/schedule"
	"github.com/kramar/kramar/reports"
)

func serveCmd() *cobra.Command {
	var listen string
	cmd := command("serve [--listen 127.0.0.1:9108]",
		"Run every job on its schedule, with /healthz, /readyz, /metrics and /reports/",
		help("serve"),
		func(cmd *cobra.Command, _ []string) error {
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
			// As every command's config, and the web section's secrets too.
			cfg, err := config.LoadServe(configPath(cmd))
			if err != nil {
				return &exitError{2, err}
			}
			for _, w := range cfg.Warnings {
				log.Warn(w.String())
			}
			return withDSN(cmd, cfg.DSN(), cfg.ClusterName(), func(ctx context.Context, wh *clickhouse.Warehouse) error {
				return serve(ctx, serveOptions{Config: cfg, WH: wh, Listen: listen, Log: log, Reload: reload})
			})
		})
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:9108", "address of the console, /healthz, /readyz, /metrics and /reports/ (without web.users: a loopback address only)")
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
	// stopping ends when serve is told to stop: the console's backfills
	// stop with it (and resume when started again).
	stopping context.Context
	// sched runs the jobs; the console's "run now" goes through it.
	sched     atomic.Pointer[schedule.Scheduler]
	backfills backfills
}

// serve schedules every job until ctx ends, then stops gracefully.
func serve(ctx context.Context, o serveOptions) error {
	// Listening comes first: an address serve may not use stops it before
	// anything has started.
	ln, err := listen(o.Listen, o.Config.Web)
	if err != nil {
		return err
	}
	defer ln.Close()
	// One writer for the process: every store run's inserts, across
	// reloads, share its flushes.
	m := metrics.New(nil)
	o.WH = o.WH.Through(clickhouse.NewWriter(o.WH, clickhouse.WriterOptions{Interval: o.Config.ClickHouse.FlushInterval.Duration, Observe: m.ObserveFlush}))
	quiet, endQuiet := context.WithCancel(context.Background())
	defer endQuiet()
	d := &daemon{o: o, metrics: m, limiters: pipeline.NewLimiters(), quiet: quiet, stopping: ctx}
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
	d.sched.Store(sched)
	handler, err := d.endpoints()
	if err != nil {
		return &exitError{2, err}
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	web := o.Config.Web
	if web.TLSEnabled() {
		pair, err := tls.LoadX509KeyPair(web.TLS.CertFile, web.TLS.KeyFile)
		if err != nil {
			return &exitError{2, fmt.Errorf("web.tls: %w", err)}
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
		go func() { _ = srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { _ = srv.Serve(ln) }()
	}
	access := "open: no web.users, so this machine only"
	if web.Enabled() {
		access = "logins: " + web.Summary()
	}
	o.Log.Info("serving", "listen", ln.Addr().String(), "tls", web.TLSEnabled(), "access", access, "stores", len(o.Config.Stores), "config", o.Config.Path)
	if !web.Enabled() {
		o.Log.Warn("no web.users in the config: the endpoints, workbooks and metrics included, are open to anyone on this machine, and to nobody else")
	}
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
	cfg, err := config.LoadServe(old.Path)
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
	if !reflect.DeepEqual(cfg.Web, old.Web) {
		d.o.Log.Warn("web settings (users, sessions, TLS) changed; they take effect after a restart")
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

// listen opens the address of the endpoints. Without web.users they are
// open, so only a loopback address is allowed: the address actually
// bound is checked, so "localhost" resolving elsewhere or ":9108" (every
// interface) are refused as well.
func listen(addr string, web config.Web) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &exitError{2, fmt.Errorf("--listen %s: %w", addr, err)}
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !web.Enabled() && (!ok || !tcp.IP.IsLoopback()) {
		ln.Close()
		return nil, &exitError{2, fmt.Errorf("--listen %s is reachable from other machines, and the config has no web.users: "+
			"the workbooks (sales and buyers' data) and the metrics would be open to anyone who can reach it. "+
			"Add web.users (hashes from `kramar web hash-password`), or listen on 127.0.0.1", addr)}
	}
	return ln, nil
}

// endpoints: with web.users, the console's login in front of every route
// but /healthz and /readyz; without, every route open (on loopback).
func (d *daemon) endpoints() (http.Handler, error) {
	web := d.o.Config.Web
	if !web.Enabled() {
		return console.Open(d.routes()), nil
	}
	opts := console.Options{SessionTTL: web.SessionTTL.Duration, Secure: web.TLSEnabled(), Log: d.o.Log}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = config.DefaultSessionTTL
	}
	for _, u := range web.Users {
		hash, err := u.Hash()
		if err != nil {
			return nil, fmt.Errorf("web user %q: %w", u.Name, err)
		}
		opts.Users = append(opts.Users, console.User{Name: u.Name, Role: console.Role(u.Role), Hash: hash})
	}
	tok, err := web.MetricsToken()
	if err != nil {
		return nil, fmt.Errorf("web.metrics_token_env: %w", err)
	}
	opts.MetricsToken = tok
	c, err := console.New(opts)
	if err != nil {
		return nil, err
	}
	return c.Handler(d.routes()), nil
}

// routes: /healthz (the process answers), /readyz (ClickHouse answers
// SELECT 1, and with coordination the worker is in a ZooKeeper session),
// /metrics (ops, or Prometheus with the bearer token), and the
// accountants' workbooks under /reports/ (ops and accountants).
func (d *daemon) routes() []console.Route {
	var checks []func() error
	if d.coord != nil {
		checks = append(checks, func() error {
			if ok, why := d.coord.Ready(); !ok {
				return errors.New("zookeeper: " + why + "; no new runs start")
			}
			return nil
		})
	}
	return append([]console.Route{
		{Pattern: "GET /healthz", Open: true, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "ok\n")
		})},
		{Pattern: "GET /readyz", Open: true, Handler: readyHandler(d.o.WH, checks...)},
		{Pattern: "GET /metrics", Roles: []console.Role{console.Ops, console.Scraper}, Handler: d.metrics.Handler()},
		{Pattern: "GET /reports/", Roles: []console.Role{console.Ops, console.Accountant}, Handler: reports.Handler(d.o.WH)},
	}, append(d.pageRoutes(), d.actionRoutes()...)...)
}

// pageRoutes are the console's pages: the stores and a store's page for
// ops, the reports page (and the start page, which sends an accountant
// there) for both roles.
func (d *daemon) pageRoutes() []console.Route {
	var session pages.Session
	if d.o.Config != nil && d.o.Config.Web.Enabled() {
		session = viewerSession{}
	}
	h, err := pages.New(pages.Deps{Warehouse: d.o.WH, Config: func() *config.Config { return d.runner.Load().Config }, Session: session})
	if err != nil {
		// Only a missing warehouse or config; serve always has both.
		panic(err)
	}
	ops, both := []console.Role{console.Ops}, []console.Role{console.Ops, console.Accountant}
	home := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v, _ := console.ViewerFrom(r.Context()); !v.Is(console.Ops) {
			http.Redirect(w, r, "/reports", http.StatusSeeOther)
			return
		}
		h.ServeHTTP(w, r)
	})
	return []console.Route{
		{Pattern: "GET /{$}", Roles: both, Handler: home},
		{Pattern: "GET /stores/{id}", Roles: ops, Handler: h},
		{Pattern: "GET /reports", Roles: both, Handler: h},
		// The pages' CSS, script and icon hold no data; the login page uses them.
		{Pattern: "GET /assets/", Open: true, Handler: h},
		// Any other page is the pages' own "not found", in the console's frame.
		{Pattern: "GET /", Roles: both, Handler: h},
	}
}

// viewerSession tells the pages who is signed in, from the console's login.
type viewerSession struct{}

func (viewerSession) User(r *http.Request) (string, string) {
	v, _ := console.ViewerFrom(r.Context())
	return v.Name, string(v.Role)
}

func (viewerSession) CSRF(r *http.Request) string {
	v, _ := console.ViewerFrom(r.Context())
	return v.CSRF
}

// readyHandler answers 200 when ClickHouse runs SELECT 1 within 2 seconds
// and every check passes, 503 with the reason otherwise. It is open to
// anyone, so it says no more than that: the driver's error (an address)
// stays out of it, and a check's error is short and holds no secret.
func readyHandler(wh *clickhouse.Warehouse, checks ...func() error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := wh.Ping(ctx); err != nil {
			slog.Debug("readiness: clickhouse not reachable", "error", err)
			why := "no answer"
			if errors.Is(err, context.DeadlineExceeded) {
				why = "no answer within 2s"
			}
			http.Error(w, "clickhouse not reachable: "+why, http.StatusServiceUnavailable)
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
