package pipeline_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/schema"
)

// equalOn waits until every store's picture on wh equals the sandbox
// (a replica may lag behind the one written to), then checks it.
func equalOn(t *testing.T, e *promtest.Env, wh *clickhouse.Warehouse, within time.Duration, stores ...string) {
	t.Helper()
	same := func() bool {
		for _, s := range stores {
			wantO, wantI := e.Truth(s)
			gotO, gotI := pipelinetest.Picture(t, wh, s)
			if pipelinetest.Diff(wantO, gotO) != "" || pipelinetest.Diff(wantI, gotI) != "" {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(within); !same() && time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
	}
	for _, s := range stores {
		o, i := e.Truth(s)
		pipelinetest.AssertPicture(t, wh, s, o, i)
	}
}

// onCluster is a Prom sandbox with some stores and a cluster of the test's
// own, migrated, with the context its test runs in.
type onCluster struct {
	t   *testing.T
	ctx context.Context
	e   *promtest.Env
	c   *chtest.Cluster
	wh  *clickhouse.Warehouse // all the servers, tried in turn
	ids []string              // the stores, in order
}

func newOnCluster(t *testing.T, stores map[string]int, shards, replicas int, within time.Duration) *onCluster {
	t.Helper()
	o := &onCluster{t: t, e: promtest.New(t, stores), c: chtest.NewCluster(t, shards, replicas), ids: pipelinetest.SortedKeys(stores)}
	var cancel context.CancelFunc
	o.ctx, cancel = context.WithTimeout(context.Background(), within) // from the cluster's start
	t.Cleanup(cancel)
	o.wh = o.c.Open()
	if _, err := o.wh.Migrate(o.ctx); err != nil {
		t.Fatal(err)
	}
	return o
}

// cycle runs one order cycle of every store, all at once, and says how many
// runs were ok and why the others failed.
func (o *onCluster) cycle() (ok int, errs []string) {
	o.t.Helper()
	r := o.e.Runner()
	r.Warehouse, r.Parallel = o.wh, len(o.e.Tokens)
	res, err := r.RunOnce(o.ctx)
	if err != nil {
		o.t.Fatal(err)
	}
	for _, x := range res {
		if x.OK() {
			ok++
		} else {
			errs = append(errs, fmt.Sprintf("%s: %v", x.Store, x.Err))
		}
	}
	return ok, errs
}

func TestOrdersOnAReplicatedClusterSurviveAReplicaKilledMidLoad(t *testing.T) {
	stores := map[string]int{"prom-a": 150, "prom-b": 90, "prom-c": 60}
	o := newOnCluster(t, stores, 1, 2, 4*time.Minute)
	ctx, e, c, ids, cycle := o.ctx, o.e, o.c, o.ids, o.cycle
	first, second := c.Open(0), c.Open(1)

	if ok, errs := cycle(); ok != len(stores) {
		t.Fatalf("first load on the cluster: %v", errs)
	}
	equalOn(t, e, second, 30*time.Second, ids...)

	// The first server dies in the middle of the next load: runs go on
	// through the second, or fail cleanly and are made up by the next cycle.
	for _, s := range ids {
		for range 20 {
			e.SB.AddOrder(e.Tokens[s], nil)
		}
	}
	e.Clock.Advance(time.Minute)
	// The kill comes with the second request of the pulls: some stores' rows are
	// on their way, others not read yet.
	var requests atomic.Int32
	e.BeforeRequest = func(*http.Request) {
		if requests.Add(1) == 2 {
			c.Servers[0][0].Kill()
		}
	}
	_, errs := cycle()
	e.BeforeRequest = nil
	if requests.Load() < 2 {
		t.Fatalf("the cycle made %d requests: the kill did not happen mid-load", requests.Load())
	}
	t.Logf("the cycle during the kill: %d runs failed %v", len(errs), errs)
	e.Clock.Advance(time.Minute)
	if ok, errs := cycle(); ok != len(stores) {
		t.Fatalf("with one replica down, runs failed: %v", errs)
	}
	equalOn(t, e, second, 10*time.Second, ids...)

	// Restarted, the killed replica catches up by replication (once its old
	// ZooKeeper session has expired).
	if err := c.Restart(ctx, 0, 0); err != nil {
		t.Fatal(err)
	}
	equalOn(t, e, first, 90*time.Second, ids...)
	for _, w := range []*clickhouse.Warehouse{first, second} {
		if got := pipelinetest.Query(t, w, `SELECT count() - uniqExact(store, external_id) FROM {db}.v_orders`)[0]; got != "0" {
			t.Errorf("%s orders twice in v_orders", got)
		}
	}
}

func TestWithZooKeeperGoneRunsFailCleanlyAndCatchUpWhenItReturns(t *testing.T) {
	stores := map[string]int{"prom-a": 60, "prom-b": 40}
	o := newOnCluster(t, stores, 1, 2, 4*time.Minute)
	ctx, e, c, ids, cycle := o.ctx, o.e, o.c, o.ids, o.cycle
	if ok, errs := cycle(); ok != len(stores) {
		t.Fatalf("first load: %v", errs)
	}

	// Without ZooKeeper the replicated tables take no rows: runs fail, and
	// say it is the warehouse.
	c.ZooKeeper.Kill()
	for _, s := range ids {
		e.SB.AddOrder(e.Tokens[s], nil)
	}
	e.Clock.Advance(time.Minute)
	ok, errs := cycle()
	if ok != 0 {
		t.Errorf("%d runs ok with ZooKeeper gone", ok)
	}
	for _, msg := range errs {
		if !strings.Contains(msg, "clickhouse") {
			t.Errorf("a run failed for another reason than the warehouse: %s", msg)
		}
	}

	// ZooKeeper back: the next cycles load what was missed, on both replicas.
	if err := c.RestartZooKeeper(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		e.Clock.Advance(time.Minute)
		ok, errs := cycle()
		if ok == len(stores) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("two minutes after ZooKeeper came back, runs still fail: %v", errs)
		}
		time.Sleep(time.Second)
	}
	equalOn(t, e, c.Open(0), 30*time.Second, ids...)
	equalOn(t, e, c.Open(1), 30*time.Second, ids...)
}

func TestOnTwoShardsEveryStoreLivesOnOneShardAndUpdatesReplaceRows(t *testing.T) {
	stores := map[string]int{"prom-a": 40, "prom-b": 30, "prom-c": 30, "prom-d": 20, "prom-e": 20, "prom-f": 20}
	o := newOnCluster(t, stores, 2, 1, 3*time.Minute)
	e, c, wh, ids := o.e, o.c, o.wh, o.ids
	cycle := func() {
		if ok, errs := o.cycle(); ok != len(stores) {
			t.Fatalf("runs failed: %v", errs)
		}
	}
	cycle()
	// Every store's orders change: the new versions must replace the old
	// ones, which they can only on the shard that holds them.
	for _, s := range ids {
		for _, o := range e.SB.Orders(e.SB.StoreID(e.Tokens[s]))[:5] {
			if err := e.SB.SetStatus(e.Tokens[s], o.ID, "canceled"); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.Clock.Advance(time.Minute)
	cycle()
	equalOn(t, e, wh, 10*time.Second, ids...)

	shardOf := map[string]int{}
	for shard := range 2 {
		local := c.Open(shard)
		for _, row := range pipelinetest.Query(t, local, `SELECT DISTINCT store FROM {db}.orders`+schema.LocalSuffix) {
			if prev, twice := shardOf[row]; twice {
				t.Errorf("store %s has rows on shards %d and %d", row, prev+1, shard+1)
			}
			shardOf[row] = shard
		}
	}
	if len(shardOf) != len(stores) {
		t.Errorf("stores found on the shards: %v, want all %d", shardOf, len(stores))
	}
	used := map[int]bool{}
	for _, sh := range shardOf {
		used[sh] = true
	}
	if len(used) != 2 {
		t.Errorf("every store is on one shard (%v): the sharding key spreads nothing", shardOf)
	}
	if got := pipelinetest.Query(t, wh, `SELECT count() - uniqExact(store, external_id) FROM {db}.v_orders`)[0]; got != "0" {
		t.Errorf("%s orders twice in v_orders", got)
	}
}
