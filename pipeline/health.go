package pipeline

import (
	"sort"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
)

// HealthStores are the stores a health view lists: the config's, in its
// order, or, for a config without stores (an analyst's, with only the
// clickhouse section), every store the warehouse has heard of, by id.
func HealthStores(cfg *config.Config, known map[clickhouse.StoreKey]*clickhouse.StoreHealth) []clickhouse.StoreKey {
	keys := make([]clickhouse.StoreKey, 0, len(cfg.Stores))
	for _, s := range cfg.Stores {
		keys = append(keys, clickhouse.StoreKey{Marketplace: s.Marketplace, Store: s.ID})
	}
	if len(keys) > 0 {
		return keys
	}
	for k := range known {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		return keys[a].Store < keys[b].Store || keys[a].Store == keys[b].Store && keys[a].Marketplace < keys[b].Marketplace
	})
	return keys
}

// JobFailing tells whether a job's last run leaves its store failing: any
// outcome but ok or not modified, backfills aside (a stopped backfill is
// resumed by hand, not by the schedule).
func JobFailing(j clickhouse.JobRun) bool {
	return j.Status != StatusOK && j.Status != StatusNotModified && j.Job != JobBackfill
}
