package clickhouse_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/schema/rows"
)

// flushes records what a Writer sent.
type flushes struct {
	mu  sync.Mutex
	all []clickhouse.FlushStats
}

func (f *flushes) observe(s clickhouse.FlushStats) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.all = append(f.all, s)
}

func (f *flushes) inserts() (flushes, inserts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.all {
		inserts += s.Inserts
	}
	return len(f.all), inserts
}

// storeRun writes what a store run's last step writes: its state and its
// run record, in one Unit.
func storeRun(ctx context.Context, wh *clickhouse.Warehouse, store string, extra func(*clickhouse.Unit)) error {
	u := wh.NewUnit()
	if extra != nil {
		extra(u)
	}
	if err := u.SaveState(ctx, "prom", store, []clickhouse.StateEntry{{Kind: "cursor", Key: "orders", Value: "2026-11-20T09:30:00Z"}}, nil); err != nil {
		return err
	}
	now := time.Now().UTC()
	if err := u.RecordRun(ctx, clickhouse.Run{RunID: "run-" + store, Marketplace: "prom", Store: store, Job: "orders", StartedAt: now, FinishedAt: now, Status: "ok"}); err != nil {
		return err
	}
	return u.Commit(ctx)
}

// startStoreRuns starts n store runs at once through wh, of the stores
// shop-00, shop-01, …; left(i), when not nil, is called as run i ends. The
// function it returns waits for them all and reports each that failed.
func startStoreRuns(t *testing.T, ctx context.Context, wh *clickhouse.Warehouse, n int, left func(i int)) (wait func()) {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if left != nil {
				defer left(i)
			}
			errs[i] = storeRun(ctx, wh, fmt.Sprintf("shop-%02d", i), nil)
		}()
	}
	return func() {
		t.Helper()
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("store run %d: %v", i, err)
			}
		}
	}
}

// writerOn is a fresh warehouse, a Writer flushing every interval on it,
// the warehouse writing through it, and the record of its flushes.
func writerOn(t *testing.T, interval time.Duration) (wh *clickhouse.Warehouse, wr *clickhouse.Writer, through *clickhouse.Warehouse, seen *flushes) {
	wh, seen = chtest.New(t), &flushes{}
	wr = clickhouse.NewWriter(wh, clickhouse.WriterOptions{Interval: interval, Observe: seen.observe})
	return wh, wr, wh.Through(wr), seen
}

func TestWriterSendsTheRunsOfManyStoresAsOneInsertPerTable(t *testing.T) {
	// The interval is long against an insert, even on a busy machine: a
	// write that waited for it shows.
	wh, wr, through, seen := writerOn(t, 2*time.Second)
	ctx := context.Background()

	// A first lone write goes out at once: nobody else could share it.
	started := time.Now()
	if err := storeRun(ctx, through, "lone", nil); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(started); took > 1500*time.Millisecond {
		t.Errorf("a lone write waited %s for company", took)
	}

	const stores = 40
	leaves := make([]func(), stores)
	for i := range leaves {
		leaves[i] = wr.Join()
	}
	startStoreRuns(t, ctx, through, stores, func(i int) { leaves[i]() })()
	n, inserts := seen.inserts()
	// The lone run's flush, then at most two for the forty (one may start
	// before the last of them arrive); each flush is one insert per table.
	if n > 3 || inserts > 6 {
		t.Errorf("%d flushes with %d inserts for %d runs of 2 tables; want at most 3 and 6", n, inserts, stores+1)
	}
	if got := chtest.Query(t, wh, `SELECT count() FROM {db}.extract_state`)[0]; got != fmt.Sprint(stores+1) {
		t.Errorf("%s cursors in extract_state, want %d", got, stores+1)
	}
	if got := chtest.Query(t, wh, `SELECT count(), uniqExact(store) FROM {db}.pipeline_runs`)[0]; got != fmt.Sprintf("%d\t%d", stores+1, stores+1) {
		t.Errorf("pipeline_runs count, stores = %s, want %d of each", got, stores+1)
	}
	if g := wr.Gathered(); g != 0 {
		t.Errorf("%d bytes still gathered after every write returned", g)
	}
}

func TestAFailedFlushFailsEveryWriteInItAndWritesNoStateBehindIt(t *testing.T) {
	wh, wr, through, _ := writerOn(t, 400*time.Millisecond)
	ctx := context.Background()
	if err := storeRun(ctx, through, "warm-up", nil); err != nil { // the next flush must wait
		t.Fatal(err)
	}

	// Two runs share the next flush: one carries rows for a table the
	// server does not have (a failing insert, sent before state and runs).
	leaveA, leaveB := wr.Join(), wr.Join()
	bad := func(u *clickhouse.Unit) {
		rec, err := rows.FromStruct[*clickhouse.Run]("no_such_table").Build([]*clickhouse.Run{{RunID: "x"}})
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		if err := u.Insert(ctx, "no_such_table", rec); err != nil {
			t.Fatal(err)
		}
	}
	var errA, errB error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); defer leaveA(); errA = storeRun(ctx, through, "shop-a", bad) }()
	go func() { defer wg.Done(); defer leaveB(); errB = storeRun(ctx, through, "shop-b", nil) }()
	wg.Wait()

	if errA == nil || errB == nil {
		t.Fatalf("both writes of the failed flush must fail; got %v and %v", errA, errB)
	}
	if !strings.Contains(errB.Error(), "no_such_table") || !strings.Contains(errB.Error(), "a flush of 2 writes") {
		t.Errorf("the error of the innocent write does not say what failed and that the flush was shared: %v", errB)
	}
	for _, store := range []string{"shop-a", "shop-b"} {
		if got := chtest.Query(t, wh, `SELECT count() FROM {db}.extract_state WHERE store = ?`, store)[0]; got != "0" {
			t.Errorf("%s: a cursor was written by a failed flush", store)
		}
		if got := chtest.Query(t, wh, `SELECT count() FROM {db}.pipeline_runs WHERE store = ?`, store)[0]; got != "0" {
			t.Errorf("%s: a run record was written by a failed flush", store)
		}
	}
	// Nothing of the failed flush is kept, and the next writes go through.
	if g := wr.Gathered(); g != 0 {
		t.Errorf("%d bytes kept after a failed flush", g)
	}
	if err := storeRun(ctx, through, "shop-b", nil); err != nil {
		t.Fatalf("a write after the failed flush: %v", err)
	}
	if got := chtest.Query(t, wh, `SELECT count() FROM {db}.extract_state WHERE store = 'shop-b'`)[0]; got != "1" {
		t.Errorf("shop-b's retried cursor: %s rows", got)
	}
}

// relayed is a fresh warehouse, a proxy to its server, and the warehouse
// opened through the proxy (closed with the test).
func relayed(t *testing.T) (wh *clickhouse.Warehouse, proxy *chtest.Proxy, relay *clickhouse.Warehouse) {
	t.Helper()
	wh = chtest.New(t)
	proxy, relay = chtest.Relayed(t, wh)
	return wh, proxy, relay
}

func TestWriterOrdersTablesSoACursorNeverPrecedesItsRows(t *testing.T) {
	// Within one flush, rows, then state, then run records; checked by a
	// proxy that stalls the state insert: the orders before it are in.
	wh, proxy, relay := relayed(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	wr := clickhouse.NewWriter(relay, clickhouse.WriterOptions{})
	held := proxy.HoldAt("INSERT INTO `" + wh.Database() + "`.`extract_state`")

	b := batchOf(t, "run-shop-a", testOrders(3, func(int) string { return "shop-a" }))
	done := make(chan error, 1)
	go func() {
		done <- storeRun(ctx, relay.Through(wr), "shop-a", func(u *clickhouse.Unit) {
			if err := u.InsertBatch(ctx, b); err != nil {
				t.Error(err)
			}
		})
	}()
	select {
	case <-held:
	case err := <-done:
		t.Fatalf("the write finished (%v) without reaching the state insert", err)
	}
	if got := chtest.Query(t, wh, `SELECT count() FROM {db}.orders WHERE store = 'shop-a'`)[0]; got != "3" {
		t.Errorf("when the cursor is sent, %s of 3 orders are in", got)
	}
	if got := chtest.Query(t, wh, `SELECT count() FROM {db}.pipeline_runs`)[0]; got != "0" {
		t.Errorf("a run record went before the state")
	}
	proxy.Release()
	<-done
}

func TestAWriterFullWhileAFlushHangsHoldsWritersBackAndMemoryBounded(t *testing.T) {
	wh, proxy, relay := relayed(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const flushBytes = 4096
	wr := clickhouse.NewWriter(relay, clickhouse.WriterOptions{Interval: 10 * time.Millisecond, FlushBytes: flushBytes})
	through := relay.Through(wr)

	// A first flush hangs in its state insert, as on a stuck server.
	held := proxy.HoldAt("INSERT INTO `" + wh.Database() + "`.`extract_state`")
	first := make(chan error, 1)
	go func() { first <- storeRun(ctx, through, "stuck", nil) }()
	<-held

	const writers = 50
	wait := startStoreRuns(t, ctx, through, writers, nil)
	// Every writer has had time to hand its rows over; what waits is bounded
	// by twice a flush's size (plus the one write that crossed it), not by
	// the writers' number.
	time.Sleep(500 * time.Millisecond)
	g := wr.Gathered()
	if g > 3*flushBytes {
		t.Errorf("%d bytes gathered behind a hung flush; want at most about %d", g, 2*flushBytes)
	}
	t.Logf("%d bytes gathered behind the hung flush", g)
	// The hung connection is cut; the insert is retried on a new one.
	proxy.Release()
	if err := <-first; err != nil {
		t.Errorf("the write of the hung flush: %v", err)
	}
	wait()
	if got := chtest.Query(t, wh, `SELECT count() FROM {db}.pipeline_runs`)[0]; got != fmt.Sprint(writers+1) {
		t.Errorf("%s run records, want %d", got, writers+1)
	}
}
