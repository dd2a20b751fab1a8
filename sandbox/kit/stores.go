package kit

import "sync"

// Stores is a sandbox's registry of its stores by id, safe for concurrent
// use. The zero value is ready.
type Stores[T any] struct {
	mu   sync.RWMutex
	byID map[string]T
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
