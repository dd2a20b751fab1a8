package httpx

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestObserveHearsEveryAttempt(t *testing.T) {
	srv, _ := serve(t, status(500), status(429, "Retry-After", "0"))
	var mu sync.Mutex
	var got []int
	c := New(Options{Store: "shop-a", BaseURL: srv.URL, MaxAttempts: 5, InitialBackoff: time.Millisecond,
		Observe: func(call Call) { mu.Lock(); got = append(got, call.Status); mu.Unlock() }})
	if err := c.GetJSON(context.Background(), "/x", nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != 500 || got[1] != 429 || got[2] != 200 {
		t.Fatalf("observed %v, want [500 429 200]", got)
	}
}

func TestObserveHearsACallWithoutAnswer(t *testing.T) {
	var got []Call
	c := New(Options{Store: "shop-a", BaseURL: "http://127.0.0.1:1", MaxAttempts: 1,
		Observe: func(call Call) { got = append(got, call) }})
	if err := c.GetJSON(context.Background(), "/x", nil, nil); err == nil {
		t.Fatal("a closed port answered")
	}
	if len(got) != 1 || got[0].Status != 0 || got[0].Method != http.MethodGet {
		t.Fatalf("observed %+v, want one GET without status", got)
	}
}

func TestClientsSharingALimiterShareItsRate(t *testing.T) {
	srv, n := serve(t)
	lim := NewLimiter(20) // 20/s with a burst of 1: 10 calls take at least 450ms
	a := New(Options{Store: "shop-a", BaseURL: srv.URL, Limiter: lim, RatePerSecond: 1000})
	b := New(Options{Store: "shop-a", BaseURL: srv.URL, Limiter: lim, RatePerSecond: 1000})
	started := time.Now()
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := a
			if i%2 == 1 {
				c = b
			}
			if err := c.GetJSON(context.Background(), "/x", nil, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if took := time.Since(started); took < 400*time.Millisecond || n.Load() != 10 {
		t.Fatalf("%d calls through one 20/s limiter took %v; each client used its own rate", n.Load(), took)
	}
}
