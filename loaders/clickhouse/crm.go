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

var crmUpdatesSpec = rows.FromStruct[CRMUpdate]("crm_updates")

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
	Version     uint64 `ch:"_version"`
}

var crmStockSpec = rows.FromStruct[CRMStock]("crm_stock")

// RecordCRMStock writes stock levels; a later record of a product replaces
// the earlier one (v_crm_stock).
func (w *Warehouse) RecordCRMStock(ctx context.Context, ss []CRMStock) error {
	return insertAll(ctx, w, crmStockSpec, ss, "record CRM stock")
}
