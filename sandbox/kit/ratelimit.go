package kit

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit limits requests per store (i.e. per token) in real time, since
// it guards against real clients hammering the sandbox. 0 = unlimited.
type RateLimit struct {
	render   ErrorBody
	mu       sync.Mutex
	perSec   float64
	limiters map[string]*rate.Limiter
}

// NewRateLimit allows perSecond requests per store with a burst of one
// second's worth; render is the marketplace's error body.
func NewRateLimit(perSecond float64, render ErrorBody) *RateLimit {
	return &RateLimit{render: render, perSec: perSecond, limiters: map[string]*rate.Limiter{}}
}

// Set changes the limit at runtime (0 turns it off).
func (l *RateLimit) Set(perSecond float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.perSec = perSecond
	l.limiters = map[string]*rate.Limiter{}
}

// allow reports whether the store may proceed now, and otherwise how long to wait.
func (l *RateLimit) allow(store string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perSec <= 0 {
		return true, 0
	}
	lim, ok := l.limiters[store]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(l.perSec), int(math.Max(1, math.Ceil(l.perSec))))
		l.limiters[store] = lim
	}
	res := lim.ReserveN(now, 1)
	if delay := res.DelayFrom(now); delay > 0 {
		res.CancelAt(now)
		return false, delay
	}
	return true, 0
}

// Wrap answers 429 with Retry-After (whole seconds, at least 1) over the limit.
// It must sit inside the auth middleware so the store is known.
func (l *RateLimit) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, wait := l.allow(StoreFrom(r.Context()), time.Now())
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			if secs < 1 {
				secs = 1
			}
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			WriteError(w, l.render, http.StatusTooManyRequests, "Rate limit exceeded")
			return
		}
		h.ServeHTTP(w, r)
	})
}
