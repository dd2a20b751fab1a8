package clickhouse

import (
	"context"
	"time"

	"github.com/kramar/kramar/schema/rows"
)

// CRMUpdate is one change the seller's CRM made to an order.
type CRMUpdate struct {
	UpdateID    string    `ch:"update_id"`
	Marketplace string    `ch:"marketplace"`
	Store       string    `ch:"store"`
	OrderID     string    `ch:"order_id"`
	CRMStatus   string    `ch:"crm_status"`
	TTN         string    `ch:"ttn"`
	Carrier     string    `ch:"carrier"`
	ChangedAt   time.Time `ch:"changed_at"`
	ChangedBy   string    `ch:"changed_by"`
}

var crmUpdatesSpec = rows.Tagged[CRMUpdate]("crm_updates")

// RecordCRMUpdates appends CRM-side order changes in one insert.
func (w *Warehouse) RecordCRMUpdates(ctx context.Context, us []CRMUpdate) error {
	return insertAll(ctx, w, crmUpdatesSpec, us, "record CRM updates")
}

// CRMStock is the CRM's stock of one product of a store.
type CRMStock struct {
	Marketplace string    `ch:"marketplace"`
	Store       string    `ch:"store"`
	ExternalID  string    `ch:"external_id"`
	Quantity    uint32    `ch:"quantity"`
	ChangedAt   time.Time `ch:"changed_at"`
	ChangedBy   string    `ch:"changed_by"`
	Version     uint64    `ch:"_version"`
}

var crmStockSpec = rows.Tagged[CRMStock]("crm_stock")

// RecordCRMStock writes stock levels; a later record of a product replaces
// the earlier one (v_crm_stock).
func (w *Warehouse) RecordCRMStock(ctx context.Context, ss []CRMStock) error {
	return insertAll(ctx, w, crmStockSpec, ss, "record CRM stock")
}
