// Package retry is the one retry policy of kramar: how many tries, how the
// wait between them grows (exponentially, optionally jittered and capped,
// computed by github.com/cenkalti/backoff) and what ends the tries early: a
// permanent error, the context, or a server asking for a longer wait.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Policy says how often and how patiently a failing step is tried. Each
// caller sets its own numbers; the zero Factor doubles the wait and the zero
// Jitter waits exactly.
type Policy struct {
	Attempts int           // tries in all, the first included; below 1 means 1
	Wait     time.Duration // the wait before the second try
	MaxWait  time.Duration // the longest single wait; 0: no cap
	Factor   float64       // how much each wait grows; 0: doubles
	Jitter   float64       // each wait is drawn from ±Jitter of it (0..1)
	// HintRestarts makes a server's wait (After) replace the growing wait,
	// which then starts again from Wait. Otherwise the hint only lengthens
	// that one wait.
	HintRestarts bool
}

// Jittered is p growing as the backoff library does by default (×1.5 with
// ±50 % jitter): clients that retry together do not retry in step at a
// server that is already struggling.
func (p Policy) Jittered() Policy {
	p.Factor, p.Jitter = backoff.DefaultMultiplier, backoff.DefaultRandomizationFactor
	return p
}

// Do calls try (with the attempt number, from 1) until it returns nil or a
// Permanent error, the attempts run out or ctx ends, and returns how many
// tries it made and the last error (unwrapped from Permanent and After).
// A failure once ctx has ended is returned as is; when ctx ends during a
// wait the error wraps both the context's cause and the last failure.
func (p Policy) Do(ctx context.Context, try func(attempt int) error) (attempts int, err error) {
	w := p.Waits()
	for attempt := 1; ; attempt++ {
		err := try(attempt)
		if err == nil {
			return attempt, nil
		}
		var perm *permanent
		if errors.As(err, &perm) {
			return attempt, perm.err
		}
		var h *hint
		asked := errors.As(err, &h)
		if asked {
			err = h.err
		}
		if attempt >= max(p.Attempts, 1) || ctx.Err() != nil {
			return attempt, err
		}
		var wait time.Duration
		if asked {
			wait = h.wait
		}
		if werr := w.wait(ctx, wait, asked); werr != nil {
			return attempt, fmt.Errorf("%w (after: %w)", werr, err)
		}
	}
}

// Waits are the policy's waits one after another, for a loop that is more
// than one call (it reads state between sends, say).
type Waits struct {
	p Policy
	b *backoff.ExponentialBackOff
}

// Waits starts the policy's sequence of waits.
func (p Policy) Waits() *Waits {
	b := &backoff.ExponentialBackOff{
		InitialInterval:     p.Wait,
		RandomizationFactor: p.Jitter,
		Multiplier:          p.Factor,
		MaxInterval:         p.MaxWait,
	}
	if b.Multiplier <= 0 {
		b.Multiplier = 2
	}
	if b.MaxInterval <= 0 {
		b.MaxInterval = math.MaxInt64
	}
	b.Reset()
	return &Waits{p: p, b: b}
}

// Wait sleeps for the next wait, or returns the context's cause when ctx
// ends first.
func (w *Waits) Wait(ctx context.Context) error { return w.wait(ctx, 0, false) }

// wait is Wait with the server's wait, when it asked for one, applied as
// Policy.HintRestarts says.
func (w *Waits) wait(ctx context.Context, hint time.Duration, asked bool) error {
	d := w.b.NextBackOff()
	if asked {
		if w.p.HintRestarts {
			d = hint
			w.b.Reset()
		} else {
			d = max(d, hint)
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

type permanent struct{ err error }

func (e *permanent) Error() string { return e.err.Error() }
func (e *permanent) Unwrap() error { return e.err }

// Permanent marks err as one another try cannot fix; Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanent{err}
}

type hint struct {
	wait time.Duration
	err  error
}

func (e *hint) Error() string { return e.err.Error() }
func (e *hint) Unwrap() error { return e.err }

// After marks err as a failure after which the server asked to wait d
// (HTTP Retry-After, Telegram's retry_after).
func After(d time.Duration, err error) error {
	return &hint{wait: max(d, 0), err: err}
}

// ParseAfter reads an HTTP Retry-After value, seconds or an HTTP date (RFC
// 9110 §10.2.3), as the wait it asks for at now (never negative); ok is
// false when v is blank or in neither form.
func ParseAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(s, 0)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
