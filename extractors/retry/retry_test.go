package retry

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

var errFlaky = errors.New("flaky")

func TestDoStopsOnSuccessPermanentOrAttempts(t *testing.T) {
	p := Policy{Attempts: 4, Wait: time.Millisecond}
	n, err := p.Do(context.Background(), func(a int) error {
		if a < 3 {
			return errFlaky
		}
		return nil
	})
	if n != 3 || err != nil {
		t.Fatalf("%d tries, %v; want 3, nil", n, err)
	}
	errFinal := errors.New("final")
	n, err = p.Do(context.Background(), func(int) error { return Permanent(errFinal) })
	if n != 1 || err != errFinal {
		t.Fatalf("%d tries, %v; want 1, the unwrapped error", n, err)
	}
	n, err = p.Do(context.Background(), func(int) error { return errFlaky })
	if n != 4 || err != errFlaky {
		t.Fatalf("%d tries, %v; want 4, flaky", n, err)
	}
	if Permanent(nil) != nil {
		t.Fatal("Permanent(nil) is not nil")
	}
}

func TestWaitsDoubleUpToTheCap(t *testing.T) {
	w := Policy{Wait: 10 * time.Millisecond, MaxWait: 30 * time.Millisecond}.Waits()
	var got []time.Duration
	for range 4 {
		got = append(got, w.b.NextBackOff())
	}
	want := []time.Duration{10, 20, 30, 30}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("waits %v, want %v ms", got, want)
		}
	}
}

func TestAServersWaitLengthensOrRestarts(t *testing.T) {
	for _, restarts := range []bool{false, true} {
		p := Policy{Attempts: 2, Wait: time.Millisecond, HintRestarts: restarts}
		start := time.Now()
		n, err := p.Do(context.Background(), func(a int) error {
			if a == 1 {
				return After(50*time.Millisecond, errFlaky)
			}
			return nil
		})
		if n != 2 || err != nil || time.Since(start) < 50*time.Millisecond {
			t.Fatalf("restarts=%v: %d tries, %v after %v; want 2, nil after 50ms", restarts, n, err, time.Since(start))
		}
	}
	// A hint shorter than the wait tells the two apart: it replaces the
	// wait, or the longer wait stands.
	for _, restarts := range []bool{false, true} {
		p := Policy{Attempts: 2, Wait: 500 * time.Millisecond, HintRestarts: restarts}
		start := time.Now()
		if _, err := p.Do(context.Background(), func(a int) error {
			if a == 1 {
				return After(time.Millisecond, errFlaky)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); restarts != (took < 400*time.Millisecond) {
			t.Errorf("restarts=%v: a 1ms hint against a 500ms wait took %v", restarts, took)
		}
	}
}

func TestAContextEndingDuringAWaitNamesBoth(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	n, err := Policy{Attempts: 3, Wait: time.Hour}.Do(ctx, func(int) error { return errFlaky })
	if n != 1 || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errFlaky) {
		t.Fatalf("%d tries, %v; want 1 wrapping the deadline and the failure", n, err)
	}
}

func TestParseAfterReadsSecondsAndDates(t *testing.T) {
	now := time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"3": 3 * time.Second, " 7 ": 7 * time.Second, "-4": 0,
		now.Add(5 * time.Second).Format(http.TimeFormat):  5 * time.Second,
		now.Add(-5 * time.Second).Format(http.TimeFormat): 0,
	} {
		if got, ok := ParseAfter(in, now); !ok || got != want {
			t.Errorf("ParseAfter(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "junk", "1.5"} {
		if _, ok := ParseAfter(in, now); ok {
			t.Errorf("ParseAfter(%q) reads a wait", in)
		}
	}
}
