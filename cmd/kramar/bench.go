package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/coord"
	"github.com/kramar/kramar/reports"
	"github.com/kramar/kramar/sandbox/feedgen"
)

func benchCmd() *cobra.Command {
	var orders, goods, offers, pageSize, batchSize int
	var database, cpuProfile string
	cmd := command("bench [--orders N | --catalog N | --feed N]",
		"Measure throughput and peak memory of the order or catalog job on a sandbox",
		help("bench"),
		func(cmd *cobra.Command, _ []string) error {
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
		})
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

// feed measures the YML path: generate a feed file, parse it alone, let
// Python's iterparse count its offers, then load it (parse, transform,
// insert) in this process. The benchmark database is emptied first: that
// stops ClickHouse merging an earlier run's rows beside the parse.
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
		return b.feedLoad(ctx, r, mb, 0)
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
	fmt.Fprintf(b.out, "kramar parse is %.1fx as fast as iterparse\n", pySecs/parse)
	return b.feedLoad(ctx, r, mb, pySecs)
}

// feedLoad runs r's catalog job over the feed: parse, transform and insert
// in this process. It comes after the parse alone and iterparse, so that
// neither runs beside ClickHouse merging what the load inserted.
func (b *bench) feedLoad(ctx context.Context, r *pipeline.Runner, mb float64, pySecs float64) error {
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

	if pySecs > 0 {
		fmt.Fprintf(b.out, "parse+load is %.1fx as fast as iterparse\n", pySecs/load)
	}
	return nil
}

// Further benchmarks are subcommands of bench (`kramar bench NAME …`).

func benchStoresCmd() *cobra.Command {
	var stores, orders, cycles, parallel, newEvery, workers int
	var database string
	cmd := command("stores [--stores 1000] [--orders 20] [--cycles 4] [--parallel 500] [--workers N]",
		"Measure one scheduler cycle of the order job over many stores",
		help("bench-stores"),
		func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			b := &bench{out: cmd.OutOrStdout()}
			defer b.close()
			tokens := make([]string, stores)
			args := []string{"--fault-rate", "0"}
			var yaml strings.Builder
			yaml.WriteString("defaults:\n  initial_history: 2160h\nschedule:\n  orders_every: 2m\nstores:\n")
			for i := range tokens {
				tokens[i] = fmt.Sprintf("bench-%04d-%s", i, randomToken()[:12])
				env := fmt.Sprintf("KRAMAR_BENCH_TOKEN_%04d", i)
				os.Setenv(env, tokens[i])
				args = append(args, "--store", fmt.Sprintf("%s=%d", tokens[i], orders))
				fmt.Fprintf(&yaml, "  - id: shop-%04d\n    marketplace: prom\n    base_url: {url}/api/v1\n    token_env: %s\n    order_type: Роздріб\n    order_source: bench\n", i, env)
			}
			base, err := b.sandbox(ctx, fmt.Sprintf("%d stores × %d orders", stores, orders), args...)
			if err != nil {
				return err
			}
			r, err := b.runner(ctx, database, strings.ReplaceAll(yaml.String(), "{url}", base))
			if err != nil {
				return err
			}
			// Logs are formatted as serve formats them (JSON), then dropped.
			r.Log, r.Limiters, r.Parallel = slog.New(slog.NewJSONHandler(io.Discard, nil)), pipeline.NewLimiters(), parallel
			run := func(ctx context.Context) ([]pipeline.StoreResult, error) { return r.RunJob(ctx, pipeline.JobOrders) }
			var zkPIDs []int
			if workers > 0 {
				w, err := startBenchWorkers(ctx, r, workers, os.Getenv(zookeeperEnv))
				if err != nil {
					return err
				}
				defer w.close()
				run, zkPIDs = w.cycle, zooKeeperPIDs()
				fmt.Fprintf(b.out, "%d workers sharing the stores through ZooKeeper (pids %s), each with its own runner and writer\n",
					workers, cmp.Or(joinPIDs(zkPIDs), "-"))
			}
			chPIDs := clickHousePIDs()
			budget := 2 * time.Minute
			cores := runtime.NumCPU()
			fmt.Fprintf(b.out, "%d stores, parallel %d, %d cores; budget per cycle: %s wall, %.0f CPU-seconds; ClickHouse pids %s\n",
				stores, parallel, cores, budget, budget.Seconds()*float64(cores), cmp.Or(joinPIDs(chPIDs), "-"))
			rnd := rand.New(rand.NewPCG(1, 2))
			var steady []cycleFigures
			for c := 1; c <= cycles; c++ {
				if c > 1 {
					added, err := addBenchOrders(ctx, base, tokens, newEvery, rnd)
					if err != nil {
						return err
					}
					// New orders are read once they are older than the safety lag.
					time.Sleep(r.Config.Stores[0].SafetyLag.Duration + time.Second)
					fmt.Fprintf(b.out, "  %d new orders added\n", added)
				}
				f, err := measureCycle(ctx, r, run, chPIDs, zkPIDs)
				if err != nil {
					return err
				}
				fmt.Fprintf(b.out, "cycle %d: %s\n", c, f)
				if c > 1 {
					steady = append(steady, f)
				}
			}
			defer func() {
				var ru syscall.Rusage
				_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
				fmt.Fprintf(b.out, "peak RSS of kramar (this process, not the sandbox): %.0f MB\n", float64(ru.Maxrss)/1024)
			}()
			if len(steady) > 0 {
				var avg cycleFigures
				for _, f := range steady {
					avg.wall += f.wall / time.Duration(len(steady))
					avg.cpu += f.cpu / float64(len(steady))
					avg.chCPU += f.chCPU / float64(len(steady))
					avg.zkCPU += f.zkCPU / float64(len(steady))
					avg.inserts += f.inserts / uint64(len(steady))
					avg.selects += f.selects / uint64(len(steady))
				}
				share := (avg.cpu + avg.chCPU + avg.zkCPU) / (budget.Seconds() * float64(cores)) * 100
				zk := ""
				if workers > 0 {
					zk = fmt.Sprintf(" + ZooKeeper %.1fs", avg.zkCPU)
				}
				fmt.Fprintf(b.out, "steady cycle (mean of %d): %.1fs wall of %s; CPU kramar %.1fs + ClickHouse %.1fs%s = %.0f%% of %d cores over 2 minutes; %d INSERT and %d SELECT queries\n",
					len(steady), avg.wall.Seconds(), budget, avg.cpu, avg.chCPU, zk, share, cores, avg.inserts, avg.selects)
			}
			return nil
		})
	cmd.Flags().IntVar(&stores, "stores", 1000, "stores in the sandbox and the config")
	cmd.Flags().IntVar(&orders, "orders", 20, "seeded orders per store")
	cmd.Flags().IntVar(&cycles, "cycles", 4, "cycles to run (the first loads every seeded order)")
	cmd.Flags().IntVar(&parallel, "parallel", 500, "stores run at once (the work is mostly waiting on HTTP and the shared flushes)")
	cmd.Flags().IntVar(&newEvery, "new-every", 5, "between cycles, a new order for every N-th store")
	cmd.Flags().StringVar(&database, "database", "kramar_bench_stores", "ClickHouse database (dropped first)")
	cmd.Flags().IntVar(&workers, "workers", 0, "share the stores among this many workers through $"+zookeeperEnv+" (chlocal --cluster), as `kramar serve` workers do")
	return cmd
}

// addBenchOrders adds a new order to every n-th store through the
// sandbox's control API.
func addBenchOrders(ctx context.Context, base string, tokens []string, n int, rnd *rand.Rand) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	added := 0
	for i, tok := range tokens {
		if (i+rnd.IntN(n))%n != 0 {
			continue
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/_sandbox/orders", bytes.NewReader(nil))
		if err != nil {
			return added, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return added, err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return added, fmt.Errorf("sandbox: adding an order: HTTP %d", resp.StatusCode)
		}
		added++
	}
	return added, nil
}

// cycleFigures are one cycle's outcome and costs.
type cycleFigures struct {
	ok, failed, fetched, new int
	wall                     time.Duration
	cpu, chCPU, zkCPU        float64 // CPU seconds, user+system
	inserts, selects         uint64  // queries ClickHouse counted (system.events)
	firstErr                 error
}

func (f cycleFigures) String() string {
	s := fmt.Sprintf("%d stores ok, %d failed; fetched %d, new %d; %.1fs wall; CPU kramar %.1fs, ClickHouse %.1fs; %d INSERT and %d SELECT queries",
		f.ok, f.failed, f.fetched, f.new, f.wall.Seconds(), f.cpu, f.chCPU, f.inserts, f.selects)
	if f.zkCPU > 0 {
		s += fmt.Sprintf("; ZooKeeper %.1fs CPU", f.zkCPU)
	}
	if f.firstErr != nil {
		s += "; first error: " + f.firstErr.Error()
	}
	return s
}

// measureCycle runs the order job for every store once, with run.
func measureCycle(ctx context.Context, r *pipeline.Runner, run func(context.Context) ([]pipeline.StoreResult, error), chPIDs, zkPIDs []int) (cycleFigures, error) {
	ins0, sel0, err := r.Warehouse.QueryCounts(ctx)
	if err != nil {
		return cycleFigures{}, err
	}
	cpu0, ch0, zk0 := selfCPU(), procsCPU(chPIDs), procsCPU(zkPIDs)
	started := time.Now()
	res, err := run(ctx)
	f := cycleFigures{wall: time.Since(started), cpu: selfCPU() - cpu0, chCPU: procsCPU(chPIDs) - ch0, zkCPU: procsCPU(zkPIDs) - zk0}
	ins1, sel1, cerr := r.Warehouse.QueryCounts(ctx)
	if cerr != nil {
		return f, cerr
	}
	// Less the SELECT that read the counts first.
	f.inserts, f.selects = ins1-ins0, sel1-sel0-1
	for _, x := range res {
		if x.OK() {
			f.ok++
		} else {
			f.failed++
			if f.firstErr == nil {
				f.firstErr = x.Err
			}
		}
		f.fetched += x.Fetched
		f.new += x.New
	}
	return f, err
}

// selfCPU is this process's user+system CPU seconds so far.
func selfCPU() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return tv(ru.Utime) + tv(ru.Stime)
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times (100 on Linux).
const clockTicks = 100

// procCPU is another process's user+system CPU seconds (0 if unknown).
func procCPU(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64) // field 14 of stat
	stime, _ := strconv.ParseFloat(f[12], 64) // field 15
	return (utime + stime) / clockTicks
}

// clickHousePIDs are $KRAMAR_CLICKHOUSE_PID (a comma-separated list:
// chlocal sets it to its servers, a cluster's included), else the only
// clickhouse-server process, else none.
func clickHousePIDs() []int {
	if env := os.Getenv("KRAMAR_CLICKHOUSE_PID"); env != "" {
		var pids []int
		for _, f := range strings.Split(env, ",") {
			if pid, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
				pids = append(pids, pid)
			}
		}
		return pids
	}
	found := findProcs("comm", func(comm string) bool { return strings.HasPrefix(strings.TrimSpace(comm), "clickhouse-serv") })
	if len(found) != 1 {
		return nil // none, or more than one: cannot tell which
	}
	return found
}

// findProcs lists the processes whose /proc/PID/file says match.
func findProcs(file string, match func(string) bool) []int {
	dirs, _ := os.ReadDir("/proc")
	var found []int
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file)); err == nil && match(string(b)) {
			found = append(found, pid)
		}
	}
	return found
}

func joinPIDs(pids []int) string {
	s := make([]string, len(pids))
	for i, p := range pids {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ",")
}

// procsCPU sums the CPU seconds of processes.
func procsCPU(pids []int) float64 {
	var sum float64
	for _, pid := range pids {
		sum += procCPU(pid)
	}
	return sum
}

// benchMonth is the month the workbook benchmark books its entries in.
var benchMonth = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func benchWorkbookCmd() *cobra.Command {
	var rows int
	var database string
	cmd := command("workbook [--rows N]",
		"Measure the expenses workbook: N entries from ClickHouse into an .xlsx, time, size and peak RSS",
		help("bench-workbook"),
		func(cmd *cobra.Command, _ []string) error {
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
		})
	cmd.Flags().IntVar(&rows, "rows", 1000000, "expense entries to write")
	cmd.Flags().StringVar(&database, "database", "kramar_bench_workbook", "ClickHouse database (dropped first)")
	return cmd
}

// benchWorkers are n workers sharing the bench's stores through ZooKeeper
// as `kramar serve` workers on separate machines do, here in one process:
// each its own coordination session, runner, writer and rate limiters.
type benchWorkers struct {
	coords  []*coord.Coordinator
	runners []*pipeline.Runner
	stores  []string
}

// startBenchWorkers registers n workers in the ZooKeeper at zk, like r, and
// waits until each sees all of them.
func startBenchWorkers(ctx context.Context, r *pipeline.Runner, n int, zk string) (*benchWorkers, error) {
	if zk == "" {
		return nil, &exitError{2, fmt.Errorf("--workers needs a ZooKeeper: set %s (chlocal --cluster does)", zookeeperEnv)}
	}
	w := &benchWorkers{}
	for _, s := range r.Config.Stores {
		w.stores = append(w.stores, s.ID)
	}
	root := "/kramar-bench-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	for i := range n {
		name := fmt.Sprintf("bench-worker-%d", i+1)
		c, err := coord.Start(coord.Options{Servers: strings.Split(zk, ","), Root: root, SessionTimeout: 10 * time.Second,
			Worker: name, Log: r.Log})
		if err != nil {
			w.close()
			return nil, err
		}
		w.coords = append(w.coords, c)
		w.runners = append(w.runners, &pipeline.Runner{Warehouse: r.Warehouse, Config: r.Config, Log: r.Log,
			Limiters: pipeline.NewLimiters(), Parallel: r.Parallel, Worker: name})
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		all := true
		for _, c := range w.coords {
			ok, _ := c.Ready()
			all = all && ok && len(c.Workers()) == n
		}
		if all {
			return w, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			w.close()
			return nil, fmt.Errorf("bench: the %d workers did not all see each other in ZooKeeper within 30s", n)
		}
	}
}

// cycle runs the order job once on every worker at the same time, each for
// the stores whose lease it holds or takes, as a scheduler firing does.
func (w *benchWorkers) cycle(ctx context.Context) ([]pipeline.StoreResult, error) {
	var mu sync.Mutex
	var all []pipeline.StoreResult
	var firstErr error
	var wg sync.WaitGroup
	for i, c := range w.coords {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var owned []string
			var dones []func()
			for _, s := range w.stores {
				if _, done, err := c.Begin(ctx, s); err == nil {
					owned, dones = append(owned, s), append(dones, done)
				}
			}
			res, err := w.runners[i].RunJob(ctx, pipeline.JobOrders, owned...)
			for _, done := range dones {
				done()
			}
			mu.Lock()
			defer mu.Unlock()
			all = append(all, res...)
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}()
	}
	wg.Wait()
	if firstErr == nil && len(all) != len(w.stores) {
		firstErr = fmt.Errorf("bench: %d of %d stores ran in the cycle (a lease was refused)", len(all), len(w.stores))
	}
	return all, firstErr
}

func (w *benchWorkers) close() {
	for _, c := range w.coords {
		c.Close()
	}
}

// zooKeeperPIDs are the local ZooKeeper servers' processes (a Java
// process running ZooKeeper's server class).
func zooKeeperPIDs() []int {
	return findProcs("cmdline", func(cmdline string) bool { return strings.Contains(cmdline, "org.apache.zookeeper.server") })
}
