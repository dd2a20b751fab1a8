package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

func pushCmd() *cobra.Command {
	var stores []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "push [--store ID]... [--dry-run]",
		Short: "Run one reverse cycle: CRM statuses, ТТН and stock to the marketplaces",
		Long: "Push sends what the CRM changed (crm_updates, crm_stock) and what the store's rules want\n" +
			"(auto_accept, auto_cancel, close) to each store that has push: in its config, or to the named\n" +
			"stores. Every call is in push_log (v_pushes for the current state of each). Exit code 0 when\n" +
			"every store's changes landed, 1 when some are still open (the next cycle tries them again), 2\n" +
			"for a bad config.\n\n" +
			"--dry-run prints the plan (order, action, from → to, ТТН, why) and changes nothing anywhere:\n" +
			"no request to a marketplace, no row in any table. From is the status the warehouse last saw.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			defer interruptible(cmd)()
			if dryRun {
				return planPush(cmd, stores)
			}
			return withWarehouse(cmd, func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				results, err := (&pipeline.Runner{Warehouse: wh, Config: cfg}).RunJob(ctx, pipeline.JobPush, stores...)
				return outcome(cmd.OutOrStdout(), results, err, printPushSummary, "have pushes still open or failed")
			})
		},
	}
	cmd.Flags().StringSliceVar(&stores, "store", nil, "only this store id (repeatable)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the plan; send nothing and write nothing")
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
