package main

import (
	"context"
	"fmt"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kramar/kramar/pipeline"
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
			return withWarehouse(cmd, func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				progress, done := progressReporter(cmd.ErrOrStderr())
				results, err := (&pipeline.Runner{Warehouse: wh, Config: cfg, Progress: progress}).RunJob(ctx, pipeline.JobCatalog, stores...)
				done()
				if err != nil {
					return &exitError{2, err}
				}
				printSummary(cmd.OutOrStdout(), results)
				if n := failed(results); n > 0 {
					return &exitError{1, fmt.Errorf("%d of %d stores failed", n, len(results))}
				}
				return nil
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
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
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
