// Package canon holds the canonical, marketplace-neutral rows that transforms
// produce and loaders write. Money is decimal; every time is UTC.
package canon

import (
	"time"

	"github.com/shopspring/decimal"
)

// Order is one marketplace order in the seller's (CRM) vocabulary.
type Order struct {
	Marketplace string `json:"marketplace"`
	Store       string `json:"store"`
	ExternalID  string `json:"external_id"`

	CreatedAt  time.Time `json:"created_at"`
	ModifiedAt time.Time `json:"modified_at"`

	// Status as the marketplace names it and as the seller's CRM names it.
	MarketplaceStatus string `json:"marketplace_status"`
	StatusName        string `json:"status_name"`
	Status            string `json:"status"`
	CancelReason      string `json:"cancel_reason"`
	CancelInitiator   string `json:"cancel_initiator"`

	OrderType   string `json:"order_type"`
	OrderSource string `json:"order_source"`
	// Channel is where the buyer placed the order (Prom: portal, company_site, mobile_app…).
	Channel string `json:"channel"`

	BuyerLastName   string `json:"buyer_last_name"`
	BuyerFirstName  string `json:"buyer_first_name"`
	BuyerMiddleName string `json:"buyer_middle_name"`
	BuyerPhone      string `json:"buyer_phone"`
	BuyerEmail      string `json:"buyer_email"`
	BuyerComment    string `json:"buyer_comment"`

	RecipientLastName   string `json:"recipient_last_name"`
	RecipientFirstName  string `json:"recipient_first_name"`
	RecipientMiddleName string `json:"recipient_middle_name"`
	RecipientPhone      string `json:"recipient_phone"`
	// ManagerComment carries the recipient when it differs from the buyer.
	ManagerComment string `json:"manager_comment"`
	DontCallBack   bool   `json:"dont_call_back"`

	MarketplaceDelivery string `json:"marketplace_delivery"`
	Delivery            string `json:"delivery"`
	DeliveryProvider    string `json:"delivery_provider"`
	DeliveryAddress     string `json:"delivery_address"`
	TTN                 string `json:"ttn"`

	MarketplacePayment string `json:"marketplace_payment"`
	Payment            string `json:"payment"`
	PaymentStatus      string `json:"payment_status"`
	Paid               bool   `json:"paid"`

	Currency     string          `json:"currency"`
	Amount       decimal.Decimal `json:"amount"`
	FullAmount   decimal.Decimal `json:"full_amount"`
	DeliveryCost decimal.Decimal `json:"delivery_cost"`

	UTMSource   string `json:"utm_source"`
	UTMMedium   string `json:"utm_medium"`
	UTMCampaign string `json:"utm_campaign"`
	ProSale     bool   `json:"prosale"`

	Items   []Item   `json:"items"`
	Royalty *Royalty `json:"royalty,omitempty"`
}

// Item is one order line.
type Item struct {
	Line       uint32          `json:"line"`
	ProductID  string          `json:"product_id"`
	ExternalID string          `json:"external_id"`
	SKU        string          `json:"sku"`
	Name       string          `json:"name"`
	Quantity   decimal.Decimal `json:"quantity"`
	Unit       string          `json:"unit"`
	Price      decimal.Decimal `json:"price"`
	Total      decimal.Decimal `json:"total"`
	Commission decimal.Decimal `json:"commission"`
}

// Royalty is the marketplace's commission on one order: Prom's CPA
// commission and, in newer data, the ProSale commission that replaces it
// as the advertising cost when present.
type Royalty struct {
	CPAAmount     decimal.Decimal `json:"cpa_amount"`
	CPARefunded   bool            `json:"cpa_refunded"`
	ProSaleAmount decimal.Decimal `json:"prosale_amount"`
	Currency      string          `json:"currency"`
	// AccruedAt is the order's creation time: the month an accountant books it in.
	AccruedAt time.Time `json:"accrued_at"`
}

// Reject names a record that could not be turned into a canonical row.
type Reject struct {
	Marketplace string `json:"marketplace"`
	Store       string `json:"store"`
	RecordID    string `json:"record_id"`
	Field       string `json:"field"`
	Reason      string `json:"reason"`
	Payload     string `json:"payload"`
}

// FieldError is a transform failure tied to one field of one record.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Who sets an offer's stock (Product.StockManagedBy).
const (
	StockByFeed = "feed"
	StockByAPI  = "api"
)

// Product is one offer of a store's catalog on a marketplace.
type Product struct {
	Marketplace string `json:"marketplace"`
	Store       string `json:"store"`
	// ProductID is the marketplace's id of the offer (Rozetka rz_item_id).
	ProductID string `json:"product_id"`
	// ExternalID is the seller's own id of the offer (Rozetka price_offer_id).
	ExternalID string `json:"external_id"`
	Article    string `json:"article"`
	Name       string `json:"name"`

	Price      decimal.Decimal `json:"price"`
	OldPrice   decimal.Decimal `json:"old_price"`
	PromoPrice decimal.Decimal `json:"promo_price"`
	Currency   string          `json:"currency"`

	Stock     uint32 `json:"stock"`
	Available bool   `json:"available"`
	// StockManagedBy says who sets the offer's stock on the marketplace:
	// StockByFeed (the seller's price-list feed; a stock pushed through the
	// API is overwritten), StockByAPI, or "" when it does not say.
	StockManagedBy    string `json:"stock_managed_by,omitempty"`
	AvailabilityTitle string `json:"availability_title"`
	SellStatus        string `json:"sell_status"`
	Sold              uint32 `json:"sold"`
	Fulfillment       bool   `json:"fulfillment"`

	CategoryID string `json:"category_id"`
	Category   string `json:"category"`
	// CategoryPath is the category and its ancestors, root first
	// (["Посуд", "Сковороди"]); empty when the source has no tree.
	CategoryPath []string `json:"category_path"`
	URL          string   `json:"url"`
	// Photos are all the offer's pictures, the main one first.
	Photos []string `json:"photos"`

	// Description is the offer's description as plain text (tags stripped,
	// entities decoded, whitespace folded); DescriptionHTML is it as sent.
	Description     string `json:"description"`
	DescriptionHTML string `json:"description_html"`
	// ParamNames, ParamUnits and ParamValues are the offer's params
	// (characteristics) in order, one entry per param in each: a param
	// without a unit has "" in ParamUnits.
	ParamNames  []string `json:"param_names"`
	ParamUnits  []string `json:"param_units"`
	ParamValues []string `json:"param_values"`
	// Brand is the vendor or producer.
	Brand string `json:"brand"`
	// GroupID joins the variants of one product (YML group_id).
	GroupID string `json:"group_id"`
	// VendorCode and Barcode are the seller's article and the EAN/GTIN,
	// side by side whichever of them ExternalID is.
	VendorCode string `json:"vendor_code"`
	Barcode    string `json:"barcode"`

	CreatedAt time.Time `json:"created_at"`
}

// Option is one entry of a store's reference lists on a marketplace: a
// delivery service, a payment method or an order status, by the names the
// marketplace uses, so mappings can be written against real names.
type Option struct {
	Marketplace string `json:"marketplace"`
	Store       string `json:"store"`
	Kind        string `json:"kind"` // delivery, payment, status
	ID          string `json:"id"`
	Name        string `json:"name"`
	// Extra is what else identifies it (a status group, a carrier code…).
	Extra  string `json:"extra"`
	Active bool   `json:"active"`
}

// Option kinds.
const (
	OptionDelivery = "delivery"
	OptionPayment  = "payment"
	OptionStatus   = "status"
)
