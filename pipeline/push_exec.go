package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/retry"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/pipeline/config"
)

// pushJob is one store's reverse cycle.
//
// Exactly once: before a request goes out its step is written as "sending";
// before any request (the first, or one after a lost answer, or one after a
// crash that left "sending" behind) the marketplace's state is read, and a
// change it already shows is recorded as landed instead of being sent
// again. A change is never dropped: until it is done, already or rejected it
// stays open and the next cycle takes it up.
type pushJob struct {
	wh     *clickhouse.Warehouse
	store  config.Store
	pusher marketplace.Pusher
	now    func() time.Time
	log    *slog.Logger
	result *StoreResult
	// tries bounds the sends of one call per cycle; backoff is the first wait.
	tries   int
	backoff time.Duration
	states  map[string]clickhouse.PushState
	// resend names products whose stock the marketplace moved itself (a
	// landed change it keeps goods out of stock for): the stock push sends
	// their CRM counts again.
	resend []string
}

// errStop ends the store's cycle (credentials refused, the push log not
// writable): going on could only fail the same way.
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }
func (e errStop) Unwrap() error { return e.err }

func (j *pushJob) run(ctx context.Context, work []pushWork) error {
	blocked := map[string]bool{} // orders whose earlier change has not landed
	for _, w := range work {
		if err := ctx.Err(); err != nil {
			return err
		}
		j.result.Fetched++
		if blocked[w.change.OrderID] {
			continue
		}
		landed, err := j.pushChange(ctx, w)
		if err != nil {
			return err
		}
		if !landed {
			blocked[w.change.OrderID] = true
		}
	}
	return nil
}

// pushChange makes the calls of one change; landed is false when a call is
// still open, so later changes of the same order wait.
func (j *pushJob) pushChange(ctx context.Context, w pushWork) (landed bool, err error) {
	if w.refused != "" {
		state := pushRejected
		if w.skipped {
			state = pushSkipped
		}
		j.count(state)
		step := j.step(w, marketplace.Action{Kind: "change", Change: w.change}, state, w.refused)
		logPush(j.log, step)
		return true, j.record(ctx, step, true)
	}
	actions, err := j.pusher.Plan(w.change)
	if reason, ok := marketplace.IsRejected(err); ok {
		j.count(pushRejected)
		step := j.step(w, marketplace.Action{Kind: "change", Change: w.change}, pushRejected, reason)
		logPush(j.log, step)
		return true, j.record(ctx, step, true)
	} else if err != nil {
		return false, err
	}
	for i, a := range actions {
		last := i == len(actions)-1
		if prev := j.states[w.key+"/"+a.Kind]; prev.Final {
			continue
		}
		state, err := j.pushAction(ctx, w, a, last)
		if err != nil {
			return false, err
		}
		j.count(state)
		switch state {
		case pushRejected:
			return true, nil // the step closed the change
		case pushFailed:
			return false, nil
		}
	}
	return true, nil
}

// pushAction drives one call to a final state, or to "failed" when the
// marketplace stays unreachable for this cycle.
func (j *pushJob) pushAction(ctx context.Context, w pushWork, a marketplace.Action, last bool) (string, error) {
	prev := j.states[w.key+"/"+a.Kind]
	attempt := int(prev.Attempt)
	step := j.step(w, a, "", "")
	pause := j.pauses()
	var lastErr error
	for try := 0; try < j.tries; try++ {
		if err := pause(ctx, try); err != nil {
			return "", err
		}
		now, err := j.pusher.State(ctx, w.change.OrderID)
		if reason, ok := marketplace.IsRejected(err); ok { // e.g. no such order
			return pushRejected, j.finish(ctx, step, pushRejected, attempt, reason, true)
		}
		if err != nil {
			if httpx.KindOf(err) == httpx.KindAuth {
				return "", j.fail(ctx, step, attempt, err)
			}
			lastErr = err
			continue
		}
		step.FromStatus = now.Status
		if marketplace.Satisfied(now, a) {
			state := pushAlready
			if attempt > 0 {
				state = pushDone // a send whose answer was lost had landed
				j.noteKeptStock(ctx, w.change.OrderID, a)
			}
			return state, j.finish(ctx, step, state, attempt, "the marketplace shows the change", last)
		}
		if w.onlyFrom != "" && now.Status != w.onlyFrom {
			return pushSkipped, j.finish(ctx, step, pushSkipped, attempt,
				fmt.Sprintf("the order is no longer in status %s on the marketplace (now %s)", w.onlyFrom, now.Status), true)
		}
		if err := marketplace.CheckTransition(now, a); err != nil {
			reason, _ := marketplace.IsRejected(err)
			return pushRejected, j.finish(ctx, step, pushRejected, attempt, reason, true)
		}
		attempt++
		sending := step
		sending.State, sending.Attempt = pushSending, uint32(attempt)
		if err := j.record(ctx, sending, false); err != nil {
			return "", err // never send what the log cannot show
		}
		resp, err := j.pusher.Apply(ctx, a, now)
		step.Response = summarize(resp)
		if err == nil {
			j.noteKeptStock(ctx, w.change.OrderID, a)
			return pushDone, j.finish(ctx, step, pushDone, attempt, "", last)
		}
		if reason, ok := marketplace.IsRejected(err); ok {
			return pushRejected, j.finish(ctx, step, pushRejected, attempt, reason, true)
		}
		if httpx.KindOf(err) == httpx.KindAuth {
			return "", j.fail(ctx, step, attempt, err)
		}
		lastErr = err
		j.log.Warn("push answer lost or refused for now; re-checking before any resend",
			"order", w.change.OrderID, "action", a.Kind, "attempt", attempt, "error", err)
	}
	step.State, step.Attempt, step.Reason = pushFailed, uint32(attempt), errText(lastErr)
	logPush(j.log, step)
	return pushFailed, j.record(ctx, step, false)
}

// finish writes a call's final step.
func (j *pushJob) finish(ctx context.Context, step clickhouse.PushStep, state string, attempt int, reason string, closes bool) error {
	step.State, step.Attempt, step.Reason, step.Final, step.Closes = state, uint32(attempt), reason, true, closes
	logPush(j.log, step)
	return j.record(ctx, step, closes)
}

// fail records a call left open by refused credentials and stops the store.
func (j *pushJob) fail(ctx context.Context, step clickhouse.PushStep, attempt int, err error) error {
	step.State, step.Attempt, step.Reason = pushFailed, uint32(attempt), errText(err)
	if rerr := j.record(ctx, step, false); rerr != nil {
		return rerr
	}
	return errStop{err}
}

// record writes one step; a write that fails stops the cycle.
func (j *pushJob) record(ctx context.Context, step clickhouse.PushStep, closes bool) error {
	step.Closes = step.Closes || closes
	if step.State == pushRejected || step.State == pushSkipped {
		step.Final = true
	}
	step.At = j.now().UTC()
	if err := j.wh.RecordPushSteps(context.WithoutCancel(ctx), step); err != nil {
		return errStop{fmt.Errorf("store %s: push log: %w", j.store.ID, err)}
	}
	return nil
}

// step is the push_log row of a call, before its state is known.
func (j *pushJob) step(w pushWork, a marketplace.Action, state, reason string) clickhouse.PushStep {
	req, _ := json.Marshal(struct {
		Status       string `json:"status,omitempty"`
		TTN          string `json:"ttn,omitempty"`
		Carrier      string `json:"carrier,omitempty"`
		CancelReason string `json:"cancel_reason,omitempty"`
		CancelText   string `json:"cancel_text,omitempty"`
	}{a.Status, a.TTN, a.Carrier, a.CancelReason, a.CancelText})
	return clickhouse.PushStep{
		PushID: w.key + "/" + a.Kind, UpdateID: w.updateID, Marketplace: j.store.Marketplace, Store: j.store.ID,
		OrderID: w.change.OrderID, Source: w.source, Action: a.Kind, CRMStatus: w.crmStatus,
		ToStatus: a.Status, TTN: a.TTN, Carrier: a.Carrier, State: state, Reason: reason, Request: string(req),
	}
}

func (j *pushJob) count(state string) {
	switch state {
	case pushDone:
		j.result.New++
	case pushAlready:
		j.result.Unchanged++
	case pushRejected:
		j.result.Rejected++
	case pushFailed:
		j.result.Held++
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// pauses returns the wait before each try of one call: none before the
// first, then growing with jitter (a timeout hurts less than a thundering
// retry at a marketplace that is already struggling).
func (j *pushJob) pauses() func(ctx context.Context, try int) error {
	waits := retry.Policy{Wait: j.backoff, MaxWait: 30 * time.Second}.Jittered().Waits()
	return func(ctx context.Context, try int) error {
		if try == 0 {
			return nil
		}
		return waits.Wait(ctx)
	}
}
