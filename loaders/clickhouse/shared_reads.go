package clickhouse

import (
	"context"
	"maps"
	"slices"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// sharedReads are the reads every store run makes, gathered across runs.
type sharedReads struct {
	state  *gather[storeKey, []StateEntry]
	hashes *gather[hashRequest, map[string]uint64]
}

type storeKey struct{ marketplace, store string }

type hashRequest struct {
	storeKey
	ids []string
}

// Bounds of one shared query.
const (
	stateStoresPerQuery = 2000
	hashIDsPerQuery     = 10_000
)

func newSharedReads(w *Warehouse) *sharedReads {
	return &sharedReads{
		state: &gather[storeKey, []StateEntry]{
			query: w.loadStates,
			fits:  func(b []storeKey, _ storeKey) bool { return len(b) < stateStoresPerQuery },
		},
		hashes: &gather[hashRequest, map[string]uint64]{
			query: w.existingHashes,
			fits: func(b []hashRequest, next hashRequest) bool {
				n := len(next.ids)
				for _, r := range b {
					n += len(r.ids)
				}
				return n <= hashIDsPerQuery
			},
		},
	}
}

// storeSets are the distinct marketplaces and stores of keys, for IN sets.
func storeSets(keys []storeKey) (marketplaces, ids []string) {
	mp, st := map[string]bool{}, map[string]bool{}
	for _, k := range keys {
		mp[k.marketplace], st[k.store] = true, true
	}
	return slices.Sorted(maps.Keys(mp)), slices.Sorted(maps.Keys(st))
}

// loadStates reads the active state entries of many stores in one query.
// argMax rather than FINAL: it is exact before the background merge and
// reads only the stores' key ranges.
func (w *Warehouse) loadStates(ctx context.Context, keys []storeKey) ([][]StateEntry, error) {
	marketplaces, ids := storeSets(keys)
	q := `SELECT marketplace, store, kind, key, argMax(value, _version) AS cur_value,
	             argMax(updated_at, _version) AS cur_updated_at,
	             argMax(active, _version) AS cur_active
	      FROM ` + w.table("extract_state") + `
	      WHERE marketplace IN (SELECT arrayJoin(?)) AND store IN (SELECT arrayJoin(?))
	      GROUP BY marketplace, store, kind, key
	      HAVING cur_active = 1
	      ORDER BY marketplace, store, kind, key`
	found := map[storeKey][]StateEntry{}
	err := w.each(ctx, q, func(rs driver.Rows) error {
		var k storeKey
		var e StateEntry
		var active uint8
		if err := rs.Scan(&k.marketplace, &k.store, &e.Kind, &e.Key, &e.Value, &e.UpdatedAt, &active); err != nil {
			return err
		}
		e.UpdatedAt = e.UpdatedAt.UTC()
		found[k] = append(found[k], e)
		return nil
	}, marketplaces, ids)
	if err != nil {
		return nil, err
	}
	out := make([][]StateEntry, len(keys))
	for i, k := range keys {
		out[i] = found[k]
	}
	return out, nil
}

// existingHashes reads the current _hash of the asked orders of many
// stores in one query. The ids travel as one array literal: 18.16 has no IN
// over an array, but a subquery over it gives a set that still uses the
// primary key.
func (w *Warehouse) existingHashes(ctx context.Context, reqs []hashRequest) ([]map[string]uint64, error) {
	keys := make([]storeKey, len(reqs))
	var orderIDs []string
	for i, r := range reqs {
		keys[i] = r.storeKey
		orderIDs = append(orderIDs, r.ids...)
	}
	marketplaces, ids := storeSets(keys)
	q := `SELECT marketplace, store, external_id, argMax(_hash, _version)
	      FROM ` + w.table("orders") + `
	      WHERE marketplace IN (SELECT arrayJoin(?)) AND store IN (SELECT arrayJoin(?))
	        AND external_id IN (SELECT arrayJoin(?))
	      GROUP BY marketplace, store, external_id`
	found := map[storeKey]map[string]uint64{}
	err := w.each(ctx, q, func(rs driver.Rows) error {
		var k storeKey
		var id string
		var h uint64
		if err := rs.Scan(&k.marketplace, &k.store, &id, &h); err != nil {
			return err
		}
		if found[k] == nil {
			found[k] = map[string]uint64{}
		}
		found[k][id] = h
		return nil
	}, marketplaces, ids, orderIDs)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]uint64, len(reqs))
	for i, r := range reqs {
		// Another store's ids in the same query may match this store's
		// rows: keep only what this request asked.
		m := make(map[string]uint64, len(r.ids))
		for _, id := range r.ids {
			if h, ok := found[r.storeKey][id]; ok {
				m[id] = h
			}
		}
		out[i] = m
	}
	return out, nil
}
