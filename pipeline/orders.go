package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/schema/rows"
)

// State kinds kept in extract_state.
const (
	kindCursor = "cursor"
	kindHeld   = "held"
	cursorKey  = "orders"
)

// orderJob is one cycle of the order pull for one store.
type orderJob struct {
	wh     *clickhouse.Warehouse
	store  config.Store
	conn   connectors.Connector
	src    source.Orders
	sc     connectors.StoreContext
	now    time.Time
	runID  string
	log    *slog.Logger
	result *StoreResult

	held    map[string]heldOrder // current holds, by order id
	hold    map[string]bool      // payment names that are held
	seen    map[string]struct{}
	pending []canon.Order
	rejects []canon.Reject
	clear   []clickhouse.StateEntry // holds released by loaded data
}

// heldOrder is the value of a "held" state entry.
type heldOrder struct {
	Since time.Time `json:"since"` // the order's creation
	Until time.Time `json:"until"` // loaded unpaid from then on
}

func (j *orderJob) run(ctx context.Context) error {
	state, err := j.wh.LoadState(ctx, j.store.Marketplace, j.store.ID)
	if err != nil {
		return fmt.Errorf("load state: %w", err)
	}
	var cursor time.Time
	j.held = map[string]heldOrder{}
	for _, e := range state {
		switch e.Kind {
		case kindCursor:
			if e.Key == cursorKey {
				if cursor, err = time.Parse(time.RFC3339, e.Value); err != nil {
					return fmt.Errorf("extract_state cursor %q: %w", e.Value, err)
				}
			}
		case kindHeld:
			var h heldOrder
			if err := json.Unmarshal([]byte(e.Value), &h); err != nil {
				return fmt.Errorf("extract_state held order %s: %w", e.Key, err)
			}
			j.held[e.Key] = h
		}
	}
	heldBefore := make(map[string]heldOrder, len(j.held))
	for k, v := range j.held {
		heldBefore[k] = v
	}
	j.hold = map[string]bool{}
	for _, p := range j.store.Hold.PaymentTypes {
		j.hold[normalize(p)] = true
	}
	j.seen = map[string]struct{}{}

	// The window re-reads a lookback before the cursor (late changes, shared
	// timestamps) and stops a safety lag short of now (ARCHITECTURE invariant 3).
	to := j.now.Add(-j.store.SafetyLag.Duration).Truncate(time.Second)
	from := to.Add(-j.store.InitialHistory.Duration)
	if !cursor.IsZero() {
		from = cursor.Add(-j.store.Lookback.Duration)
	}
	if from.After(to) {
		from = to
	}
	j.log.Debug("window", "from", from, "to", to)

	err = j.src.ModifiedBetween(ctx, from, to, func(page []source.RawOrder) error {
		for _, raw := range page {
			j.accept(raw)
		}
		if len(j.pending) >= j.store.BatchSize {
			return j.flush(ctx)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Held orders that did not change are asked for one by one.
	for id := range heldBefore {
		if _, ok := j.seen[id]; ok {
			continue
		}
		raw, err := j.src.Get(ctx, id)
		var nf *source.NotFoundError
		if errors.As(err, &nf) {
			j.release(id)
			continue
		}
		if err != nil {
			return fmt.Errorf("re-check held order %s: %w", id, err)
		}
		j.accept(raw)
	}
	if err := j.flush(ctx); err != nil {
		return err
	}
	if err := j.wh.RecordRejects(ctx, j.runID, j.rejects, j.now); err != nil {
		return fmt.Errorf("record rejects: %w", err)
	}

	// State after data: the cursor and holds are written only now.
	set := []clickhouse.StateEntry{{Kind: kindCursor, Key: cursorKey, Value: to.UTC().Format(time.RFC3339)}}
	for id, h := range j.held {
		if old, ok := heldBefore[id]; ok && old == h {
			continue
		}
		b, _ := json.Marshal(h)
		set = append(set, clickhouse.StateEntry{Kind: kindHeld, Key: id, Value: string(b)})
	}
	j.result.Held = len(j.held)
	return j.wh.SaveState(ctx, j.store.Marketplace, j.store.ID, set, j.clear)
}

// accept transforms one raw order into the pending batch or the rejects.
func (j *orderJob) accept(raw source.RawOrder) {
	id := raw.ID
	if id == "" {
		id = j.conn.RecordID(raw.Body)
	}
	if id != "" {
		if _, dup := j.seen[id]; dup {
			return
		}
		j.seen[id] = struct{}{}
	}
	j.result.Fetched++
	o, err := j.conn.Transform(raw.Body, j.sc)
	if err != nil {
		j.reject(id, raw.Body, err)
		return
	}
	j.pending = append(j.pending, o)
}

func (j *orderJob) reject(id string, body []byte, err error) {
	r := canon.Reject{Marketplace: j.store.Marketplace, Store: j.store.ID, RecordID: id, Reason: err.Error(), Payload: string(body)}
	var fe *canon.FieldError
	if errors.As(err, &fe) {
		r.Field, r.Reason = fe.Field, fe.Reason
	}
	j.result.Rejected++
	j.rejects = append(j.rejects, r)
	j.log.Warn("order rejected", "order", id, "field", r.Field, "reason", r.Reason)
}

// release forgets a hold once the order's row is written (or gone).
func (j *orderJob) release(id string) {
	if _, ok := j.held[id]; !ok {
		return
	}
	delete(j.held, id)
	j.clear = append(j.clear, clickhouse.StateEntry{Kind: kindHeld, Key: id})
}

// flush decides new / updated / unchanged / held for the pending orders and
// writes what changed: items and royalties first, orders last, so an order row
// (whose hash marks it loaded) never stands without its lines.
func (j *orderJob) flush(ctx context.Context) error {
	if len(j.pending) == 0 {
		return nil
	}
	ids := make([]string, len(j.pending))
	for i := range j.pending {
		ids[i] = j.pending[i].ExternalID
	}
	existing, err := j.wh.ExistingHashes(ctx, j.store.Marketplace, j.store.ID, ids)
	if err != nil {
		return fmt.Errorf("read current rows: %w", err)
	}
	load := j.pending[:0]
	hashes := make(map[string]uint64, len(j.pending))
	for _, o := range j.pending {
		old, loaded := existing[o.ExternalID]
		if !loaded && j.mustHold(&o) {
			continue
		}
		h := rows.Hash(&o)
		switch {
		case !loaded:
			j.result.New++
		case old == h:
			j.result.Unchanged++
			j.release(o.ExternalID)
			continue
		default:
			j.result.Updated++
		}
		load = append(load, o)
		hashes[o.ExternalID] = h
	}
	j.pending = j.pending[:0]
	if len(load) == 0 {
		return nil
	}
	b, err := rows.Build(load, rows.Meta{RunID: j.runID, Version: NextVersion(), LoadedAt: time.Now().UTC(),
		Hash: func(o *canon.Order) uint64 { return hashes[o.ExternalID] }})
	if err != nil {
		return err
	}
	defer b.Release()
	for _, t := range []struct {
		table string
		rec   arrow.Record
	}{{"order_items", b.Items}, {"royalties", b.Royalties}, {"orders", b.Orders}} {
		if err := j.wh.Insert(ctx, t.table, t.rec); err != nil {
			return fmt.Errorf("insert %s: %w", t.table, err)
		}
	}
	for _, o := range load {
		j.release(o.ExternalID)
	}
	return nil
}

// mustHold says whether a not-yet-loaded order waits for its payment: its
// payment type is in the store's hold list, it is unpaid, and the delay,
// counted from the order's creation as the marketplace's payment window is,
// has not run out. A held order is remembered so later cycles re-check it.
func (j *orderJob) mustHold(o *canon.Order) bool {
	if o.Paid || !j.hold[normalize(o.MarketplacePayment)] {
		return false
	}
	deadline := o.CreatedAt.Add(time.Duration(j.store.Hold.Minutes) * time.Minute)
	if !j.now.Before(deadline) {
		return false
	}
	if _, ok := j.held[o.ExternalID]; !ok {
		j.held[o.ExternalID] = heldOrder{Since: o.CreatedAt.UTC(), Until: deadline.UTC()}
	}
	return true
}

// statusOf classifies a failed store run.
func statusOf(err error) string {
	switch httpx.KindOf(err) {
	case httpx.KindAuth:
		return StatusAuthFailed
	case httpx.KindRateLimited:
		return StatusRateLimited
	}
	return StatusFailed
}
