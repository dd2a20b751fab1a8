package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

func benchCmd() *cobra.Command {
	var orders int
	var database string
	var pageSize, batchSize int
	var cpuProfile string
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure extract+transform+load throughput and peak memory on the Prom sandbox",
		Long: "Starts the Prom sandbox in a child process with N orders in one store, then runs the order\n" +
			"job in this process twice (all new, then all unchanged) against $KRAMAR_CLICKHOUSE_DSN with\n" +
			"rate limits off, and prints orders/s and this process's peak RSS. `make bench` wraps it.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			dsn, err := withDatabase(os.Getenv("KRAMAR_CLICKHOUSE_DSN"), database)
			if err != nil {
				return &exitError{2, err}
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			token := randomToken()
			child := exec.CommandContext(ctx, self, "sandbox", "--addr", "127.0.0.1:0", "--store", fmt.Sprintf("%s=%d", token, orders))
			child.Stderr = os.Stderr
			pipe, err := child.StdoutPipe()
			if err != nil {
				return err
			}
			seedStart := time.Now()
			if err := child.Start(); err != nil {
				return err
			}
			defer func() { _ = child.Process.Signal(syscall.SIGTERM); _ = child.Wait() }()
			line, err := bufio.NewReader(pipe).ReadString('\n')
			if err != nil {
				return fmt.Errorf("sandbox did not start: %w", err)
			}
			base := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
			fmt.Fprintf(out, "sandbox: %d orders seeded and served in %.1fs at %s (separate process)\n", orders, time.Since(seedStart).Seconds(), base)

			dir, err := os.MkdirTemp("", "kramar-bench")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			os.Setenv("KRAMAR_BENCH_TOKEN", token)
			path := filepath.Join(dir, "kramar.yaml")
			yaml := fmt.Sprintf(`defaults:
  rate_per_second: 0
  initial_history: 2160h
  page_size: %d
  batch_size: %d
stores:
  - id: bench
    marketplace: prom
    base_url: %s/api/v1
    token_env: KRAMAR_BENCH_TOKEN
    order_type: Роздріб
    order_source: Prom.ua
`, pageSize, batchSize, base)
			if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
				return err
			}
			cfg, err := config.Load(path)
			if err != nil {
				return err
			}
			wh, err := openWarehouse(ctx, dsn)
			if err != nil {
				return err
			}
			defer wh.Close()
			if err := wh.Conn().Exec(ctx, "DROP DATABASE IF EXISTS "+wh.Database()); err != nil {
				return err
			}
			if _, err := wh.Migrate(ctx); err != nil {
				return err
			}
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			r := &pipeline.Runner{Warehouse: wh, Config: cfg}
			for i, label := range []string{"first run (all new)", "second run (all unchanged)"} {
				if i == 1 {
					// Re-read the whole history: every order comes back unchanged.
					if err := pipeline.Rewind(ctx, wh, cfg.Stores[0], time.Now().Add(-cfg.Stores[0].InitialHistory.Duration)); err != nil {
						return err
					}
				}
				res, err := r.RunOnce(ctx)
				if err != nil {
					return err
				}
				x := res[0]
				if x.Err != nil {
					return x.Err
				}
				fmt.Fprintf(out, "%-27s fetched %d, new %d, unchanged %d in %.2fs: %.0f orders/s\n", label+":",
					x.Fetched, x.New, x.Unchanged, x.Duration.Seconds(), float64(x.Fetched)/x.Duration.Seconds())
			}
			var ru syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			fmt.Fprintf(out, "pipeline process: peak RSS %.1f MB (getrusage ru_maxrss), CPU %.1fs user + %.1fs system over both runs\n",
				float64(ru.Maxrss)/1024, tv(ru.Utime), tv(ru.Stime))
			return nil
		},
	}
	cmd.Flags().IntVar(&orders, "orders", 100000, "orders in the sandbox store")
	cmd.Flags().IntVar(&pageSize, "page-size", 100, "orders per /orders/list page")
	cmd.Flags().IntVar(&batchSize, "batch-size", config.Default.BatchSize, "orders per insert")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the pipeline runs here")
	cmd.Flags().StringVar(&database, "database", "kramar_bench", "ClickHouse database (dropped first)")
	return cmd
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
