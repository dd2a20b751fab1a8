package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

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
