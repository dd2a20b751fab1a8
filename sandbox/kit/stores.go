package kit

import (
	"errors"
	"net/http"
	"sync"
)

// ErrUnknownStore is what control methods answer for a store never added.
var ErrUnknownStore = errors.New("unknown store")

// Stores is a sandbox's registry of its stores by id, and by the other
// names a marketplace finds a store under (a login, a file key). It is
// safe for concurrent use; the zero value is ready.
type Stores[T any] struct {
	mu     sync.RWMutex
	byID   map[string]T
	byName map[string]T
}

// Add registers the store build makes for the next index (0, 1, … in order
// of Add) under the id build returns, and returns the store. build runs
// under the registry's lock, so two stores never share an index.
func (r *Stores[T]) Add(build func(index int) (id string, st T)) T {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID == nil {
		r.byID = map[string]T{}
	}
	id, st := build(len(r.byID))
	r.byID[id] = st
	return st
}

// Get returns the store with id; ok is false (and st the zero T) for an id
// never added.
func (r *Stores[T]) Get(id string) (st T, ok bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	st, ok = r.byID[id]
	return st, ok
}

// Of is the store auth resolved for an API request (the zero T outside auth).
func (r *Stores[T]) Of(req *http.Request) T {
	st, _ := r.Get(StoreFrom(req.Context()))
	return st
}

// Lookup is Get with ErrUnknownStore for an id never added.
func (r *Stores[T]) Lookup(id string) (T, error) {
	if st, ok := r.Get(id); ok {
		return st, nil
	}
	var zero T
	return zero, ErrUnknownStore
}

// Name files st under another name too.
func (r *Stores[T]) Name(name string, st T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byName == nil {
		r.byName = map[string]T{}
	}
	r.byName[name] = st
}

// Named returns the store filed under name.
func (r *Stores[T]) Named(name string) (st T, ok bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	st, ok = r.byName[name]
	return st, ok
}
