package prom

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/kittest"
)

// BenchmarkSeed100k measures AddStore with 100,000 orders (target: well under 2 s).
func BenchmarkSeed100k(b *testing.B) {
	for range b.N {
		s := New(Options{Seed: 1, Clock: kit.NewClock(kittest.Now)})
		s.AddStore("tok", 100_000)
	}
}

// BenchmarkPull100k pulls 100,000 orders page by page over a real listener,
// decoding each page into raw orders as a client would, and reports orders/s.
func BenchmarkPull100k(b *testing.B) {
	const n = 100_000
	s := New(Options{Seed: 1, Clock: kit.NewClock(kittest.Now)})
	s.AddStore("tok", n)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, err := ListenAndServe(ctx, "127.0.0.1:0", s)
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		seen, last := 0, ""
		for {
			url := base + APIPath + "/orders/list?limit=100"
			if last != "" {
				url += "&last_id=" + last
			}
			_, _, body := kittest.Do(b, client, "GET", url, kittest.Bearer(nil, "tok"), nil)
			var page wire.OrderList
			if err := json.Unmarshal(body, &page); err != nil {
				b.Fatal(err)
			}
			if len(page.Orders) <= 1 && last != "" {
				break
			}
			var tail struct{ ID int64 }
			_ = json.Unmarshal(page.Orders[len(page.Orders)-1], &tail)
			seen += len(page.Orders) - 1
			last = strconv.FormatInt(tail.ID, 10)
		}
		if seen < n-1 {
			b.Fatalf("pulled %d", seen)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "orders/s")
}
