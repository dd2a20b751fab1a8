package kit

import (
	"cmp"
	"errors"
	"slices"
	"sort"
	"sync"
)

// ErrNoOrder is what a Book answers for an id it does not hold, unless its
// BookOptions name the marketplace's own error.
var ErrNoOrder = errors.New("order not found")

// BookOptions tell a Book how to read and copy its records.
type BookOptions[ID cmp.Ordered, R any] struct {
	ID func(*R) ID
	// Own deep-copies, in a shallow copy of a published record, what a
	// change may edit, so the change never touches what readers hold; nil =
	// the record holds nothing a change could edit in place.
	Own func(*R)
	// Seal refreshes what a record caches (its encoded answer, sort keys)
	// before it is published; nil = nothing cached.
	Seal func(*R)
	// Less is the list order when it is not ascending id (Epicentr lists by
	// creation time); a record's position is then found through its id,
	// so Less must break ties (by id): of two records it finds equal, Get,
	// Update and Delete could miss one.
	Less func(a, b *R) bool
	// Missing is the error Update and Delete answer for an unknown id.
	Missing error
}

// Book is one store's orders: published records are never edited, a change
// works on a copy and replaces the record, so a reader holding a page keeps
// a consistent one without a lock.
type Book[ID cmp.Ordered, R any] struct {
	o    BookOptions[ID, R]
	mu   sync.RWMutex
	recs []*R
	byID map[ID]*R // with a custom Less only
	// added counts AddNew's records: the stream numbers of their generators.
	added int
}

// Record is a record type that says itself what a book needs of it: its
// id, what a change may edit (Own, as BookOptions.Own) and what it caches
// (Seal, as BookOptions.Seal).
type Record[ID cmp.Ordered, R any] interface {
	*R
	Key() ID
	Own()
	Seal()
}

// NewRecordBook is NewBook for a record type that is a Record, listed by
// ascending id; missing is the error for an unknown id.
func NewRecordBook[ID cmp.Ordered, R any, P Record[ID, R]](missing error) *Book[ID, R] {
	return NewBook(BookOptions[ID, R]{
		ID:      func(r *R) ID { return P(r).Key() },
		Own:     func(r *R) { P(r).Own() },
		Seal:    func(r *R) { P(r).Seal() },
		Missing: missing,
	})
}

// NewBook returns an empty book.
func NewBook[ID cmp.Ordered, R any](o BookOptions[ID, R]) *Book[ID, R] {
	if o.Missing == nil {
		o.Missing = ErrNoOrder
	}
	if o.Own == nil {
		o.Own = func(*R) {}
	}
	if o.Seal == nil {
		o.Seal = func(*R) {}
	}
	b := &Book[ID, R]{o: o}
	if o.Less != nil {
		b.byID = map[ID]*R{}
	}
	return b
}

// less is the list order.
func (b *Book[ID, R]) less(x, y *R) bool {
	if b.o.Less != nil {
		return b.o.Less(x, y)
	}
	return b.o.ID(x) < b.o.ID(y)
}

// find returns the position of id, or -1. Caller holds mu.
func (b *Book[ID, R]) find(id ID) int {
	var i int
	if b.byID != nil {
		rec, ok := b.byID[id]
		if !ok {
			return -1
		}
		i = sort.Search(len(b.recs), func(i int) bool { return !b.less(b.recs[i], rec) })
	} else {
		i = sort.Search(len(b.recs), func(i int) bool { return b.o.ID(b.recs[i]) >= id })
	}
	if i < len(b.recs) && b.o.ID(b.recs[i]) == id {
		return i
	}
	return -1
}

// insert seals rec and files it at its place. Caller holds mu.
func (b *Book[ID, R]) insert(rec *R) {
	b.o.Seal(rec)
	i := sort.Search(len(b.recs), func(i int) bool { return !b.less(b.recs[i], rec) })
	b.recs = slices.Insert(b.recs, i, rec)
	if b.byID != nil {
		b.byID[b.o.ID(rec)] = rec
	}
}

// remove takes the record at position i out. Caller holds mu.
func (b *Book[ID, R]) remove(i int) {
	if b.byID != nil {
		delete(b.byID, b.o.ID(b.recs[i]))
	}
	b.recs = slices.Delete(b.recs, i, i+1)
}

// Seed replaces the book's records with the n that build makes, built and
// sealed on every CPU (build and Seal must be safe to run concurrently),
// then sorted into list order.
func (b *Book[ID, R]) Seed(n int, build func(i int) *R) {
	recs := make([]*R, n)
	Parallel(n, func(i int) {
		recs[i] = build(i)
		b.o.Seal(recs[i])
	})
	b.mu.Lock()
	defer b.mu.Unlock()
	if !slices.IsSortedFunc(recs, b.compare) {
		slices.SortStableFunc(recs, b.compare)
	}
	b.recs = recs
	if b.byID != nil {
		clear(b.byID)
		for _, r := range recs {
			b.byID[b.o.ID(r)] = r
		}
	}
}

func (b *Book[ID, R]) compare(x, y *R) int {
	switch {
	case b.less(x, y):
		return -1
	case b.less(y, x):
		return 1
	}
	return 0
}

// Get returns the published record of id: read it, never edit it.
func (b *Book[ID, R]) Get(id ID) (*R, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if i := b.find(id); i >= 0 {
		return b.recs[i], true
	}
	return nil, false
}

// Snapshot returns the published records in list order.
func (b *Book[ID, R]) Snapshot() []*R {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return slices.Clone(b.recs)
}

// Filter returns the published records keep accepts, in list order.
func (b *Book[ID, R]) Filter(keep func(*R) bool) []*R {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]*R, 0, 256)
	for _, r := range b.recs {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// Read calls fn with the records in list order under the read lock, for a
// list handler that picks a page without copying the slice; fn must not
// keep recs.
func (b *Book[ID, R]) Read(fn func(recs []*R)) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	fn(b.recs)
}

// Add publishes the record build makes from the last one in list order
// (nil for an empty book) and the count of records, under the write lock,
// so two adds never pick the same next id.
func (b *Book[ID, R]) Add(build func(last *R, n int) *R) *R {
	b.mu.Lock()
	defer b.mu.Unlock()
	var last *R
	if n := len(b.recs); n > 0 {
		last = b.recs[n-1]
	}
	rec := build(last, len(b.recs))
	b.insert(rec)
	return rec
}

// AddNew is Add for a record made after seeding: build also gets its
// place among AddNew's records (1, 2, …), the number of its generator
// stream, so the same calls make the same records.
func (b *Book[ID, R]) AddNew(build func(last *R, n, added int) *R) *R {
	return b.Add(func(last *R, n int) *R {
		b.added++
		return build(last, n, b.added)
	})
}

// Edit lets mutate (nil = no change) edit what a sandbox made, all but the
// value key points at (its id), which stays as it was.
func Edit[T, K any](v *T, key *K, mutate func(*T)) {
	if mutate == nil {
		return
	}
	k := *key
	mutate(v)
	*key = k
}

// Update applies change to a copy of record id and publishes the sealed
// copy; a change that fails leaves the record as it was. The id cannot be
// changed.
func (b *Book[ID, R]) Update(id ID, change func(*R) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.find(id)
	if i < 0 {
		return b.o.Missing
	}
	copied := *b.recs[i]
	next := &copied
	b.o.Own(next)
	if err := change(next); err != nil {
		return err
	}
	if b.o.ID(next) != id {
		panic("kit: a Book change moved a record's id")
	}
	if b.byID == nil {
		b.o.Seal(next)
		b.recs[i] = next // ascending id: the place stays
		return nil
	}
	b.remove(i)
	b.insert(next)
	return nil
}

// Delete removes record id, as deleting a test order does.
func (b *Book[ID, R]) Delete(id ID) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.find(id)
	if i < 0 {
		return b.o.Missing
	}
	b.remove(i)
	return nil
}

// Truth answers the truth accessors every sandbox offers, keyed by store id:
// the orders a pipeline's output is compared with. A sandbox embeds it.
type Truth[ID cmp.Ordered, R any, W any] struct {
	book func(storeID string) (*Book[ID, R], bool)
	view func(*R) W
}

// NewTruth reads the book of each of stores through book, and shows a
// record as view does (a deep copy, so callers never share the book's data).
func NewTruth[T any, ID cmp.Ordered, R any, W any](stores *Stores[T], book func(T) *Book[ID, R], view func(*R) W) Truth[ID, R, W] {
	return Truth[ID, R, W]{view: view, book: func(id string) (*Book[ID, R], bool) {
		st, ok := stores.Get(id)
		if !ok {
			return nil, false
		}
		return book(st), true
	}}
}

// Orders returns the store's orders in list order; nil for an unknown store.
func (t Truth[ID, R, W]) Orders(storeID string) []W {
	b, ok := t.book(storeID)
	if !ok {
		return nil
	}
	recs := b.Snapshot()
	out := make([]W, len(recs))
	for i, r := range recs {
		out[i] = t.view(r)
	}
	return out
}

// Order returns one order of the store.
func (t Truth[ID, R, W]) Order(storeID string, id ID) (W, bool) {
	var zero W
	b, ok := t.book(storeID)
	if !ok {
		return zero, false
	}
	r, ok := b.Get(id)
	if !ok {
		return zero, false
	}
	return t.view(r), true
}
