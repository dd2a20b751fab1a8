package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
)

// csvImport runs one CSV import: parse (rows without changed_at take the
// file's modification time, so importing the same file again gives the same
// rows), record the good rows, report each refused one, exit 1 if any.
// record returns how many rows were new.
func csvImport[T any](cmd *cobra.Command, path, what string,
	parse func(r io.Reader, name string, cfg *config.Config, stamp time.Time) ([]T, []error),
	record func(ctx context.Context, wh *clickhouse.Warehouse, rows []T) (int, error)) error {
	return withWarehouse(cmd, func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		stamp := time.Now()
		if fi, err := f.Stat(); err == nil {
			stamp = fi.ModTime()
		}
		rows, bad := parse(f, path, cfg, stamp)
		n, err := record(ctx, wh, rows)
		if err != nil {
			n, bad = 0, append(bad, err)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s: %d %s recorded, %d refused\n", path, n, what, len(bad))
		for _, e := range bad {
			fmt.Fprintln(cmd.OutOrStdout(), e)
		}
		if len(bad) > 0 {
			return &exitError{1, errors.New("some rows were refused")}
		}
		return nil
	})
}

// all records every row with write and counts them all.
func all[T any](write func(*clickhouse.Warehouse, context.Context, []T) error) func(context.Context, *clickhouse.Warehouse, []T) (int, error) {
	return func(ctx context.Context, wh *clickhouse.Warehouse, rows []T) (int, error) {
		return len(rows), write(wh, ctx, rows)
	}
}
