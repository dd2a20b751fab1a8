package pipeline

import (
	"context"
	"time"
)

type scheduledAtKey struct{}

// WithScheduledAt tells the run started with ctx when the scheduler meant it
// to start: the firing time, or for a catch-up run the time of the firing it
// catches up. The time is on the wall clock, as the daemon's scheduler keeps it.
func WithScheduledAt(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, scheduledAtKey{}, t.UTC())
}

// ScheduledAt is the time WithScheduledAt put in ctx; ok is false for a run
// the scheduler did not start (`kramar run`).
func ScheduledAt(ctx context.Context) (t time.Time, ok bool) {
	t, ok = ctx.Value(scheduledAtKey{}).(time.Time)
	return t, ok
}

// lateness is how long after its scheduled time a run began on the wall
// clock (started); 0 for a run not scheduled or begun early.
func lateness(ctx context.Context, started time.Time) (scheduledAt time.Time, late time.Duration) {
	at, ok := ScheduledAt(ctx)
	if !ok {
		return time.Time{}, 0
	}
	return at, max(started.Sub(at), 0)
}
