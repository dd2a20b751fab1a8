package httpx

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// A server that accepts only the latest token: an expiring session is
// refused once and costs one login; concurrent first calls share a login.
func TestSessionLogsInFirstAndOnceMoreOnExpiry(t *testing.T) {
	var mu sync.Mutex
	valid := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ok := valid != "" && r.Header.Get("Authorization") == "Bearer "+valid
		mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	s := &Session{Apply: Bearer}
	s.Login = func(ctx context.Context) (string, time.Duration, error) {
		if ctx.Value(notRepeatableKey{}) != nil {
			t.Error("the login context carries the call's values")
		}
		mu.Lock()
		defer mu.Unlock()
		valid = fmt.Sprintf("tok-%d", s.logins+1)
		return valid, 0, nil
	}
	c := New(Options{Store: "shop", BaseURL: srv.URL, InitialBackoff: time.Millisecond, Session: s})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := c.GetJSON(NotRepeatable(context.Background()), "/x", nil, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if s.Logins() != 1 {
		t.Fatalf("%d logins for the first calls, want 1", s.Logins())
	}
	mu.Lock()
	valid = "expired-elsewhere"
	mu.Unlock()
	if err := c.GetJSON(context.Background(), "/x", nil, nil); err != nil || s.Logins() != 2 {
		t.Fatalf("after expiry: %v with %d logins, want success after 2", err, s.Logins())
	}
}

func TestSessionRenewsEarlyAndRewritesTheBody(t *testing.T) {
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		fmt.Fprint(&b, r.ContentLength, " ")
		buf := make([]byte, 100)
		n, _ := r.Body.Read(buf)
		b.Write(buf[:n])
		bodies = append(bodies, b.String())
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	n := 0
	s := &Session{Early: time.Hour, Login: func(context.Context) (string, time.Duration, error) {
		n++
		return fmt.Sprint("t", n), time.Hour, nil // renewed before every call
	}, Apply: func(r *http.Request, token string) {
		RewriteBody(r, func(b []byte) []byte { return append([]byte(token+":"), b...) })
	}}
	c := New(Options{BaseURL: srv.URL, Session: s})
	for range 2 {
		if err := c.PostJSON(context.Background(), "/x", 1, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(bodies, ","); got != "4 t1:1,4 t2:1" {
		t.Fatalf("bodies %q", got)
	}
}
