package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/schema/rows"
)

// loadReference copies the account's delivery services, payment methods and
// statuses into marketplace_options, so mappings can be written (and
// checked) against the names the marketplace really uses.
func loadReference(ctx context.Context, wh *clickhouse.Warehouse, st config.Store, ref source.Reference, res *StoreResult) error {
	opts, err := ref.Options(ctx)
	if err != nil {
		return err
	}
	for i := range opts {
		opts[i].Marketplace, opts[i].Store = st.Marketplace, st.ID
	}
	rec, err := rows.Options(opts, rows.Meta{RunID: res.RunID, Version: rows.NextVersion(), LoadedAt: time.Now().UTC()})
	if err != nil {
		return err
	}
	defer rec.Release()
	if err := wh.Insert(ctx, rows.OptionsTable, rec); err != nil {
		return fmt.Errorf("insert marketplace_options: %w", err)
	}
	res.Fetched, res.New = len(opts), len(opts)
	return nil
}
