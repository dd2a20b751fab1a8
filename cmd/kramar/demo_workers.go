package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

// zookeeperEnv is where chlocal --cluster puts its ZooKeeper's address.
const zookeeperEnv = "KRAMAR_ZOOKEEPER"

// demoWorkers loads the orders of every store with n `kramar serve`
// workers sharing the stores through the ZooKeeper at zk (each its own
// scheduler, coordination session and writer, in this process), until
// every store has an ok run, then stops them and shows who ran what.
func demoWorkers(ctx context.Context, out io.Writer, cfg *config.Config, wh *clickhouse.Warehouse, n int, zk string) error {
	if zk == "" {
		return &exitError{2, fmt.Errorf("--workers needs a ZooKeeper: set %s (chlocal --cluster does)", zookeeperEnv)}
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		worker := *cfg
		worker.Coordination = config.Coordination{ZooKeeper: strings.Split(zk, ","), Root: "/kramar-demo",
			SessionTimeout: config.Duration{Duration: 4 * time.Second}, Worker: fmt.Sprintf("demo-worker-%d", i+1)}
		worker.Schedule = config.DefaultSchedule
		worker.Schedule.OrdersEvery, worker.Schedule.PushEvery = config.Duration{Duration: 2 * time.Second}, config.Duration{}
		worker.Schedule.CatalogAt, worker.Schedule.ExpensesAt = config.ScheduleOff, config.ScheduleOff
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = serve(ctx, serveOptions{Config: &worker, WH: wh, Listen: "127.0.0.1:0",
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		}()
	}
	fmt.Fprintf(out, "Orders, by %d workers sharing the %d stores through ZooKeeper %s:\n", n, len(cfg.Stores), zk)
	var byWorker []clickhouse.WorkerRuns
	var ok uint64
	var err error
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
		if byWorker, ok, err = wh.RunsByWorker(ctx, pipeline.JobOrders); err != nil || int(ok) == len(cfg.Stores) {
			break
		}
		if time.Now().After(deadline) {
			err = fmt.Errorf("demo: after 2 minutes %d of %d stores have loaded their orders", ok, len(cfg.Stores))
			break
		}
	}
	stop()
	wg.Wait()
	for i, werr := range errs {
		if werr != nil && err == nil {
			err = fmt.Errorf("demo: worker %d: %w", i+1, werr)
		}
	}
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  worker\tstores\truns\tok")
	for _, r := range byWorker {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\n", r.Worker, r.Stores, r.Runs, r.OK)
	}
	tw.Flush()
	fmt.Fprintf(out, "every store loaded (%d); each ran on one worker at a time, under its lease\n\n", ok)
	return nil
}

// demoZooKeeper is the ZooKeeper chlocal --cluster started, if any.
func demoZooKeeper() string { return os.Getenv(zookeeperEnv) }
