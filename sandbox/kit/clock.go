package kit

import (
	"sync"
	"time"
)

// Now is the shape of a time source; clock.Now satisfies it.
type Now func() time.Time

// Clock is a goroutine-safe time source that tests can move. A manual clock
// stands still until Advance or Set; a real clock follows time.Now plus an
// offset that Advance and Set shift.
type Clock struct {
	mu     sync.Mutex
	real   bool
	t      time.Time     // manual mode: the current time
	offset time.Duration // real mode: added to time.Now
}

// NewClock returns a manual clock standing at start (kept in UTC).
func NewClock(start time.Time) *Clock {
	return &Clock{t: start.UTC()}
}

// RealClock returns a clock that follows the wall clock in UTC.
func RealClock() *Clock {
	return &Clock{real: true}
}

// Now returns the clock's current time in UTC.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		return time.Now().UTC().Add(c.offset)
	}
	return c.t
}

// Advance moves the clock forward (or back, for a negative d).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		c.offset += d
		return
	}
	c.t = c.t.Add(d)
}

// Set puts the clock at t; a real clock keeps running from there.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		c.offset = t.Sub(time.Now())
		return
	}
	c.t = t.UTC()
}
