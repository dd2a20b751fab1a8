package clickhouse

import (
	"context"
	"sync"
)

// Unit gathers writes that must land together: its embedded Warehouse
// writes into it instead of to ClickHouse (reads still go to ClickHouse), and
// Commit sends everything gathered as one write, in one flush of the
// Writer when the Warehouse has one. A store run's last rows, its cursor and
// its run record travel in one Unit: one flush per run instead of one insert
// per table per run.
type Unit struct {
	*Warehouse
	from *Warehouse // where Commit sends

	mu    sync.Mutex
	parts []tableRecords
	after []func()
}

// NewUnit starts an empty Unit that commits through w.
func (w *Warehouse) NewUnit() *Unit {
	u := &Unit{from: w}
	view := *w
	view.sink = u
	u.Warehouse = &view
	return u
}

func (u *Unit) add(parts []tableRecords) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, p := range parts {
		for _, r := range p.recs {
			if r != nil {
				r.Retain()
			}
		}
		u.parts = append(u.parts, p)
	}
}

// AfterCommit has fn called once a Commit has written everything.
func (u *Unit) AfterCommit(fn func()) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.after = append(u.after, fn)
}

// Commit writes what the Unit gathered and empties it; on success it calls
// the AfterCommit functions.
func (u *Unit) Commit(ctx context.Context) error {
	u.mu.Lock()
	parts, after := u.parts, u.after
	u.parts, u.after = nil, nil
	u.mu.Unlock()
	defer releaseParts(parts)
	if err := u.from.write(ctx, parts); err != nil {
		return err
	}
	for _, fn := range after {
		fn()
	}
	return nil
}

// Discard forgets what the Unit gathered.
func (u *Unit) Discard() {
	u.mu.Lock()
	parts := u.parts
	u.parts, u.after = nil, nil
	u.mu.Unlock()
	releaseParts(parts)
}

func releaseParts(parts []tableRecords) {
	for _, p := range parts {
		for _, r := range p.recs {
			if r != nil {
				r.Release()
			}
		}
	}
}

// Through returns w writing through wr (w itself when it already has a Writer).
func (w *Warehouse) Through(wr *Writer) *Warehouse {
	if w.writer != nil || wr == nil {
		return w
	}
	view := *w
	view.writer = wr
	return &view
}

// Writer is the Writer w writes through, nil when it writes directly.
func (w *Warehouse) Writer() *Writer { return w.writer }
