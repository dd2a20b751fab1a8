// Package kittest holds what the sandbox and client tests share: a pull
// delivered exactly its window, it did so under the faults the sandbox kit
// injects, and serving a sandbox and calling it over HTTP.
package kittest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kramar/kramar/sandbox/kit"
)

// Served is a sandbox served over HTTP with one store on it, logged in:
// what the tests of a login marketplace's sandbox start from.
type Served[S any] struct {
	SB    S
	Srv   *httptest.Server
	Store string // the store's id
	Token string // its session token
}

// Now is the time the sandbox tests start their clocks at.
var Now = time.Date(2026, 8, 2, 12, 0, 0, 0, time.UTC)

// AssertExact fails unless every id of want was delivered (seen counts
// deliveries) and nothing outside want was. An empty want proves nothing.
func AssertExact[K comparable](t testing.TB, seen map[K]int, want map[K]bool) {
	t.Helper()
	for id := range want {
		if seen[id] == 0 {
			t.Errorf("order %v missing", id)
		}
	}
	for id := range seen {
		if !want[id] {
			t.Errorf("order %v delivered but not in the window", id)
		}
	}
	if len(want) == 0 {
		t.Fatal("empty window proves nothing")
	}
}

// pageAndBody are the faults a paged pull must survive without loss.
var pageAndBody = []kit.Kind{kit.DuplicatePage, kit.ShiftPage, kit.Truncated, kit.ServerError}

// FaultCases runs pull under 10% of every fault kind and under 30% of page
// and body faults; pull sets cfg on its sandbox, checks its result and
// returns the sandbox's injector. Each case fails unless faults happened
// (the second: every kind it names).
func FaultCases(t *testing.T, pull func(t *testing.T, cfg kit.FaultConfig) *kit.Faults) {
	for _, c := range []struct {
		name    string
		cfg     kit.FaultConfig
		mustSee []kit.Kind
	}{
		{"10% of everything", kit.FaultConfig{Rate: 0.1, Kinds: kit.AllKinds, Seed: 3, MaxWait: 2 * time.Second}, nil},
		{"30% page and body faults", kit.FaultConfig{Rate: 0.3, Kinds: pageAndBody, Seed: 4}, pageAndBody},
	} {
		t.Run(c.name, func(t *testing.T) {
			counts := pull(t, c.cfg).Counts()
			if len(counts) == 0 {
				t.Fatal("no fault happened")
			}
			for _, k := range c.mustSee {
				if counts[k] == 0 {
					t.Errorf("fault %s never happened: %v", k, fmt.Sprint(counts))
				}
			}
		})
	}
}

// Serve starts h on a test server that closes when t ends.
func Serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// Bearer is header with "Authorization: Bearer token" added (none for an
// empty token); header may be nil.
func Bearer(header http.Header, token string) http.Header {
	if token == "" {
		return header
	}
	if header == nil {
		header = http.Header{}
	}
	header.Set("Authorization", "Bearer "+token)
	return header
}

// Do sends one request with c (nil = http.DefaultClient) and returns its
// status, headers and body; a transport error fails t. A string or []byte
// body goes as it is, any other non-nil body as JSON.
func Do(t testing.TB, c *http.Client, method, url string, header http.Header, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, raw
}
