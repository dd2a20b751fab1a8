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
func csvImport(cmd *cobra.Command, path, what string,
	load func(ctx context.Context, r io.Reader, cfg *config.Config, wh *clickhouse.Warehouse, stamp time.Time) (int, []error)) error {
	cfg, wh, err := openAll(cmd.Context(), configPath(cmd))
	if err != nil {
		return err
	}
	defer wh.Close()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	stamp := time.Now()
	if fi, err := f.Stat(); err == nil {
		stamp = fi.ModTime()
	}
	n, bad := load(cmd.Context(), f, cfg, wh, stamp)
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %d %s recorded, %d refused\n", path, n, what, len(bad))
	for _, e := range bad {
		fmt.Fprintln(cmd.OutOrStdout(), e)
	}
	if len(bad) > 0 {
		return &exitError{1, errors.New("some rows were refused")}
	}
	return nil
}
