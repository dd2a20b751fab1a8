package clickhouse

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kramar/kramar/schema/rows"
)

// Writer gathers the inserts of many concurrent store runs and sends them as
// one INSERT per table per flush. ClickHouse makes a part per INSERT and
// advises about one insert per second per table
// (https://clickhouse.com/docs/en/optimize/bulk-inserts): thousands of store
// runs each inserting their run record, cursor and few orders would end in
// "too many parts".
//
// A flush starts as soon as rows wait and the previous flush started at least
// Interval ago, or at once when FlushBytes wait or when no more than one
// session (Join) is under way: a lone run has nobody to share a flush with,
// so it is not kept waiting. A write returns when the
// flush that carried it is acknowledged, with that flush's error: a failed
// flush fails every write in it. Tables are sent in a fixed order (order
// lines before orders, extractor state and run records last), so the rows a
// cursor covers are never behind the cursor.
//
// The Writer has no goroutine of its own while idle: the one that flushes
// ends when nothing waits, so a Writer needs no Close.
type Writer struct {
	wh *Warehouse // writes directly
	o  WriterOptions

	mu       sync.Mutex
	room     *sync.Cond // a pending flush was taken
	next     *flush     // the flush being gathered
	flushing bool       // the flushing goroutine runs
	last     time.Time  // start of the last flush
	active   int        // sessions under way (Join)
	kick     chan struct{}
}

// WriterOptions tune a Writer.
type WriterOptions struct {
	// Interval is the least time between the starts of two flushes (default 1s).
	Interval time.Duration
	// FlushBytes of gathered rows start a flush before Interval is up
	// (default 32 MiB); writers wait while twice that is gathered and a
	// flush is under way, which bounds the memory held.
	FlushBytes int64
	// Observe, when set, hears every flush.
	Observe func(FlushStats)
}

// FlushStats describe one flush.
type FlushStats struct {
	Writes  int   // writes carried
	Inserts int   // INSERT queries sent (one per table)
	Rows    int64 // rows sent
	Bytes   int64 // their size in memory
	Took    time.Duration
	Err     error
}

// DefaultFlushInterval is the Interval of a Writer given none
// (clickhouse.flush_interval left out).
const DefaultFlushInterval = time.Second

const defaultFlushBytes = 32 << 20

// NewWriter returns a Writer that sends through w.
func NewWriter(w *Warehouse, o WriterOptions) *Writer {
	if o.Interval <= 0 {
		o.Interval = DefaultFlushInterval
	}
	if o.FlushBytes <= 0 {
		o.FlushBytes = defaultFlushBytes
	}
	base := *w
	base.writer, base.sink = nil, nil
	wr := &Writer{wh: &base, o: o, kick: make(chan struct{}, 1)}
	wr.room = sync.NewCond(&wr.mu)
	return wr
}

// tableRecords are rows for one table.
type tableRecords struct {
	table string
	recs  []arrow.Record
}

// flush is one gathering of writes, sent together.
type flush struct {
	tables map[string][]arrow.Record
	bytes  int64
	writes int
	done   chan struct{}
	err    error
}

// write hands parts to the next flush and waits for it. The records are
// retained until sent; the caller keeps its own reference.
func (wr *Writer) write(ctx context.Context, parts []tableRecords) error {
	f := wr.submit(parts)
	if f == nil {
		return nil
	}
	select {
	case <-f.done:
		if f.err != nil && f.writes > 1 {
			return fmt.Errorf("%w (a flush of %d writes)", f.err, f.writes)
		}
		return f.err
	case <-ctx.Done():
		// The rows stay in the flush: they may still land, as an insert
		// cut short may have.
		return ctx.Err()
	}
}

func (wr *Writer) submit(parts []tableRecords) *flush {
	var size int64
	n := 0
	for _, p := range parts {
		for _, r := range p.recs {
			if r != nil && r.NumRows() > 0 {
				size += recordBytes(r)
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	wr.mu.Lock()
	defer wr.mu.Unlock()
	// Back pressure: while a flush is being sent and twice a flush's worth
	// already waits, a writer waits for the gathered rows to be taken.
	for wr.flushing && wr.next != nil && wr.next.bytes >= 2*wr.o.FlushBytes {
		wr.room.Wait()
	}
	f := wr.next
	if f == nil {
		f = &flush{tables: map[string][]arrow.Record{}, done: make(chan struct{})}
		wr.next = f
	}
	for _, p := range parts {
		for _, r := range p.recs {
			if r != nil && r.NumRows() > 0 {
				r.Retain()
				f.tables[p.table] = append(f.tables[p.table], r)
			}
		}
	}
	f.bytes += size
	f.writes++
	if !wr.flushing {
		wr.flushing = true
		go wr.run()
	} else if f.bytes >= wr.o.FlushBytes {
		wr.wake()
	}
	return f
}

// Join marks a session (a store run) that is likely to write soon: while
// others are under way, a flush waits for them up to Interval. leave ends
// the session. A nil Writer joins nothing.
func (wr *Writer) Join() (leave func()) {
	if wr == nil {
		return func() {}
	}
	wr.mu.Lock()
	wr.active++
	wr.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			wr.mu.Lock()
			wr.active--
			wr.mu.Unlock()
			wr.wake()
		})
	}
}

// wake has the flushing goroutine look again at whether to flush now.
func (wr *Writer) wake() {
	select {
	case wr.kick <- struct{}{}:
	default:
	}
}

// due says how long the gathered flush may still wait for more writes.
// Called with mu held.
func (wr *Writer) due() time.Duration {
	if wr.next == nil || wr.next.bytes >= wr.o.FlushBytes || wr.active <= 1 {
		return 0
	}
	return wr.o.Interval - time.Since(wr.last)
}

// run sends flushes while writes wait, at most one per Interval unless one
// is full or a lone session waits.
func (wr *Writer) run() {
	for {
		wr.mu.Lock()
		if wr.next == nil {
			wr.flushing = false
			wr.mu.Unlock()
			return
		}
		for wait := wr.due(); wait > 0; wait = wr.due() {
			wr.mu.Unlock()
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-wr.kick:
			}
			t.Stop()
			wr.mu.Lock()
		}
		f := wr.next
		wr.next, wr.last = nil, time.Now()
		wr.room.Broadcast()
		wr.mu.Unlock()
		wr.send(f)
	}
}

// flushTimeout bounds one flush: every insert in it is retried within it.
const flushTimeout = 5 * time.Minute

func (wr *Writer) send(f *flush) {
	started := time.Now()
	st := FlushStats{Writes: f.writes, Bytes: f.bytes}
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	for _, table := range insertOrder(f.tables) {
		recs := f.tables[table]
		if st.Err == nil {
			st.Err = wr.wh.insertNow(ctx, table, recs...)
			st.Inserts++
			for _, r := range recs {
				st.Rows += r.NumRows()
			}
		}
		for _, r := range recs {
			r.Release()
		}
	}
	st.Took = time.Since(started)
	f.err = st.Err
	close(f.done)
	if wr.o.Observe != nil {
		wr.o.Observe(st)
	}
}

// insertOrder lists the tables of a flush in the order they are sent: an
// order's lines, royalties and new-order messages before the order row
// (whose hash marks it loaded: an order read again after a crash between
// the two is not new, so a message written after it could be lost for
// good), everything else by name, then extractor state (cursors and holds
// move only after the rows they cover) and last the run records (a run is
// ok only once its rows are in).
func insertOrder(tables map[string][]arrow.Record) []string {
	rank := func(t string) int {
		switch t {
		case rows.ItemsTable, rows.RoyaltiesTable, notesSpec.Name():
			return 0
		case rows.OrdersTable:
			return 1
		case stateSpec.Name():
			return 3
		case runsSpec.Name():
			return 4
		}
		return 2
	}
	names := make([]string, 0, len(tables))
	for t := range tables {
		names = append(names, t)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b)) })
	return names
}

// recordBytes is the memory a record's buffers hold.
func recordBytes(r arrow.Record) int64 {
	var n int64
	for _, c := range r.Columns() {
		n += dataBytes(c.Data())
	}
	return n
}

func dataBytes(d arrow.ArrayData) int64 {
	var n int64
	for _, b := range d.Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	for _, c := range d.Children() {
		n += dataBytes(c)
	}
	return n
}

// Gathered is the size of the rows waiting for the next flush.
func (wr *Writer) Gathered() int64 {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	if wr.next == nil {
		return 0
	}
	return wr.next.bytes
}
