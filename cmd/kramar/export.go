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
)

func exportCmd() *cobra.Command {
	var format, from, to, out, compression string
	cmd := &cobra.Command{
		Use:   "export TABLE --out FILE [--format parquet|csv] [--from DATE] [--to DATE]",
		Short: "Write a warehouse table or view to a Parquet or CSV file",
		Long: "Writes the rows of TABLE to FILE for analysts. TABLE and the time --from (inclusive) and\n" +
			"--to (exclusive) filter it on:\n" + exportTables() +
			"--from and --to take a UTC date (2026-11-01) or an RFC 3339 time; Date columns compare by day.\n" +
			"Parquet: Arrow types (decimal128, timestamp UTC, date32, list<string>), zstd or snappy, a row\n" +
			"group per 65536 rows; Parquet keeps times in milliseconds and the Arrow schema\n" +
			"(timestamp[s, UTC]) for readers that restore it. CSV: UTF-8 with a BOM, a header row,\n" +
			"RFC 4180 quoting, decimals as 1234.50, times as 2026-11-20T09:30:00Z, arrays as JSON.\n" +
			"The format defaults to the file's extension (.csv, else parquet).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt := export.Options{Table: args[0], Format: export.Format(format), Compression: export.Compression(compression)}
			if format == "" {
				opt.Format = export.Parquet
				if strings.EqualFold(filepath.Ext(out), ".csv") {
					opt.Format = export.CSV
				}
			}
			var err error
			if opt.From, err = parseBound("--from", from); err != nil {
				return &exitError{2, err}
			}
			if opt.To, err = parseBound("--to", to); err != nil {
				return &exitError{2, err}
			}
			return withWarehouseOnly(cmd, func(ctx context.Context, _ *config.Config, wh *clickhouse.Warehouse) error {
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
			})
		},
	}
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
