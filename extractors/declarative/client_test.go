package declarative_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/extractors/source/sourcetest"
	sandbox "github.com/kramar/kramar/sandbox/declarative"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/schema/canon"
)

var shipped = []string{"hubber", "allo", "skidka", "allbiz", "shafa"}

var start = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

const (
	secretToken    = "tok-S3CR3T-4f1c"
	secretPassword = "pw-S3CR3T-9d2e"
	username       = "shop@example.ua"
)

func loadSpec(t *testing.T, name string) *declarative.Spec {
	t.Helper()
	s, err := declarative.Load("../../specs/" + name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fixture is one sandbox generated from a spec and a client of it.
type fixture struct {
	spec   *declarative.Spec
	sb     *sandbox.Sandbox
	client *declarative.Client
	clock  *kit.Clock
}

func newFixture(t *testing.T, sp *declarative.Spec, orders int, faults kit.FaultConfig) *fixture {
	t.Helper()
	clock := kit.NewClock(start)
	sb := sandbox.New(sp, sandbox.Options{Options: kit.Options{Clock: clock, Seed: 11, Faults: faults}, Orders: orders, Token: secretToken, Username: username, Password: secretPassword})
	_, cfg := sourcetest.Serve(t, sb.Handler(), source.Config{Store: "s1", PageSize: 7})
	switch sp.Auth.Type {
	case declarative.AuthBasic, declarative.AuthLogin:
		cfg.Username, cfg.Password = username, secretPassword
	default:
		cfg.Token = secretToken
	}
	return &fixture{spec: sp, sb: sb, client: declarative.NewClient(sp, cfg), clock: clock}
}

// pull returns every record of the window by id, checking none is delivered twice.
func (f *fixture) pull(t *testing.T, from, to time.Time) map[string]json.RawMessage {
	t.Helper()
	return sourcetest.Bodies(t, f.client, from, to)
}

// TestPaginationExactUnderFaults walks the sandbox generated from each
// shipped spec — every pagination type — with 10% of all kit faults and
// gets exactly the sandbox's orders, each transforming to its truth.
func TestPaginationExactUnderFaults(t *testing.T) {
	for _, name := range shipped {
		t.Run(name, func(t *testing.T) {
			sp := loadSpec(t, name)
			f := newFixture(t, sp, 150, kit.FaultConfig{Rate: 0.1, Kinds: kit.AllKinds, Seed: 3, MaxWait: 2 * time.Second})
			got := f.pull(t, start.Add(-30*24*time.Hour), start)
			truth := f.sb.Orders()
			if len(got) != len(truth) {
				t.Errorf("pulled %d orders, the sandbox has %d", len(got), len(truth))
			}
			for _, o := range truth {
				raw, ok := got[o.ID]
				if !ok {
					t.Errorf("order %s missing", o.ID)
					continue
				}
				checkTransform(t, sp, raw, o)
			}
			n := 0
			for _, c := range f.sb.Faults().Counts() {
				n += c
			}
			if n == 0 {
				t.Error("no fault was injected")
			}
		})
	}
}

// TestPageFaults: repeated and shifted pages alone, often.
func TestPageFaults(t *testing.T) {
	for _, name := range shipped {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, loadSpec(t, name), 90, kit.FaultConfig{Rate: 0.3, Kinds: []kit.Kind{kit.DuplicatePage, kit.ShiftPage}, Seed: 5})
			got := f.pull(t, start.Add(-30*24*time.Hour), start)
			if want := ids(f.sb.Orders()); strings.Join(sortedKeys(got), ",") != strings.Join(want, ",") {
				t.Errorf("pulled\n%v\nwant\n%v", sortedKeys(got), want)
			}
			c := f.sb.Faults().Counts()
			if c[kit.DuplicatePage]+c[kit.ShiftPage] == 0 {
				t.Error("no page fault was injected")
			}
		})
	}
}

// TestWindow: only orders changed in [from, to] come back, whether the API
// filters (query or body) or the client drops them by changed_at (allbiz).
func TestWindow(t *testing.T) {
	for _, name := range shipped {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, loadSpec(t, name), 80, kit.FaultConfig{})
			from, to := start.Add(-72*time.Hour), start.Add(-24*time.Hour)
			var want []string
			for _, o := range f.sb.Orders() {
				if !o.ModifiedAt.Before(from) && !o.ModifiedAt.After(to) {
					want = append(want, o.ID)
				}
			}
			if len(want) == 0 || len(want) == 80 {
				t.Fatalf("%d orders in the window: the test needs some in and some out", len(want))
			}
			got := f.pull(t, from, to)
			sort.Strings(want)
			if g := sortedKeys(got); strings.Join(g, ",") != strings.Join(want, ",") {
				t.Errorf("window gave\n%v\nwant\n%v", g, want)
			}
		})
	}
}

// TestLoginExpiry: a session that ran out is renewed by exactly one login,
// and the call is repeated.
func TestLoginExpiry(t *testing.T) {
	sp := loadSpec(t, "hubber")
	f := newFixture(t, sp, 20, kit.FaultConfig{})
	all := func() int { return len(f.pull(t, start.Add(-30*24*time.Hour), f.clock.Now())) }
	if n := all(); n != 20 || f.sb.Logins() != 1 {
		t.Fatalf("first pull: %d orders, %d logins", n, f.sb.Logins())
	}
	all()
	if f.sb.Logins() != 1 {
		t.Fatalf("a live session logged in again: %d logins", f.sb.Logins())
	}
	f.clock.Advance(time.Duration(sp.Auth.Login.TTL)*time.Second + time.Minute)
	if n := all(); n != 20 {
		t.Fatalf("after expiry: %d orders", n)
	}
	if f.sb.Logins() != 2 || f.client.Logins() != 2 {
		t.Errorf("after expiry: sandbox saw %d logins, client made %d; want 2", f.sb.Logins(), f.client.Logins())
	}
	if _, err := f.client.Get(context.Background(), f.sb.Orders()[3].ID); err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, f.sb)
}

// TestBadCredentials fails as an auth failure that names no secret.
func TestBadCredentials(t *testing.T) {
	for _, name := range shipped {
		t.Run(name, func(t *testing.T) {
			sp := loadSpec(t, name)
			clock := kit.NewClock(start)
			sb := sandbox.New(sp, sandbox.Options{Options: kit.Options{Clock: clock, Seed: 1}, Orders: 5, Token: "other", Username: username, Password: "other"})
			srv := httptest.NewServer(sb.Handler())
			defer srv.Close()
			cl := declarative.NewClient(sp, source.Config{Store: "s1", BaseURL: srv.URL, Token: secretToken,
				Username: username, Password: secretPassword, HTTP: httpx.Options{MaxAttempts: 2, InitialBackoff: time.Millisecond}})
			err := cl.ModifiedBetween(context.Background(), start.Add(-time.Hour), start, func([]source.RawOrder) error { return nil })
			if httpx.KindOf(err) != httpx.KindAuth {
				t.Fatalf("error %v, want an auth failure", err)
			}
			if strings.Contains(err.Error(), secretToken) || strings.Contains(err.Error(), secretPassword) {
				t.Errorf("the error shows a secret: %v", err)
			}
		})
	}
}

// TestGetOrder reads one order and reports a missing one as not found.
func TestGetOrder(t *testing.T) {
	for _, name := range shipped {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, loadSpec(t, name), 10, kit.FaultConfig{})
			o := f.sb.Orders()[4]
			checkTransform(t, f.spec, sourcetest.Get(t, f.client, o.ID, "999"), o)
			assertNoSecrets(t, f.sb)
		})
	}
}

func checkTransform(t *testing.T, sp *declarative.Spec, raw json.RawMessage, o sandbox.Order) {
	t.Helper()
	c, err := sp.Transform(raw, canon.Store{Marketplace: sp.Name, Store: "s1"})
	if err != nil {
		t.Errorf("order %s: %v", o.ID, err)
		return
	}
	if c.ExternalID != o.ID || !c.Amount.Equal(o.Amount) || len(c.Items) != len(o.Items) {
		t.Errorf("order %s: got id %s amount %s %d lines; want %s, %d lines", o.ID, c.ExternalID, c.Amount, len(c.Items), o.Amount, len(o.Items))
		return
	}
	for i, it := range o.Items {
		if got := c.Items[i]; !got.Total.Equal(it.Total) || !got.Quantity.Equal(it.Quantity) || got.Name != it.Name {
			t.Errorf("order %s line %d: %+v, want %+v", o.ID, i, got, it)
		}
	}
}

func assertNoSecrets(t *testing.T, sb *sandbox.Sandbox) {
	t.Helper()
	dump, _ := json.Marshal(sb.Recorder().Requests())
	if strings.Contains(string(dump), secretToken) || strings.Contains(string(dump), secretPassword) {
		t.Error("the recorder holds a secret")
	}
}

func ids(orders []sandbox.Order) []string {
	out := make([]string, len(orders))
	for i, o := range orders {
		out[i] = o.ID
	}
	sort.Strings(out)
	return out
}

func sortedKeys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
