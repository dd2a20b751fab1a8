package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/reports"
)

func reportCmd() *cobra.Command {
	var month, out string
	var stores []string
	cmd := &cobra.Command{
		Use:   "report " + strings.Join(reports.Names(), "|") + " [--month YYYY-MM] [--store ID]... [--out FILE.xlsx]",
		Short: "Write an Excel report for the accountants (expenses, orders per day, royalties)",
		Long: "expenses:  the month's expense entries (v_expenses): a summary per store and kind, a sheet per store.\n" +
			"orders:    orders, revenue and cancellations per day (UTC) and marketplace, with a revenue chart.\n" +
			"royalties: the marketplace's commission (CPA, ProSale) on each of the month's orders.\n" +
			"The month defaults to the current one, the file to kramar-REPORT-YYYY-MM.xlsx. Only ClickHouse is\n" +
			"needed: the DSN comes from the config, or from $KRAMAR_CLICKHOUSE_DSN when there is no config file.",
		Args:      cobra.ExactArgs(1),
		ValidArgs: reports.Names(),
		RunE: func(cmd *cobra.Command, args []string) error {
			report, ok := reports.Lookup(args[0])
			if !ok {
				return &exitError{2, fmt.Errorf("unknown report %q; reports: %s", args[0], strings.Join(reports.Names(), ", "))}
			}
			p := reports.Params{Month: reports.MonthOf(time.Now()), Stores: stores}
			if month != "" {
				m, err := reports.ParseMonth(month)
				if err != nil {
					return &exitError{2, err}
				}
				p.Month = m
			}
			if out == "" {
				out = reports.FileName(args[0], p.Month)
			}
			return withWarehouseOnly(cmd, func(ctx context.Context, _ *config.Config, wh *clickhouse.Warehouse) error {
				started := time.Now()
				size, err := writeReport(ctx, report, wh, p, out)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s report for %s, %.1f MB in %.1fs\n",
					out, args[0], p.Month.Format("2006-01"), float64(size)/1e6, time.Since(started).Seconds())
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&month, "month", "", "month to report, YYYY-MM (default: the current month, UTC)")
	cmd.Flags().StringSliceVar(&stores, "store", nil, "only this store id (repeatable)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "file to write (default kramar-REPORT-YYYY-MM.xlsx)")
	return cmd
}

// writeReport writes the report to out through replaceFile: a failed
// report leaves no half-written workbook.
func writeReport(ctx context.Context, report reports.Report, wh *clickhouse.Warehouse, p reports.Params, out string) (int64, error) {
	return replaceFile(out, func(f *os.File) error { return report(ctx, f, wh, p) })
}
