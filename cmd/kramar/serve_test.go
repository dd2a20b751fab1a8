package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors/prom/promtest"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
)

// fastSchedule runs orders (and push) every 200ms and nothing daily.
const fastSchedule = "schedule:\n  orders_every: 200ms\n  push_every: 200ms\n  jitter: 50ms\n  catalog_at: \"off\"\n  expenses_at: \"off\"\n  grace: 5s\n"

// syncBuffer is a log sink the daemon's goroutines share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// daemonUnderTest is serve running in this process on a Multi harness.
type daemonUnderTest struct {
	addr   string
	logs   *syncBuffer
	reload chan struct{}
	stop   func() error
}

func startServe(t *testing.T, m *pipelinetest.Multi) *daemonUnderTest {
	t.Helper()
	return startServeOn(t, m, "127.0.0.1:0")
}

// startServeOn is startServe listening on listen.
func startServeOn(t *testing.T, m *pipelinetest.Multi, listen string) *daemonUnderTest {
	t.Helper()
	d := &daemonUnderTest{logs: &syncBuffer{}, reload: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	serving := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, serveOptions{
			Config: m.Cfg, WH: m.WH, Listen: listen, Reload: d.reload, Serving: serving,
			Log: slog.New(slog.NewTextHandler(d.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			// The harness's clock and short backoffs, as its own runners have.
			Tune: func(r *pipeline.Runner) {
				h := m.Runner()
				r.Now, r.HTTP, r.PushBackoff = h.Now, h.HTTP, h.PushBackoff
			},
		})
	}()
	select {
	case d.addr = <-serving:
	case err := <-done:
		t.Fatalf("serve ended at once: %v", err)
	}
	var stopped bool
	d.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop within 30s")
			return nil
		}
	}
	t.Cleanup(func() { _ = d.stop() })
	return d
}

func (d *daemonUnderTest) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + d.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
	}
}

func count(t *testing.T, m *pipelinetest.Multi, q string, args ...any) int {
	t.Helper()
	n, err := strconv.Atoi(m.Query(q, args...)[0])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func promPair(t *testing.T) (*pipelinetest.Multi, *promsb.Sandbox, map[string]string) {
	clock := kit.NewClock(pipelinetest.Start)
	sb := promsb.New(promsb.Options{Clock: clock, Seed: 7})
	a, tokA := promtest.Store(t, sb, "prom-a", 40)
	b, tokB := promtest.Store(t, sb, "prom-b", 30)
	m := pipelinetest.NewMulti(t, clock, []pipelinetest.StoreSpec{a, b}, fastSchedule)
	return m, sb, map[string]string{"prom-a": tokA, "prom-b": tokB}
}

func TestServeRunsJobsOnScheduleServesMetricsAndReloads(t *testing.T) {
	m, sb, tokens := promPair(t)
	m.Configure(fastSchedule, map[string]string{"prom-b": "push:\n  orders: true"})
	d := startServe(t, m)

	okRuns := func(store, job string) int {
		return count(t, m, `SELECT count() FROM {db}.pipeline_runs WHERE store = ? AND job = ? AND status = 'ok'`, store, job)
	}
	waitFor(t, 20*time.Second, "three ok order runs of each store and a push run of prom-b", func() bool {
		return okRuns("prom-a", "orders") >= 3 && okRuns("prom-b", "orders") >= 3 && okRuns("prom-b", "push") >= 1
	})
	if n := count(t, m, `SELECT count() FROM {db}.pipeline_runs WHERE store = 'prom-a' AND job = 'push'`); n != 0 {
		t.Errorf("prom-a pushes nothing, yet ran push %d times", n)
	}
	// A new order on the marketplace arrives with a later cycle.
	id := sb.AddOrder(tokens["prom-a"], nil)
	m.Clock.Advance(time.Minute) // past the safety lag
	waitFor(t, 20*time.Second, "the new order in the warehouse", func() bool {
		return count(t, m, `SELECT count() FROM {db}.v_orders WHERE store = 'prom-a' AND external_id = ?`, strconv.FormatInt(id, 10)) == 1
	})

	if code, body := d.get(t, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := d.get(t, "/readyz"); code != 200 {
		t.Errorf("/readyz: %d %q", code, body)
	}
	if code, body := d.get(t, "/reports/nope"); code != 404 || !strings.Contains(body, "unknown report") {
		t.Errorf("/reports/ is not mounted: %d %q", code, body)
	}
	if code, _ := d.get(t, "/reports/orders"); code != 200 {
		t.Errorf("/reports/orders: %d", code)
	}
	_, metrics := d.get(t, "/metrics")
	for _, want := range []string{
		`kramar_runs_total{job="orders",status="ok",store="prom-a"} `,
		`kramar_runs_total{job="push",status="ok",store="prom-b"} `,
		`kramar_rows_total{job="orders",kind="new",store="prom-a"} `,
		`kramar_rows_total{job="orders",kind="fetched",store="prom-b"} `,
		`kramar_lag_seconds{job="orders",store="prom-a"} `,
		`kramar_push_outcomes_total{outcome="landed",store="prom-b"} 0`,
		`kramar_http_requests_total{class="2xx",marketplace="prom"} `,
		"# TYPE kramar_run_duration_seconds summary",
		`kramar_clickhouse_flushes_total{outcome="ok"} `,
		"kramar_clickhouse_inserts_total ",
		"# TYPE go_goroutines gauge",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Every order of prom-a was new once: 41 rows, once the run that
	// loaded the last one has finished.
	waitFor(t, 10*time.Second, "41 new rows of prom-a in /metrics", func() bool {
		_, metrics = d.get(t, "/metrics")
		return strings.Contains(metrics, `kramar_rows_total{job="orders",kind="new",store="prom-a"} 41`+"\n")
	})

	// A broken config is refused and the old schedule keeps running.
	good, err := os.ReadFile(m.Cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, m.Cfg.Path, strings.Replace(string(good), "orders_every: 200ms", "orders_every: soon", 1))
	d.reload <- struct{}{}
	waitFor(t, 5*time.Second, "the broken config refused", func() bool {
		return strings.Contains(d.logs.String(), "config reload refused; the previous config stays in force")
	})
	before := okRuns("prom-a", "orders")
	waitFor(t, 10*time.Second, "order runs going on after the refused reload", func() bool { return okRuns("prom-a", "orders") >= before+2 })

	// A good one takes effect: prom-a leaves the config and is no longer run.
	var kept []string
	for _, block := range strings.Split(string(good), "\n  - id: ") {
		if !strings.HasPrefix(block, "prom-a\n") {
			kept = append(kept, block)
		}
	}
	writeFile(t, m.Cfg.Path, strings.Join(kept, "\n  - id: "))
	d.reload <- struct{}{}
	waitFor(t, 5*time.Second, "the good config reloaded", func() bool { return strings.Contains(d.logs.String(), "config reloaded") })
	// A run already going may finish; its rows wait for a shared flush,
	// up to clickhouse.flush_interval (1s).
	time.Sleep(1500 * time.Millisecond)
	after := okRuns("prom-a", "orders")
	time.Sleep(time.Second)
	if n := okRuns("prom-a", "orders"); n != after {
		t.Errorf("prom-a ran %d more times after it left the config", n-after)
	}
	if err := d.stop(); err != nil {
		t.Fatalf("serve returned %v on stop", err)
	}
}

func grep(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A run slower than the interval is followed at once by a catch-up run; a
// firing merged into a catch-up already waiting is recorded as skipped_overlap.
func TestServeSlowJobNeverOverlapsCatchesUpAndRecordsTheMerge(t *testing.T) {
	m, _, _ := promPair(t)
	var inflight, most atomic.Int32
	m.Before(func(store string, _ *http.Request) {
		if store != "prom-a" {
			return
		}
		n := inflight.Add(1)
		for {
			if old := most.Load(); n <= old || most.CompareAndSwap(old, n) {
				break
			}
		}
		time.Sleep(250 * time.Millisecond) // every request slow: a run outlasts the 200ms interval
		inflight.Add(-1)
	})
	d := startServe(t, m)
	waitFor(t, 30*time.Second, "a skipped_overlap row and two ok runs of prom-a", func() bool {
		return count(t, m, `SELECT count() FROM {db}.pipeline_runs WHERE store = 'prom-a' AND job = 'orders' AND status = 'skipped_overlap'`) >= 1 &&
			count(t, m, `SELECT count() FROM {db}.pipeline_runs WHERE store = 'prom-a' AND job = 'orders' AND status = 'ok'`) >= 2
	})
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	// Every scheduled run says when it was due; a catch-up run of prom-a
	// started well after its firing (the first run takes two 250ms
	// requests, the firing 200ms after its own came during it).
	if n := count(t, m, `SELECT count() FROM {db}.pipeline_runs WHERE status = 'ok' AND scheduled_at < toDateTime('2020-01-01 00:00:00')`); n != 0 {
		t.Errorf("%d scheduled runs have no scheduled_at", n)
	}
	if n := count(t, m, `SELECT count() FROM {db}.pipeline_runs WHERE store = 'prom-a' AND status = 'ok' AND late_ms >= 100`); n == 0 {
		t.Errorf("no catch-up run of prom-a started late: %v", m.Query(`SELECT status, late_ms FROM {db}.pipeline_runs WHERE store = 'prom-a'`))
	}
	if most.Load() != 1 {
		t.Errorf("%d requests of prom-a were in flight at once: two runs overlapped", most.Load())
	}
	if n := count(t, m, `SELECT count() FROM {db}.pipeline_runs WHERE store = 'prom-b' AND job = 'orders' AND status = 'ok'`); n < 2 {
		t.Errorf("the slow prom-a held prom-b back: %d ok runs", n)
	}
}

func TestReadyzFailsWhenClickHouseIsUnreachable(t *testing.T) {
	_, dsn := chtest.NewWithDSN(t)
	proxy, viaProxy := chtest.NewProxy(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wh, err := clickhouse.Open(ctx, viaProxy)
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	h := readyHandler(wh)
	probe := func() (int, string) {
		req, _ := http.NewRequest("GET", "/readyz", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, body := probe(); code != 200 {
		t.Fatalf("/readyz with ClickHouse up: %d %s", code, body)
	}
	proxy.Cut()
	code, body := probe()
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "clickhouse not reachable") {
		t.Fatalf("/readyz with ClickHouse down: %d %q, want 503", code, body)
	}
	if u, _ := url.Parse(dsn); u.User.String() != "" && strings.Contains(body, u.User.String()+"@") {
		t.Errorf("/readyz shows the DSN's credentials: %q", body)
	}
}

// TestSIGTERMMidRunExitsZeroAndTheNextStartFinishes runs the built binary:
// SIGTERM while the first cycle loads, a grace too short for it to finish,
// exit 0; the next start loads exactly what the sandbox holds.
func TestSIGTERMMidRunExitsZeroAndTheNextStartFinishes(t *testing.T) {
	e, c := wallClockCLI(t, map[string]int{"prom-a": 1500})
	slowDown(t, e, 20, "schedule:\n  orders_every: 1s\n  jitter: 0s\n  catalog_at: \"off\"\n  expenses_at: \"off\"\n  grace: 300ms\n")
	if _, err := config.Load(e.Path); err != nil {
		t.Fatal(err)
	}
	total := len(e.SB.Orders(e.SB.StoreID(e.Tokens["prom-a"])))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := func() (*exec.Cmd, *syncBuffer) {
		cmd := c.command(ctx, "serve", "--listen", "127.0.0.1:0")
		logs := &syncBuffer{}
		cmd.Stderr = logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, logs
	}
	stop := func(cmd *exec.Cmd, logs *syncBuffer) {
		t.Helper()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); exitCode(err) != 0 {
			t.Fatalf("exit %d after SIGTERM, want 0:\n%s", exitCode(err), logs.String())
		}
		// Not a terminal: every log line is a JSON object.
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var line map[string]any
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Fatalf("log line is not JSON: %s", sc.Text())
			}
		}
		if !strings.Contains(logs.String(), `"msg":"stopped"`) {
			t.Errorf("no stopped line in the log:\n%s", logs.String())
		}
	}

	cmd, logs := start()
	waitFor(t, 60*time.Second, "the first cycle loading items", func() bool {
		return e.Query(`SELECT count() FROM {db}.order_items`)[0] != "0"
	})
	stop(cmd, logs)
	loaded := e.Query(`SELECT count() FROM {db}.v_orders`)[0]
	if loaded == strconv.Itoa(total) {
		t.Fatalf("all %d orders were in before the stop took effect: the stop was not mid-run", total)
	}
	if n := e.Query(`SELECT count() FROM {db}.v_extract_state WHERE kind = 'cursor'`)[0]; n != "0" {
		t.Fatal("a cancelled run saved its cursor")
	}
	if !strings.Contains(logs.String(), "cancelling running jobs") {
		t.Errorf("the log does not say the run was cancelled after grace:\n%s", logs.String())
	}
	t.Logf("stopped with %s of %d orders loaded", loaded, total)

	cmd, logs = start()
	waitFor(t, 60*time.Second, "an ok order run after the restart", func() bool {
		return e.Query(`SELECT count() FROM {db}.pipeline_runs WHERE job = 'orders' AND status = 'ok'`)[0] != "0"
	})
	stop(cmd, logs)
	e.AssertEqual("prom-a")
}
