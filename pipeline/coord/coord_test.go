package coord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse/chlocal"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
)

func TestRendezvousSpreadsStoresAndAJoiningWorkerTakesOnlyItsShare(t *testing.T) {
	stores := make([]string, 3000)
	for i := range stores {
		stores[i] = fmt.Sprintf("shop-%d", i)
	}
	three := []string{"w1", "w2", "w3"}
	before := map[string]string{}
	per := map[string]int{}
	for _, s := range stores {
		before[s] = Owner(s, three)
		per[before[s]]++
	}
	for _, w := range three {
		if n := per[w]; n < 850 || n > 1150 {
			t.Errorf("worker %s got %d of 3000 stores, want about 1000: %v", w, n, per)
		}
	}
	moved := 0
	for _, s := range stores {
		after := Owner(s, []string{"w1", "w2", "w3", "w4"})
		if after != before[s] {
			moved++
			if after != "w4" {
				t.Fatalf("store %s moved from %s to %s: only the new worker may take stores", s, before[s], after)
			}
		}
	}
	if moved < 600 || moved > 900 {
		t.Errorf("%d of 3000 stores moved to the fourth worker, want about 750", moved)
	}
	// Every worker computes the same owner whatever order it lists them in.
	for _, s := range stores[:50] {
		if Owner(s, []string{"w3", "w1", "w2"}) != before[s] {
			t.Fatalf("store %s: the owner depends on the order of the list", s)
		}
	}
}

// zooKeeper starts a ZooKeeper for the test (on port, 0 = a free one, with
// its data in dir, "" = its own), stopped by its PID when the test ends.
func zooKeeper(t *testing.T, port int, dir string) *chlocal.ZooKeeper {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	z, err := chlocal.StartZooKeeper(ctx, chlocal.Options{Dir: dir}, port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = z.Stop() })
	return z
}

const testTimeout = 4 * time.Second // ZooKeeper's least (two ticks of 2s)

func worker(t *testing.T, name string, servers ...string) *Coordinator {
	t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := Start(Options{Servers: servers, Root: "/kramar-test", SessionTimeout: testTimeout, Worker: name, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
	}
}

func waitWorkers(t *testing.T, n int, cs ...*Coordinator) {
	t.Helper()
	waitFor(t, 20*time.Second, fmt.Sprintf("%d workers seen by all", n), func() bool {
		for _, c := range cs {
			if ok, _ := c.Ready(); !ok || len(c.Workers()) != n {
				return false
			}
		}
		return true
	})
}

// storeOf is a store that belongs to want among workers.
func storeOf(t *testing.T, want string, workers ...string) string {
	for i := 0; i < 1000; i++ {
		if s := fmt.Sprintf("shop-%d", i); Owner(s, workers) == want {
			return s
		}
	}
	t.Fatal("no store found")
	return ""
}

func TestALeaseHeldByOneWorkerIsRefusedToTheOtherUntilReleased(t *testing.T) {
	z := zooKeeper(t, 0, "")
	a := worker(t, "a", z.Addr())
	waitWorkers(t, 1, a)
	s := storeOf(t, "b", "a", "b") // a's while alone, b's once b joins
	_, done, err := a.Begin(context.Background(), s)
	if err != nil {
		t.Fatalf("a alone: %v", err)
	}
	b := worker(t, "b", z.Addr())
	waitWorkers(t, 2, a, b)
	if _, _, err := b.Begin(context.Background(), s); !errors.Is(err, ErrHeldElsewhere) {
		t.Fatalf("b while a's run holds the lease: %v, want ErrHeldElsewhere", err)
	}
	if _, _, err := a.Begin(context.Background(), s); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("a once b owns the store: %v, want ErrNotOwner", err)
	}
	done() // a's run ends: a no longer owns the store and gives it up
	var bDone func()
	waitFor(t, 10*time.Second, "b taking the lease a gave up", func() bool {
		_, d, err := b.Begin(context.Background(), s)
		bDone = d
		return err == nil
	})
	defer bDone()
	if got := b.Held(); len(got) != 1 || got[0] != s {
		t.Errorf("b holds %v, want [%s]", got, s)
	}
	waitFor(t, 5*time.Second, "a holding nothing", func() bool { return len(a.Held()) == 0 })
}

func TestADeadWorkersLeasesAreFreeAfterItsSessionExpires(t *testing.T) {
	z := zooKeeper(t, 0, "")
	// a reaches ZooKeeper through a relay that is cut: a crash, as far as
	// ZooKeeper can tell (no goodbye, the session ends by timeout).
	relay := chtest.NewRelay(t, z.Addr())
	a := worker(t, "a", relay.Addr())
	b := worker(t, "b", z.Addr())
	waitWorkers(t, 2, a, b)
	s := storeOf(t, "a", "a", "b")
	runCtx, done, err := a.Begin(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if _, _, err := b.Begin(context.Background(), s); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("b: %v, want ErrNotOwner", err)
	}
	cut := time.Now()
	relay.Cut()
	waitFor(t, 3*testTimeout, "b owning and holding a's store", func() bool {
		_, d, err := b.Begin(context.Background(), s)
		if err == nil {
			d()
		}
		return err == nil
	})
	took := time.Since(cut)
	t.Logf("b took the store %v after a was cut off", took.Round(time.Millisecond))
	if took < testTimeout/2 {
		t.Errorf("b took the store after %v, before a's session (%v) could have expired", took, testTimeout)
	}
	// a, cut off longer than its session timeout, has given the lease up
	// and cancelled its run.
	waitFor(t, 2*testTimeout, "a's run cancelled", func() bool { return runCtx.Err() != nil })
	if ok, why := a.Ready(); ok || why == "" {
		t.Errorf("a cut off is ready (%v, %q)", ok, why)
	}
	if _, _, err := a.Begin(context.Background(), s); !errors.Is(err, ErrNotReady) {
		t.Errorf("a cut off: %v, want ErrNotReady", err)
	}
}

func TestAfterItsSessionExpiredAWorkerRegistersAndTakesItsLeasesAgain(t *testing.T) {
	z := zooKeeper(t, 0, "")
	relay := chtest.NewRelay(t, z.Addr())
	a := worker(t, "a", relay.Addr())
	waitWorkers(t, 1, a)
	runCtx, done, err := a.Begin(context.Background(), "shop-1")
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	relay.Pause()
	waitFor(t, 3*testTimeout, "a's run cancelled once its session is over", func() bool { return runCtx.Err() != nil })
	time.Sleep(testTimeout) // ZooKeeper ends the session
	relay.Resume()
	waitFor(t, 30*time.Second, "a registered again and holding shop-1 anew", func() bool {
		_, d, err := a.Begin(context.Background(), "shop-1")
		if err == nil {
			d()
		}
		return err == nil
	})
	if got := a.Workers(); len(got) != 1 || got[0] != "a" {
		t.Errorf("workers after the new session: %v", got)
	}
}

func TestNoLeaseIsTakenWhileZooKeeperIsDownAndTakingResumesAfter(t *testing.T) {
	dir := t.TempDir()
	z := zooKeeper(t, 0, dir)
	port := z.Addr()[len("127.0.0.1:"):]
	a := worker(t, "a", z.Addr())
	waitWorkers(t, 1, a)
	_, done, err := a.Begin(context.Background(), "shop-1")
	if err != nil {
		t.Fatal(err)
	}
	done()
	z.Kill()
	waitFor(t, 10*time.Second, "a not ready", func() bool { ok, _ := a.Ready(); return !ok })
	if ok, why := a.Ready(); ok || why != "ZooKeeper connection lost" {
		t.Errorf("Ready while ZooKeeper is down: %v %q", ok, why)
	}
	for _, s := range []string{"shop-1", "shop-2"} {
		if _, _, err := a.Begin(context.Background(), s); !errors.Is(err, ErrNotReady) {
			t.Errorf("%s with ZooKeeper down: %v, want ErrNotReady", s, err)
		}
	}
	var p int
	fmt.Sscan(port, &p)
	zooKeeper(t, p, dir) // the same port and data: the same ensemble back
	waitFor(t, 30*time.Second, "a ready again", func() bool { ok, _ := a.Ready(); return ok })
	waitFor(t, 10*time.Second, "a taking leases again", func() bool {
		_, d, err := a.Begin(context.Background(), "shop-2")
		if err == nil {
			d()
		}
		return err == nil
	})
}

func TestLookShowsTheWorkersAndWhoHoldsWhichLease(t *testing.T) {
	z := zooKeeper(t, 0, "")
	a, b := worker(t, "a", z.Addr()), worker(t, "b", z.Addr())
	waitWorkers(t, 2, a, b)
	sa, sb := storeOf(t, "a", "a", "b"), storeOf(t, "b", "a", "b")
	for c, s := range map[*Coordinator]string{a: sa, b: sb} {
		_, done, err := c.Begin(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		defer done()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := Look(ctx, []string{z.Addr()}, "/kramar-test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(v.Workers) != "[a b]" || v.Leases[sa] != "a" || v.Leases[sb] != "b" || len(v.Leases) != 2 {
		t.Errorf("view %+v, want workers a, b holding %s and %s", v, sa, sb)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel2()
	if _, err := Look(short, []string{"127.0.0.1:1"}, "/kramar-test", nil); err == nil {
		t.Error("Look without a server answered")
	}
}

func holder(t *testing.T, name string, servers ...string) *Holder {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, err := Dial(ctx, servers, "/kramar-test", name, testTimeout, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// A one-shot command gets a store a worker keeps leased between runs: the
// worker gives it up once its run ends and takes it back only after the
// command is done; meanwhile it runs nothing of the store. A store whose
// run outlasts the command's wait is not run, and the error names who
// holds it.
func TestAOneShotCommandTakesAStoreFromItsWorkerBetweenRuns(t *testing.T) {
	z := zooKeeper(t, 0, "")
	w := worker(t, "w1", z.Addr())
	waitWorkers(t, 1, w)
	_, done, err := w.Begin(context.Background(), "shop-1")
	if err != nil {
		t.Fatal(err)
	}
	h := holder(t, "cli", z.Addr())
	_, _, err = h.Hold(context.Background(), "shop-1", 500*time.Millisecond)
	var held *HeldError
	if !errors.As(err, &held) || held.Holder != "w1" || held.Store != "shop-1" {
		t.Fatalf("Hold while w1's run goes on: %v, want a HeldError naming w1", err)
	}

	got := make(chan error, 1)
	var release func()
	go func() {
		var err error
		_, release, err = h.Hold(context.Background(), "shop-1", 20*time.Second)
		got <- err
	}()
	waitFor(t, 10*time.Second, "w1 seeing the command wait", func() bool {
		_, _, err := w.Begin(context.Background(), "shop-2")
		return err == nil && slices.Contains(w.waiting(), "shop-1")
	})
	done() // w1's run ends; the lease goes to the command
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("Hold after w1's run ended: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the command never got the lease w1's run gave up")
	}
	// Refused as waited for until w1 sees the waiter gone, then as held.
	for range 20 {
		if _, _, err := w.Begin(context.Background(), "shop-1"); !errors.Is(err, ErrHeldElsewhere) && !errors.Is(err, ErrWaitedFor) {
			t.Fatalf("w1 while the command holds the store: %v, want ErrHeldElsewhere", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := w.waiting(); len(got) != 0 {
		t.Errorf("w1 still sees commands waiting for %v", got)
	}
	if slices.Contains(w.Held(), "shop-1") {
		t.Fatal("w1 still counts shop-1 among its leases")
	}
	release()
	waitFor(t, 10*time.Second, "w1 taking shop-1 back", func() bool {
		_, d, err := w.Begin(context.Background(), "shop-1")
		if err == nil {
			d()
		}
		return err == nil
	})
}

// A command leases a store no worker has ever run, on a ZooKeeper no
// worker has registered with yet.
func TestAOneShotCommandLeasesAStoreBeforeAnyWorkerRegistered(t *testing.T) {
	z := zooKeeper(t, 0, "")
	h := holder(t, "cli", z.Addr())
	_, release, err := h.Hold(context.Background(), "shop-9", time.Second)
	if err != nil {
		t.Fatalf("Hold with no worker about: %v", err)
	}
	release()
}
