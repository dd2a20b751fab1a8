package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

func backfillCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "backfill", Short: "Load history or whole catalogs on demand"}
	var stores []string
	catalog := &cobra.Command{
		Use:   "catalog --store ID [--store ID]...",
		Short: "Load the stores' whole catalogs now (a YML feed or the marketplace API), with progress",
		Long: "Runs the catalog job for the named stores, as the nightly schedule would, showing a progress\n" +
			"bar on a terminal and a log line every few seconds otherwise. The new catalog becomes current\n" +
			"only when its whole load finished.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(stores) == 0 {
				return &exitError{2, fmt.Errorf("name the stores: --store ID")}
			}
			defer interruptible(cmd)()
			return withWarehouse(cmd, func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				progress, done := progressReporter(cmd.ErrOrStderr())
				results, err := (&pipeline.Runner{Warehouse: wh, Config: cfg, Progress: progress}).RunJob(ctx, pipeline.JobCatalog, stores...)
				done()
				return outcome(cmd.OutOrStdout(), results, err, printSummary, "failed")
			})
		},
	}
	catalog.Flags().StringSliceVar(&stores, "store", nil, "store id (repeatable)")
	cmd.AddCommand(catalog, backfillOrdersCmd())
	return cmd
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
	cmd := &cobra.Command{
		Use:   "orders --store ID --from DATE --to DATE [--slice 24h]",
		Short: "Load a past window of a store's orders, slice by slice, resuming where an interrupted run stopped",
		Long: "Reads the orders modified from --from to --to (dates are UTC days, both included; a full\n" +
			"RFC 3339 time is taken as it is) in slices of --slice, loading them as the order cycle does:\n" +
			"unchanged orders are not written again. The live cursor is not moved. Progress is kept per\n" +
			"window in extract_state (kind backfill, key orders:FROM..TO), so running the same command\n" +
			"again after an interruption resumes after the last finished slice; --restart reads it all.\n" +
			"Orders found are not announced (notify:): they are history.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if store == "" || from == "" || to == "" {
				return &exitError{2, fmt.Errorf("--store, --from and --to are required")}
			}
			start, err := parseDay(from, false)
			if err != nil {
				return &exitError{2, fmt.Errorf("--from: %w", err)}
			}
			end, err := parseDay(to, true)
			if err != nil {
				return &exitError{2, fmt.Errorf("--to: %w", err)}
			}
			defer interruptible(cmd)()
			return withWarehouse(cmd, func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				progress, done := backfillReporter(cmd.ErrOrStderr())
				res, err := (&pipeline.Runner{Warehouse: wh, Config: cfg}).BackfillOrders(ctx, pipeline.Backfill{
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
			})
		},
	}
	cmd.Flags().StringVar(&store, "store", "", "store id")
	cmd.Flags().StringVar(&from, "from", "", "first day (YYYY-MM-DD, UTC) or RFC 3339 time")
	cmd.Flags().StringVar(&to, "to", "", "last day, included (YYYY-MM-DD, UTC) or RFC 3339 time")
	cmd.Flags().DurationVar(&slice, "slice", 24*time.Hour, "how much of the window one slice reads")
	cmd.Flags().BoolVar(&restart, "restart", false, "forget the progress of an earlier run of this window")
	return cmd
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
