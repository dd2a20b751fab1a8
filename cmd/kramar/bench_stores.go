package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/pipeline"
)

// Further benchmarks are subcommands of bench (`kramar bench NAME …`).

func benchStoresCmd() *cobra.Command {
	var stores, orders, cycles, parallel, newEvery, workers int
	var database string
	cmd := &cobra.Command{
		Use:   "stores [--stores 1000] [--orders 20] [--cycles 4] [--parallel 500] [--workers N]",
		Short: "Measure one scheduler cycle of the order job over many stores",
		Long: "Starts one Prom sandbox (a child process) holding --stores stores of --orders orders each,\n" +
			"then runs the order job for every store as `kramar serve` does in one cycle (Runner.RunJob,\n" +
			"--parallel stores at a time), --cycles times; between cycles every --new-every-th store gets a\n" +
			"new order. Per cycle it prints the wall time and the CPU seconds of this process (getrusage)\n" +
			"and of ClickHouse (/proc/PID/stat; PID from $KRAMAR_CLICKHOUSE_PID, else the one\n" +
			"clickhouse-server process found), against the budget of a 2-minute cycle on this machine.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
		},
	}
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
