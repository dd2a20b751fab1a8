package prom

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
	"github.com/shopspring/decimal"
)

var testNow = time.Date(2026, 8, 2, 12, 0, 0, 0, time.UTC)

type fixture struct {
	sb   *Sandbox
	srv  *httptest.Server
	api  string // base URL + APIPath
	http *http.Client
}

func newFixture(t testing.TB, opts Options) *fixture {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = kit.NewClock(testNow)
	}
	sb := New(opts)
	srv := kittest.Serve(t, sb.Handler())
	return &fixture{sb: sb, srv: srv, api: srv.URL + APIPath, http: srv.Client()}
}

// call sends one request and returns status, headers and body.
func (f *fixture) call(t testing.TB, method, token, path string, body any) (int, http.Header, []byte) {
	t.Helper()
	return f.callIn(t, "", method, token, path, body)
}

// callIn is call with X-LANGUAGE: lang ("" = no header).
func (f *fixture) callIn(t testing.TB, lang, method, token, path string, body any) (int, http.Header, []byte) {
	t.Helper()
	h := http.Header{}
	if lang != "" {
		h.Set(wire.LanguageHeader, lang)
	}
	return kittest.Do(t, f.http, method, f.srv.URL+path, kittest.Bearer(h, token), body)
}

// list fetches one /orders/list page and returns the raw orders.
func (f *fixture) list(t testing.TB, token string, params url.Values) []json.RawMessage {
	t.Helper()
	code, _, body := f.call(t, "GET", token, APIPath+"/orders/list?"+params.Encode(), nil)
	if code != http.StatusOK {
		t.Fatalf("list %v: %d %s", params, code, body)
	}
	var page wire.OrderList
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("list %v: %v", params, err)
	}
	return page.Orders
}

func rawID(t testing.TB, raw json.RawMessage) int64 {
	t.Helper()
	var v struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v.ID
}

func pageIDs(t testing.TB, page []json.RawMessage) []int64 {
	ids := make([]int64, len(page))
	for i, r := range page {
		ids[i] = rawID(t, r)
	}
	return ids
}

// walk pages by last_id the way a client should, de-duplicating the boundary.
// A page with nothing new is the end only if it repeats: under a
// DuplicatePage fault it is the previous page again, so ask once more.
func (f *fixture) walk(t testing.TB, token string, extra url.Values) []int64 {
	t.Helper()
	var all []int64
	seen := map[int64]bool{}
	q := url.Values{"limit": {"100"}}
	for k, v := range extra {
		q[k] = v
	}
	stale := 0
	for pages := 0; ; pages++ {
		if pages > 10_000 {
			t.Fatal("paging does not end")
		}
		ids := pageIDs(t, f.list(t, token, q))
		fresh := 0
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				all = append(all, id)
				fresh++
			}
		}
		if fresh == 0 {
			if stale++; stale > 3 {
				return all
			}
			continue
		}
		stale = 0
		q.Set("last_id", strconv.FormatInt(ids[len(ids)-1], 10))
	}
}

// kopecks parses every money form the sandbox writes; more than two decimals fail.
func kopecks(s string) (int64, error) {
	clean := strings.ReplaceAll(strings.TrimSuffix(s, " грн"), " ", "")
	clean = strings.Replace(clean, ",", ".", 1)
	d, err := decimal.NewFromString(clean)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	k := d.Shift(2)
	if !k.IsInteger() {
		return 0, fmt.Errorf("%q is not whole kopecks", s)
	}
	return k.IntPart(), nil
}

func orderTime(t testing.TB, s string) time.Time {
	t.Helper()
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if v, err := time.Parse(layout, s); err == nil {
			return v.UTC()
		}
	}
	t.Fatalf("bad order time %q", s)
	return time.Time{}
}
