package kit

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestNewBaseDefaults(t *testing.T) {
	b := NewBase(BaseOptions{Seed: 42})
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
	b := NewBase(BaseOptions{Clock: clock, Seed: 1, Faults: FaultConfig{Seed: 7}})
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
	b := NewBase(BaseOptions{Seed: 1, Faults: FaultConfig{Rate: 1, Kinds: []Kind{ServerError}}, ErrorBody: mine})
	w := serve(b, b.Faults().Wrap(ok))
	if w.Code < 500 || !strings.HasPrefix(w.Body.String(), `{"mine":`) {
		t.Fatalf("fault answer %d %q, want 5xx in the sandbox's body", w.Code, w.Body.String())
	}

	// A scope's own ErrorBody wins.
	other := func(int, string) []byte { return []byte(`other`) }
	b = NewBase(BaseOptions{Seed: 1, Faults: FaultConfig{Rate: 1, Kinds: []Kind{ServerError}},
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
