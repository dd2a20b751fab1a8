package console

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// attempts limits login attempts per key (a client address, a user name):
// a token bucket per key, dropped once it has been full for long enough
// that a fresh one would be the same.
type attempts struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	by    map[string]*bucket
	now   func() time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

// maxKeys is how many keys are kept before idle ones are dropped.
const maxKeys = 10000

func newAttempts(every rate.Limit, burst int, now func() time.Time) *attempts {
	return &attempts{every: every, burst: burst, by: map[string]*bucket{}, now: now}
}

// take spends one attempt of every key, or none of them: it returns how
// long to wait when one of them is out of attempts (0 when all were
// there).
func (a *attempts) take(keys ...string) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if len(a.by) > maxKeys {
		a.sweep(now)
	}
	var taken []*rate.Reservation
	for _, k := range keys {
		b := a.by[k]
		if b == nil {
			b = &bucket{l: rate.NewLimiter(a.every, a.burst)}
			a.by[k] = b
		}
		b.seen = now
		r := b.l.ReserveN(now, 1)
		if wait := r.DelayFrom(now); !r.OK() || wait > 0 {
			r.CancelAt(now)
			for _, t := range taken {
				t.CancelAt(now)
			}
			return max(wait, time.Second)
		}
		taken = append(taken, r)
	}
	return 0
}

// sweep drops the buckets untouched for as long as they take to fill.
func (a *attempts) sweep(now time.Time) {
	full := time.Duration(float64(a.burst) / float64(a.every) * float64(time.Second))
	for k, b := range a.by {
		if now.Sub(b.seen) > full {
			delete(a.by, k)
		}
	}
}
