package pipeline

import (
	"context"
	"slices"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/transforms/mapping"
)

// SuggestMappings is every value of the stores' orders and reference lists
// that neither the store's mappings (when the config has the store) nor its
// marketplace's cover; only the stores named, or every store when none is.
// `kramar mappings suggest` prints it and the console's store page shows it.
func SuggestMappings(ctx context.Context, wh *clickhouse.Warehouse, cfg *config.Config, stores []string) ([]config.Suggestion, error) {
	fromOrders, err := wh.UnmappedOrderValues(ctx, stores)
	if err != nil {
		return nil, err
	}
	fromLists, err := wh.ReferenceValues(ctx, stores)
	if err != nil {
		return nil, err
	}
	type key struct{ marketplace, kind, value string }
	byKey := map[key]*config.Suggestion{}
	var order []key
	for _, seen := range append(fromOrders, fromLists...) {
		if covered(cfg, seen) {
			continue
		}
		k := key{seen.Marketplace, seen.Kind, seen.Value}
		s := byKey[k]
		if s == nil {
			s = &config.Suggestion{Marketplace: seen.Marketplace, Kind: seen.Kind, Value: seen.Value}
			byKey[k] = s
			order = append(order, k)
		}
		if s.Name == "" {
			s.Name = seen.Name
		}
		s.Orders += seen.Orders
		if !slices.Contains(s.Stores, seen.Store) {
			s.Stores = append(s.Stores, seen.Store)
		}
	}
	out := make([]config.Suggestion, 0, len(order))
	for _, k := range order {
		slices.Sort(byKey[k].Stores)
		out = append(out, *byKey[k])
	}
	config.SortSuggestions(out)
	return out, nil
}

// covered tells whether the mappings a run of the store would use map the
// value, by itself or by the marketplace's name for it, as the transforms try.
func covered(cfg *config.Config, seen clickhouse.SeenValue) bool {
	m := cfg.Mappings[seen.Marketplace]
	if s, ok := cfg.Store(seen.Store); ok && s.Marketplace == seen.Marketplace {
		m = cfg.MappingsFor(*s)
	}
	table := map[string]map[string]string{"status": m.Status, "delivery": m.Delivery, "payment": m.Payment}[seen.Kind]
	_, ok := mapping.First(table, seen.Value, seen.Name)
	return ok
}
