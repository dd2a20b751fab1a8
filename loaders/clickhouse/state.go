package clickhouse

import (
	"context"
	"time"

	"github.com/kramar/kramar/schema/rows"
)

// StateEntry is one extractor state entry: a cursor, a held order, ….
type StateEntry struct {
	Kind  string // "cursor", "held", …
	Key   string
	Value string // JSON
	// UpdatedAt is when the entry was written; SaveState fills it when zero.
	UpdatedAt time.Time
}

type stateRow struct {
	marketplace, store string
	e                  StateEntry
	active             bool
	version            uint64
}

var stateSpec = rows.NewSpec("extract_state",
	rows.Str("marketplace", func(r stateRow) string { return r.marketplace }),
	rows.Str("store", func(r stateRow) string { return r.store }),
	rows.Str("kind", func(r stateRow) string { return r.e.Kind }),
	rows.Str("key", func(r stateRow) string { return r.e.Key }),
	rows.Str("value", func(r stateRow) string { return r.e.Value }),
	rows.Flag("active", func(r stateRow) bool { return r.active }),
	rows.Time("updated_at", func(r stateRow) time.Time { return r.e.UpdatedAt }),
	rows.U64("_version", func(r stateRow) uint64 { return r.version }),
)

// LoadState returns the store's active entries, the current version of
// each. Concurrent calls share one query (see gather).
func (w *Warehouse) LoadState(ctx context.Context, marketplace, store string) ([]StateEntry, error) {
	out, err := w.reads.state.do(ctx, storeKey{marketplace, store})
	return out, wrapErr(err, "load state of %s/%s", marketplace, store)
}

// SaveState writes set as active entries and clear as cleared ones, in one
// insert. Each row gets its own strictly increasing version, so a later call
// always wins over an earlier one, and within one call an entry in clear wins
// over the same entry in set.
func (w *Warehouse) SaveState(ctx context.Context, marketplace, store string, set []StateEntry, clear []StateEntry) error {
	now := time.Now().UTC()
	rs := make([]stateRow, 0, len(set)+len(clear))
	add := func(entries []StateEntry, active bool) {
		for _, e := range entries {
			if e.UpdatedAt.IsZero() {
				e.UpdatedAt = now
			}
			if !active {
				e.Value = ""
			}
			rs = append(rs, stateRow{marketplace: marketplace, store: store, e: e, active: active, version: rows.NextVersion()})
		}
	}
	add(set, true)
	add(clear, false)
	return insertAll(ctx, w, stateSpec, rs, "save state of "+marketplace+"/"+store)
}
