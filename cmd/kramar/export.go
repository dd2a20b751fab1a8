package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/export"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/reports"
)

// Files out of the warehouse: tables for analysts (export), workbooks for
// the accountants (report).

func exportCmd() *cobra.Command {
	var format, from, to, out, compression string
	cmd := warehouseCmd("export TABLE --out FILE [--format parquet|csv] [--from DATE] [--to DATE]",
		"Write a warehouse table or view to a Parquet or CSV file",
		"Writes the rows of TABLE to FILE for analysts. TABLE and the time --from (inclusive) and\n"+
			"--to (exclusive) filter it on:\n"+exportTables()+
			"--from and --to take a UTC date (2026-11-01) or an RFC 3339 time; Date columns compare by day.\n"+
			"Parquet: Arrow types (decimal128, timestamp UTC, date32, list<string>), zstd or snappy, a row\n"+
			"group per 65536 rows; Parquet keeps times in milliseconds and the Arrow schema\n"+
			"(timestamp[s, UTC]) for readers that restore it. CSV: UTF-8 with a BOM, a header row,\n"+
			"RFC 4180 quoting, decimals as 1234.50, times as 2026-11-20T09:30:00Z, arrays as JSON.\n"+
			"The format defaults to the file's extension (.csv, else parquet).",
		func(cmd *cobra.Command, args []string) (warehouseWork, error) {
			opt := export.Options{Table: args[0], Format: export.Format(format), Compression: export.Compression(compression)}
			if format == "" {
				opt.Format = export.Parquet
				if strings.EqualFold(filepath.Ext(out), ".csv") {
					opt.Format = export.CSV
				}
			}
			var err error
			if opt.From, err = parseBound("--from", from); err != nil {
				return nil, &exitError{2, err}
			}
			if opt.To, err = parseBound("--to", to); err != nil {
				return nil, &exitError{2, err}
			}
			return func(ctx context.Context, _ *config.Config, wh *clickhouse.Warehouse) error {
				var res export.Result
				_, err := replaceFile(out, func(f *os.File) (err error) {
					res, err = export.Export(ctx, wh, opt, f)
					return err
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %d rows, %d columns written to %s (%s)\n", opt.Table, res.Rows, res.Columns, out, opt.Format)
				if res.Rows == 0 {
					// The usual cause is a DSN naming another database than the
					// one the pipeline loads (clickhouse://host:9000/kramar).
					what := "is empty"
					if !opt.From.IsZero() || !opt.To.IsZero() {
						what = "has no rows in that time range"
					}
					fmt.Fprintf(cmd.ErrOrStderr(), "%s %s in database %q; is that the database the pipeline loads (the path of the DSN)?\n", opt.Table, what, wh.Database())
				}
				return nil
			}, nil
		})
	cmd.Args = cobra.ExactArgs(1)
	cmd.Flags().StringVar(&out, "out", "", "file to write (required)")
	cmd.Flags().StringVar(&format, "format", "", "parquet or csv (default: from the file's extension)")
	cmd.Flags().StringVar(&from, "from", "", "first day (or RFC 3339 time) to include, UTC")
	cmd.Flags().StringVar(&to, "to", "", "first day (or RFC 3339 time) to leave out, UTC")
	cmd.Flags().StringVar(&compression, "compression", string(export.Zstd), "Parquet compression: zstd or snappy")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// exportTables lists the exportable tables with the time they filter on.
func exportTables() string {
	var b strings.Builder
	for _, name := range export.Tables() {
		col := export.PeriodColumn(name)
		if col == "" {
			col = "(no time filter)"
		}
		fmt.Fprintf(&b, "  %-22s %s\n", name, col)
	}
	return b.String()
}

// parseBound reads a UTC date (2026-11-01) or an RFC 3339 time; "" is no bound.
func parseBound(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want a date like 2026-11-01 or a time like 2026-11-01T09:00:00Z", flag, s)
	}
	return t.UTC(), nil
}

func reportCmd() *cobra.Command {
	var month, out string
	var stores []string
	cmd := warehouseCmd("report "+strings.Join(reports.Names(), "|")+" [--month YYYY-MM] [--store ID]... [--out FILE.xlsx]",
		"Write an Excel report for the accountants (expenses, orders per day, royalties)",
		"expenses:  the month's expense entries (v_expenses): a summary per store and kind, a sheet per store.\n"+
			"orders:    orders, revenue and cancellations per day (UTC) and marketplace, with a revenue chart.\n"+
			"royalties: the marketplace's commission (CPA, ProSale) on each of the month's orders.\n"+
			"The month defaults to the current one, the file to kramar-REPORT-YYYY-MM.xlsx. Only ClickHouse is\n"+
			"needed: the DSN comes from the config, or from $KRAMAR_CLICKHOUSE_DSN when there is no config file.",
		func(cmd *cobra.Command, args []string) (warehouseWork, error) {
			report, ok := reports.Lookup(args[0])
			if !ok {
				return nil, &exitError{2, fmt.Errorf("unknown report %q; reports: %s", args[0], strings.Join(reports.Names(), ", "))}
			}
			p := reports.Params{Month: reports.MonthOf(time.Now()), Stores: stores}
			if month != "" {
				m, err := reports.ParseMonth(month)
				if err != nil {
					return nil, &exitError{2, err}
				}
				p.Month = m
			}
			if out == "" {
				out = reports.FileName(args[0], p.Month)
			}
			return func(ctx context.Context, _ *config.Config, wh *clickhouse.Warehouse) error {
				started := time.Now()
				size, err := writeReport(ctx, report, wh, p, out)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s report for %s, %.1f MB in %.1fs\n",
					out, args[0], p.Month.Format("2006-01"), float64(size)/1e6, time.Since(started).Seconds())
				return nil
			}, nil
		})
	cmd.Args, cmd.ValidArgs = cobra.ExactArgs(1), reports.Names()
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
