// Command kramar is the marketplace ETL pipeline: one binary, subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	_ "github.com/kramar/kramar/pipeline/connectors/all"
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	root := &cobra.Command{
		Use:           "kramar",
		Short:         "Marketplace orders into ClickHouse, and back",
		Long:          "kramar pulls orders, catalogs and royalties from Ukrainian marketplaces into a ClickHouse warehouse, idempotently, and pushes statuses, ТТН and stock back.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringP("config", "c", "", "config file (default $KRAMAR_CONFIG or ./kramar.yaml)")
	root.PersistentFlags().Bool("debug", false, "verbose logs")
	root.PersistentPreRun = func(cmd *cobra.Command, _ []string) {
		level := slog.LevelInfo
		if d, _ := cmd.Flags().GetBool("debug"); d {
			level = slog.LevelDebug
		}
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	}
	root.AddCommand(commands()...)
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "kramar:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

// commands are kramar's subcommands (help lists them by name); a command's
// own subcommands are added by its constructor.
func commands() []*cobra.Command {
	bench := benchCmd()
	bench.AddCommand(benchStoresCmd(), benchWorkbookCmd())
	return []*cobra.Command{
		runCmd(), serveCmd(), statusCmd(), backfillCmd(), pushCmd(), probeCmd(),
		orderCmd(), stockCmd(), productsCmd(), mappingsCmd(),
		reportCmd(), expensesCmd(), exportCmd(),
		configCmd(), migrateCmd(), inspectCmd(), webCmd(),
		demoCmd(), sandboxCmd(), bench,
	}
}

// configPath resolves --config, then $KRAMAR_CONFIG, then ./kramar.yaml.
func configPath(cmd *cobra.Command) string {
	p, _ := cmd.Flags().GetString("config")
	return config.ResolvePath(p)
}

// interruptible makes SIGINT and SIGTERM cancel cmd's context instead of
// killing the process, so a job stops where it can still record how far it
// got. Call the returned function when the command ends.
func interruptible(cmd *cobra.Command) (stop func()) {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	cmd.SetContext(ctx)
	return stop
}

// loadConfig loads the config (exit 2 on mistakes) and logs its warnings.
func loadConfig(cmd *cobra.Command) (*config.Config, error) {
	cfg, err := config.Load(configPath(cmd))
	if err != nil {
		return nil, &exitError{2, err}
	}
	for _, w := range cfg.Warnings {
		slog.Warn(w.String())
	}
	return cfg, nil
}

// loadWarehouseConfig loads the config of a command that only reads or
// writes the warehouse: exit 2 only when the file cannot be read or its
// clickhouse section is wrong. What is wrong with the stores does not matter
// here, so it is one warning line rather than a list.
func loadWarehouseConfig(cmd *cobra.Command) (*config.Config, error) {
	cfg, err := config.LoadWarehouse(configPath(cmd))
	if err != nil {
		return nil, &exitError{2, err}
	}
	var others int
	for _, w := range cfg.Warnings {
		if w.AboutWarehouse() {
			slog.Warn(w.String())
			continue
		}
		others++
		slog.Debug(w.String())
	}
	if others > 0 {
		slog.Warn(fmt.Sprintf("%s: %d problems outside the clickhouse section; they stop only the jobs that call the marketplaces (`kramar config check` lists them)", cfg.Path, others))
	}
	return cfg, nil
}

// withWarehouse runs fn with the loaded config and the migrated warehouse,
// which it closes afterwards. For jobs that call the marketplaces: every
// store must be right.
func withWarehouse(cmd *cobra.Command, fn func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	return withDSN(cmd, cfg.DSN(), cfg.ClusterName(), func(ctx context.Context, wh *clickhouse.Warehouse) error { return fn(ctx, cfg, wh) })
}

// withWarehouseOnly is withWarehouse for the commands that only read or write
// the warehouse: the clickhouse section (or $KRAMAR_CLICKHOUSE_DSN with no
// config file) is all they need.
func withWarehouseOnly(cmd *cobra.Command, fn func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error) error {
	cfg, err := loadWarehouseConfig(cmd)
	if err != nil {
		return err
	}
	return withDSN(cmd, cfg.DSN(), cfg.ClusterName(), func(ctx context.Context, wh *clickhouse.Warehouse) error { return fn(ctx, cfg, wh) })
}

// withDSN runs fn with the migrated warehouse at dsn (on cluster, "" = one
// server), which it closes afterwards.
func withDSN(cmd *cobra.Command, dsn, cluster string, fn func(ctx context.Context, wh *clickhouse.Warehouse) error) error {
	ctx := cmd.Context()
	wh, err := openWarehouse(ctx, dsn, cluster)
	if err != nil {
		return err
	}
	defer wh.Close()
	return fn(ctx, wh)
}

// openWarehouse connects and applies pending migrations (before every run).
func openWarehouse(ctx context.Context, dsn, cluster string) (*clickhouse.Warehouse, error) {
	if dsn == "" {
		return nil, &exitError{2, fmt.Errorf("no ClickHouse: set clickhouse.dsn in the config or KRAMAR_CLICKHOUSE_DSN")}
	}
	wh, err := clickhouse.Open(ctx, dsn, clickhouse.OnCluster(cluster))
	if err != nil {
		return nil, err
	}
	if _, err := wh.Migrate(ctx); err != nil {
		wh.Close()
		return nil, err
	}
	return wh, nil
}

// isTerminal tells whether w is a terminal (a bar or text logs) rather
// than a pipe or a file (log lines or JSON for machines).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// replaceFile writes path through a temporary file next to it, renamed into
// place once write succeeded, so a failure never leaves a half-written file
// under the name asked for. It returns the file's size.
func replaceFile(path string, write func(*os.File) error) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name()) // a no-op once renamed
	err = write(f)
	var size int64
	if err == nil {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil {
			size = st.Size()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	return size, err
}

// importCmd is an `import FILE.csv` subcommand that runs one CSV import:
// parse (rows without changed_at take the file's modification time, so
// importing the same file again gives the same rows), record the good rows
// (record returns how many were new), report each refused one, exit 1 if
// any; what names the rows in the report.
func importCmd[T any](short, long, what string,
	parse func(r io.Reader, name string, cfg *config.Config, stamp time.Time) ([]T, []error),
	record func(ctx context.Context, wh *clickhouse.Warehouse, rows []T) (int, error)) *cobra.Command {
	return &cobra.Command{
		Use: "import FILE.csv", Short: short, Long: long, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			return withWarehouseOnly(cmd, func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
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
		},
	}
}

// all records every row with write and counts them all.
func all[T any](write func(*clickhouse.Warehouse, context.Context, []T) error) func(context.Context, *clickhouse.Warehouse, []T) (int, error) {
	return func(ctx context.Context, wh *clickhouse.Warehouse, rows []T) (int, error) {
		return len(rows), write(wh, ctx, rows)
	}
}
