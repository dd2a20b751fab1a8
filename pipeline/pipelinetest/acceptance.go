package pipelinetest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/sandbox/kit"
)

// Driver is what a marketplace gives the acceptance suite: its simulator's
// stores and the simulator's truth in the warehouse's terms. One Driver
// serves one test; the suite makes a fresh one for each guarantee.
type Driver interface {
	// AddStore seeds a store with n orders and returns its spec (with its
	// Secret set); the stores of one driver may share a simulator.
	AddStore(t testing.TB, id string, orders int) StoreSpec
	// Truth is what the warehouse must show of the store: one line per
	// order (external id, marketplace status, amount at 2 places, ttn,
	// payment status) and one per line (order, line, external id, total at
	// 2 places), read from the simulator independently of the transform.
	Truth(t testing.TB, store string) (orders, items []string)
	// Change makes a day's changes to the store's orders (statuses,
	// waybills, payments, a new order); round counts from 1. It returns how
	// many orders it changed or added.
	Change(t testing.TB, store string, round int) int
	// AddMalformed adds an order the transform must reject and returns its
	// external id; "" when the simulator cannot send a broken order.
	AddMalformed(t testing.TB, store string) string
}

// Keyed is the part of a driver that holds its simulator (SB), adds its
// stores and reads their truth by the key the simulator knows each store
// by (a token, a shop id); drivers embed it.
type Keyed[S any] struct {
	SB    S
	add   func(t testing.TB, sb S, id string, n int) (StoreSpec, string)
	truth func(t testing.TB, sb S, key string) (orders, items []string)
	keys  map[string]string
	specs map[string]StoreSpec
}

// NewKeyed adds stores to sb through add (a spec and the simulator's key)
// and reads a store's truth through truth, by that key.
func NewKeyed[S any](sb S, add func(t testing.TB, sb S, id string, n int) (StoreSpec, string), truth func(t testing.TB, sb S, key string) (orders, items []string)) *Keyed[S] {
	return &Keyed[S]{SB: sb, add: add, truth: truth, keys: map[string]string{}, specs: map[string]StoreSpec{}}
}

// AddStore is Driver.AddStore.
func (k *Keyed[S]) AddStore(t testing.TB, id string, n int) StoreSpec {
	spec, key := k.add(t, k.SB, id, n)
	k.keys[id], k.specs[id] = key, spec
	return spec
}

// Truth is Driver.Truth.
func (k *Keyed[S]) Truth(t testing.TB, store string) (orders, items []string) {
	return k.truth(t, k.SB, k.keys[store])
}

// Key is the simulator's key of a store.
func (k *Keyed[S]) Key(store string) string { return k.keys[store] }

// Secret is a store's secret.
func (k *Keyed[S]) Secret(store string) string { return k.specs[store].Secret }

// Revoker is a Driver whose marketplace can revoke a credential (a token
// withdrawn in the cabinet). Without it a credential goes bad the way a
// login's does: the seller changed the password and the config still has
// the old one (ChangeSecret).
type Revoker interface {
	Revoke(t testing.TB, store string)
}

// FaultKinds is a Driver whose simulator can inject only some faults (a
// file download has no pages to repeat or shift).
type FaultKinds interface{ FaultKinds() []kit.Kind }

// Scaled is a Driver whose marketplace serves pages of a fixed size, larger
// than the suite asks for: its stores get Scale times the orders, so the
// pulls still cross many pages.
type Scaled interface{ Scale() int }

// Sessions is a Driver whose marketplace logs in and hands out a session
// that expires.
type Sessions interface {
	// ExpireSessions ends every session of the store's simulator.
	ExpireSessions(store string)
	// IsLogin tells a login among the recorded requests.
	IsLogin(r kit.Request) bool
	// IsPage tells a request for a page of orders.
	IsPage(r *http.Request) bool
}

// Pushes is a Driver whose marketplace takes order changes back.
type Pushes interface {
	// Outbound is the config's outbound: block for the marketplace.
	Outbound() string
	// PushCases picks changes for the store's orders the warehouse holds,
	// each with the marketplace status the order must reach: at least
	// four, two of them without a ttn.
	PushCases(t testing.TB, store string, loaded []Loaded) []PushCase
	// IsWrite tells a request that changes an order.
	IsWrite(r *http.Request) bool
	// Applied names the call a recorded write made ("METHOD path order"),
	// or "" when r is not a write.
	Applied(r kit.Request) string
}

// Changes makes a day's changes to orders, as drivers' Change do: from
// the round-th order, every ninth gets in turn a waybill, a payment and a
// status (each call says whether the simulator took it); then add adds a
// new order. It returns how many orders changed or were added.
func Changes[O any](orders []O, round int, waybill func(o O, ttn string) error, pay, status func(o O) error, add func()) int {
	n := 1
	for i := round; i < len(orders); i += 9 {
		var err error
		switch i % 3 {
		case 0:
			err = waybill(orders[i], fmt.Sprintf("2045%010d", i))
		case 1:
			err = pay(orders[i])
		default:
			err = status(orders[i])
		}
		if err == nil {
			n++
		}
	}
	add()
	return n
}

// Loaded is an order as the warehouse holds it.
type Loaded struct{ ID, Status string }

// PushCase is one CRM change and the marketplace status it leads to.
type PushCase struct {
	Change pipeline.CRMChange
	Status string
}

// Acceptance runs the guarantees every marketplace keeps, each on a fresh
// driver and warehouse: re-runs change nothing, faults converge, a revoked
// credential fails only its store, a malformed order is rejected by id,
// secrets never leak; where the driver can, sessions cost one re-login on
// expiry and pushes land exactly once, also across a crash.
func Acceptance(t *testing.T, newDriver func(clock *kit.Clock) Driver) {
	t.Run("re-runs leave one row per order and line", func(t *testing.T) { rerun(t, newDriver) })
	t.Run("faults converge after three runs", func(t *testing.T) { faults(t, newDriver) })
	t.Run("a revoked credential fails only its store", func(t *testing.T) { revoked(t, newDriver) })
	t.Run("a malformed order is rejected by id", func(t *testing.T) { malformed(t, newDriver) })
	t.Run("no secret in logs, errors or tables", func(t *testing.T) { noSecret(t, newDriver) })
	t.Run("an expired session costs one re-login", func(t *testing.T) { relogin(t, newDriver) })
	t.Run("pushes land once when half the writes fail", func(t *testing.T) { pushOnce(t, newDriver) })
	t.Run("a crash between send and record neither resends nor loses", func(t *testing.T) { pushCrash(t, newDriver) })
}

// suite is one driver's stores on one warehouse.
type suite struct {
	t      *testing.T
	d      Driver
	m      *Multi
	stores []string
	specs  map[string]StoreSpec
}

func newSuite(t *testing.T, newDriver func(*kit.Clock) Driver, orders map[string]int, extra string) *suite {
	t.Helper()
	clock := kit.NewClock(Start)
	return seed(t, clock, newDriver(clock), orders, extra)
}

// seed adds the stores of orders to d's simulator and starts the harness
// on them.
func seed(t *testing.T, clock *kit.Clock, d Driver, orders map[string]int, extra string) *suite {
	t.Helper()
	s := &suite{t: t, d: d, specs: map[string]StoreSpec{}}
	scale := 1
	if sc, ok := d.(Scaled); ok {
		scale = sc.Scale()
	}
	var specs []StoreSpec
	for _, id := range SortedKeys(orders) {
		spec := d.AddStore(t, id, orders[id]*scale)
		if spec.Secret == "" {
			t.Fatalf("driver: store %s has no Secret to look for", id)
		}
		specs, s.stores, s.specs[id] = append(specs, spec), append(s.stores, id), spec
	}
	s.m = NewMulti(t, clock, specs, extra)
	clock.Advance(time.Minute) // the newest seeded orders are past the safety lag
	return s
}

// kinds are the fault kinds the driver's simulator can inject.
func (s *suite) kinds() []kit.Kind {
	if fk, ok := s.d.(FaultKinds); ok {
		return fk.FaultKinds()
	}
	return kit.AllKinds
}

// run is one order cycle of every store in a fresh runner.
func (s *suite) run(ctx context.Context) map[string]pipeline.StoreResult {
	return s.m.Run(ctx, pipeline.JobOrders)
}

// revoke makes the store's credential invalid.
func (s *suite) revoke(store string) {
	if r, ok := s.d.(Revoker); ok {
		r.Revoke(s.t, store)
		return
	}
	ChangeSecret(s.t, s.specs[store])
}

// sandboxes are the distinct simulators of the stores.
func (s *suite) sandboxes() []Sandbox {
	var out []Sandbox
	for _, id := range s.stores {
		if sb := s.specs[id].Sandbox; !slices.Contains(out, sb) {
			out = append(out, sb)
		}
	}
	return out
}

// setFaults configures every simulator (seeds differ per simulator).
func (s *suite) setFaults(cfg kit.FaultConfig) {
	for i, sb := range s.sandboxes() {
		c := cfg
		c.Seed += int64(i)
		sb.Faults().Set(c)
	}
}

func (s *suite) faultCounts() map[kit.Kind]int {
	out := map[kit.Kind]int{}
	for _, sb := range s.sandboxes() {
		for k, n := range sb.Faults().Counts() {
			out[k] += n
		}
	}
	return out
}

// assertEqual compares the warehouse with the simulator's truth.
func (s *suite) assertEqual(store string) {
	s.t.Helper()
	o, i := s.d.Truth(s.t, store)
	if len(o) == 0 {
		s.t.Errorf("store %s: the simulator holds no order; the comparison proves nothing", store)
	}
	AssertPicture(s.t, s.m.WH, store, o, i)
}

func rerun(t *testing.T, newDriver func(*kit.Clock) Driver) {
	s := newSuite(t, newDriver, map[string]int{"acc-a": 90, "acc-b": 40}, "")
	first := s.run(t.Context())
	for _, id := range s.stores {
		want, _ := s.d.Truth(t, id)
		if r := first[id]; !r.OK() || r.New != len(want) || r.Rejected != 0 {
			t.Fatalf("first run %s: %+v, want %d new", id, r, len(want))
		}
	}
	s.m.Clock.Advance(2 * time.Minute)
	second := s.run(t.Context())
	for _, id := range s.stores {
		if r := second[id]; !r.OK() || r.New != 0 || r.Updated != 0 {
			t.Fatalf("a second run over unchanged data wrote rows of %s: %+v", id, r)
		}
	}
	// Changes are updates, and a third run finds them all.
	changed := s.d.Change(t, "acc-a", 1)
	s.m.Clock.Advance(2 * time.Minute)
	r := s.run(t.Context())["acc-a"]
	if !r.OK() || changed == 0 || r.New+r.Updated == 0 {
		t.Fatalf("after %d changes: %+v", changed, r)
	}
	for _, id := range s.stores {
		s.assertEqual(id)
	}
	for _, q := range []string{
		`SELECT count() - uniqExact(store, external_id) FROM {db}.v_orders`,
		`SELECT count() - uniqExact(store, order_id, line) FROM {db}.v_order_items`,
	} {
		if got := s.m.Query(q); got[0] != "0" {
			t.Errorf("%s = %s, want 0", q, got[0])
		}
	}
}

func faults(t *testing.T, newDriver func(*kit.Clock) Driver) {
	s := newSuite(t, newDriver, map[string]int{"acc-a": 200, "acc-b": 80}, "")
	for i := range s.m.Cfg.Stores {
		s.m.Cfg.Stores[i].PageSize = 4 // many pages, so every fault kind happens
	}
	kinds := s.kinds()
	s.setFaults(kit.FaultConfig{Rate: 0.15, Kinds: kinds, Seed: 42, RetryAfter: 1, MaxWait: 2 * time.Second})
	// At least three runs with changes between them, more until every kind
	// of fault has happened; then one run without faults, which finds only
	// what the cursor has not passed: a fault that moved it over an order
	// loses that order for good.
	seen := func() bool {
		counts := s.faultCounts()
		for _, k := range kinds {
			if counts[k] == 0 {
				return false
			}
		}
		return true
	}
	for i := 0; i < 20 && (i < 3 || !seen()); i++ {
		if i > 0 {
			s.d.Change(t, "acc-a", i)
			s.m.Clock.Advance(2 * time.Minute)
		}
		for id, r := range s.run(t.Context()) {
			if !r.OK() {
				t.Logf("run %d, store %s: %s (a later run must make up for it)", i+1, id, r.Status)
			}
		}
	}
	if !seen() {
		t.Errorf("not every fault happened (%v): the test proves nothing about the others", s.faultCounts())
	}
	s.setFaults(kit.FaultConfig{})
	s.m.Clock.Advance(2 * time.Minute)
	for id, r := range s.run(t.Context()) {
		if !r.OK() {
			t.Errorf("store %s: the run after the faults failed: %v", id, r.Err)
		}
	}
	for _, id := range s.stores {
		s.assertEqual(id)
	}
}

func revoked(t *testing.T, newDriver func(*kit.Clock) Driver) {
	s := newSuite(t, newDriver, map[string]int{"acc-a": 30, "acc-b": 20}, "")
	s.revoke("acc-b")
	res := s.run(t.Context())
	if r := res["acc-b"]; r.Status != pipeline.StatusAuthFailed || r.Err == nil || !strings.Contains(r.Err.Error(), "acc-b") {
		t.Fatalf("revoked store: %+v, want auth_failed naming acc-b", r)
	}
	if r := res["acc-a"]; !r.OK() || r.New == 0 {
		t.Fatalf("healthy store: %+v", r)
	}
	s.assertEqual("acc-a")
	if got := s.m.Query(`SELECT store, status FROM {db}.pipeline_runs WHERE job = 'orders' ORDER BY store`); strings.Join(got, ";") != "acc-a\tok;acc-b\tauth_failed" {
		t.Fatalf("pipeline_runs: %v", got)
	}
}

func malformed(t *testing.T, newDriver func(*kit.Clock) Driver) {
	s := newSuite(t, newDriver, map[string]int{"acc-a": 40}, "")
	good, _ := s.d.Truth(t, "acc-a") // before the bad order, which the truth may not read
	bad := s.d.AddMalformed(t, "acc-a")
	if bad == "" {
		t.Skip("the simulator cannot send a malformed order")
	}
	s.m.Clock.Advance(time.Minute)
	r := s.run(t.Context())["acc-a"]
	if !r.OK() || r.Rejected != 1 || r.New != len(good) {
		t.Fatalf("run: %+v, want %d new and 1 rejected", r, len(good))
	}
	got := s.m.Query(`SELECT record_id, field, reason != '' FROM {db}.rejects WHERE store = 'acc-a'`)
	if len(got) != 1 || !strings.HasPrefix(got[0], bad+"\t") || strings.Contains(got[0], "\t\t") || !strings.HasSuffix(got[0], "\t1") {
		t.Fatalf("rejects: %v, want order %s with its field and reason", got, bad)
	}
	if orders, _ := Picture(t, s.m.WH, "acc-a"); Diff(good, orders) != "" {
		t.Errorf("the good orders did not all load:\n%s", Diff(good, orders))
	}
}

func noSecret(t *testing.T, newDriver func(*kit.Clock) Driver) {
	s := newSuite(t, newDriver, map[string]int{"acc-a": 50, "acc-b": 10}, "")
	s.setFaults(kit.FaultConfig{Rate: 0.2, Kinds: s.kinds(), Seed: 3, MaxWait: time.Second})
	s.revoke("acc-b")
	var errs strings.Builder
	for i := 0; i < 2; i++ {
		for _, r := range s.run(t.Context()) {
			if r.Err != nil {
				errs.WriteString(r.Err.Error())
			}
		}
	}
	tables := dumpTables(t, s.m.WH)
	for _, id := range s.stores {
		secret := s.specs[id].Secret
		for where, text := range map[string]string{"logs": s.m.Logs.String(), "errors": errs.String(), "tables": tables} {
			if strings.Contains(text, secret) {
				t.Errorf("the secret of %s appears in %s", id, where)
			}
		}
	}
	if !strings.Contains(errs.String(), "acc-b") || tables == "" || s.m.Logs.Len() == 0 {
		t.Fatal("nothing was searched")
	}
}

// dumpTables is every row of every table of the warehouse, as text.
func dumpTables(t testing.TB, wh *clickhouse.Warehouse) string {
	var b strings.Builder
	for _, tbl := range Query(t, wh, `SELECT name FROM system.tables WHERE database = ? AND engine NOT LIKE '%View'`, wh.Database()) {
		for _, line := range Query(t, wh, "SELECT * FROM {db}."+tbl) {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func relogin(t *testing.T, newDriver func(*kit.Clock) Driver) {
	clock := kit.NewClock(Start)
	d := newDriver(clock)
	sess, ok := d.(Sessions)
	if !ok {
		t.Skip("the marketplace has no session: each request carries its credential")
	}
	s := seed(t, clock, d, map[string]int{"acc-a": 120}, "")
	s.m.Cfg.Stores[0].PageSize = 10
	var once sync.Once
	pages := 0
	s.m.Before(func(store string, r *http.Request) {
		if sess.IsPage(r) {
			if pages++; pages == 4 {
				once.Do(func() { sess.ExpireSessions(store) })
			}
		}
	})
	r := s.run(t.Context())["acc-a"]
	s.m.Before(nil)
	if want, _ := s.d.Truth(t, "acc-a"); !r.OK() || r.New != len(want) {
		t.Fatalf("run: %+v, want %d new", r, len(want))
	}
	if pages < 4 {
		t.Fatalf("%d pages: the session never expired", pages)
	}
	logins := 0
	for _, q := range s.specs["acc-a"].Sandbox.Recorder().Requests() {
		if sess.IsLogin(q) {
			logins++
		}
	}
	if logins != 2 {
		t.Fatalf("%d logins, want 2 (one re-login)", logins)
	}
	s.assertEqual("acc-a")
}

// pushSuite is one store with its orders loaded and push.orders on.
func pushSuite(t *testing.T, newDriver func(*kit.Clock) Driver, orders int) (*suite, Pushes) {
	t.Helper()
	clock := kit.NewClock(Start)
	d := newDriver(clock)
	p, ok := d.(Pushes)
	if !ok {
		t.Skip("the marketplace takes nothing back")
	}
	s := seed(t, clock, d, map[string]int{"acc-a": orders}, "")
	s.m.Configure(p.Outbound(), map[string]string{"acc-a": "push: {orders: true}"})
	if r := s.run(t.Context())["acc-a"]; !r.OK() {
		t.Fatalf("orders: %v", r.Err)
	}
	return s, p
}

// record inserts CRM changes as another system would.
func (s *suite) record(cases []PushCase) {
	s.t.Helper()
	for _, c := range cases {
		ch := c.Change
		ch.Store = "acc-a"
		if ch.ChangedAt.IsZero() {
			ch.ChangedAt = s.m.Clock.Now()
		}
		if ch.ChangedBy == "" {
			ch.ChangedBy = "менеджер Оля"
		}
		u, err := pipeline.NewCRMUpdate(s.m.Cfg, ch)
		if err != nil {
			s.t.Fatal(err)
		}
		if err := s.m.WH.RecordCRMUpdates(context.Background(), []clickhouse.CRMUpdate{u}); err != nil {
			s.t.Fatal(err)
		}
	}
}

// loaded lists the store's orders in the warehouse by external id.
func (s *suite) loaded() []Loaded {
	var out []Loaded
	for _, l := range s.m.Query(`SELECT external_id, marketplace_status FROM {db}.v_orders WHERE store = 'acc-a' ORDER BY external_id`) {
		id, status, _ := strings.Cut(l, "\t")
		out = append(out, Loaded{ID: id, Status: status})
	}
	return out
}

// applied counts the writes the simulator applied, per call.
func (s *suite) applied(p Pushes) map[string]int {
	out := map[string]int{}
	for _, r := range s.specs["acc-a"].Sandbox.Recorder().Requests() {
		if r.Handled >= 200 && r.Handled < 300 {
			if call := p.Applied(r); call != "" {
				out[call]++
			}
		}
	}
	return out
}

// assertPushed re-reads the orders and checks each change reached its
// status and nothing is left open.
func (s *suite) assertPushed(cases []PushCase) {
	s.t.Helper()
	s.m.Clock.Advance(time.Minute)
	if r := s.run(context.Background())["acc-a"]; !r.OK() {
		s.t.Fatalf("orders after the push: %v", r.Err)
	}
	now := map[string]string{}
	for _, o := range s.loaded() {
		now[o.ID] = o.Status
	}
	for _, c := range cases {
		if now[c.Change.OrderID] != c.Status {
			s.t.Errorf("order %s: marketplace status %q after the push, want %q", c.Change.OrderID, now[c.Change.OrderID], c.Status)
		}
	}
	if open := s.m.Query(`SELECT order_id, action, state, reason FROM {db}.v_pushes WHERE store = 'acc-a' AND final = 0`); len(open) != 0 {
		s.t.Errorf("open pushes: %v", open)
	}
	s.assertEqual("acc-a")
}

func pushOnce(t *testing.T, newDriver func(*kit.Clock) Driver) {
	s, p := pushSuite(t, newDriver, 120)
	cases := p.PushCases(t, "acc-a", s.loaded())
	if len(cases) < 4 {
		t.Fatalf("driver gave %d push cases, want at least 4", len(cases))
	}
	s.record(cases)
	s.setFaults(kit.FaultConfig{Rate: 0.5, Kinds: kit.WriteKinds, Seed: 11, RetryAfter: 1, MaxWait: 2 * time.Second})
	for cycle := 0; cycle < 8; cycle++ {
		s.m.Run(context.Background(), pipeline.JobPush)
		if open := s.m.Query(`SELECT count() FROM {db}.crm_updates WHERE update_id NOT IN
			(SELECT update_id FROM {db}.push_log WHERE closes = 1)`); open[0] == "0" {
			break
		}
	}
	counts := s.faultCounts()
	s.setFaults(kit.FaultConfig{})
	for _, k := range kit.WriteKinds {
		if counts[k] == 0 {
			t.Errorf("fault %s never happened: %v", k, counts)
		}
	}
	calls := s.applied(p)
	if len(calls) < len(cases) {
		t.Errorf("%d distinct calls applied for %d changes: %v", len(calls), len(cases), calls)
	}
	for call, n := range calls {
		if n != 1 {
			t.Errorf("%s applied %d times", call, n)
		}
	}
	s.assertPushed(cases)
}

func pushCrash(t *testing.T, newDriver func(*kit.Clock) Driver) {
	s, p := pushSuite(t, newDriver, 120)
	cases := p.PushCases(t, "acc-a", s.loaded())
	var plain []PushCase // status changes only: one write each
	for _, c := range cases {
		if c.Change.TTN == "" && len(plain) < 2 {
			plain = append(plain, c)
		}
	}
	if len(plain) < 2 {
		t.Fatalf("driver gave %d changes without a ttn, want 2", len(plain))
	}
	s.record(plain)
	ctx, crash := context.WithCancel(context.Background())
	defer crash()
	s.m.Before(func(_ string, r *http.Request) {
		if p.IsWrite(r) {
			// The change applies (the simulator answers), but the process
			// dies before it can hear and record the answer: the answer
			// goes out only once the client has gone.
			crash()
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}
	})
	s.m.Run(ctx, pipeline.JobPush)
	s.m.Before(nil)
	// The dead process's request lands before the next process starts.
	for deadline := time.Now().Add(5 * time.Second); len(s.applied(p)) == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.m.Query(`SELECT state FROM {db}.v_pushes WHERE store = 'acc-a'`); !slices.Contains(got, "sending") {
		t.Fatalf("after the crash the log shows %v, want one change sending", got)
	}
	s.m.Run(context.Background(), pipeline.JobPush)
	calls := s.applied(p)
	if len(calls) != len(plain) {
		t.Errorf("%d calls applied for %d changes: %v", len(calls), len(plain), calls)
	}
	for call, n := range calls {
		if n != 1 {
			t.Errorf("%s applied %d times; push log:\n%s", call, n, strings.Join(s.m.Query(`SELECT order_id, action, state, attempt, from_status, to_status, reason FROM {db}.push_log ORDER BY _version`), "\n"))
		}
	}
	s.assertPushed(plain)
}

// Push is the case of a CRM status that must show on the marketplace as
// status.
func Push(crmStatus, status string) PushCase {
	return PushCase{Change: pipeline.CRMChange{Status: crmStatus}, Status: status}
}

// WithTTN is c carrying a Nova Poshta waybill too.
func (c PushCase) WithTTN() PushCase {
	c.Change.TTN, c.Change.Carrier = "ttn", "nova_poshta"
	return c
}

// Cycle gives the first n loaded orders in status from the cases in turn;
// a case with a waybill gets a number of its own.
func Cycle(loaded []Loaded, from string, n int, cases ...PushCase) []PushCase {
	var out []PushCase
	for _, o := range loaded {
		if o.Status != from || len(out) == n {
			continue
		}
		c := cases[len(out)%len(cases)]
		c.Change.OrderID = o.ID
		if c.Change.TTN != "" {
			c.Change.TTN = fmt.Sprintf("2045%010d", len(out))
		}
		out = append(out, c)
	}
	return out
}

// String names a push case in failures.
func (c PushCase) String() string {
	return fmt.Sprintf("%s → %s (%s)", c.Change.OrderID, c.Status, c.Change.Status)
}
