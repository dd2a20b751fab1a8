package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/coord"
)

// The jobs on demand: run, push, backfill and probe call the marketplaces
// now rather than on the schedule of kramar serve.

func runCmd() *cobra.Command {
	var once bool
	var stores []string
	var job string
	cmd := jobCmd("run --once [--job orders|catalog|reference] [--store ID]...",
		"Run one cycle of a job (orders by default) for every store (or the named ones)",
		help("run"),
		func(cmd *cobra.Command, _ []string) (warehouseWork, error) {
			if !once {
				return nil, &exitError{2, fmt.Errorf("only --once is available; the scheduler comes with `kramar serve`")}
			}
			return func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				runner, end, err := leasedRunner(ctx, cmd, &pipeline.Runner{Warehouse: wh, Config: cfg})
				if err != nil {
					return err
				}
				defer end()
				results, err := runner.RunJob(ctx, job, stores...)
				if err != nil {
					return &exitError{2, err}
				}
				// New-order messages go out after the rows are in; give them a
				// moment (any left stay queued for the next cycle).
				wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
				_ = runner.Notifier().Wait(wctx)
				cancel()
				return outcome(cmd.OutOrStdout(), results, nil, printSummary, "failed")
			}, nil
		})
	cmd.Flags().BoolVar(&once, "once", false, "run one cycle and exit")
	cmd.Flags().StringSliceVar(&stores, "store", nil, "only this store id (repeatable)")
	cmd.Flags().StringVar(&job, "job", pipeline.JobOrders, "job to run: "+strings.Join(pipeline.Jobs, ", "))
	return leaseWaitFlag(cmd)
}

// leaseWaitFlag adds --lease-wait to a one-shot job.
func leaseWaitFlag(cmd *cobra.Command) *cobra.Command {
	cmd.Flags().Duration("lease-wait", 2*time.Minute,
		"with coordination: how long to wait for a store that a kramar serve worker (or another command) is running")
	return cmd
}

// leasedRunner makes r the Runner of a one-shot job. With coordination
// in the config, each store runs under its lease in ZooKeeper, as a serve
// worker's does, so the command never runs a store at the same time as a
// worker; a store still held after --lease-wait is not run
// (skipped_held). Without ZooKeeper there is no lease, so nothing runs.
// end closes the session.
func leasedRunner(ctx context.Context, cmd *cobra.Command, r *pipeline.Runner) (*pipeline.Runner, func(), error) {
	c := r.Config.Coordination
	if !c.Enabled() {
		return r, func() {}, nil
	}
	wait, err := cmd.Flags().GetDuration("lease-wait")
	if err != nil {
		return nil, nil, &exitError{2, err}
	}
	host, _ := os.Hostname()
	name := fmt.Sprintf("%s (kramar %s, pid %d)", cmp.Or(host, "kramar"), cmd.Name(), os.Getpid())
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	h, err := coord.Dial(dctx, c.ZooKeeper, c.Root, name, c.SessionTimeout.Duration, slog.Default())
	if err != nil {
		return nil, nil, &exitError{2, err}
	}
	r.Worker = name
	r.Hold = func(ctx context.Context, store string) (context.Context, func(), error) {
		return h.Hold(ctx, store, wait)
	}
	return r, h.Close, nil
}

// outcome prints the stores' results and fails with exit code 1 when any
// store failed (failing says how), 2 when err says the job could not start.
func outcome(w io.Writer, rs []pipeline.StoreResult, err error, print func(io.Writer, []pipeline.StoreResult), failing string) error {
	if err != nil {
		return &exitError{2, err}
	}
	print(w, rs)
	if n := failed(rs); n > 0 {
		return &exitError{1, fmt.Errorf("%d of %d stores %s", n, len(rs), failing)}
	}
	return nil
}

func failed(rs []pipeline.StoreResult) int {
	n := 0
	for _, r := range rs {
		if !r.OK() {
			n++
		}
	}
	return n
}

func printSummary(w io.Writer, rs []pipeline.StoreResult) {
	printResults(w, rs, "fetched\tnew\tupdated\tunchanged\trejected\theld", func(r pipeline.StoreResult) []int {
		return []int{r.Fetched, r.New, r.Updated, r.Unchanged, r.Rejected, r.Held}
	})
}

// printResults prints one row per store: its name, marketplace and status,
// the counts columns names, and the seconds it took; then every error.
func printResults(w io.Writer, rs []pipeline.StoreResult, columns string, counts func(pipeline.StoreResult) []int) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "store\tmarketplace\tstatus\t%s\tseconds\t\n", columns)
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t", r.Store, r.Marketplace, r.Status)
		for _, n := range counts(r) {
			fmt.Fprintf(tw, "%d\t", n)
		}
		fmt.Fprintf(tw, "%.2f\t\n", r.Duration.Seconds())
	}
	tw.Flush()
	for _, r := range rs {
		if r.Err != nil {
			fmt.Fprintf(w, "%s: %v\n", r.Store, r.Err)
		}
	}
}

func pushCmd() *cobra.Command {
	var stores []string
	var dryRun bool
	cmd := jobCmd("push [--store ID]... [--dry-run]",
		"Run one reverse cycle: CRM statuses, ТТН and stock to the marketplaces",
		help("push"),
		func(cmd *cobra.Command, _ []string) (warehouseWork, error) {
			if dryRun {
				return nil, planPush(cmd, stores)
			}
			return func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				runner, end, err := leasedRunner(ctx, cmd, &pipeline.Runner{Warehouse: wh, Config: cfg})
				if err != nil {
					return err
				}
				defer end()
				results, err := runner.RunJob(ctx, pipeline.JobPush, stores...)
				return outcome(cmd.OutOrStdout(), results, err, printPushSummary, "have pushes still open or failed")
			}, nil
		})
	cmd.Flags().StringSliceVar(&stores, "store", nil, "only this store id (repeatable)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the plan; send nothing and write nothing")
	leaseWaitFlag(cmd)
	return cmd
}

// planPush prints what a push would send. It opens the warehouse without
// migrating it: a dry run writes nothing, even a schema.
func planPush(cmd *cobra.Command, stores []string) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	wh, err := clickhouse.Open(ctx, cfg.DSN(), clickhouse.OnCluster(cfg.ClusterName()))
	if err != nil {
		return err
	}
	defer wh.Close()
	plan, err := (&pipeline.Runner{Warehouse: wh, Config: cfg}).PlanPush(ctx, stores...)
	printPlan(cmd.OutOrStdout(), plan)
	return err
}

func printPlan(w io.Writer, plan []pipeline.PlannedPush) {
	if len(plan) == 0 {
		fmt.Fprintln(w, "nothing to push")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "store\torder / product\taction\tfrom → to\tТТН\twhy")
	for _, p := range plan {
		what, move := p.OrderID, cmp.Or(p.From, "-")+" → "+cmp.Or(p.To, "-")
		if p.Action == "stock" {
			what, move = p.Product, fmt.Sprintf("quantity %d", p.Qty)
		}
		why := p.Why
		if p.Refused != "" {
			why = "NOT SENT: " + p.Refused + " (" + p.Why + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Store, what, p.Action, move, cmp.Or(p.TTN, "-"), why)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d lines; dry run: nothing was sent and nothing was written\n", len(plan))
}

func printPushSummary(w io.Writer, rs []pipeline.StoreResult) {
	printResults(w, rs, "changes\tlanded\talready\trejected\topen\tstock sent", func(r pipeline.StoreResult) []int {
		return []int{r.Fetched, r.New, r.Unchanged, r.Rejected, r.Held, r.Updated}
	})
}

func backfillCmd() *cobra.Command {
	var stores []string
	catalog := jobCmd("catalog --store ID [--store ID]...",
		"Load the stores' whole catalogs now (a YML feed or the marketplace API), with progress",
		help("backfill-catalog"),
		func(cmd *cobra.Command, _ []string) (warehouseWork, error) {
			if len(stores) == 0 {
				return nil, &exitError{2, fmt.Errorf("name the stores: --store ID")}
			}
			return func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				progress, done := progressReporter(cmd.ErrOrStderr())
				runner, end, err := leasedRunner(ctx, cmd, &pipeline.Runner{Warehouse: wh, Config: cfg, Progress: progress})
				if err != nil {
					return err
				}
				defer end()
				results, err := runner.RunJob(ctx, pipeline.JobCatalog, stores...)
				done()
				return outcome(cmd.OutOrStdout(), results, err, printSummary, "failed")
			}, nil
		})
	catalog.Flags().StringSliceVar(&stores, "store", nil, "store id (repeatable)")
	leaseWaitFlag(catalog)
	return group("backfill", "Load history or whole catalogs on demand", "", catalog, backfillOrdersCmd())
}

// progressReporter draws a spinner-style bar of offers read on a terminal,
// and logs the count every 5 seconds elsewhere (cron, CI, files).
func progressReporter(w io.Writer) (pipeline.Progress, func()) {
	var mu sync.Mutex
	if isTerminal(w) {
		bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("offers"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("offers"),
			progressbar.OptionThrottle(100*time.Millisecond))
		last := map[string]int{}
		return func(store string, offers int) {
				mu.Lock()
				defer mu.Unlock()
				_ = bar.Add(offers - last[store])
				last[store] = offers
			}, func() {
				_ = bar.Finish()
				fmt.Fprintln(w)
			}
	}
	var next time.Time
	return func(store string, offers int) {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); now.After(next) {
			slog.Info("catalog load in progress", "store", store, "offers", offers)
			next = now.Add(5 * time.Second)
		}
	}, func() {}
}

func backfillOrdersCmd() *cobra.Command {
	var (
		store, from, to string
		slice           time.Duration
		restart         bool
	)
	cmd := jobCmd("orders --store ID --from DATE --to DATE [--slice 24h]",
		"Load a past window of a store's orders, slice by slice, resuming where an interrupted run stopped",
		help("backfill-orders"),
		func(cmd *cobra.Command, _ []string) (warehouseWork, error) {
			if store == "" || from == "" || to == "" {
				return nil, &exitError{2, fmt.Errorf("--store, --from and --to are required")}
			}
			start, err := parseDay(from, false)
			if err != nil {
				return nil, &exitError{2, fmt.Errorf("--from: %w", err)}
			}
			end, err := parseDay(to, true)
			if err != nil {
				return nil, &exitError{2, fmt.Errorf("--to: %w", err)}
			}
			return func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				runner, release, err := leasedRunner(ctx, cmd, &pipeline.Runner{Warehouse: wh, Config: cfg})
				if err != nil {
					return err
				}
				defer release()
				progress, done := backfillReporter(cmd.ErrOrStderr())
				res, err := runner.BackfillOrders(ctx, pipeline.Backfill{
					Store: store, From: start, To: end, Slice: slice, Restart: restart, Progress: progress})
				done()
				if err != nil {
					return &exitError{2, err}
				}
				printSummary(cmd.OutOrStdout(), []pipeline.StoreResult{res})
				if !res.OK() {
					return &exitError{1, fmt.Errorf("backfill of %s stopped; run the same command again to resume", store)}
				}
				return nil
			}, nil
		})
	cmd.Flags().StringVar(&store, "store", "", "store id")
	cmd.Flags().StringVar(&from, "from", "", "first day (YYYY-MM-DD, UTC) or RFC 3339 time")
	cmd.Flags().StringVar(&to, "to", "", "last day, included (YYYY-MM-DD, UTC) or RFC 3339 time")
	cmd.Flags().DurationVar(&slice, "slice", 24*time.Hour, "how much of the window one slice reads")
	cmd.Flags().BoolVar(&restart, "restart", false, "forget the progress of an earlier run of this window")
	return leaseWaitFlag(cmd)
}

// parseDay reads a UTC day (its first second, or its last with end) or an
// RFC 3339 time.
func parseDay(s string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return d, fmt.Errorf("%q is neither a date like 2026-01-31 nor a time like 2026-01-31T10:00:00Z", s)
	}
	if end {
		d = d.Add(24*time.Hour - time.Second)
	}
	return d, nil
}

// backfillReporter draws a bar of slices (with orders read and the time
// left) on a terminal, and logs a line per slice elsewhere.
func backfillReporter(w io.Writer) (func(pipeline.BackfillProgress), func()) {
	if isTerminal(w) {
		var bar *progressbar.ProgressBar
		return func(p pipeline.BackfillProgress) {
				if bar == nil {
					bar = progressbar.NewOptions(p.Slices, progressbar.OptionSetWriter(w), progressbar.OptionShowCount(),
						progressbar.OptionSetPredictTime(true), progressbar.OptionSetItsString("slices"),
						progressbar.OptionThrottle(100*time.Millisecond))
				}
				bar.Describe(fmt.Sprintf("%s: %d orders", p.Store, p.Fetched))
				_ = bar.Set(p.Done)
			}, func() {
				if bar != nil {
					_ = bar.Finish()
					fmt.Fprintln(w)
				}
			}
	}
	started := time.Now()
	first := -1
	return func(p pipeline.BackfillProgress) {
		if first < 0 {
			first = p.Done
		}
		eta := "-"
		if n := p.Done - first; n > 0 {
			eta = (time.Since(started) / time.Duration(n) * time.Duration(p.Slices-p.Done)).Round(time.Second).String()
		}
		slog.Info("backfill progress", "store", p.Store, "slices_done", p.Done, "slices", p.Slices,
			"orders", p.Fetched, "done_through", p.DoneThrough, "eta", eta)
	}, func() {}
}

func probeCmd() *cobra.Command {
	var stores []string
	var days int
	cmd := command("probe --store ID [--store ID]... [--days 30]",
		"Check a store's real API against what kramar expects, changing nothing",
		help("probe"),
		func(cmd *cobra.Command, _ []string) error {
			if len(stores) == 0 {
				return &exitError{2, fmt.Errorf("name the store to probe with --store ID")}
			}
			defer interruptible(cmd)()
			ctx := cmd.Context()
			// The warehouse is not needed: a seller may probe a store before
			// there is one.
			cfg, err := config.LoadStores(configPath(cmd))
			if err != nil {
				return &exitError{2, err}
			}
			runner := &pipeline.Runner{Config: cfg}
			failed := 0
			for _, id := range stores {
				rep, err := runner.Probe(ctx, id, days)
				if err != nil {
					return &exitError{2, err}
				}
				printProbe(cmd.OutOrStdout(), rep)
				if !rep.OK() {
					failed++
				}
			}
			if failed > 0 {
				return &exitError{1, fmt.Errorf("%d of %d stores miss something the pipeline needs", failed, len(stores))}
			}
			return nil
		})
	cmd.Flags().StringSliceVar(&stores, "store", nil, "store id to probe (repeatable)")
	cmd.Flags().IntVar(&days, "days", 30, "how far back to look for orders")
	return cmd
}

func printProbe(w io.Writer, rep pipeline.ProbeReport) {
	fmt.Fprintf(w, "probe %s (%s)\n", rep.Store, rep.Marketplace)
	for _, c := range rep.Calls {
		state := "ok"
		switch {
		case c.Failed():
			state = "FAIL"
		case len(c.Drift) > 0:
			state = "differs"
		}
		where := c.Call
		if c.Endpoint != "" {
			where += " — " + c.Endpoint
		}
		fmt.Fprintf(w, "  %-7s %s: ", state, where)
		switch {
		case c.Err != nil:
			fmt.Fprintf(w, "%v\n", c.Err)
			continue
		case len(c.Drift) == 0 && len(c.Rejects) == 0:
			fmt.Fprintf(w, "%s, as expected", records(c.Records))
		default:
			fmt.Fprint(w, records(c.Records))
		}
		if c.Note != "" {
			fmt.Fprintf(w, " (%s)", c.Note)
		}
		fmt.Fprintln(w)
		for _, e := range c.Drift {
			need := ""
			if e.Required && e.Kind == drift.Missing {
				need = "  NEEDED: orders without it are rejected"
			}
			fmt.Fprintf(w, "          %-14s %s: %s, in %d of %d, e.g. %s%s\n", e.Kind, e.Path, e.Describe(), e.Count, c.Records, example(e.Example), need)
		}
		for _, r := range c.Rejects {
			fmt.Fprintf(w, "          rejected       record %s, field %s: %s\n", r.RecordID, r.Field, r.Reason)
		}
	}
	verdict := "everything the pipeline needs is there"
	if !rep.OK() {
		verdict = "something the pipeline needs is missing (see FAIL above)"
	}
	fmt.Fprintf(w, "  result: %s\n", verdict)
}

func records(n int) string {
	if n == 1 {
		return "1 record"
	}
	return fmt.Sprintf("%d records", n)
}

func example(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
