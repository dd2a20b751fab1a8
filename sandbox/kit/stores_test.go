package kit

import (
	"fmt"
	"sync"
	"testing"
)

type testStore struct {
	id    string
	index int
}

func addTestStore(r *Stores[*testStore]) *testStore {
	return r.Add(func(index int) (string, *testStore) {
		st := &testStore{id: fmt.Sprintf("store-%d", index+1), index: index}
		return st.id, st
	})
}

func TestStoresAddAndGet(t *testing.T) {
	var r Stores[*testStore]
	if st, ok := r.Get("store-1"); ok || st != nil {
		t.Fatalf("empty registry found %v", st)
	}
	a, b := addTestStore(&r), addTestStore(&r)
	if a.index != 0 || b.index != 1 || b.id != "store-2" {
		t.Fatalf("indexes %d, %d and id %q: want 0, 1 and store-2", a.index, b.index, b.id)
	}
	if got, ok := r.Get("store-2"); !ok || got != b {
		t.Fatalf("Get(store-2) = %v, %v", got, ok)
	}
}

func TestStoresConcurrentAddsGetUniqueIndexes(t *testing.T) {
	var r Stores[*testStore]
	const n = 50
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() { defer wg.Done(); addTestStore(&r) }()
	}
	wg.Wait()
	for i := range n {
		st, ok := r.Get(fmt.Sprintf("store-%d", i+1))
		if !ok || st.index != i {
			t.Fatalf("store-%d: %v, %v", i+1, st, ok)
		}
	}
}
