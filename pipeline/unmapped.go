package pipeline

import (
	"context"
	"fmt"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/mapping"
)

// UnmappedOptions compares each store's mappings with the reference lists
// last loaded from its account (the reference job) and warns about every
// delivery service, payment method or status that no mapping entry covers,
// by name or by id — the orders that use it would get an empty CRM value.
func UnmappedOptions(ctx context.Context, wh *clickhouse.Warehouse, cfg *config.Config) ([]config.Problem, error) {
	var out []config.Problem
	for _, st := range cfg.Stores {
		opts, err := wh.Options(ctx, st.Marketplace, st.ID)
		if err != nil {
			return nil, err
		}
		m := cfg.MappingsFor(st)
		tables := map[string]map[string]string{canon.OptionDelivery: m.Delivery, canon.OptionPayment: m.Payment, canon.OptionStatus: m.Status}
		for _, o := range opts {
			table := tables[o.Kind]
			if _, ok := mapping.First(table, o.Name, o.ID); ok || !o.Active {
				continue
			}
			out = append(out, config.Problem{
				File: cfg.Path, Line: st.Line, Store: st.ID, Field: "mappings." + o.Kind, Warning: true,
				Message: fmt.Sprintf("%s %q (id %s) from the account has no mapping: its orders get an empty CRM %s", o.Kind, o.Name, o.ID, o.Kind),
			})
		}
	}
	return out, nil
}
