package rows

import (
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/kramar/kramar/schema/canon"
	"github.com/shopspring/decimal"
)

// Meta is the load metadata stamped on every row of one Build.
type Meta struct {
	RunID    string
	Version  uint64    // _version; use NextVersion
	LoadedAt time.Time // _loaded_at
	// Hash is the content hash stored in orders._hash; nil means rows.Hash.
	Hash func(*canon.Order) uint64
}

// Names of the tables Build fills.
const (
	OrdersTable    = "orders"
	ItemsTable     = "order_items"
	RoyaltiesTable = "royalties"
)

// Batch is the Arrow form of a slice of orders, one record per table.
// Field names equal the warehouse column names.
type Batch struct {
	Orders    arrow.Record // OrdersTable
	Items     arrow.Record // ItemsTable
	Royalties arrow.Record // RoyaltiesTable
}

// Release frees the records.
func (b Batch) Release() {
	for _, r := range []arrow.Record{b.Orders, b.Items, b.Royalties} {
		if r != nil {
			r.Release()
		}
	}
}

// Tables lists the tables this package builds records for.
func Tables() []Table {
	return []Table{ordersSpec.Table(), itemsSpec.Table(), royaltiesSpec.Table(), productsSpec.Table(), optionsSpec.Table()}
}

// Build turns orders into one record per table. Order lines are numbered by
// their position in Order.Items, from 0, so the view v_order_items can drop
// lines an order no longer has; Item.Line is not used for the key.
func Build(orders []canon.Order, meta Meta) (Batch, error) {
	hash := meta.Hash
	if hash == nil {
		hash = Hash
	}
	var (
		ors = make([]orderRow, len(orders))
		its []itemRow
		rys []royaltyRow
	)
	for i := range orders {
		o := &orders[i]
		ors[i] = orderRow{Order: o, hash: hash(o), meta: &meta}
		for line := range o.Items {
			its = append(its, itemRow{o: o, line: uint32(line), it: &o.Items[line], meta: &meta})
		}
		if o.Royalty != nil {
			rys = append(rys, royaltyRow{o: o, r: o.Royalty, meta: &meta})
		}
	}
	var (
		b   Batch
		err error
	)
	if b.Orders, err = ordersSpec.Build(ors); err != nil {
		return Batch{}, err
	}
	if b.Items, err = itemsSpec.Build(its); err != nil {
		b.Release()
		return Batch{}, err
	}
	if b.Royalties, err = royaltiesSpec.Build(rys); err != nil {
		b.Release()
		return Batch{}, err
	}
	return b, nil
}

// orderRow embeds the order so the spec below reads like the order itself.
type orderRow struct {
	*canon.Order
	hash uint64
	meta *Meta
}

type itemRow struct {
	o    *canon.Order
	line uint32
	it   *canon.Item
	meta *Meta
}

type royaltyRow struct {
	o    *canon.Order
	r    *canon.Royalty
	meta *Meta
}

// The column order here is the column order of schema/migrations; a test
// against a migrated server checks the two agree.
var ordersSpec = NewSpec(OrdersTable,
	Str("marketplace", func(r orderRow) string { return r.Marketplace }),
	Str("store", func(r orderRow) string { return r.Store }),
	Str("external_id", func(r orderRow) string { return r.ExternalID }),
	Time("created_at", func(r orderRow) time.Time { return r.CreatedAt }),
	Time("modified_at", func(r orderRow) time.Time { return r.ModifiedAt }),
	Str("marketplace_status", func(r orderRow) string { return r.MarketplaceStatus }),
	Str("status_name", func(r orderRow) string { return r.StatusName }),
	Str("status", func(r orderRow) string { return r.Status }),
	Str("cancel_reason", func(r orderRow) string { return r.CancelReason }),
	Str("cancel_initiator", func(r orderRow) string { return r.CancelInitiator }),
	Str("order_type", func(r orderRow) string { return r.OrderType }),
	Str("order_source", func(r orderRow) string { return r.OrderSource }),
	Str("channel", func(r orderRow) string { return r.Channel }),
	Str("buyer_last_name", func(r orderRow) string { return r.BuyerLastName }),
	Str("buyer_first_name", func(r orderRow) string { return r.BuyerFirstName }),
	Str("buyer_middle_name", func(r orderRow) string { return r.BuyerMiddleName }),
	Str("buyer_phone", func(r orderRow) string { return r.BuyerPhone }),
	Str("buyer_email", func(r orderRow) string { return r.BuyerEmail }),
	Str("buyer_comment", func(r orderRow) string { return r.BuyerComment }),
	Str("recipient_last_name", func(r orderRow) string { return r.RecipientLastName }),
	Str("recipient_first_name", func(r orderRow) string { return r.RecipientFirstName }),
	Str("recipient_middle_name", func(r orderRow) string { return r.RecipientMiddleName }),
	Str("recipient_phone", func(r orderRow) string { return r.RecipientPhone }),
	Str("manager_comment", func(r orderRow) string { return r.ManagerComment }),
	Flag("dont_call_back", func(r orderRow) bool { return r.DontCallBack }),
	Str("marketplace_delivery", func(r orderRow) string { return r.MarketplaceDelivery }),
	Str("delivery", func(r orderRow) string { return r.Delivery }),
	Str("delivery_provider", func(r orderRow) string { return r.DeliveryProvider }),
	Str("delivery_address", func(r orderRow) string { return r.DeliveryAddress }),
	Str("ttn", func(r orderRow) string { return r.TTN }),
	Str("marketplace_payment", func(r orderRow) string { return r.MarketplacePayment }),
	Str("payment", func(r orderRow) string { return r.Payment }),
	Str("payment_status", func(r orderRow) string { return r.PaymentStatus }),
	Flag("paid", func(r orderRow) bool { return r.Paid }),
	Str("currency", func(r orderRow) string { return r.Currency }),
	MoneyOf("amount", func(r orderRow) decimal.Decimal { return r.Amount }),
	MoneyOf("full_amount", func(r orderRow) decimal.Decimal { return r.FullAmount }),
	MoneyOf("delivery_cost", func(r orderRow) decimal.Decimal { return r.DeliveryCost }),
	Str("utm_source", func(r orderRow) string { return r.UTMSource }),
	Str("utm_medium", func(r orderRow) string { return r.UTMMedium }),
	Str("utm_campaign", func(r orderRow) string { return r.UTMCampaign }),
	Flag("prosale", func(r orderRow) bool { return r.ProSale }),
	U32("items_count", func(r orderRow) uint32 { return uint32(len(r.Items)) }),
	U64("_hash", func(r orderRow) uint64 { return r.hash }),
	Str("_run_id", func(r orderRow) string { return r.meta.RunID }),
	Time("_loaded_at", func(r orderRow) time.Time { return r.meta.LoadedAt }),
	U64("_version", func(r orderRow) uint64 { return r.meta.Version }),
)

var itemsSpec = NewSpec(ItemsTable,
	Str("marketplace", func(r itemRow) string { return r.o.Marketplace }),
	Str("store", func(r itemRow) string { return r.o.Store }),
	Str("order_id", func(r itemRow) string { return r.o.ExternalID }),
	U32("line", func(r itemRow) uint32 { return r.line }),
	Str("product_id", func(r itemRow) string { return r.it.ProductID }),
	Str("external_id", func(r itemRow) string { return r.it.ExternalID }),
	Str("sku", func(r itemRow) string { return r.it.SKU }),
	Str("name", func(r itemRow) string { return r.it.Name }),
	QtyOf("quantity", func(r itemRow) decimal.Decimal { return r.it.Quantity }),
	Str("unit", func(r itemRow) string { return r.it.Unit }),
	MoneyOf("price", func(r itemRow) decimal.Decimal { return r.it.Price }),
	MoneyOf("total", func(r itemRow) decimal.Decimal { return r.it.Total }),
	MoneyOf("commission", func(r itemRow) decimal.Decimal { return r.it.Commission }),
	U64("_version", func(r itemRow) uint64 { return r.meta.Version }),
	Time("_loaded_at", func(r itemRow) time.Time { return r.meta.LoadedAt }),
)

var royaltiesSpec = NewSpec(RoyaltiesTable,
	Str("marketplace", func(r royaltyRow) string { return r.o.Marketplace }),
	Str("store", func(r royaltyRow) string { return r.o.Store }),
	Str("order_id", func(r royaltyRow) string { return r.o.ExternalID }),
	MoneyOf("cpa_amount", func(r royaltyRow) decimal.Decimal { return r.r.CPAAmount }),
	Flag("cpa_refunded", func(r royaltyRow) bool { return r.r.CPARefunded }),
	MoneyOf("prosale_amount", func(r royaltyRow) decimal.Decimal { return r.r.ProSaleAmount }),
	Str("currency", func(r royaltyRow) string { return r.r.Currency }),
	Time("accrued_at", func(r royaltyRow) time.Time { return r.r.AccruedAt }),
	U64("_version", func(r royaltyRow) uint64 { return r.meta.Version }),
	Time("_loaded_at", func(r royaltyRow) time.Time { return r.meta.LoadedAt }),
)
