package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
)

// JobBackfill names backfill runs in pipeline_runs, apart from the live
// order cycles whose lag `kramar status` measures.
const JobBackfill = "backfill"

// kindBackfill is the extract_state kind of a backfill's own progress; the
// live cursor is never touched by a backfill.
const kindBackfill = "backfill"

// Backfill is a request to load a past window of a store's orders.
type Backfill struct {
	Store    string
	From, To time.Time     // modification times, both inclusive
	Slice    time.Duration // the window is read slice by slice; default 24h
	// Restart forgets the progress of an earlier run of the same window.
	Restart bool
	// Progress hears after every slice.
	Progress func(BackfillProgress)
}

// BackfillProgress is how far a backfill has got.
type BackfillProgress struct {
	Store       string
	Slices      int       // slices in the whole window
	Done        int       // slices finished, by earlier runs included
	Resumed     int       // slices an earlier, interrupted run finished
	Fetched     int       // orders read by this run
	DoneThrough time.Time // the window is loaded up to here
}

// backfillState is the value of a backfill's extract_state entry.
type backfillState struct {
	DoneThrough time.Time `json:"done_through"` // last second of the last finished slice
	Finished    bool      `json:"finished"`
}

// Key names the backfill's extract_state entry: "orders:FROM..TO".
func (b Backfill) Key() string {
	return "orders:" + b.From.UTC().Format(time.RFC3339) + ".." + b.To.UTC().Format(time.RFC3339)
}

// slices cuts [from, to] into windows of b.Slice that neither overlap nor
// leave a gap: the marketplace compares whole seconds, both ends inclusive.
func (b Backfill) slices(from time.Time) []orderWindow {
	var out []orderWindow
	for s := from; !s.After(b.To); {
		end := s.Add(b.Slice - time.Second)
		if end.After(b.To) {
			end = b.To
		}
		out = append(out, orderWindow{From: s, To: end})
		s = end.Add(time.Second)
	}
	return out
}

// BackfillOrders loads the store's orders modified in [b.From, b.To], a
// slice at a time, with the order cycle's own classification (unchanged
// orders are not written again) but none of its cursor: progress is kept
// per window, so an interrupted backfill resumes after its last finished
// slice. New orders found are history and are not announced.
func (r *Runner) BackfillOrders(ctx context.Context, b Backfill) (StoreResult, error) {
	if b.Slice <= 0 {
		b.Slice = 24 * time.Hour
	}
	if b.Slice < time.Second {
		return StoreResult{}, fmt.Errorf("slice %s is shorter than a second", b.Slice)
	}
	b.From, b.To = b.From.UTC().Truncate(time.Second), b.To.UTC().Truncate(time.Second)
	if b.To.Before(b.From) {
		return StoreResult{}, fmt.Errorf("the window ends (%s) before it starts (%s)", b.To.Format(time.RFC3339), b.From.Format(time.RFC3339))
	}
	stores, err := r.pick([]string{b.Store})
	if err != nil {
		return StoreResult{}, err
	}
	st := stores[0]
	res := StoreResult{RunID: newRunID(), Store: st.ID, Marketplace: st.Marketplace, Job: JobBackfill, Status: StatusOK}
	log := r.logger().With("store", st.ID, "marketplace", st.Marketplace, "job", JobBackfill, "run", res.RunID, "window", b.Key())
	started, startedAt := time.Now(), r.now()

	err = r.backfill(ctx, st, b, &res, log)
	res.Duration = time.Since(started)
	if err != nil {
		res.Status, res.Err = statusOf(err), err
		log.Error("backfill stopped; run it again to resume", "status", res.Status, "error", err)
	}
	rec := clickhouse.Run{RunID: res.RunID, Marketplace: st.Marketplace, Store: st.ID, Job: JobBackfill,
		StartedAt: startedAt, FinishedAt: startedAt.Add(res.Duration), Status: res.Status,
		Fetched: uint64(res.Fetched), New: uint64(res.New), Updated: uint64(res.Updated),
		Unchanged: uint64(res.Unchanged), Rejected: uint64(res.Rejected), Held: uint64(res.Held)}
	if err != nil {
		rec.Error = err.Error()
	}
	if rerr := r.wh().RecordRun(context.WithoutCancel(ctx), rec); rerr != nil {
		log.Error("recording the run failed", "error", rerr)
	}
	return res, nil
}

func (r *Runner) backfill(ctx context.Context, st config.Store, b Backfill, res *StoreResult, log *slog.Logger) error {
	marketplace, key := st.Marketplace, b.Key()
	state, err := r.loadBackfill(ctx, marketplace, b.Store, key)
	if err != nil {
		return err
	}
	if b.Restart {
		state = backfillState{}
	}
	all := b.slices(b.From)
	if state.Finished {
		log.Info("backfill already finished; --restart reads it again")
		r.reportBackfill(b, BackfillProgress{Slices: len(all), Done: len(all), Resumed: len(all), DoneThrough: b.To})
		return nil
	}
	start := b.From
	if !state.DoneThrough.IsZero() {
		start = state.DoneThrough.Add(time.Second)
	}
	todo := b.slices(start)
	p := BackfillProgress{Slices: len(all), Resumed: len(all) - len(todo), DoneThrough: state.DoneThrough}
	p.Done = p.Resumed
	if p.Resumed > 0 {
		log.Info("resuming backfill", "done_through", state.DoneThrough, "slices_left", len(todo))
	}
	r.reportBackfill(b, p)
	for _, w := range todo {
		before := res.Fetched
		// Each slice under the store's lease, so the store's own runs go on
		// between the slices of a long backfill rather than wait for it all.
		state.DoneThrough = w.To
		state.Finished = !w.To.Before(b.To)
		if err := r.backfillSlice(ctx, st, w, res, log, key, state); err != nil {
			return err
		}
		p.Done++
		p.Fetched = res.Fetched
		p.DoneThrough = w.To
		log.Info("backfill slice done", "from", w.From, "to", w.To, "fetched", res.Fetched-before, "slices_done", p.Done, "slices", p.Slices)
		r.reportBackfill(b, p)
	}
	return nil
}

// backfillSlice reads one slice and saves state, the backfill done
// through it, under the store's lease.
func (r *Runner) backfillSlice(ctx context.Context, st config.Store, w orderWindow, res *StoreResult, log *slog.Logger, key string, state backfillState) error {
	leased, release, err := r.hold(ctx, st.ID)
	if err != nil {
		return err
	}
	defer release()
	if err := r.dispatch(leased, st, JobOrders, res, log, &w, nil); err != nil {
		return fmt.Errorf("slice %s..%s: %w", w.From.Format(time.RFC3339), w.To.Format(time.RFC3339), err)
	}
	return r.saveBackfill(leased, st.Marketplace, st.ID, key, state)
}

func (r *Runner) reportBackfill(b Backfill, p BackfillProgress) {
	if b.Progress != nil {
		p.Store = b.Store
		b.Progress(p)
	}
}

func (r *Runner) loadBackfill(ctx context.Context, marketplace, store, key string) (backfillState, error) {
	var s backfillState
	entries, err := r.wh().LoadState(ctx, marketplace, store)
	if err != nil {
		return s, fmt.Errorf("load backfill state: %w", err)
	}
	for _, e := range entries {
		if e.Kind == kindBackfill && e.Key == key {
			if err := json.Unmarshal([]byte(e.Value), &s); err != nil {
				return s, fmt.Errorf("extract_state backfill %s: %w", key, err)
			}
		}
	}
	return s, nil
}

func (r *Runner) saveBackfill(ctx context.Context, marketplace, store, key string, s backfillState) error {
	v, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return r.wh().SaveState(ctx, marketplace, store, []clickhouse.StateEntry{{Kind: kindBackfill, Key: key, Value: string(v)}}, nil)
}
