package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/kramar/kramar/schema/rows"
)

// CRMUpdate is one change the seller's CRM made to an order.
type CRMUpdate struct {
	UpdateID    string
	Marketplace string
	Store       string
	OrderID     string
	CRMStatus   string
	TTN         string
	Carrier     string
	ChangedAt   time.Time
	ChangedBy   string
}

var crmUpdatesSpec = rows.NewSpec("crm_updates",
	rows.Str("update_id", func(u CRMUpdate) string { return u.UpdateID }),
	rows.Str("marketplace", func(u CRMUpdate) string { return u.Marketplace }),
	rows.Str("store", func(u CRMUpdate) string { return u.Store }),
	rows.Str("order_id", func(u CRMUpdate) string { return u.OrderID }),
	rows.Str("crm_status", func(u CRMUpdate) string { return u.CRMStatus }),
	rows.Str("ttn", func(u CRMUpdate) string { return u.TTN }),
	rows.Str("carrier", func(u CRMUpdate) string { return u.Carrier }),
	rows.Time("changed_at", func(u CRMUpdate) time.Time { return u.ChangedAt }),
	rows.Str("changed_by", func(u CRMUpdate) string { return u.ChangedBy }),
)

// RecordCRMUpdates appends CRM-side order changes in one insert.
func (w *Warehouse) RecordCRMUpdates(ctx context.Context, us []CRMUpdate) error {
	if len(us) == 0 {
		return nil
	}
	rec, err := crmUpdatesSpec.Build(us)
	if err != nil {
		return err
	}
	defer rec.Release()
	if err := w.Insert(ctx, crmUpdatesSpec.Name(), rec); err != nil {
		return fmt.Errorf("record CRM updates: %w", err)
	}
	return nil
}
