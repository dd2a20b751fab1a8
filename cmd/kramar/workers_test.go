package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse/chlocal"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
)

// workerUnderTest is one `kramar serve` subprocess.
type workerUnderTest struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	name string // its coordination worker name: hostname-pid
}

var listenLine = regexp.MustCompile(`"msg":"serving","listen":"([^"]+)"`)

// addr is where the worker's endpoints listen, once it says so.
func (w *workerUnderTest) addr(t *testing.T) string {
	t.Helper()
	var addr string
	waitFor(t, 30*time.Second, "the worker listening", func() bool {
		if m := listenLine.FindStringSubmatch(w.logs.String()); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	return addr
}

func (w *workerUnderTest) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + w.addr(t) + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// announcements counts the webhook's messages by store and order.
type announcements struct {
	mu sync.Mutex
	n  map[string]int
}

func (a *announcements) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var msg struct {
		Order struct{ ID, Store string }
	}
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	a.n[msg.Order.Store+"/"+msg.Order.ID]++
	a.mu.Unlock()
}

func (a *announcements) snapshot() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.n)
}

// inflight tracks the sandbox's requests in flight per store token: two
// runs of one store at once would show as two.
type inflight struct {
	mu   sync.Mutex
	now  map[string]int
	most int
}

func (f *inflight) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := kit.BearerToken(r)
		f.mu.Lock()
		f.now[tok]++
		f.most = max(f.most, f.now[tok])
		f.mu.Unlock()
		// Slow answers make each run last, so overlapping runs would meet.
		time.Sleep(50 * time.Millisecond)
		h.ServeHTTP(w, r)
		f.mu.Lock()
		f.now[tok]--
		f.mu.Unlock()
	})
}

// Three workers share 300 stores through the ZooKeeper of a local
// ClickHouse cluster (one shard, two replicas) while orders keep coming; one
// is killed, and its stores move to the others.
func TestThreeWorkersShareTheStoresAndTakeOverAKilledOnesStores(t *testing.T) {
	const stores, every, session = 300, 2 * time.Second, 4 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cluster := chtest.NewCluster(t, 1, 2)
	zk := cluster.ZooKeeper
	wh := cluster.Open()
	if _, err := wh.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	// The sandbox runs on the wall clock, as the workers do.
	clock := kit.RealClock()
	sb := promsb.New(promsb.Options{Clock: clock, Seed: 7})
	flight := &inflight{now: map[string]int{}}
	e := &promtest.Env{Env: pipelinetest.NewEnvOn(t, clock, flight.wrap(sb.Handler()), wh), SB: sb}
	orders := map[string]int{}
	for i := range stores {
		orders[fmt.Sprintf("shop-%03d", i)] = 5
	}
	e.Seed(orders, func(id string, n int) pipelinetest.StoreSpec { spec, _ := promtest.Store(t, sb, id, n); return spec },
		func(store string) (o, i []string) { return promtest.Truth(t, sb, e.Tokens[store]) })
	heard := &announcements{n: map[string]int{}}
	hook := e.Serve(heard)
	perStore := map[string]string{}
	for id := range orders {
		perStore[id] = "safety_lag: 1s\nnotify:\n  webhook:\n    url: " + hook + "/hook"
	}
	e.Reconfigure(fmt.Sprintf("schedule:\n  orders_every: %s\n  jitter: 0s\n  catalog_at: \"off\"\n  expenses_at: \"off\"\n  grace: 5s\n"+
		"coordination:\n  zookeeper: [%q]\n  root: /kramar-test\n  session_timeout: %s\n", every, zk.Addr(), session), perStore)
	c := newCLI(t, buildKramar(t), e.WH.Database(), e.Path, config.EnvClickHouseCluster+"="+chlocal.ClusterName)
	c.dsn = cluster.DSN() // both servers, tried in turn

	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	var workers []*workerUnderTest
	for range 3 {
		cmd := c.command(ctx, "serve", "--listen", "127.0.0.1:0")
		w := &workerUnderTest{cmd: cmd, logs: &syncBuffer{}}
		cmd.Stderr = w.logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w.name = host + "-" + strconv.Itoa(cmd.Process.Pid)
		t.Cleanup(func() {
			_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
			if t.Failed() {
				t.Logf("worker %s log tail:\n%s", w.name, tail(w.logs.String(), 15, "no CRM mapping"))
			}
		})
		workers = append(workers, w)
	}

	// Orders keep coming, one every 200ms to the next store, until stopped.
	var added sync.Map // store/id → when, of the orders added during the test
	stopOrders := make(chan struct{})
	ordersDone := make(chan struct{})
	go func() {
		defer close(ordersDone)
		ids := pipelinetest.SortedKeys(orders)
		for i := 0; ; i++ {
			select {
			case <-stopOrders:
				return
			case <-time.After(200 * time.Millisecond):
			}
			store := ids[i%len(ids)]
			if id := sb.AddOrder(e.Tokens[store], nil); id != 0 {
				added.Store(store+"/"+strconv.FormatInt(id, 10), time.Now().UTC())
			}
		}
	}()
	stopAdding := func() {
		select {
		case <-stopOrders:
		default:
			close(stopOrders)
		}
		<-ordersDone
	}
	defer stopAdding()

	q := func(query string, args ...any) []string { return e.Query(query, args...) }
	n := func(query string, args ...any) int {
		v, err := strconv.Atoi(q(query, args...)[0])
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	waitFor(t, 60*time.Second, "every store run ok by the three workers", func() bool {
		return n(`SELECT uniqExact(store) FROM {db}.pipeline_runs WHERE job = 'orders' AND status = 'ok'`) == stores &&
			n(`SELECT uniqExact(worker) FROM {db}.pipeline_runs WHERE job = 'orders' AND status = 'ok' AND worker != ''`) == 3
	})
	time.Sleep(8 * time.Second) // orders keep coming; every worker runs its share a few times
	for _, w := range workers {
		if code, body := w.get(t, "/readyz"); code != 200 {
			t.Errorf("worker %s /readyz: %d %s", w.name, code, body)
		}
	}
	// A worker's /metrics names the stores it holds.
	_, metrics := workers[0].get(t, "/metrics")
	held := strings.Count(metrics, "\nkramar_store_lease{")
	if held == 0 || held == stores {
		t.Errorf("worker 0 holds %d of %d leases, want a share", held, stores)
	}
	names := q(`SELECT DISTINCT worker FROM {db}.pipeline_runs WHERE worker != '' ORDER BY worker`)
	for _, w := range workers {
		if !slices.Contains(names, w.name) {
			t.Errorf("no run of worker %s; runs name %v", w.name, names)
		}
	}

	// SIGKILL a worker mid-cycle.
	victim := workers[0]
	owned := q(`SELECT store FROM {db}.pipeline_runs WHERE job = 'orders' AND status = 'ok'
		GROUP BY store HAVING argMax(worker, (started_at, _version)) = ?`, victim.name)
	if len(owned) == 0 {
		t.Fatalf("worker %s ran no store lately", victim.name)
	}
	before := heard.snapshot()
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = victim.cmd.Wait()
	killed := time.Now().UTC()
	t.Logf("killed worker %s, which ran %d stores", victim.name, len(owned))
	// Its stores run ok on the others, started after the kill (run times
	// are whole seconds: from the next second on).
	after := killed.Truncate(time.Second).Add(time.Second)
	var took time.Duration
	waitFor(t, 40*time.Second, "the killed worker's stores running on the others", func() bool {
		got := n(`SELECT uniqExact(store) FROM {db}.pipeline_runs WHERE job = 'orders' AND status = 'ok'
			AND worker NOT IN ('', ?) AND started_at >= toDateTime(?) AND has(?, store)`, victim.name, after.Unix(), owned)
		took = time.Since(killed)
		return got == len(owned)
	})
	t.Logf("its %d stores ran on the others %v after the kill (session timeout %v, interval %v)", len(owned), took.Round(100*time.Millisecond), session, every)
	// Within the session timeout and one interval, plus the flush that
	// writes the run record and slack for a loaded machine.
	if limit := session + every + 20*time.Second; took > limit {
		t.Errorf("takeover took %v, more than %v", took, limit)
	}

	// The orders stop; the live workers load the rest.
	time.Sleep(2 * time.Second)
	stopAdding()
	all := pipelinetest.SortedKeys(orders)
	waitFor(t, 40*time.Second, "the warehouse equal to the sandbox", func() bool {
		for _, s := range all {
			wo, wi := e.Warehouse(s)
			to, ti := e.Truth(s)
			if pipelinetest.Diff(to, wo) != "" || pipelinetest.Diff(ti, wi) != "" {
				return false
			}
		}
		return true
	})
	e.AssertEqual(all...)
	// The other replica has it all too, by replication.
	second := cluster.Open(1)
	waitFor(t, 30*time.Second, "the second replica equal to the sandbox", func() bool {
		for _, s := range all {
			wo, wi := pipelinetest.Picture(t, second, s)
			to, ti := e.Truth(s)
			if pipelinetest.Diff(to, wo) != "" || pipelinetest.Diff(ti, wi) != "" {
				return false
			}
		}
		return true
	})
	if dup := q(`SELECT store, external_id, count() FROM {db}.v_orders GROUP BY store, external_id HAVING count() > 1 LIMIT 5`); len(dup) > 0 {
		t.Errorf("orders doubled in v_orders: %v", dup)
	}
	// kramar status names the worker of each store's last run: a live one.
	// (Its exit code is not the point: a run of a killed worker's store cut
	// by the kill may still be the store's last word.)
	out, _ := c.run("status")
	for _, s := range all {
		line := regexp.MustCompile(`(?m)^` + s + `\s.*\s(\S+)$`).FindStringSubmatch(out)
		if line == nil || line[1] == victim.name || !strings.HasPrefix(line[1], host+"-") {
			t.Errorf("status of %s does not name a live worker:\n%s", s, out)
			break
		}
	}
	if !regexp.MustCompile(`(?m)^workers \(ZooKeeper /kramar-test\): 2 live; leases held: \S+ \d+, \S+ \d+; stores without a lease: 0$`).MatchString(out) {
		t.Errorf("status does not show the two live workers holding every lease:\n%s", grep(out, "workers"))
	}
	flight.mu.Lock()
	most := flight.most
	flight.mu.Unlock()
	if most != 1 {
		t.Errorf("%d requests of one store were in flight at once: two workers ran it together", most)
	}

	// Each order is announced, once but for the killed worker's last
	// moments: a message it had sent and not yet recorded goes out again
	// from the new holder (README: a lost answer; a lone daemon killed does
	// the same). Only the killed worker's stores may show that, and no
	// order twice before the kill. None is lost: a message is queued in the
	// flush of its order's rows, ahead of them.
	for k, v := range before {
		if v > 1 {
			t.Errorf("order %s announced %d times before the kill", k, v)
		}
	}
	victims := func(key string) bool { return slices.Contains(owned, strings.Split(key, "/")[0]) }
	unheard := func() (keys []string) {
		got := heard.snapshot()
		added.Range(func(k, _ any) bool {
			if got[k.(string)] == 0 {
				keys = append(keys, k.(string))
			}
			return true
		})
		return keys
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(unheard()) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	heardAll := heard.snapshot()
	var twice, lost []string
	for k, v := range heardAll {
		if v > 1 {
			twice = append(twice, k)
			if !victims(k) {
				t.Errorf("order %s of a store the killed worker did not run was announced %d times", k, v)
			}
		}
	}
	added.Range(func(k, _ any) bool {
		if key := k.(string); heardAll[key] == 0 {
			lost = append(lost, key)
		}
		return true
	})
	if len(lost) > 0 {
		t.Errorf("orders never announced: %v", lost)
	}
	t.Logf("announced %d orders; of the killed worker's last moments, twice: %v", len(heardAll), twice)
}

func tail(s string, n int, skip string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if !strings.Contains(l, skip) {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ZooKeeper gone: the worker starts no run, says so in its log and
// /readyz, and carries on by itself once ZooKeeper is back.
func TestAWorkerStopsStartingRunsWhileZooKeeperIsDownAndResumes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	zk, err := chlocal.StartZooKeeper(ctx, chlocal.Options{Dir: dir}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = zk.Stop() })
	m, _, _ := promPair(t)
	m.Configure(fastSchedule+fmt.Sprintf("coordination:\n  zookeeper: [%q]\n  root: /kramar-test\n  session_timeout: 4s\n  worker: solo\n", zk.Addr()), nil)
	d := startServe(t, m)
	okRuns := func() int {
		return count(t, m, `SELECT count() FROM {db}.pipeline_runs WHERE job = 'orders' AND status = 'ok' AND worker = 'solo'`)
	}
	waitFor(t, 30*time.Second, "ok runs of both stores by worker solo", func() bool {
		return count(t, m, `SELECT uniqExact(store) FROM {db}.pipeline_runs WHERE status = 'ok' AND worker = 'solo'`) == 2
	})
	if code, body := d.get(t, "/readyz"); code != 200 {
		t.Fatalf("/readyz with ZooKeeper up: %d %s", code, body)
	}
	if _, metrics := d.get(t, "/metrics"); !strings.Contains(metrics, `kramar_store_lease{store="prom-a"} 1`) ||
		!strings.Contains(metrics, `kramar_store_lease{store="prom-b"} 1`) {
		t.Errorf("/metrics lacks the leases of the lone worker:\n%s", grep(metrics, "kramar_store_lease"))
	}

	port := zk.Addr()[strings.LastIndex(zk.Addr(), ":")+1:]
	zk.Kill()
	waitFor(t, 10*time.Second, "/readyz failing", func() bool { code, _ := d.get(t, "/readyz"); return code == 503 })
	if _, body := d.get(t, "/readyz"); !strings.Contains(body, "zookeeper: ZooKeeper connection lost; no new runs start") {
		t.Errorf("/readyz while ZooKeeper is down: %q", body)
	}
	if !strings.Contains(d.logs.String(), "ZooKeeper connection lost") {
		t.Error("the log does not say the ZooKeeper connection was lost")
	}
	// A run under way when the connection went may still finish and its
	// record wait for a flush; after that no run starts.
	time.Sleep(2 * time.Second)
	down := okRuns()
	time.Sleep(2 * time.Second)
	if n := okRuns(); n != down {
		t.Errorf("%d runs started while ZooKeeper was down", n-down)
	}

	out, code := newCLI(t, buildKramar(t), m.WH.Database(), m.Path).run("status")
	if code != 1 || !strings.Contains(out, "workers (ZooKeeper /kramar-test): not reachable") {
		t.Errorf("status while ZooKeeper is down: exit %d\n%s", code, out)
	}
	p, _ := strconv.Atoi(port)
	zk2, err := chlocal.StartZooKeeper(ctx, chlocal.Options{Dir: dir}, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = zk2.Stop() })
	waitFor(t, 30*time.Second, "/readyz ok again", func() bool { code, _ := d.get(t, "/readyz"); return code == 200 })
	waitFor(t, 30*time.Second, "runs again", func() bool { return okRuns() >= down+2 })
	if !strings.Contains(d.logs.String(), "ZooKeeper connection back") {
		t.Error("the log does not say the ZooKeeper connection came back")
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
}

// kramar run --once beside a kramar serve worker on the same stores: the
// command takes the store's lease from the worker between two of its runs,
// the store's requests never overlap, the run record names the command,
// and the worker takes the store back afterwards.
func TestAOneShotRunTakesTheStoreFromItsWorkerAndNeverOverlapsIt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	zk, err := chlocal.StartZooKeeper(ctx, chlocal.Options{Dir: t.TempDir()}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = zk.Stop() })
	clock := kit.RealClock()
	sb := promsb.New(promsb.Options{Clock: clock, Seed: 7})
	flight := &inflight{now: map[string]int{}}
	e := &promtest.Env{Env: pipelinetest.NewEnvOn(t, clock, flight.wrap(sb.Handler()), chtest.New(t)), SB: sb}
	e.Seed(map[string]int{"shop-a": 30, "shop-b": 20}, func(id string, n int) pipelinetest.StoreSpec { spec, _ := promtest.Store(t, sb, id, n); return spec },
		func(store string) (o, i []string) { return promtest.Truth(t, sb, e.Tokens[store]) })
	e.Reconfigure(fmt.Sprintf("schedule:\n  orders_every: 300ms\n  jitter: 0s\n  catalog_at: \"off\"\n  expenses_at: \"off\"\n  grace: 5s\n"+
		"coordination:\n  zookeeper: [%q]\n  root: /kramar-test\n  session_timeout: 4s\n  worker: solo\n", zk.Addr()),
		map[string]string{"shop-a": "safety_lag: 1s", "shop-b": "safety_lag: 1s"})
	c := newCLI(t, buildKramar(t), e.WH.Database(), e.Path)
	serve := c.command(ctx, "serve", "--listen", "127.0.0.1:0")
	logs := &syncBuffer{}
	serve.Stderr = logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(serve.Process.Pid, syscall.SIGKILL)
		_ = serve.Wait()
		if t.Failed() {
			t.Logf("worker log tail:\n%s", tail(logs.String(), 20, "no CRM mapping"))
		}
	})
	n := func(query string, args ...any) int {
		v, err := strconv.Atoi(e.Query(query, args...)[0])
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	solo := func(store string) int {
		return n(`SELECT count() FROM {db}.pipeline_runs WHERE store = ? AND status = 'ok' AND worker = 'solo'`, store)
	}
	waitFor(t, 60*time.Second, "the worker running both stores", func() bool { return solo("shop-a") > 0 && solo("shop-b") > 0 })

	out, code := c.run("run", "--once", "--store", "shop-a", "--lease-wait", "30s")
	if code != 0 || !strings.Contains(out, "shop-a") {
		t.Fatalf("run --once beside the worker: exit %d\n%s", code, out)
	}
	if n := n(`SELECT count() FROM {db}.pipeline_runs WHERE store = 'shop-a' AND status = 'ok' AND worker LIKE '%(kramar run, pid %'`); n != 1 {
		t.Errorf("%d ok runs of shop-a name the command as their worker, want 1", n)
	}
	after := solo("shop-a")
	waitFor(t, 30*time.Second, "the worker running shop-a again", func() bool { return solo("shop-a") > after })
	flight.mu.Lock()
	most := flight.most
	flight.mu.Unlock()
	if most != 1 {
		t.Errorf("a store had %d requests in flight at once: its runs overlapped", most)
	}
	e.AssertEqual("shop-a")
}
