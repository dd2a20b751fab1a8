// Package sourcetest holds what the tests of every order client share:
// pulling a window and counting what came, and the truth of a window.
package sourcetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
	"github.com/kramar/kramar/transforms/timeconv"
)

// Pull runs o.ModifiedBetween over [from, to] and counts the deliveries of
// each id, calling during(n), when set, after the n-th page. A record
// without an id, or with one its body does not hold, fails the test.
func Pull(t testing.TB, o source.Orders, from, to time.Time, during func(page int)) (map[string]int, error) {
	t.Helper()
	seen := map[string]int{}
	n := 0
	err := o.ModifiedBetween(context.Background(), from, to, func(page []source.RawOrder) error {
		for _, r := range page {
			if r.ID == "" || !bytes.Contains(r.Body, []byte(r.ID)) {
				t.Fatalf("record id %q does not match its body %.80s", r.ID, r.Body)
			}
			seen[r.ID]++
		}
		if n++; during != nil {
			during(n)
		}
		return nil
	})
	return seen, err
}

// Window is the truth of a marketplace that filters by Kyiv wall-clock
// time: the ids of the records whose time (as idAt reads it) falls in
// [from, to]. An empty window proves nothing and fails the test.
func Window[R any](t testing.TB, records []R, from, to time.Time, idAt func(R) (id, at string)) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, r := range records {
		id, at := idAt(r)
		c, err := timeconv.Parse(at, timeconv.Kyiv)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Before(from.Truncate(time.Second)) && !c.After(to) {
			out[id] = true
		}
	}
	if len(out) == 0 {
		t.Fatal("an empty window proves nothing")
	}
	return out
}

// ExactUnderFaults pulls [from, to] under each of kittest's fault cases:
// start builds a client over a simulator with cfg in force and returns the
// window's truth and the simulator's faults; every order of the truth, and
// nothing else, must come.
func ExactUnderFaults(t *testing.T, from, to time.Time, start func(t *testing.T, cfg kit.FaultConfig) (source.Orders, map[string]bool, *kit.Faults)) {
	kittest.FaultCases(t, func(t *testing.T, cfg kit.FaultConfig) *kit.Faults {
		o, want, faults := start(t, cfg)
		seen, err := Pull(t, o, from, to, nil)
		if err != nil {
			t.Fatal(err)
		}
		kittest.AssertExact(t, seen, want)
		return faults
	})
}

// DSTWeek is a test's "now" whose last week holds the spring switch to
// summer time in Kyiv (2026-03-29): a client that filters in Kyiv wall
// clock time must read that week exactly.
var DSTWeek = time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC)

// Get reads order id, which must come under that id, and order missing,
// which the marketplace does not have and must be a *source.NotFoundError;
// it returns the body read.
func Get(t testing.TB, o source.Orders, id, missing string) []byte {
	t.Helper()
	raw, err := o.Get(context.Background(), id)
	if err != nil || raw.ID != id {
		t.Fatalf("get %s: %v (id %q)", id, err, raw.ID)
	}
	var nf *source.NotFoundError
	if _, err := o.Get(context.Background(), missing); !errors.As(err, &nf) {
		t.Fatalf("missing order %s: %v", missing, err)
	}
	return raw.Body
}

// Bodies pulls [from, to] and returns the bodies delivered by id; an id
// delivered twice fails the test.
func Bodies(t testing.TB, o source.Orders, from, to time.Time) map[string]json.RawMessage {
	t.Helper()
	out := map[string]json.RawMessage{}
	err := o.ModifiedBetween(context.Background(), from, to, func(page []source.RawOrder) error {
		for _, r := range page {
			if _, dup := out[r.ID]; dup {
				t.Errorf("order %s delivered twice", r.ID)
			}
			out[r.ID] = r.Body
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Serve starts a simulator's handler on a test server that closes with the
// test and returns its address and cfg for it: BaseURL the address followed
// by what cfg held there (the API's path), HTTP the options of tests, short
// timeouts and many quick retries, so injected faults cost little time.
func Serve(t testing.TB, h http.Handler, cfg source.Config) (string, source.Config) {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL + cfg.BaseURL
	cfg.HTTP = httpx.Options{Timeout: 300 * time.Millisecond, MaxAttempts: 10, InitialBackoff: time.Millisecond}
	return srv.URL, cfg
}
