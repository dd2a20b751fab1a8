package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

func runCmd() *cobra.Command {
	var once bool
	var stores []string
	var job string
	cmd := &cobra.Command{
		Use:   "run --once [--job orders|catalog|reference] [--store ID]...",
		Short: "Run one cycle of a job (orders by default) for every store (or the named ones)",
		Long: "Run pulls changed orders from each store, transforms them and loads them into ClickHouse,\n" +
			"then prints a per-store summary. Exit code 0 when every store succeeded, 1 when any failed\n" +
			"(the others are still loaded), 2 for a bad config. The scheduler daemon is `kramar serve`.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !once {
				return &exitError{2, fmt.Errorf("only --once is available; the scheduler comes with `kramar serve`")}
			}
			defer interruptible(cmd)()
			return withWarehouse(cmd, func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				runner := &pipeline.Runner{Warehouse: wh, Config: cfg}
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
			})
		},
	}
	cmd.Flags().BoolVar(&once, "once", false, "run one cycle and exit")
	cmd.Flags().StringSliceVar(&stores, "store", nil, "only this store id (repeatable)")
	cmd.Flags().StringVar(&job, "job", pipeline.JobOrders, "job to run: "+strings.Join(pipeline.Jobs, ", "))
	return cmd
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
