package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/pipeline/coord"
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
	wh *clickhouse.Warehouse
	// tail gathers the run's last rows, rejects, drift and state, to land
	// in one flush; nil: the job commits its own (a backfill slice).
	tail   *clickhouse.Unit
	store  config.Store
	conn   connectors.Connector
	src    source.Orders
	sc     canon.Store
	now    time.Time
	runID  string
	log    *slog.Logger
	result *StoreResult

	held    map[string]heldOrder // current holds, by order id
	hold    map[string]bool      // payment names that are held
	seen    map[string]struct{}
	pending []canon.Order
	hashes  []uint64 // content hash of each pending order
	rejects []canon.Reject
	clear   []clickhouse.StateEntry // holds released by loaded data

	fingerprint []byte       // settings that shape the canonical order (see contentHash)
	ready       []rows.Batch // classified chunks waiting for the next insert
	readyIDs    []string     // the orders in them
	inflight    chan error   // the background insert, if any
	inflightIDs []string     // the orders it writes

	unmapped map[[2]string]int // (mapping, marketplace value) → orders without a CRM value

	// wire is the orders' drift model (nil: not checked). Every payload
	// that is rejected, new or changed is checked; an unchanged one is byte
	// for byte a payload checked before (the content hash covers the raw
	// record), so it is not checked again.
	wire   *drift.Model
	drift  drift.Tally
	bodies []json.RawMessage // the raw record of each pending order

	// span, when set, is the window to read instead of the cursor's: a
	// backfill slice. The cursor then neither decides nor moves.
	span  *orderWindow
	notes *orderNotes // new orders to announce; nil when the store has none
	// notifier sends those announcements.
	notifier *Notifier
}

// orderWindow is an explicit [From, To] (both inclusive) of modification times.
type orderWindow struct{ From, To time.Time }

// heldOrder is the value of a "held" state entry.
type heldOrder struct {
	Since time.Time `json:"since"` // the order's creation
	Until time.Time `json:"until"` // loaded unpaid from then on
}

func (j *orderJob) run(ctx context.Context) error {
	if j.tail != nil {
		return j.cycle(ctx)
	}
	j.tail = j.wh.NewUnit()
	if err := j.cycle(ctx); err != nil {
		j.tail.Discard()
		return err
	}
	return j.tail.Commit(ctx)
}

func (j *orderJob) cycle(ctx context.Context) error {
	j.notes = j.notesFor(j.span != nil)
	defer j.notes.done()
	cursor, err := j.loadState(ctx)
	if err != nil {
		return err
	}
	heldBefore := make(map[string]heldOrder, len(j.held))
	for k, v := range j.held {
		heldBefore[k] = v
	}
	if err := j.prepare(); err != nil {
		return err
	}
	from, to := j.window(cursor)
	j.log.Debug("window", "from", from, "to", to)

	// A failed cycle still lets its last insert finish before returning.
	defer func() { _ = j.wait() }()
	if err := j.pull(ctx, from, to); err != nil {
		return err
	}
	if j.span == nil { // holds are the live cycle's to re-check
		if err := j.recheckHeld(ctx, heldBefore); err != nil {
			return err
		}
	}
	if err := j.classify(ctx); err != nil {
		return err
	}
	if err := j.wait(); err != nil {
		return err
	}
	if err := j.writeLast(ctx); err != nil {
		return err
	}
	if err := j.tail.RecordRejects(ctx, j.runID, j.rejects, j.now); err != nil {
		return fmt.Errorf("record rejects: %w", err)
	}
	if err := j.recordDrift(ctx); err != nil {
		return err
	}
	j.logUnmapped()
	j.confirmAfterCommit()
	// State after data: the cursor and the holds go in the same flush as the
	// last rows, and the flush writes them after those rows.
	return j.saveState(ctx, to, heldBefore)
}

// confirmAfterCommit tells a source that confirms loads (1C's exchange)
// that the orders are in, once the tail's flush has landed: confirmed
// earlier, a run failing before its rows are in would lose the orders the
// site then stops offering.
func (j *orderJob) confirmAfterCommit() {
	c, ok := j.src.(source.Confirmer)
	if !ok {
		return
	}
	j.tail.AfterCommit(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.Confirm(ctx); err != nil {
			j.log.Warn("the marketplace was not told the orders are loaded; it offers them again next time", "error", err)
		}
	})
}

// writeLast hands the batches still waiting to the tail, so they land in
// the flush that moves the cursor; the holds they settle clear with them.
func (j *orderJob) writeLast(ctx context.Context) error {
	if len(j.ready) == 0 {
		return nil
	}
	err := j.tail.InsertBatch(ctx, j.ready...)
	for _, b := range j.ready {
		b.Release()
	}
	ids := j.readyIDs
	j.ready, j.readyIDs = nil, nil
	for _, id := range ids {
		j.release(id)
	}
	if notes := j.notes; notes != nil {
		notes.queue(ctx, j.tail.Warehouse, notes.take(ids))
		j.tail.AfterCommit(notes.done)
	}
	return err
}

// loadState reads the store's cursor and held orders.
func (j *orderJob) loadState(ctx context.Context) (cursor time.Time, err error) {
	state, err := j.wh.LoadState(ctx, j.store.Marketplace, j.store.ID)
	if err != nil {
		return cursor, fmt.Errorf("load state: %w", err)
	}
	j.held = map[string]heldOrder{}
	for _, e := range state {
		switch {
		case e.Kind == kindCursor && e.Key == cursorKey:
			if cursor, err = time.Parse(time.RFC3339, e.Value); err != nil {
				return cursor, fmt.Errorf("extract_state cursor %q: %w", e.Value, err)
			}
		case e.Kind == kindHeld:
			var h heldOrder
			if err := json.Unmarshal([]byte(e.Value), &h); err != nil {
				return cursor, fmt.Errorf("extract_state held order %s: %w", e.Key, err)
			}
			j.held[e.Key] = h
		}
	}
	return cursor, nil
}

// prepare sets up what every record of the cycle is checked against.
func (j *orderJob) prepare() error {
	j.hold = map[string]bool{}
	for _, p := range j.store.Hold.PaymentTypes {
		j.hold[normalize(p)] = true
	}
	j.seen = map[string]struct{}{}
	fp, err := json.Marshal(struct {
		Connector, Version string
		Store              canon.Store
	}{j.conn.Marketplace, j.conn.TransformVersion, j.sc})
	j.fingerprint = fp
	return err
}

// window re-reads a lookback before the cursor (late changes, orders sharing
// a timestamp) and stops a safety lag short of now: the cursor never moves
// past now minus the safety lag.
func (j *orderJob) window(cursor time.Time) (from, to time.Time) {
	if j.span != nil {
		return j.span.From.UTC(), j.span.To.UTC()
	}
	to = j.now.Add(-j.store.SafetyLag.Duration).Truncate(time.Second)
	from = to.Add(-j.store.InitialHistory.Duration)
	if !cursor.IsZero() {
		from = cursor.Add(-j.store.Lookback.Duration)
	}
	if from.After(to) {
		from = to
	}
	return from, to
}

// recheckHeld asks for held orders that did not show up in the window one by
// one: their payment may have arrived without the list noticing.
func (j *orderJob) recheckHeld(ctx context.Context, held map[string]heldOrder) error {
	for id := range held {
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
		if err := j.acceptPage(ctx, []source.RawOrder{raw}); err != nil {
			return err
		}
	}
	return nil
}

// saveState moves the cursor to the end of the window and records the holds
// that are new or changed, and those released.
func (j *orderJob) saveState(ctx context.Context, to time.Time, heldBefore map[string]heldOrder) error {
	var set []clickhouse.StateEntry
	if j.span == nil {
		set = append(set, clickhouse.StateEntry{Kind: kindCursor, Key: cursorKey, Value: to.UTC().Format(time.RFC3339)})
	}
	for id, h := range j.held {
		if old, ok := heldBefore[id]; ok && old == h {
			continue
		}
		b, err := json.Marshal(h)
		if err != nil {
			return err
		}
		set = append(set, clickhouse.StateEntry{Kind: kindHeld, Key: id, Value: string(b)})
	}
	j.result.Held = len(j.held)
	if len(set)+len(j.clear) == 0 {
		return nil
	}
	return j.tail.SaveState(ctx, j.store.Marketplace, j.store.ID, set, j.clear)
}

// pull reads the window while the previous pages are transformed and
// loaded: the marketplace client fetches ahead into a small queue, so network
// waits overlap with CPU work.
func (j *orderJob) pull(ctx context.Context, from, to time.Time) error {
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []source.RawOrder, pagesAhead)
	fetched := make(chan error, 1)
	go func() {
		defer close(pages)
		fetched <- j.src.ModifiedBetween(fctx, from, to, func(p []source.RawOrder) error {
			select {
			case pages <- p:
				return nil
			case <-fctx.Done():
				return fctx.Err()
			}
		})
	}()
	var loadErr error
	for page := range pages {
		if loadErr != nil {
			continue // drain so the fetcher can stop
		}
		if loadErr = j.acceptPage(ctx, page); loadErr != nil {
			cancel()
		}
	}
	if loadErr != nil {
		return loadErr
	}
	return <-fetched
}

// pagesAhead is how many pages the fetcher may read ahead of the loader.
const pagesAhead = 4

// acceptPage transforms a page on every core, then files the results in
// page order: de-duplicated, rejected or pending; a full chunk is classified.
func (j *orderJob) acceptPage(ctx context.Context, page []source.RawOrder) error {
	fresh := page[:0:0]
	for _, raw := range page {
		if raw.ID == "" {
			raw.ID = j.conn.RecordID(raw.Body)
		}
		if raw.ID != "" {
			if _, dup := j.seen[raw.ID]; dup {
				continue
			}
			j.seen[raw.ID] = struct{}{}
		}
		fresh = append(fresh, raw)
	}
	orders := make([]canon.Order, len(fresh))
	hashes := make([]uint64, len(fresh))
	errs := make([]error, len(fresh))
	workers := min(runtime.GOMAXPROCS(0), len(fresh))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(fresh); i += workers {
				orders[i], errs[i] = j.conn.Transform(fresh[i].Body, j.sc)
				if errs[i] == nil {
					hashes[i] = j.contentHash(fresh[i].Body)
				}
			}
		}()
	}
	wg.Wait()
	for i, raw := range fresh {
		if errors.Is(errs[i], connectors.ErrSkipped) {
			continue
		}
		j.result.Fetched++
		if errs[i] != nil {
			j.checkDrift(raw.Body)
			j.reject(raw.ID, raw.Body, errs[i])
			continue
		}
		j.noteUnmapped(&orders[i])
		j.pending = append(j.pending, orders[i])
		j.hashes = append(j.hashes, hashes[i])
		j.bodies = append(j.bodies, raw.Body)
	}
	if len(j.pending) >= chunkSize {
		return j.classify(ctx)
	}
	return nil
}

// checkDrift compares one raw order with the wire model.
func (j *orderJob) checkDrift(body []byte) {
	if j.wire != nil {
		j.drift.Check(j.wire, j.conn.OrdersEndpoint, body, j.now)
	}
}

// recordDrift files what this run's orders showed that the wire model does
// not expect, and says so once in the log.
func (j *orderJob) recordDrift(ctx context.Context) error {
	if j.drift.Len() == 0 {
		return nil
	}
	entries := j.drift.Entries()
	if err := j.tail.RecordDrift(ctx, j.runID, j.store.Marketplace, j.store.ID, entries); err != nil {
		return fmt.Errorf("record payload drift: %w", err)
	}
	required := 0
	j.result.Drift = map[drift.Kind]uint64{}
	for _, e := range entries {
		j.result.Drift[e.Kind] += e.Count
		if e.Required {
			required++
		}
		j.log.Debug("payload drift", "endpoint", e.Endpoint, "path", e.Path, "kind", e.Kind, "what", e.Describe(), "payloads", e.Count, "example", e.Example)
	}
	j.log.Warn("orders differ from the wire model; loaded what could be read",
		"differences", len(entries), "required_fields", required, "see", "kramar status --drift")
	return nil
}

// noteUnmapped counts marketplace values the store's mappings do not cover,
// so the run log can tell ops which mapping entries to add.
func (j *orderJob) noteUnmapped(o *canon.Order) {
	for _, f := range [...]struct{ kind, from, to string }{
		{"status", o.MarketplaceStatus, o.Status},
		{"delivery", o.MarketplaceDelivery, o.Delivery},
		{"payment", o.MarketplacePayment, o.Payment},
	} {
		if f.from != "" && f.to == "" {
			if j.unmapped == nil {
				j.unmapped = map[[2]string]int{}
			}
			j.unmapped[[2]string{f.kind, f.from}]++
		}
	}
}

// logUnmapped says in one line per run how many values of each kind the
// store's mappings miss (each value, with its orders, at debug level), and
// keeps the counts for the run record.
func (j *orderJob) logUnmapped() {
	if len(j.unmapped) == 0 {
		return
	}
	j.result.Unmapped = map[string]int{}
	for k, n := range j.unmapped {
		j.result.Unmapped[k[0]]++
		j.log.Debug("no CRM mapping; loaded with the CRM value empty", "mapping", k[0], "marketplace_value", k[1], "orders", n)
	}
	var parts []string
	for _, kind := range config.MappingKinds {
		if n := j.result.Unmapped[kind]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, unmappedNoun(kind, n)))
		}
	}
	j.log.Warn(strings.Join(parts, ", ")+" without a CRM mapping; loaded with the CRM value empty",
		"see", "kramar mappings suggest --store "+j.store.ID)
}

func unmappedNoun(kind string, n int) string {
	nouns := map[string][2]string{"status": {"status", "statuses"}, "delivery": {"delivery", "deliveries"}, "payment": {"payment", "payments"}}[kind]
	if n == 1 {
		return nouns[0]
	}
	return nouns[1]
}

// contentHash tells an unchanged order from an updated one: the record as
// the marketplace sent it, plus everything that shaped its canonical form
// (the store's settings and the transform's version). Hashing the raw bytes
// costs a fraction of re-encoding the canonical order.
func (j *orderJob) contentHash(body []byte) uint64 {
	d := xxhash.New()
	_, _ = d.Write(j.fingerprint)
	_, _ = d.Write(body)
	return d.Sum64()
}

func (j *orderJob) reject(id string, body []byte, err error) {
	r := rejectOf(j.store.Marketplace, j.store.ID, id, body, err)
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

// chunkSize is how many transformed orders are classified against the
// warehouse at once. Chunks turn into compact Arrow batches right away, so the
// canonical orders never pile up while a large insert accumulates.
const chunkSize = 1000

// classify decides new / updated / unchanged / held for the pending orders,
// turns what must be written into an Arrow batch and, once batch_size orders
// are ready, starts their insert.
func (j *orderJob) classify(ctx context.Context) error {
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
	var load []canon.Order
	hashes := make(map[string]uint64, len(j.pending))
	for i := range j.pending {
		o, h := &j.pending[i], j.hashes[i]
		old, loaded := existing[o.ExternalID]
		if !loaded || old != h {
			j.checkDrift(j.bodies[i])
		}
		if !loaded && j.mustHold(o) {
			continue
		}
		switch {
		case !loaded:
			j.result.New++
			j.notes.add(o)
		case old == h:
			j.result.Unchanged++
			j.release(o.ExternalID)
			continue
		default:
			j.result.Updated++
		}
		load = append(load, *o)
		hashes[o.ExternalID] = h
	}
	j.pending, j.hashes, j.bodies = nil, nil, nil
	if len(load) == 0 {
		return nil
	}
	b, err := rows.Build(load, rows.Meta{RunID: j.runID, Version: rows.NextVersion(), LoadedAt: time.Now().UTC(),
		Hash: func(o *canon.Order) uint64 { return hashes[o.ExternalID] }})
	if err != nil {
		return err
	}
	j.ready = append(j.ready, b)
	for i := range load {
		j.readyIDs = append(j.readyIDs, load[i].ExternalID)
	}
	if len(j.readyIDs) >= j.store.BatchSize {
		return j.write(ctx)
	}
	return nil
}

// write inserts the ready batches as one insert per table, in the
// background, so the next orders are fetched and transformed meanwhile. One
// write is in flight at a time.
func (j *orderJob) write(ctx context.Context) error {
	if err := j.wait(); err != nil {
		return err
	}
	if len(j.ready) == 0 {
		return nil
	}
	batches := j.ready
	done := make(chan error, 1)
	j.inflight, j.inflightIDs = done, j.readyIDs
	news := j.notes.take(j.readyIDs)
	j.ready, j.readyIDs = nil, nil
	go func() {
		defer func() {
			for _, b := range batches {
				b.Release()
			}
		}()
		// Items, royalties and messages go first, the order row last: an
		// order row, whose hash marks it loaded, never stands without them.
		if len(news) == 0 {
			done <- j.wh.InsertBatch(ctx, batches...)
			return
		}
		u := j.wh.NewUnit()
		err := u.InsertBatch(ctx, batches...)
		if err == nil {
			j.notes.queue(ctx, u.Warehouse, news)
			err = u.Commit(ctx)
		} else {
			u.Discard()
		}
		done <- err
	}()
	return nil
}

// wait finishes the write in flight and forgets the holds it settled.
func (j *orderJob) wait() error {
	if j.inflight == nil {
		return nil
	}
	err := <-j.inflight
	loaded := j.inflightIDs
	j.inflight, j.inflightIDs = nil, nil
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	for _, id := range loaded {
		j.release(id)
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
	if held := (*coord.HeldError)(nil); errors.As(err, &held) {
		return StatusSkippedHeld
	}
	switch httpx.KindOf(err) {
	case httpx.KindAuth:
		return StatusAuthFailed
	case httpx.KindRateLimited:
		return StatusRateLimited
	}
	return StatusFailed
}

// Rewind moves a store's order cursor back to at: the next cycle re-reads
// everything modified since then (minus the lookback), and the content hash
// keeps unchanged orders from being written again.
func Rewind(ctx context.Context, wh *clickhouse.Warehouse, st config.Store, at time.Time) error {
	return wh.SaveState(ctx, st.Marketplace, st.ID,
		[]clickhouse.StateEntry{{Kind: kindCursor, Key: cursorKey, Value: at.UTC().Format(time.RFC3339)}}, nil)
}
