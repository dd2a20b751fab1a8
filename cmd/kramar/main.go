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

// command declares a subcommand. It takes no arguments unless Args is set
// after, so that a stray word is refused rather than ignored.
func command(use, short, long string, run func(cmd *cobra.Command, args []string) error) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Long: long, Args: cobra.NoArgs, RunE: run}
}

// group is a command that only holds subcommands.
func group(use, short, long string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Long: long}
	cmd.AddCommand(subs...)
	return cmd
}

// warehouseWork is what a command does with the loaded config and the open,
// migrated warehouse.
type warehouseWork func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error

// prepareFunc reads a command's flags and arguments and returns its work,
// or nil when there is nothing the warehouse is needed for. It runs before
// the config is read, so that a mistake in the flags exits 2 before
// anything is opened.
type prepareFunc func(cmd *cobra.Command, args []string) (warehouseWork, error)

// warehouseCmd is a command of no arguments (set Args for others) that only
// reads or writes the warehouse: see withWarehouseOnly.
func warehouseCmd(use, short, long string, prepare prepareFunc) *cobra.Command {
	return preparedCmd(use, short, long, false, prepare)
}

// jobCmd is warehouseCmd for a job that calls the marketplaces: every store
// must be right (withWarehouse), and SIGINT or SIGTERM stops the job where it
// can still record how far it got (interruptible).
func jobCmd(use, short, long string, prepare prepareFunc) *cobra.Command {
	return preparedCmd(use, short, long, true, prepare)
}

func preparedCmd(use, short, long string, job bool, prepare prepareFunc) *cobra.Command {
	with := withWarehouseOnly
	if job {
		with = withWarehouse
	}
	return command(use, short, long, func(cmd *cobra.Command, args []string) error {
		if job {
			defer interruptible(cmd)()
		}
		work, err := prepare(cmd, args)
		if err != nil || work == nil {
			return err
		}
		return with(cmd, work)
	})
}

// withWarehouse runs work with the loaded config and the migrated warehouse,
// which it closes afterwards. For jobs that call the marketplaces: every
// store must be right.
func withWarehouse(cmd *cobra.Command, work warehouseWork) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	return withDSN(cmd, cfg.DSN(), cfg.ClusterName(), func(ctx context.Context, wh *clickhouse.Warehouse) error { return work(ctx, cfg, wh) })
}

// withWarehouseOnly is withWarehouse for the commands that only read or write
// the warehouse: the clickhouse section (or $KRAMAR_CLICKHOUSE_DSN with no
// config file) is all they need.
func withWarehouseOnly(cmd *cobra.Command, work warehouseWork) error {
	cfg, err := loadWarehouseConfig(cmd)
	if err != nil {
		return err
	}
	return withDSN(cmd, cfg.DSN(), cfg.ClusterName(), func(ctx context.Context, wh *clickhouse.Warehouse) error { return work(ctx, cfg, wh) })
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
