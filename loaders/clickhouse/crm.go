package clickhouse

import (
	"context"
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
	return insertAll(ctx, w, crmUpdatesSpec, us, "record CRM updates")
}

// CRMStock is the CRM's stock of one product of a store.
type CRMStock struct {
	Marketplace string
	Store       string
	ExternalID  string
	Quantity    uint32
	ChangedAt   time.Time
	ChangedBy   string
	Version     uint64
}

var crmStockSpec = rows.NewSpec("crm_stock",
	rows.Str("marketplace", func(s CRMStock) string { return s.Marketplace }),
	rows.Str("store", func(s CRMStock) string { return s.Store }),
	rows.Str("external_id", func(s CRMStock) string { return s.ExternalID }),
	rows.U32("quantity", func(s CRMStock) uint32 { return s.Quantity }),
	rows.Time("changed_at", func(s CRMStock) time.Time { return s.ChangedAt }),
	rows.Str("changed_by", func(s CRMStock) string { return s.ChangedBy }),
	rows.U64("_version", func(s CRMStock) uint64 { return s.Version }),
)

// RecordCRMStock writes stock levels; a later record of a product replaces
// the earlier one (v_crm_stock).
func (w *Warehouse) RecordCRMStock(ctx context.Context, ss []CRMStock) error {
	return insertAll(ctx, w, crmStockSpec, ss, "record CRM stock")
}
