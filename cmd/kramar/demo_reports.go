package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/reports"
)

// demoReports writes the month's expenses and orders workbooks into
// $TMPDIR/kramar-demo-reports (the same folder every run, outside the source
// tree) and says where they are.
func demoReports(ctx context.Context, out io.Writer, wh *clickhouse.Warehouse, month time.Time) error {
	dir := filepath.Join(os.TempDir(), "kramar-demo-reports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	month = reports.MonthOf(month)
	sum, err := pipeline.GenerateExpenses(ctx, wh, month, nil, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Expense rows for %s from the Prom commissions (`kramar expenses generate`): %d charges, %d reversals\n",
		month.Format("2006-01"), sum.Charges, sum.Reversals)
	fmt.Fprintf(out, "Excel reports for %s (`kramar report NAME --month %s`):\n", month.Format("2006-01"), month.Format("2006-01"))
	for _, name := range []string{"expenses", "orders"} {
		report, _ := reports.Lookup(name)
		path := filepath.Join(dir, reports.FileName(name, month))
		size, err := writeReport(ctx, report, wh, reports.Params{Month: month}, path)
		if err != nil {
			return fmt.Errorf("%s report: %w", name, err)
		}
		fmt.Fprintf(out, "  %-9s %s (%d KB)\n", name, path, size/1024)
	}
	fmt.Fprintln(out)
	return nil
}
