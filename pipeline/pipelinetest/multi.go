package pipelinetest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chtest"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/sandbox/kit"
)

// Sandbox is what every marketplace sandbox offers a test.
type Sandbox interface {
	Handler() http.Handler
	Recorder() *kit.Recorder
	Faults() *kit.Faults
}

// StoreSpec is one store of a Multi harness.
type StoreSpec struct {
	ID      string
	Sandbox Sandbox
	// YAML is the store's config keys after its id, one per line and not
	// indented ("marketplace: prom", "token_env: X", …); "{url}" stands for
	// the sandbox's address.
	YAML string
	// Secret is the store's token or password, and SecretEnv the
	// environment variable the config reads it from.
	Secret, SecretEnv string
}

// ChangeSecret gives the store's config a wrong secret, as when the seller
// changed the password in the cabinet and not in kramar.
func ChangeSecret(t testing.TB, spec StoreSpec) {
	t.Helper()
	if spec.SecretEnv == "" {
		t.Fatalf("store %s: no secret variable to change", spec.ID)
	}
	t.Setenv(spec.SecretEnv, "a-changed-password")
}

// harness is what Env and Multi share: one clock, one fresh warehouse
// database, the config and the runs' log.
type harness struct {
	t     testing.TB
	Clock *kit.Clock
	WH    *clickhouse.Warehouse
	Cfg   *config.Config
	Logs  *bytes.Buffer
	Path  string // the config file
	// Notify, when set, sends the new-order messages of the runs.
	Notify *pipeline.Notifier
}

func newHarness(t testing.TB, clock *kit.Clock) harness {
	return harness{t: t, Clock: clock, WH: chtest.New(t), Logs: &bytes.Buffer{}}
}

// T is the test the harness belongs to.
func (h *harness) T() testing.TB { return h.t }

// serve starts a test server for the handler, calling before ahead of
// every request, and returns its address.
func (h *harness) serve(handler http.Handler, before func(*http.Request)) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		before(r)
		handler.ServeHTTP(w, r)
	}))
	h.t.Cleanup(srv.Close)
	return srv.URL
}

// Runner is a fresh Runner, as a new process would start it.
func (h *harness) Runner() *pipeline.Runner {
	return &pipeline.Runner{
		Warehouse: h.WH, Config: h.Cfg, Now: h.Clock.Now, Notify: h.Notify,
		Log:         slog.New(slog.NewTextHandler(h.Logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		HTTP:        func(o *httpx.Options) { o.InitialBackoff = 5 * time.Millisecond },
		PushBackoff: 10 * time.Millisecond,
		// One store at a time keeps the sandbox's seeded fault sequence repeatable.
		Parallel: 1,
	}
}

// RunJob runs one cycle of job for the stores (all when none) in a fresh
// Runner and returns the results by store.
func (h *harness) RunJob(ctx context.Context, job string, stores ...string) map[string]pipeline.StoreResult {
	h.t.Helper()
	res, err := h.Runner().RunJob(ctx, job, stores...)
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]pipeline.StoreResult{}
	for _, x := range res {
		out[x.Store] = x
		if x.Err != nil {
			h.t.Logf("store %s %s: %s: %v", x.Store, job, x.Status, x.Err)
		}
	}
	return out
}

// Query returns the rows of q ({db} = the warehouse's database).
func (h *harness) Query(q string, args ...any) []string {
	h.t.Helper()
	return Query(h.t, h.WH, q, args...)
}

// Multi is a harness of stores on different marketplaces, each on its own
// sandbox server, sharing one clock and one warehouse.
type Multi struct {
	harness
	specs []StoreSpec
	urls  map[string]string // store → sandbox address
	// before, when set, runs before a sandbox answers a request of a store.
	before atomic.Value
}

// NewMulti starts one server per store's sandbox and writes a config with
// the stores and extra (top-level YAML such as outbound:).
func NewMulti(t testing.TB, clock *kit.Clock, specs []StoreSpec, extra string) *Multi {
	t.Helper()
	m := &Multi{harness: newHarness(t, clock), specs: specs, urls: map[string]string{}}
	for _, s := range specs {
		id := s.ID
		m.urls[id] = m.serve(s.Sandbox.Handler(), func(r *http.Request) {
			if f, ok := m.before.Load().(func(string, *http.Request)); ok && f != nil {
				f(id, r)
			}
		})
	}
	m.Configure(extra, nil)
	return m
}

// Configure rewrites the config: extra top-level YAML, and per store extra
// keys (same form as StoreSpec.YAML, nested blocks indented by two spaces).
func (m *Multi) Configure(extra string, perStore map[string]string) {
	m.t.Helper()
	m.Path, m.Cfg = WriteConfig(m.t, configText(m.specs, func(id string) string { return m.urls[id] }, extra, perStore))
}

// configText is a harness config: the harness defaults, extra top-level
// YAML, and the stores of specs with url(id) for "{url}" and perStore's
// extra keys.
func configText(specs []StoreSpec, url func(id string) string, extra string, perStore map[string]string) string {
	var b strings.Builder
	b.WriteString(harnessDefaults)
	b.WriteString(extra)
	if extra != "" && !strings.HasSuffix(extra, "\n") {
		b.WriteString("\n")
	}
	b.WriteString("stores:\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "  - id: %s\n", s.ID)
		for _, block := range []string{s.YAML, perStore[s.ID]} {
			for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
				if strings.TrimSpace(line) != "" {
					b.WriteString("    " + strings.ReplaceAll(line, "{url}", url(s.ID)) + "\n")
				}
			}
		}
	}
	return b.String()
}

// WriteConfig writes text to a fresh kramar.yaml and loads it.
func WriteConfig(t testing.TB, text string) (string, *config.Config) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kramar.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, text)
	}
	return path, cfg
}

// Before sets a hook that sees every request before the sandbox does.
func (m *Multi) Before(f func(store string, r *http.Request)) { m.before.Store(f) }

// Run runs one cycle of job for the stores (all when none) in a fresh Runner.
func (m *Multi) Run(ctx context.Context, job string, stores ...string) map[string]pipeline.StoreResult {
	m.t.Helper()
	return m.RunJob(ctx, job, stores...)
}

// SecretEnv puts a fresh secret for a store into an environment variable
// and returns the variable's name and the secret.
func SecretEnv(t testing.TB, prefix, store string) (string, string) {
	name := prefix + "_" + strings.ToUpper(strings.ReplaceAll(store, "-", "_"))
	secret := fmt.Sprintf("%s-%s-S3CR3T-%d", strings.ToLower(prefix), store, time.Now().UnixNano())
	t.Setenv(name, secret)
	return name, secret
}
