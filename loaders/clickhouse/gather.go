package clickhouse

import (
	"context"
	"errors"
	"sync"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

// gather turns the same read by many concurrent store runs into few
// queries: the first request is sent at once; requests that come while a
// query runs wait for it and then go together in the next one. With
// thousands of stores in a cycle, ClickHouse answers a query per table per
// moment instead of one per store run, and a lone caller waits for nobody.
type gather[Req, Resp any] struct {
	// query answers reqs, one Resp each, in order.
	query func(ctx context.Context, reqs []Req) ([]Resp, error)
	// fits says whether next may join batch (the first always does).
	fits func(batch []Req, next Req) bool

	mu      sync.Mutex
	queue   []*gatherCall[Req, Resp]
	running bool
}

type gatherCall[Req, Resp any] struct {
	req  Req
	resp Resp
	err  error
	done chan struct{}
}

// gatherTimeout bounds one shared query, whoever asked.
const gatherTimeout = 2 * time.Minute

func (g *gather[Req, Resp]) do(ctx context.Context, req Req) (Resp, error) {
	c := &gatherCall[Req, Resp]{req: req, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	if !g.running {
		g.running = true
		go g.run()
	}
	g.mu.Unlock()
	select {
	case <-c.done:
		return c.resp, c.err
	case <-ctx.Done():
		var zero Resp
		return zero, ctx.Err()
	}
}

func (g *gather[Req, Resp]) run() {
	for {
		g.mu.Lock()
		if len(g.queue) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		n := 1
		reqs := []Req{g.queue[0].req}
		for n < len(g.queue) && g.fits(reqs, g.queue[n].req) {
			reqs = append(reqs, g.queue[n].req)
			n++
		}
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), gatherTimeout)
		resps, err := g.query(ctx, reqs)
		var exc *ch.Exception
		if err != nil && !errors.As(err, &exc) && ctx.Err() == nil {
			// A broken connection (a server of the cluster gone): once
			// more, on a fresh one, which the pool opens to the next host.
			resps, err = g.query(ctx, reqs)
		}
		cancel()
		for i, c := range batch {
			if err == nil {
				c.resp = resps[i]
			}
			c.err = err
			close(c.done)
		}
	}
}
