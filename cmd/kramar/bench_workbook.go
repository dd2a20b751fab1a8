package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/reports"
)

// benchMonth is the month the workbook benchmark books its entries in.
var benchMonth = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func benchWorkbookCmd() *cobra.Command {
	var rows int
	var database string
	cmd := &cobra.Command{
		Use:   "workbook [--rows N]",
		Short: "Measure the expenses workbook: N entries from ClickHouse into an .xlsx, time, size and peak RSS",
		Long: "Fills a fresh database in $KRAMAR_CLICKHOUSE_DSN with N expense entries (three stores, one month),\n" +
			"writes the expenses workbook to a temporary file and prints rows, seconds, file size and this\n" +
			"process's peak RSS.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, out := cmd.Context(), cmd.OutOrStdout()
			wh, err := freshBenchWarehouse(ctx, database)
			if err != nil {
				return err
			}
			defer wh.Close()
			started := time.Now()
			if err := wh.SeedExpenses(ctx, benchMonth, rows); err != nil {
				return err
			}
			fmt.Fprintf(out, "inserted %d expense entries in %.1fs (INSERT … SELECT in ClickHouse)\n", rows, time.Since(started).Seconds())

			dir, err := os.MkdirTemp("", "kramar-workbook")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			path := filepath.Join(dir, reports.FileName("expenses", benchMonth))
			f, err := os.Create(path)
			if err != nil {
				return err
			}
			defer f.Close()
			started = time.Now()
			w := bufio.NewWriterSize(f, 1<<20)
			if err := reports.Expenses(ctx, w, wh, reports.Params{Month: benchMonth}); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
			secs := time.Since(started).Seconds()
			st, err := f.Stat()
			if err != nil {
				return err
			}
			var ru syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			fmt.Fprintf(out, "expenses workbook: %d rows in %.1fs (%.0f rows/s), file %.1f MB, peak RSS %.1f MB, CPU %.1fs\n",
				rows, secs, float64(rows)/secs, float64(st.Size())/1e6, float64(ru.Maxrss)/1024, tv(ru.Utime)+tv(ru.Stime))
			return nil
		},
	}
	cmd.Flags().IntVar(&rows, "rows", 1000000, "expense entries to write")
	cmd.Flags().StringVar(&database, "database", "kramar_bench_workbook", "ClickHouse database (dropped first)")
	return cmd
}
