package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/coord"
)

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
