// Package epicentr is the Epicentr Marketplace merchant API client
// (https://merchant-api.epicentrm.com.ua, Swagger at /swagger/): its wire
// types live here and nowhere else; the extractor, the
// reverse-ETL pusher and the sandbox all use them.
package epicentr

import (
	"encoding/json"
	"strings"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/extractors/jsonwire"
)

// OrderList is the answer of GET /v3/oms/orders: a page of full
// orders and opaque cursors. Next is empty on the last page.
type OrderList struct {
	Items   []json.RawMessage `json:"items"`
	Current Cursor            `json:"current"`
	Next    Cursor            `json:"next"`
	Prev    Cursor            `json:"prev"`
	Last    Cursor            `json:"last"`
	Limit   int               `json:"limit"`
}

// Cursor is an opaque page position; "" is written and read as null.
type Cursor string

// MarshalJSON writes "" as null.
func (c Cursor) MarshalJSON() ([]byte, error) {
	if c == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(c))
}

// UnmarshalJSON reads null as "".
func (c *Cursor) UnmarshalJSON(data []byte) error {
	var t Text
	if err := t.UnmarshalJSON(data); err != nil {
		return err
	}
	*c = Cursor(t)
	return nil
}

// Order is one order as the list (v3) and the details (v5) send it.
// The shipment block lives inside Address, not at the top level.
//
// The `,omitempty` fields are the ones the real API may leave out; the
// others come in every order. `kramar:"required"` marks what the warehouse
// cannot do without: a value there that cannot be read rejects the order.
type Order struct {
	ID        string `json:"id" kramar:"required"` // a uuid; the key of every order call
	Number    Text   `json:"number"`               // the public number the cabinet shows
	CreatedAt string `json:"createdAt" kramar:"required"`
	// UpdatedAt is not among the fields live orders show; read when sent.
	UpdatedAt  string `json:"updatedAt,omitempty"`
	StatusCode string `json:"statusCode"`
	Comment    string `json:"comment,omitempty"`
	Subtotal   Number `json:"subtotal" kramar:"required"`
	// Payed is false even for finished orders: never trust it.
	Payed   bool     `json:"payed"`
	Items   []Item   `json:"items"`
	Address *Address `json:"address"`
	// Settlement and Office name the delivery place. Details answers
	// sometimes leave them out, or send them inside Address instead (the
	// tests of the third-party Epicentr OMS client with
	// `_fetch_offices_for_settlement` cover both); the list of one live
	// client carries only the ids in Address.Shipment.
	Settlement *Settlement `json:"settlement,omitempty"`
	Office     *Office     `json:"office,omitempty"`

	// Sent by the real API (the swagger's order model; the live Supabase
	// client's type) and not read.
	_ drift.Known `known:"externalId companyId legalEntityId customerId callStatus commentsCount skipCustomerContact cancel company company_shipments company_payments hasSurveyResult assignee hasPreOrderItems"`
}

// Item is one order line. The merchant API's swagger (OrderProductsItem)
// has offerId, productId, sku, title, price and quantity in every line and
// productExternalId in some: the seller's article when the card was made
// from the seller's feed, as a Next.js client of the API notes. A
// live-syncing Supabase function (type `EpicentrOrder`) meets lines of
// offerId, title, image, quantity and price with a product block and no
// sku. ItemArticle reads the article as another live client does (item_sku
// of agents/orders/noire_order_notifier.py): productExternalId, then sku,
// article, externalId.
type Item struct {
	OfferID           Text     `json:"offerId"`                     // Epicentr's offer id
	ProductID         Text     `json:"productId,omitempty"`         // Epicentr's product card
	ProductExternalID Text     `json:"productExternalId,omitempty"` // the seller's article, for cards from a feed
	SKU               string   `json:"sku,omitempty"`               // the seller's article, the key of /v1/offers
	Article           Text     `json:"article,omitempty"`
	ExternalID        Text     `json:"externalId,omitempty"`
	Title             string   `json:"title"`
	Image             string   `json:"image,omitempty"`
	URL               string   `json:"url,omitempty"`
	Quantity          Number   `json:"quantity" kramar:"required"`
	Price             Number   `json:"price" kramar:"required"`
	Subtotal          Number   `json:"subtotal,omitempty"`
	Measure           string   `json:"measure,omitempty"`
	Ratio             Number   `json:"ratio,omitempty"`
	Product           *Product `json:"product,omitempty"`
}

// ItemArticle is the seller's article of a line: the first of
// productExternalId, sku, article and externalId that is set.
func ItemArticle(it Item) string {
	for _, s := range []string{string(it.ProductExternalID), it.SKU, string(it.Article), string(it.ExternalID)} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// ItemOffer is Epicentr's id of what a line sold: the offer, else the
// product card (productId, then product.id).
func ItemOffer(it Item) string {
	ids := []string{string(it.OfferID), string(it.ProductID)}
	if it.Product != nil {
		ids = append(ids, string(it.Product.ID))
	}
	for _, s := range ids {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// Product is the product card a line may carry.
type Product struct {
	ID         Text              `json:"id,omitempty"`
	Categories []ProductCategory `json:"categories,omitempty"`
}

// ProductCategory is one category of a product card.
type ProductCategory struct {
	ID           Text          `json:"id,omitempty"`
	IsMain       bool          `json:"isMain,omitempty"`
	Translations []Translation `json:"translations,omitempty"`
}

// Translation is a title in one language ("ua", "ru").
type Translation struct {
	Title        string `json:"title"`
	LanguageCode string `json:"languageCode"`
}

// Address is the buyer, the alternate recipient and the shipment.
//
// While an order is new, Epicentr hides the buyer's contacts: they appear
// once the seller confirms it (the API reference note beside the MCP server
// `epicentr_mcp.py` of a third-party seller toolkit). The swagger's detail
// model marks the names, phone and email optional; the list model sends
// them as strings. So they may come empty, null or not at all.
type Address struct {
	FirstName            string    `json:"firstName,omitempty"`
	LastName             string    `json:"lastName,omitempty"`
	Patronymic           string    `json:"patronymic,omitempty"`
	Phone                string    `json:"phone,omitempty"`
	Email                string    `json:"email,omitempty"`
	IsAlternateRecipient bool      `json:"isAlternateRecipient"`
	Recipient            *Person   `json:"recipient"`
	Shipment             *Shipment `json:"shipment"`
	// Settlement and Office inside the address: the nested form of the
	// order's top-level blocks.
	Settlement *Settlement `json:"settlement,omitempty"`
	Office     *Office     `json:"office,omitempty"`
	// Sent and not read.
	_ drift.Known `known:"payerName govNumber"`
}

// Person is a name split into parts, and a phone.
type Person struct {
	FirstName  string `json:"firstName"`
	LastName   string `json:"lastName"`
	Patronymic string `json:"patronymic,omitempty"`
	Phone      string `json:"phone"`
}

// Shipment is the delivery: carrier, waybill (Number) and payment.
// SettlementID and OfficeID are ids of Epicentr's delivery directory
// (/v3/deliveries/…), uuids by the swagger.
type Shipment struct {
	Provider        string `json:"provider,omitempty"`
	Number          Text   `json:"number,omitempty"` // the TTN; empty until the seller sets it
	SettlementID    Text   `json:"settlementId,omitempty"`
	OfficeID        Text   `json:"officeId,omitempty"`
	Address         string `json:"address,omitempty"` // courier delivery: the street address
	DeliveryPrice   Number `json:"deliveryPrice,omitempty" kramar:"required"`
	PaymentProvider string `json:"paymentProvider,omitempty"`
	PaymentStatus   string `json:"paymentStatus,omitempty"`
	// Sent and not read.
	_ drift.Known `known:"isFree autogenerated house apartment comment"`
}

// Settlement is the delivery city.
type Settlement struct {
	ID         string `json:"id,omitempty"`
	Title      string `json:"title,omitempty"`
	City       string `json:"city,omitempty"` // some versions name it city
	Name       string `json:"name,omitempty"` // and some name
	Region     string `json:"region,omitempty"`
	District   string `json:"district,omitempty"`
	ExternalID string `json:"external_id,omitempty"` // Nova Poshta CityRef
}

// Office is the carrier's branch or locker; v6 sends ExternalID empty.
type Office struct {
	ID         string `json:"id,omitempty"`
	Title      string `json:"title,omitempty"`
	Name       string `json:"name,omitempty"`
	Number     Text   `json:"number,omitempty"` // the branch number
	Address    string `json:"address,omitempty"`
	ExternalID string `json:"externalId,omitempty"`
}

// Status codes: the set most live clients use, also in change-status URLs.
const (
	StatusNew                        = "new"
	StatusConfirmedByMerchant        = "confirmed_by_merchant"
	StatusConfirmed                  = "confirmed"
	StatusSent                       = "sent"
	StatusDelivered                  = "delivered"
	StatusCompleted                  = "completed"
	StatusClosed                     = "closed"
	StatusCanceled                   = "canceled"
	StatusCanceledByMerchant         = "canceled_by_merchant"
	StatusReturned                   = "returned"
	StatusReturnRequested            = "return_requested"
	StatusCompletedMerchantRejection = "completed_merchant_rejection"
	StatusClosedMerchantRejection    = "closed_merchant_rejection"
)

// Shipment providers (address.shipment.provider).
const (
	ProviderNovaPoshta = "nova_poshta"
	ProviderUkrposhta  = "ukrposhta"
	ProviderMeest      = "meest"
	ProviderPickup     = "pickup"
	ProviderParcelBox  = "parcel_box_epicentr"
	ProviderCVZ        = "cvz_epicentr"
)

// Payment providers and payment statuses (address.shipment.paymentProvider
// and paymentStatus).
const (
	PayOnDelivery = "pay_on_delivery"
	PayOnPickup   = "pay_on_pickup"
	PayEasypay    = "easypay"
	PayMonobank   = "monobank"
	PayInvoice    = "invoice"

	PaymentHoldSet      = "hold_set"   // the buyer's money is held for the seller
	PaymentHoldUnset    = "hold_unset" // seen on every finished order, COD ones too
	PaymentCanceled     = "payment_canceled"
	PaymentHoldCanceled = "hold_canceled"
	PaymentNone         = "none" // cash on delivery
)

// StatusList is GET /v2/oms/orders/{id}/allowed-statuses.
type StatusList struct {
	Items []StatusRef `json:"items"`
}

// StatusRef names one status.
type StatusRef struct {
	Code string `json:"code"`
}

// CancelRequest is the body of change-status/to/canceled.
type CancelRequest struct {
	ReasonCode     string `json:"reason_code"`
	Comment        string `json:"comment,omitempty"`
	TranslationKey string `json:"translationKey,omitempty"`
}

// CancelReasonList is GET /v2/oms/order-cancel-reasons/customer. Only the
// codes are known; the item shape beside code is assumed.
type CancelReasonList struct {
	Items []CancelReason `json:"items"`
}

// CancelReason is one reason a seller may give for cancelling.
type CancelReason struct {
	Code           string `json:"code"`
	Title          string `json:"title,omitempty"`
	TranslationKey string `json:"translationKey,omitempty"`
}

// TranslationKey is the key a cancel reason's code goes with.
func TranslationKey(reasonCode string) string {
	return "order.customer_cancel_reason." + reasonCode
}

// ShipmentNumber is the body of PATCH /v1/oms/orders/{id}/shipment-number.
type ShipmentNumber struct {
	Number string `json:"number"`
}

// OfferUpdateRequest is the body of POST /v1/offers: partial
// updates, price only or availability only.
type OfferUpdateRequest struct {
	Items []OfferUpdate `json:"items"`
}

// OfferUpdate changes one offer, named by the seller's sku.
type OfferUpdate struct {
	SKU          string       `json:"sku"`
	Prices       *OfferPrices `json:"prices,omitempty"`
	Availability string       `json:"availability,omitempty"`
}

// OfferPrices holds the new price.
type OfferPrices struct {
	Price Number `json:"price"`
}

// Availability values of /v1/offers.
const (
	InStock      = "in_stock"
	NotAvailable = "not_available"
)

// OfferUpdateResult is the answer of POST /v1/offers and of
// GET /v1/offers/update-results/{requestId}: the update is applied later,
// item by item.
type OfferUpdateResult struct {
	RequestID string            `json:"requestId"`
	Total     int               `json:"total"`
	Items     []OfferItemResult `json:"items"`
}

// Done says no item is waiting any more.
func (r OfferUpdateResult) Done() bool {
	for _, it := range r.Items {
		if it.Status == OfferEnqueued {
			return false
		}
	}
	return true
}

// OfferItemResult is the outcome of one item; Errors maps a field to
// validation keys such as "validation.positive".
type OfferItemResult struct {
	ID     int                 `json:"id"`
	IDType string              `json:"idType"`
	SKU    string              `json:"sku"`
	Status string              `json:"status"`
	Errors map[string][]string `json:"errors,omitempty"`
}

// Offer item statuses.
const (
	OfferProcessed = "processed"
	OfferEnqueued  = "enqueued"
	OfferSkipped   = "skipped"
	OfferForbidden = "forbidden"
)

// APIError is an error body: "message" or "error", with per-field
// validation keys when the request was refused as invalid.
type APIError struct {
	Message string              `json:"message,omitempty"`
	Error   string              `json:"error,omitempty"`
	Errors  map[string][]string `json:"errors,omitempty"`
}

// NoRoute is the message of an unknown path: a wrong base URL or
// API version, never a missing order.
const NoRoute = "No route configured"

// Text is a string that may come as a bare number (ids, the public
// number) or null.
type Text = jsonwire.Text

// Number is a money or quantity value exactly as sent: a JSON number
// (documented) or a string (tolerated; the transform parses and names a
// bad one). It writes a bare number when it holds one.
type Number = jsonwire.Number
