package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/sandbox/feedgen"
)

func benchCmd() *cobra.Command {
	var orders, goods, offers, pageSize, batchSize int
	var database, cpuProfile string
	cmd := &cobra.Command{
		Use:   "bench [--orders N | --catalog N | --feed N]",
		Short: "Measure throughput and peak memory of the order or catalog job on a sandbox",
		Long: "Orders (default): starts the Prom sandbox in a child process with N orders in one store, then\n" +
			"runs the order job in this process twice (all new, then a full re-read, all unchanged).\n" +
			"--catalog N: starts the Rozetka sandbox with N catalog offers and runs the catalog job once.\n" +
			"--feed N: writes a Prom YML feed of N offers, loads it with the catalog job, parses it alone,\n" +
			"and runs Python's xml.etree.ElementTree.iterparse over the same file for comparison.\n" +
			"Both run against $KRAMAR_CLICKHOUSE_DSN with rate limits off and print records/s and this\n" +
			"process's peak RSS. `make bench` runs both.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			b := &bench{out: out}
			defer b.close()
			if offers > 0 {
				return b.feed(ctx, database, offers, cpuProfile)
			}
			// Orders are measured on Prom's API, the catalog on Rozetka's.
			secret := randomToken()
			what, env := fmt.Sprintf("%d orders", orders), "KRAMAR_BENCH_TOKEN"
			args := []string{"--store", fmt.Sprintf("%s=%d", secret, orders)}
			store := "marketplace: prom\n    base_url: {url}/api/v1\n    token_env: KRAMAR_BENCH_TOKEN\n"
			if goods > 0 {
				what, env = fmt.Sprintf("%d offers", goods), "KRAMAR_BENCH_PASSWORD"
				args = []string{"--marketplace", "rozetka", "--store", "bench@example.ua:" + secret + "=0", "--goods", fmt.Sprint(goods)}
				store = "marketplace: rozetka\n    base_url: {url}\n    username: bench@example.ua\n    password_env: KRAMAR_BENCH_PASSWORD\n"
			}
			os.Setenv(env, secret)
			base, err := b.sandbox(ctx, what, args...)
			if err != nil {
				return err
			}
			r, err := b.setup(ctx, database, strings.ReplaceAll(store, "{url}", base), pageSize, batchSize, cpuProfile)
			if err != nil {
				return err
			}
			if goods > 0 {
				return b.measure(ctx, r, pipeline.JobCatalog, "catalog load", "offers", nil)
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
	cmd.Flags().IntVar(&offers, "feed", 0, "measure a YML feed of this many offers instead: parse+load, parse alone, and Python's iterparse")
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
	yaml := fmt.Sprintf("defaults:\n  rate_per_second: 0\n  initial_history: 2160h\n  page_size: %d\n  batch_size: %d\n"+
		"stores:\n  - id: bench\n    order_type: Роздріб\n    order_source: bench\n    %s", pageSize, batchSize, store)
	r, err := b.runner(ctx, database, yaml)
	if err != nil || cpuProfile == "" {
		return r, err
	}
	f, err := os.Create(cpuProfile)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, err
	}
	b.cleanup = append(b.cleanup, func() { pprof.StopCPUProfile(); f.Close() })
	return r, nil
}

// runner writes the config yaml to a temporary file and runs it on a fresh
// benchmark database.
func (b *bench) runner(ctx context.Context, database, yaml string) (*pipeline.Runner, error) {
	dir, err := os.MkdirTemp("", "kramar-bench")
	if err != nil {
		return nil, err
	}
	b.cleanup = append(b.cleanup, func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "kramar.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		return nil, err
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	wh, err := freshBenchWarehouse(ctx, database)
	if err != nil {
		return nil, err
	}
	b.cleanup = append(b.cleanup, func() { wh.Close() })
	return &pipeline.Runner{Warehouse: wh, Config: cfg}, nil
}

// freshBenchWarehouse opens database on the server in $KRAMAR_CLICKHOUSE_DSN,
// emptied and migrated.
func freshBenchWarehouse(ctx context.Context, database string) (*clickhouse.Warehouse, error) {
	dsn, err := withDatabase(os.Getenv("KRAMAR_CLICKHOUSE_DSN"), database)
	if err != nil {
		return nil, &exitError{2, err}
	}
	wh, err := clickhouse.Open(ctx, dsn, clickhouse.OnCluster(os.Getenv(config.EnvClickHouseCluster)))
	if err != nil {
		return nil, err
	}
	if err := wh.DropDatabase(ctx); err == nil {
		_, err = wh.Migrate(ctx)
	}
	if err != nil {
		wh.Close()
		return nil, err
	}
	return wh, nil
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

// feed measures the YML path: generate a feed file, load it (parse,
// transform, insert) in this process, parse it alone, and let Python's
// iterparse count its offers.
func (b *bench) feed(ctx context.Context, database string, offers int, cpuProfile string) error {
	dir, err := os.MkdirTemp("", "kramar-feed")
	if err != nil {
		return err
	}
	b.cleanup = append(b.cleanup, func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "feed.xml")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	started := time.Now()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := feedgen.WriteYML(bw, feedgen.Options{Offers: offers, Seed: 1}); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	f.Close()
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	mb := float64(st.Size()) / 1e6
	fmt.Fprintf(b.out, "feed: %d offers, %.0f MB written in %.1fs (%s)\n", offers, mb, time.Since(started).Seconds(), path)

	store := fmt.Sprintf("marketplace: prom\n    token_env: KRAMAR_BENCH_TOKEN\n    feed_url: %s\n", path)
	os.Setenv("KRAMAR_BENCH_TOKEN", "unused")
	r, err := b.setup(ctx, database, store, config.Default.PageSize, config.Default.BatchSize, cpuProfile)
	if err != nil {
		return err
	}
	res, err := r.RunJob(ctx, pipeline.JobCatalog)
	if err != nil {
		return err
	}
	if res[0].Err != nil {
		return res[0].Err
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	load := res[0].Duration.Seconds()
	fmt.Fprintf(b.out, "parse+transform+load into ClickHouse: %d offers in %.1fs, %.0f MB/s, peak RSS %.1f MB\n",
		res[0].New, load, mb/load, float64(ru.Maxrss)/1024)

	in, err := os.Open(path)
	if err != nil {
		return err
	}
	started = time.Now()
	stats, err := yml.Count(ctx, bufio.NewReaderSize(in, 1<<20), yml.Options{})
	in.Close()
	if err != nil {
		return err
	}
	parse := time.Since(started).Seconds()
	fmt.Fprintf(b.out, "parse only (kramar, %d cores):          %d offers in %.1fs, %.0f MB/s\n", runtime.GOMAXPROCS(0), stats.Offers, parse, mb/parse)

	script := `import sys, xml.etree.ElementTree as ET
n = 0
for ev, el in ET.iterparse(sys.argv[1]):
    if el.tag == "offer":
        n += 1
    el.clear()
print(n)`
	// Python's own peak RSS needs a plain fork: Go starts children with
	// vfork, whose maxrss starts from the parent's. /usr/bin/time gives it.
	args := []string{"python3", "-c", script, path}
	timed := false
	if _, err := exec.LookPath("/usr/bin/time"); err == nil {
		args, timed = append([]string{"/usr/bin/time", "-f", "rss-kb %M"}, args...), true
	}
	py := exec.CommandContext(ctx, args[0], args[1:]...)
	var stderr strings.Builder
	py.Stderr = &stderr
	started = time.Now()
	pyOut, err := py.Output()
	if err != nil {
		fmt.Fprintf(b.out, "python3 iterparse: not run (%v)\n", err)
		return nil
	}
	pySecs := time.Since(started).Seconds()
	rss := "not measured (no /usr/bin/time)"
	if _, kb, ok := strings.Cut(stderr.String(), "rss-kb "); ok && timed {
		var n float64
		fmt.Sscan(kb, &n)
		rss = fmt.Sprintf("%.1f MB", n/1024)
	}
	fmt.Fprintf(b.out, "python3 iterparse (count only):        %s offers in %.1fs, %.0f MB/s, peak RSS %s\n",
		strings.TrimSpace(string(pyOut)), pySecs, mb/pySecs, rss)
	fmt.Fprintf(b.out, "kramar parse is %.1fx as fast as iterparse; parse+load %.1fx\n", pySecs/parse, pySecs/load)
	return nil
}
