package kit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestManualClock(t *testing.T) {
	start := time.Date(2026, 8, 2, 12, 0, 0, 0, time.FixedZone("EEST", 3*3600))
	c := NewClock(start)
	if !c.Now().Equal(start) || c.Now().Location() != time.UTC {
		t.Fatalf("Now = %v, want %v in UTC", c.Now(), start)
	}
	c.Advance(90 * time.Minute)
	if got := c.Now().Sub(start); got != 90*time.Minute {
		t.Fatalf("after Advance: %v", got)
	}
	later := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Set(later)
	if !c.Now().Equal(later) {
		t.Fatalf("after Set: %v", c.Now())
	}
	var now Now = c.Now
	if !now().Equal(later) {
		t.Fatal("method value does not track the clock")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); c.Advance(time.Second); _ = c.Now() }()
	}
	wg.Wait()
	if got := c.Now().Sub(later); got != 8*time.Second {
		t.Fatalf("concurrent Advance: %v", got)
	}
}

func TestRealClock(t *testing.T) {
	c := RealClock()
	if d := time.Since(c.Now()); d < 0 || d > time.Second {
		t.Fatalf("real clock off by %v", d)
	}
	c.Advance(time.Hour)
	if d := c.Now().Sub(time.Now()); d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("offset %v, want ~1h", d)
	}
	target := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Set(target)
	if d := c.Now().Sub(target); d < 0 || d > time.Second {
		t.Fatalf("after Set off by %v", d)
	}
}

func TestRecorderNeverHoldsToken(t *testing.T) {
	const token = "secret-token-123"
	tokens := NewTokens()
	tokens.Add(token, "store-a")
	rec := NewRecorder(NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	h := rec.Wrap(tokens.Wrap(nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"ids":[1]}` {
			t.Errorf("handler saw body %q", b)
		}
		w.WriteHeader(http.StatusCreated)
	})))
	req := httptest.NewRequest("POST", "/api/v1/orders/set_status?x=1", strings.NewReader(`{"ids":[1]}`))
	req.Header.Set("Authorization", "Bearer "+token)
	h.ServeHTTP(httptest.NewRecorder(), req)
	bad := httptest.NewRequest("GET", "/api/v1/orders/list", nil)
	bad.Header.Set("Authorization", "Bearer wrong")
	h.ServeHTTP(httptest.NewRecorder(), bad)

	reqs := rec.Requests()
	if len(reqs) != 2 {
		t.Fatalf("recorded %d requests", len(reqs))
	}
	got := reqs[0]
	if got.Method != "POST" || got.Path != "/api/v1/orders/set_status" || got.RawQuery != "x=1" ||
		string(got.Body) != `{"ids":[1]}` || got.Status != http.StatusCreated || got.Store != "store-a" {
		t.Fatalf("recorded %+v", got)
	}
	if reqs[1].Status != http.StatusUnauthorized || reqs[1].Store != "" {
		t.Fatalf("unauthorized request recorded as %+v", reqs[1])
	}
	dump, _ := json.Marshal(reqs)
	if strings.Contains(fmt.Sprintf("%+v %s", reqs, dump), token) {
		t.Fatal("recorder holds the token")
	}
	if n := rec.Count("/api/v1/orders/"); n != 2 {
		t.Fatalf("Count = %d", n)
	}
	if n := rec.Count("/api/v1/orders/set"); n != 1 {
		t.Fatalf("Count(set) = %d", n)
	}
	rec.Reset()
	if len(rec.Requests()) != 0 {
		t.Fatal("Reset kept requests")
	}
}

func TestAuthRevoke(t *testing.T) {
	tokens := NewTokens()
	tokens.Add("t1", "s1")
	h := tokens.Wrap(nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, StoreFrom(r.Context()))
	}))
	call := func(header string) (int, string) {
		req := httptest.NewRequest("GET", "/", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code, w.Body.String()
	}
	if code, body := call("Bearer t1"); code != 200 || body != "s1" {
		t.Fatalf("valid token: %d %q", code, body)
	}
	for _, hdr := range []string{"", "Bearer nope", "Basic t1"} {
		if code, body := call(hdr); code != 401 || !strings.Contains(body, `"error"`) {
			t.Fatalf("%q: %d %q", hdr, code, body)
		}
	}
	tokens.Revoke("t1")
	if code, _ := call("Bearer t1"); code != 401 {
		t.Fatalf("revoked token answered %d", code)
	}
	if id, ok := tokens.StoreID("t1"); !ok || id != "s1" {
		t.Fatal("revoked token lost its store id")
	}
}

func faultSequence(cfg FaultConfig, n int) []decision {
	f := NewFaults(cfg, FaultScope{Paged: func(*http.Request) bool { return true }})
	out := make([]decision, n)
	for i := range out {
		out[i] = f.decide(i%2 == 0)
	}
	return out
}

func TestFaultSequenceDeterministic(t *testing.T) {
	cfg := FaultConfig{Rate: 0.5, Kinds: AllKinds, Seed: 42}
	a, b := faultSequence(cfg, 500), faultSequence(cfg, 500)
	seen := map[Kind]int{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("draw %d differs: %+v vs %+v", i, a[i], b[i])
		}
		seen[a[i].kind]++
		if i%2 == 1 && (a[i].kind == DuplicatePage || a[i].kind == ShiftPage) {
			t.Fatalf("page fault chosen for a non-paged request at %d", i)
		}
	}
	for _, k := range AllKinds {
		if seen[k] == 0 {
			t.Errorf("kind %s never drawn in 500 requests", k)
		}
	}
	if seen[None] < 150 || seen[None] > 350 {
		t.Errorf("rate 0.5 gave %d clean of 500", seen[None])
	}
	c := faultSequence(FaultConfig{Rate: 0.5, Kinds: AllKinds, Seed: 43}, 500)
	same := 0
	for i := range a {
		if a[i].kind == c[i].kind {
			same++
		}
	}
	if same == len(a) {
		t.Fatal("a different seed gave the same sequence")
	}
}

func serveFaulted(t *testing.T, cfg FaultConfig, body string) (*Faults, *httptest.Server) {
	t.Helper()
	f := NewFaults(cfg, FaultScope{Faultable: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }})
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	})
	srv := httptest.NewServer(f.Wrap(inner))
	t.Cleanup(srv.Close)
	return f, srv
}

func TestFaultKinds(t *testing.T) {
	body := `{"orders":[{"id":1,"name":"Товар"},{"id":2,"name":"Інший товар"}]}`

	t.Run("429", func(t *testing.T) {
		f, srv := serveFaulted(t, FaultConfig{Rate: 1, Kinds: []Kind{TooManyRequests}, RetryAfter: 7}, body)
		resp, err := http.Get(srv.URL + "/api/x")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" || !json.Valid(b) {
			t.Fatalf("got %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
		}
		if f.Counts()[TooManyRequests] != 1 {
			t.Fatalf("counts %v", f.Counts())
		}
		// Paths outside the scope are never faulted.
		resp, _ = http.Get(srv.URL + "/_sandbox/x")
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("unfaultable path answered %d", resp.StatusCode)
		}
	})

	t.Run("5xx", func(t *testing.T) {
		_, srv := serveFaulted(t, FaultConfig{Rate: 1, Kinds: []Kind{ServerError}}, body)
		for range 10 {
			resp, err := http.Get(srv.URL + "/api/x")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 500 && resp.StatusCode != 502 && resp.StatusCode != 503 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
	})

	t.Run("truncated", func(t *testing.T) {
		_, srv := serveFaulted(t, FaultConfig{Rate: 1, Kinds: []Kind{Truncated}}, body)
		resp, err := http.Get(srv.URL + "/api/x")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d err %v", resp.StatusCode, err)
		}
		if len(b) == 0 || len(b) >= len(body) || !strings.HasPrefix(body, string(b)) || json.Valid(b) {
			t.Fatalf("body not truncated: %q", b)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		_, srv := serveFaulted(t, FaultConfig{Rate: 1, Kinds: []Kind{Timeout}}, body)
		client := &http.Client{Timeout: 100 * time.Millisecond}
		start := time.Now()
		_, err := client.Get(srv.URL + "/api/x")
		var ue interface{ Timeout() bool }
		if err == nil || !errors.As(err, &ue) || !ue.Timeout() {
			t.Fatalf("want a client timeout, got %v", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Fatal("timeout took too long")
		}
	})

	t.Run("timeout max wait then answers", func(t *testing.T) {
		_, srv := serveFaulted(t, FaultConfig{Rate: 1, Kinds: []Kind{Timeout}, MaxWait: 50 * time.Millisecond}, body)
		resp, err := http.Get(srv.URL + "/api/x")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != body {
			t.Fatalf("slow answer %q", b)
		}
	})

	t.Run("page kinds reach the handler", func(t *testing.T) {
		f := NewFaults(FaultConfig{Rate: 1, Kinds: []Kind{DuplicatePage, ShiftPage}}, FaultScope{
			Paged: func(r *http.Request) bool { return r.URL.Query().Get("last_id") != "" },
		})
		var got []Kind
		h := f.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = append(got, FaultFrom(r.Context()))
			if s := ShiftFrom(r.Context()); s < 1 || s > 5 {
				t.Errorf("shift %d", s)
			}
		}))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/list", nil))
		for range 20 {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/list?last_id=5", nil))
		}
		if got[0] != None {
			t.Fatalf("first page (no cursor) got %q", got[0])
		}
		c := f.Counts()
		if c[DuplicatePage] == 0 || c[ShiftPage] == 0 || c[DuplicatePage]+c[ShiftPage] != 20 {
			t.Fatalf("counts %v", c)
		}
		f.Set(FaultConfig{})
		if len(f.Counts()) != 0 {
			t.Fatal("Set did not reset counts")
		}
	})
}

func TestRateLimit(t *testing.T) {
	l := NewRateLimit(2, nil)
	h := l.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	codes := map[int]int{}
	var retry string
	for range 5 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		codes[w.Code]++
		if w.Code == 429 {
			retry = w.Header().Get("Retry-After")
		}
	}
	if codes[200] != 2 || codes[429] != 3 || retry != "1" {
		t.Fatalf("codes %v retry %q", codes, retry)
	}
	l.Set(0)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 200 {
		t.Fatal("limit 0 still limits")
	}
}

func TestServe(t *testing.T) {
	srv, base, err := Serve("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, 200, map[string]int{"ok": 1})
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
		t.Fatalf("base %q", base)
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != `{"ok":1}` || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("got %q", b)
	}
}

func TestTokensExpireOnTheClock(t *testing.T) {
	clock := NewClock(time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC))
	tokens := NewTokens()
	tokens.SetClock(clock.Now)
	tokens.AddExpiring("session", "s1", clock.Now().Add(time.Hour))
	tokens.Add("static", "s1")
	if _, ok := tokens.Active("session"); !ok {
		t.Fatal("fresh session inactive")
	}
	clock.Advance(time.Hour)
	if _, ok := tokens.Active("session"); ok {
		t.Fatal("session active at its deadline")
	}
	if id, ok := tokens.StoreID("session"); !ok || id != "s1" {
		t.Fatal("expired session lost its store id")
	}
	if _, ok := tokens.Active("static"); !ok {
		t.Fatal("a token added without a deadline expired")
	}
}

func TestParallelCallsEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000} {
		seen := make([]int32, n)
		Parallel(n, func(i int) { seen[i]++ })
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: index %d called %d times", n, i, c)
			}
		}
	}
}

func TestRecorderHidesBodiesOfSecretPaths(t *testing.T) {
	rec := NewRecorder(nil)
	rec.HideBodies("/sites")
	h := rec.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if len(b) == 0 {
			t.Error("handler lost the body")
		}
	}))
	for _, p := range []string{"/sites", "/orders/1"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", p, strings.NewReader(`{"password":"c2VjcmV0"}`)))
	}
	reqs := rec.Requests()
	if reqs[0].Body != nil || string(reqs[1].Body) != `{"password":"c2VjcmV0"}` {
		t.Fatalf("bodies kept: %q and %q", reqs[0].Body, reqs[1].Body)
	}
}

func TestServeUntilStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	base, err := ServeUntil(ctx, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	deadline := time.Now().Add(2 * time.Second)
	for {
		resp, err := http.Get(base)
		if err != nil {
			return
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("server still answering after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestMountControl(t *testing.T) {
	clock := NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f := NewFaults(FaultConfig{}, FaultScope{})
	rec := NewRecorder(clock)
	m := http.NewServeMux()
	MountControl(m, f, rec, clock, nil)
	do := func(method, path, body string) (int, string) {
		w := httptest.NewRecorder()
		m.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(body)))
		return w.Code, w.Body.String()
	}
	if code, body := do("PUT", "/_sandbox/faults", `{"rate":0.5,"kinds":["timeout"],"seed":3}`); code != 200 || f.Config().Rate != 0.5 {
		t.Fatalf("put faults: %d %s", code, body)
	}
	if code, body := do("POST", "/_sandbox/clock", `{"advance":"90m"}`); code != 200 || !clock.Now().Equal(time.Date(2026, 1, 1, 1, 30, 0, 0, time.UTC)) {
		t.Fatalf("advance: %d %s", code, body)
	}
	if code, _ := do("POST", "/_sandbox/clock", `{"advance":"soon"}`); code != 400 {
		t.Fatalf("bad duration answered %d", code)
	}
	if code, body := do("GET", "/_sandbox/requests", ""); code != 200 || !strings.Contains(body, `"requests"`) {
		t.Fatalf("requests: %d %s", code, body)
	}
}

// A write that met AppliedTimeout took effect although the client saw no
// answer: the recorder says so in Handled, and a clean write has Handled
// equal to its Status.
func TestAppliedTimeoutAppliesAndRecordsHandled(t *testing.T) {
	applied := 0
	f := NewFaults(FaultConfig{Rate: 1, Kinds: []Kind{AppliedTimeout}, MaxWait: 5 * time.Second}, FaultScope{})
	rec := NewRecorder(nil)
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		applied++
		WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	srv := httptest.NewServer(rec.Wrap(f.Wrap(inner)))
	t.Cleanup(srv.Close)
	client := &http.Client{Timeout: 200 * time.Millisecond}
	if _, err := client.Post(srv.URL+"/w", "application/json", strings.NewReader(`{}`)); err == nil {
		t.Fatal("the client got an answer through AppliedTimeout")
	}
	f.Set(FaultConfig{})
	resp, err := client.Post(srv.URL+"/w", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(2 * time.Second)
	for len(rec.Requests()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	reqs := rec.Requests()
	if applied != 2 || len(reqs) != 2 {
		t.Fatalf("applied %d, recorded %d", applied, len(reqs))
	}
	if reqs[0].Status != http.StatusGatewayTimeout || reqs[0].Handled != http.StatusOK {
		t.Errorf("faulted write recorded as status %d handled %d", reqs[0].Status, reqs[0].Handled)
	}
	if reqs[1].Status != http.StatusOK || reqs[1].Handled != http.StatusOK {
		t.Errorf("clean write recorded as status %d handled %d", reqs[1].Status, reqs[1].Handled)
	}
}

func TestSessionsIssueExpireAndCount(t *testing.T) {
	clock := NewClock(time.Date(2026, 8, 2, 12, 0, 0, 0, time.UTC))
	b := NewBase(BaseOptions{Options: Options{Clock: clock, Seed: 1}})
	s := NewSessions(&b, time.Minute, 8)
	random := s.Issue("store-1")
	named := s.IssueAs("store-2", func(n int) string { return fmt.Sprint("sess-", n) })
	if len(random) != 16 || named != "sess-2" || s.Issued() != 2 {
		t.Fatalf("tokens %q %q, %d issued", random, named, s.Issued())
	}
	if id, ok := BaseTokens(&b).Active(named); !ok || id != "store-2" {
		t.Fatalf("named session not active: %q %v", id, ok)
	}
	clock.Advance(2 * time.Minute)
	if _, ok := BaseTokens(&b).Active(random); ok {
		t.Fatal("a session outlived its ttl")
	}
	clock.Set(clock.Now().Add(-2 * time.Minute))
	s.ExpireAll()
	if _, ok := BaseTokens(&b).Active(named); ok {
		t.Fatal("ExpireAll left a session")
	}
}

func TestAsBearerMovesTheCredential(t *testing.T) {
	var seen *http.Request
	h := AsBearer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = r }), func(r *http.Request) string {
		if k := TakeQuery(r, "key"); k != "" {
			return k
		}
		return TakeBodyField(r, "token")
	})
	r := httptest.NewRequest("GET", "/orders.xml?key=k1&x=1", nil)
	r.Header.Set("Authorization", "Basic abc")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if BearerToken(seen) != "k1" || seen.URL.RawQuery != "x=1" || r.URL.RawQuery != "key=k1&x=1" {
		t.Fatalf("query credential: %q %q", seen.Header.Get("Authorization"), seen.URL.RawQuery)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/api", strings.NewReader(`{"token":"t2","n":1}`)))
	body, _ := io.ReadAll(seen.Body)
	if BearerToken(seen) != "t2" || string(body) != `{"n":1}` || seen.ContentLength != int64(len(body)) {
		t.Fatalf("body credential: %q %s", seen.Header.Get("Authorization"), body)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if seen.Header.Get("Authorization") != "" {
		t.Fatal("no credential, but an Authorization header")
	}
}
