package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const secret = "tok-SECRET-123"

func client(url string, attempts int) *Client {
	return New(Options{
		Store: "shop-a", BaseURL: url, MaxAttempts: attempts, Timeout: 200 * time.Millisecond,
		InitialBackoff: time.Millisecond,
		Authorize:      func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) },
	})
}

// serve answers with the scripted responses in order, then 200 {"ok":true}.
func serve(t *testing.T, script ...func(http.ResponseWriter, *http.Request)) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(script) {
			script[i](w, r)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, hdr ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(code)
		w.Write([]byte(`{"error":"nope"}`))
	}
}

func TestRetriesTransientFailures(t *testing.T) {
	srv, n := serve(t,
		status(500),
		status(503),
		func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"ok":tr`)) }, // cut short
		func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },        // hangs past the timeout
	)
	var out struct{ OK bool }
	if err := client(srv.URL, 6).GetJSON(context.Background(), "/x", nil, &out); err != nil {
		t.Fatal(err)
	}
	if !out.OK || n.Load() != 5 {
		t.Fatalf("ok=%v after %d requests, want true after 5", out.OK, n.Load())
	}
}

func TestHonoursRetryAfter(t *testing.T) {
	srv, n := serve(t, status(429, "Retry-After", "1"))
	start := time.Now()
	var out struct{ OK bool }
	if err := client(srv.URL, 3).GetJSON(context.Background(), "/x", nil, &out); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Fatalf("retried after %v, Retry-After asked for 1s", waited)
	}
	if n.Load() != 2 {
		t.Fatalf("%d requests, want 2", n.Load())
	}
}

func TestAuthFailureIsNotRetriedAndNamesStoreNotToken(t *testing.T) {
	srv, n := serve(t, status(401), status(401))
	err := client(srv.URL, 6).GetJSON(context.Background(), "/orders/list", nil, nil)
	if KindOf(err) != KindAuth {
		t.Fatalf("kind %q, want auth_failed: %v", KindOf(err), err)
	}
	if n.Load() != 1 {
		t.Fatalf("%d requests, want 1 (no retry on 401)", n.Load())
	}
	if !strings.Contains(err.Error(), "shop-a") || strings.Contains(err.Error(), secret) {
		t.Fatalf("error must name the store and hide the token: %v", err)
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	srv, n := serve(t, status(500), status(500), status(500), status(500))
	err := client(srv.URL, 3).GetJSON(context.Background(), "/x", nil, nil)
	if err == nil || KindOf(err) != KindServer || n.Load() != 3 {
		t.Fatalf("err=%v after %d requests, want a server error after 3", err, n.Load())
	}
}

func TestRetryAfterForms(t *testing.T) {
	now := time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"3": 3 * time.Second, "": time.Second, "junk": time.Second, "-4": 0,
		now.Add(5 * time.Second).Format(http.TimeFormat): 5 * time.Second,
	} {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

// A whole JSON answer with a field of another type than expected is read
// as the transforms read records (transforms/decode), once: repeating the
// call would not change the answer. Only a value it cannot do without fails.
func TestAnAnswerOfAnotherShapeIsReadLenientlyAndNotRepeated(t *testing.T) {
	reply := func(body string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(body)) }
	}
	srv, n := serve(t, reply(`{"items":[{"id":"7","name":42,"enabled":"true"},{"id":8,"name":{"uk":"Пошта"}}]}`))
	var out struct {
		Items []struct {
			ID      int64  `json:"id"`
			Name    string `json:"name"`
			Enabled bool   `json:"enabled"`
		} `json:"items"`
	}
	if err := client(srv.URL, 3).GetJSON(context.Background(), "/options", nil, &out); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 || len(out.Items) != 2 || out.Items[0].ID != 7 || out.Items[0].Name != "42" || !out.Items[0].Enabled ||
		out.Items[1].ID != 8 || out.Items[1].Name != "" {
		t.Fatalf("after %d requests: %+v", n.Load(), out)
	}

	srv, n = serve(t, reply(`{"id":{"n":1}}`), reply(`{"id":{"n":1}}`))
	var rec struct {
		ID int64 `json:"id" kramar:"required"`
	}
	err := client(srv.URL, 3).GetJSON(context.Background(), "/one", nil, &rec)
	if KindOf(err) != KindBadBody || n.Load() != 1 || !strings.Contains(err.Error(), "id") {
		t.Fatalf("required field of another shape: %v after %d requests", err, n.Load())
	}
}

// codeError stands for a marketplace's own error type behind an *Error.
type codeError struct{ code int }

func (e *codeError) Error() string { return fmt.Sprintf("code %d", e.code) }

func body(s string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(s)) }
}

// checkFail reads {"fail":N}: 1 transient, 2 final with a cause, 3 auth.
func checkFail(_ int, raw []byte) error {
	switch {
	case strings.Contains(string(raw), `"fail":1`):
		return &Error{Kind: KindServer, Status: 200, Msg: "busy"}
	case strings.Contains(string(raw), `"fail":2`):
		return &Error{Kind: KindRequest, Status: 200, Msg: "bad", Err: &codeError{code: 2}}
	case strings.Contains(string(raw), `"fail":3`):
		return &Error{Kind: KindAuth, Status: 200, Msg: "expired"}
	}
	return nil
}

func TestCheckBodyRetriesTransientAndStopsOnFinal(t *testing.T) {
	srv, n := serve(t, body(`{"fail":1}`), body(`{"fail":1}`))
	c := client(srv.URL, 6)
	c.opts.CheckBody = checkFail
	var out struct{ OK bool }
	if err := c.GetJSON(context.Background(), "/x", nil, &out); err != nil || !out.OK || n.Load() != 3 {
		t.Fatalf("err=%v ok=%v after %d requests, want success after 3", err, out.OK, n.Load())
	}

	srv, n = serve(t, body(`{"fail":2}`))
	c = client(srv.URL, 6)
	c.opts.CheckBody = checkFail
	err := c.GetJSON(context.Background(), "/x", nil, &out)
	var ce *codeError
	if KindOf(err) != KindRequest || !errors.As(err, &ce) || ce.code != 2 || n.Load() != 1 {
		t.Fatalf("err=%v after %d requests, want a final request error reaching the cause after 1", err, n.Load())
	}
}

func TestReauthorizeOnceThenRetry(t *testing.T) {
	for _, first := range []func(http.ResponseWriter, *http.Request){status(401), body(`{"fail":3}`)} {
		srv, n := serve(t, first)
		c := client(srv.URL, 6)
		c.opts.CheckBody = checkFail
		var logins atomic.Int32
		c.opts.Reauthorize = func(context.Context) error { logins.Add(1); return nil }
		var out struct{ OK bool }
		if err := c.GetJSON(context.Background(), "/x", nil, &out); err != nil || !out.OK {
			t.Fatalf("err=%v ok=%v", err, out.OK)
		}
		if logins.Load() != 1 || n.Load() != 2 {
			t.Fatalf("%d logins, %d requests; want 1 and 2", logins.Load(), n.Load())
		}
	}
}

func TestReauthorizeOnlyOnce(t *testing.T) {
	srv, n := serve(t, status(401), status(401), status(401))
	c := client(srv.URL, 6)
	var logins atomic.Int32
	c.opts.Reauthorize = func(context.Context) error { logins.Add(1); return nil }
	err := c.GetJSON(context.Background(), "/x", nil, nil)
	if KindOf(err) != KindAuth || logins.Load() != 1 || n.Load() != 2 {
		t.Fatalf("err=%v, %d logins, %d requests; want auth_failed, 1, 2", err, logins.Load(), n.Load())
	}
	if !strings.Contains(err.Error(), "shop-a") || strings.Contains(err.Error(), secret) {
		t.Fatalf("error must name the store and hide the token: %v", err)
	}

	srv, _ = serve(t, status(401))
	c = client(srv.URL, 6)
	c.opts.Reauthorize = func(context.Context) error { return &Error{Kind: KindAuth, Msg: "wrong password"} }
	c.opts.Timeout = time.Second
	if err := c.GetJSON(context.Background(), "/x", nil, nil); KindOf(err) != KindAuth || !strings.Contains(err.Error(), "re-authenticating") {
		t.Fatalf("failed re-login: %v", err)
	}
}
