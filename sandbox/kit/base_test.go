package kit

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestNewBaseDefaults(t *testing.T) {
	b := NewBase(BaseOptions{Options: Options{Seed: 42}})
	if b.Clock() == nil || time.Since(b.Clock().Now()) > time.Minute {
		t.Fatalf("nil Clock should default to real time, got %v", b.Clock())
	}
	if got := b.Faults().Config().Seed; got != 42 {
		t.Fatalf("fault seed = %d, want the data seed 42", got)
	}
	if b.Recorder() == nil || b.RateLimit() == nil || BaseTokens(&b) == nil {
		t.Fatal("shared pieces not built")
	}
	if b.Handler() != nil {
		t.Fatal("handler before SetHandler")
	}
	h := http.NotFoundHandler()
	SetHandler(&b, h)
	if b.Handler() == nil {
		t.Fatal("SetHandler did not mount the handler")
	}
}

func TestNewBaseKeepsExplicitSettings(t *testing.T) {
	clock := NewClock(time.Date(2026, 8, 2, 12, 0, 0, 0, time.UTC))
	b := NewBase(BaseOptions{Options: Options{Clock: clock, Seed: 1, Faults: FaultConfig{Seed: 7}}})
	if b.Clock() != clock {
		t.Fatal("Clock not kept")
	}
	if got := b.Faults().Config().Seed; got != 7 {
		t.Fatalf("fault seed = %d, want 7", got)
	}
	// Tokens expire on the sandbox clock, not on real time.
	tokens := BaseTokens(&b)
	tokens.AddExpiring("t", "store-1", clock.Now().Add(time.Minute))
	if _, ok := tokens.Active("t"); !ok {
		t.Fatal("token expired early")
	}
	clock.Advance(time.Minute)
	if _, ok := tokens.Active("t"); ok {
		t.Fatal("token still active after its expiry on the sandbox clock")
	}
}

func TestNewBaseErrorBodies(t *testing.T) {
	mine := func(status int, msg string) []byte { return []byte(`{"mine":"` + msg + `"}`) }
	serve := func(b Base, h http.Handler) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/x", nil))
		return w
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })

	// Faults render with ErrorBody when the scope names none.
	b := NewBase(BaseOptions{Options: Options{Seed: 1, Faults: FaultConfig{Rate: 1, Kinds: []Kind{ServerError}}}, ErrorBody: mine})
	w := serve(b, b.Faults().Wrap(ok))
	if w.Code < 500 || !strings.HasPrefix(w.Body.String(), `{"mine":`) {
		t.Fatalf("fault answer %d %q, want 5xx in the sandbox's body", w.Code, w.Body.String())
	}

	// A scope's own ErrorBody wins.
	other := func(int, string) []byte { return []byte(`other`) }
	b = NewBase(BaseOptions{Options: Options{Seed: 1, Faults: FaultConfig{Rate: 1, Kinds: []Kind{ServerError}}},
		FaultScope: FaultScope{ErrorBody: other}, ErrorBody: mine})
	if w := serve(b, b.Faults().Wrap(ok)); w.Body.String() != "other" {
		t.Fatalf("fault body %q, want the scope's", w.Body.String())
	}
}

func TestOutsideControl(t *testing.T) {
	for path, want := range map[string]bool{"/_sandbox/faults": false, "/orders/search": true, "/_sandboxes": true} {
		if got := OutsideControl(httptest.NewRequest(http.MethodGet, path, nil)); got != want {
			t.Errorf("OutsideControl(%s) = %v, want %v", path, got, want)
		}
	}
}

func TestNewMarketWiresTokensTruthAndScope(t *testing.T) {
	var stores Stores[*Book[int, testRec]]
	stores.Add(func(int) (string, *Book[int, testRec]) {
		b := newTestBook(nil)
		b.Seed(1, func(int) *testRec { return &testRec{id: 7} })
		return "store-1", b
	})
	b, tokens, truth := NewMarket(Options{Seed: 5, RatePerSecond: 2}, FaultScope{Faultable: Under("/api/")}, nil,
		&stores, func(b *Book[int, testRec]) *Book[int, testRec] { return b }, func(r *testRec) int { return r.id })
	if tokens != BaseTokens(&b) || b.Faults().Config().Seed != 5 {
		t.Fatal("tokens or fault seed not the Base's")
	}
	if got := truth.Orders("store-1"); len(got) != 1 || got[0] != 7 {
		t.Fatalf("truth %v", got)
	}
	in := Under("/api/")
	if !in(httptest.NewRequest("GET", "/api/orders", nil)) || in(httptest.NewRequest("GET", "/_sandbox/clock", nil)) {
		t.Fatal("Under")
	}
	if o := (SimOptions{Seed: 3, RatePerSecond: 4}).Options(); o.Clock == nil || o.Seed != 3 || o.RatePerSecond != 4 {
		t.Fatalf("SimOptions.Options %+v", o)
	}
}
