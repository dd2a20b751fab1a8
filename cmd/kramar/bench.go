package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

func benchCmd() *cobra.Command {
	var orders, goods, pageSize, batchSize int
	var database, cpuProfile string
	cmd := &cobra.Command{
		Use:   "bench [--orders N | --catalog N]",
		Short: "Measure throughput and peak memory of the order or catalog job on a sandbox",
		Long: "Orders (default): starts the Prom sandbox in a child process with N orders in one store, then\n" +
			"runs the order job in this process twice (all new, then a full re-read, all unchanged).\n" +
			"--catalog N: starts the Rozetka sandbox with N catalog offers and runs the catalog job once.\n" +
			"Both run against $KRAMAR_CLICKHOUSE_DSN with rate limits off and print records/s and this\n" +
			"process's peak RSS. `make bench` runs both.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			b := &bench{out: out}
			defer b.close()
			if goods > 0 {
				password := randomToken()
				os.Setenv("KRAMAR_BENCH_PASSWORD", password)
				base, err := b.sandbox(ctx, fmt.Sprintf("%d offers", goods), "--marketplace", "rozetka",
					"--store", "bench@example.ua:"+password+"=0", "--goods", fmt.Sprint(goods))
				if err != nil {
					return err
				}
				store := fmt.Sprintf("marketplace: rozetka\n    base_url: %s\n    username: bench@example.ua\n    password_env: KRAMAR_BENCH_PASSWORD\n", base)
				r, err := b.setup(ctx, database, store, pageSize, batchSize, cpuProfile)
				if err != nil {
					return err
				}
				return b.measure(ctx, r, pipeline.JobCatalog, "catalog load", "offers", nil)
			}
			token := randomToken()
			os.Setenv("KRAMAR_BENCH_TOKEN", token)
			base, err := b.sandbox(ctx, fmt.Sprintf("%d orders", orders), "--store", fmt.Sprintf("%s=%d", token, orders))
			if err != nil {
				return err
			}
			store := fmt.Sprintf("marketplace: prom\n    base_url: %s/api/v1\n    token_env: KRAMAR_BENCH_TOKEN\n", base)
			r, err := b.setup(ctx, database, store, pageSize, batchSize, cpuProfile)
			if err != nil {
				return err
			}
			if err := b.measure(ctx, r, pipeline.JobOrders, "first run (all new)", "orders", nil); err != nil {
				return err
			}
			st := r.Config.Stores[0]
			// Re-read the whole history: every order comes back unchanged.
			rewind := func() error {
				return pipeline.Rewind(ctx, r.Warehouse, st, time.Now().Add(-st.InitialHistory.Duration))
			}
			return b.measure(ctx, r, pipeline.JobOrders, "second run (all unchanged)", "orders", rewind)
		},
	}
	cmd.Flags().IntVar(&orders, "orders", 100000, "orders in the sandbox store")
	cmd.Flags().IntVar(&goods, "catalog", 0, "measure the catalog job with this many offers instead")
	cmd.Flags().IntVar(&pageSize, "page-size", config.Default.PageSize, "orders per /orders/list page")
	cmd.Flags().IntVar(&batchSize, "batch-size", config.Default.BatchSize, "orders per insert")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the measured runs here")
	cmd.Flags().StringVar(&database, "database", "kramar_bench", "ClickHouse database (dropped first)")
	return cmd
}

// bench holds what one benchmark started, to stop it afterwards.
type bench struct {
	out     io.Writer
	cleanup []func()
}

func (b *bench) close() {
	for i := len(b.cleanup) - 1; i >= 0; i-- {
		b.cleanup[i]()
	}
}

// sandbox starts `kramar sandbox args…` as a child process (so its memory is
// not the pipeline's) and returns its address.
func (b *bench) sandbox(ctx context.Context, what string, args ...string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	child := exec.CommandContext(ctx, self, append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...)...)
	child.Stderr = io.Discard
	pipe, err := child.StdoutPipe()
	if err != nil {
		return "", err
	}
	started := time.Now()
	if err := child.Start(); err != nil {
		return "", err
	}
	b.cleanup = append(b.cleanup, func() { _ = child.Process.Signal(syscall.SIGTERM); _ = child.Wait() })
	line, err := bufio.NewReader(pipe).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("sandbox did not start: %w", err)
	}
	base := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	fmt.Fprintf(b.out, "sandbox: %s seeded and served in %.1fs at %s (separate process)\n", what, time.Since(started).Seconds(), base)
	return base, nil
}

// setup writes a one-store config, opens a fresh benchmark database and
// starts the CPU profile.
func (b *bench) setup(ctx context.Context, database, store string, pageSize, batchSize int, cpuProfile string) (*pipeline.Runner, error) {
	dsn, err := withDatabase(os.Getenv("KRAMAR_CLICKHOUSE_DSN"), database)
	if err != nil {
		return nil, &exitError{2, err}
	}
	dir, err := os.MkdirTemp("", "kramar-bench")
	if err != nil {
		return nil, err
	}
	b.cleanup = append(b.cleanup, func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "kramar.yaml")
	yaml := fmt.Sprintf("defaults:\n  rate_per_second: 0\n  initial_history: 2160h\n  page_size: %d\n  batch_size: %d\n"+
		"stores:\n  - id: bench\n    order_type: Роздріб\n    order_source: bench\n    %s", pageSize, batchSize, store)
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		return nil, err
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	wh, err := clickhouse.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	b.cleanup = append(b.cleanup, func() { wh.Close() })
	if err := wh.Conn().Exec(ctx, "DROP DATABASE IF EXISTS "+wh.Database()); err != nil {
		return nil, err
	}
	if _, err := wh.Migrate(ctx); err != nil {
		return nil, err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		b.cleanup = append(b.cleanup, func() { pprof.StopCPUProfile(); f.Close() })
	}
	return &pipeline.Runner{Warehouse: wh, Config: cfg}, nil
}

// measure runs one job once (after prepare, if any) and prints its rate and
// the process's peak RSS and CPU so far.
func (b *bench) measure(ctx context.Context, r *pipeline.Runner, job, label, unit string, prepare func() error) error {
	if prepare != nil {
		if err := prepare(); err != nil {
			return err
		}
	}
	res, err := r.RunJob(ctx, job)
	if err != nil {
		return err
	}
	x := res[0]
	if x.Err != nil {
		return x.Err
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Fprintf(b.out, "%-27s fetched %d, new %d, unchanged %d in %.2fs: %.0f %s/s; peak RSS so far %.1f MB, CPU %.1fs\n",
		label+":", x.Fetched, x.New, x.Unchanged, x.Duration.Seconds(), float64(x.Fetched)/x.Duration.Seconds(), unit,
		float64(ru.Maxrss)/1024, tv(ru.Utime)+tv(ru.Stime))
	return nil
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
