// Package prom is the Prom.ua public API client (my.prom.ua/api/v1): its wire
// types live here and nowhere else; the extractor, the reverse-ETL pusher and
// the sandbox all use them.
package prom

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/kramar/kramar/extractors/drift"
)

// Order is the wire shape of one Prom order. The published schema has no
// required list, so every object is a pointer or zero-able and the
// transform decides what is mandatory. Money fields are strings such as
// "1 234,50 грн" (seen in real data, not documented); a JSON number there
// is read as its digits.
//
// A json tag without omitempty is a field every real order carries with a
// value of its type (both order dumps in ffers/cetwer12 prom_dict.py have
// it); omitempty marks one that older data leaves out or real orders send
// as null (email, client_second_name, the warehouse ids and the waybill
// before it exists). kramar:"required" marks what the warehouse cannot do
// without: the id, the times, the money.
type Order struct {
	ID                   int64              `json:"id" kramar:"required"`
	DateCreated          string             `json:"date_created" kramar:"required"`
	DateModified         string             `json:"date_modified,omitempty" kramar:"required"` // auto_cancel rules judge by it
	ClientFirstName      string             `json:"client_first_name"`
	ClientSecondName     string             `json:"client_second_name,omitempty"`
	ClientLastName       string             `json:"client_last_name"`
	ClientID             int64              `json:"client_id"`
	ClientNotes          string             `json:"client_notes"`
	Email                string             `json:"email,omitempty"`
	Phone                string             `json:"phone"`
	DeliveryRecipient    *Person            `json:"delivery_recipient"`
	Products             []Product          `json:"products"`
	Price                string             `json:"price" kramar:"required"`
	FullPrice            string             `json:"full_price,omitempty" kramar:"required"`
	DeliveryOption       *Option            `json:"delivery_option"`
	DeliveryProviderData *DeliveryProvider  `json:"delivery_provider_data"`
	DeliveryAddress      string             `json:"delivery_address"`
	DeliveryCost         json.Number        `json:"delivery_cost" kramar:"required"`
	PaymentOption        *Option            `json:"payment_option"`
	PaymentData          *PaymentData       `json:"payment_data"`
	Status               string             `json:"status"`
	StatusName           string             `json:"status_name"`
	Source               string             `json:"source"`
	CPACommission        *CPACommission     `json:"cpa_commission,omitempty"`
	ProsaleCommission    *ProsaleCommission `json:"prosale_commission,omitempty"`
	UTM                  *UTM               `json:"utm"`
	DontCallCustomerBack bool               `json:"dont_call_customer_back"`
	// Cancellation is {title, initiator} for cancelled orders and null
	// otherwise; one third-party type file declares it a string, which is
	// read as no cancellation block rather than a rejected order.
	Cancellation *Cancellation `json:"cancellation"`

	// Sent by the real API (ffers/cetwer12 prom_dict.py; a TypeScript type
	// file for Prom orders) and not read: a special-offer price whose meaning
	// is undocumented, the cheap-delivery flag, the client block that repeats
	// the client_* fields.
	_ drift.Known `known:"client has_order_promo_free_delivery price_with_special_offer special_offer_discount special_offer_promocode ps_promotion"`
}

// Person is the delivery recipient when it is not the buyer; real orders
// also send an empty object (ffers/cetwer12 prom_dict.py, first dump).
type Person struct {
	FirstName  string `json:"first_name,omitempty"`
	LastName   string `json:"last_name,omitempty"`
	SecondName string `json:"second_name,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

// Product is one order line.
type Product struct {
	ID            int64          `json:"id"`
	ExternalID    string         `json:"external_id"`
	SKU           string         `json:"sku"`
	Name          string         `json:"name"`
	Quantity      json.Number    `json:"quantity" kramar:"required"`
	MeasureUnit   string         `json:"measure_unit"`
	Price         string         `json:"price" kramar:"required"`
	TotalPrice    string         `json:"total_price" kramar:"required"`
	CPACommission *CPACommission `json:"cpa_commission,omitempty"`
	// Sent and not read: names per language, the picture and the page.
	_ drift.Known `known:"name_multilang image url"`
}

// Option is a delivery or payment option as the store configured it.
type Option struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	ShippingService string `json:"shipping_service,omitempty"`
	Description     string `json:"description,omitempty"`
}

// DeliveryProvider is null for carriers Prom does not integrate with.
type DeliveryProvider struct {
	Provider             string `json:"provider"`
	Type                 string `json:"type"`
	SenderWarehouseID    string `json:"sender_warehouse_id,omitempty"`
	RecipientWarehouseID string `json:"recipient_warehouse_id,omitempty"`
	DeclarationNumber    string `json:"declaration_number,omitempty"`
	UnifiedStatus        string `json:"unified_status,omitempty"`
	// Nova Poshta refs of the recipient's city and branch: sent on live NP
	// orders, not read (the canonical order has no place for them yet).
	_ drift.Known `known:"recipient_address"`
}

// PaymentData is present for Prom-Oplata (evopay) orders.
type PaymentData struct {
	Type           string `json:"type"`
	Status         string `json:"status"` // paid, unpaid, refunded, paid_out
	StatusModified string `json:"status_modified,omitempty"`
}

// CPACommission is Prom's per-order (and per-line) CPA commission; lines
// carry no is_refunded.
type CPACommission struct {
	Amount     string `json:"amount" kramar:"required"`
	IsRefunded bool   `json:"is_refunded,omitempty"`
}

// ProsaleCommission appears in newer data as {value}.
type ProsaleCommission struct {
	Value json.Number `json:"value" kramar:"required"`
}

// UTM tags of the visit that produced the order; real orders send the
// object with empty strings when there are none.
type UTM struct {
	Medium   string `json:"medium"`
	Source   string `json:"source"`
	Campaign string `json:"campaign"`
}

// Cancellation is present for cancelled orders.
type Cancellation struct {
	Title     string `json:"title"`
	Initiator string `json:"initiator"`
}

// OrderList is the /orders/list envelope: no totals, no page numbers.
type OrderList struct {
	Orders []json.RawMessage `json:"orders"`
}

// OrderEnvelope is the /orders/{id} envelope.
type OrderEnvelope struct {
	Order json.RawMessage `json:"order"`
}

// PaymentOptionList is the /payment_options/list envelope.
type PaymentOptionList struct {
	PaymentOptions []Option `json:"payment_options"`
}

// DeliveryOptionList is the /delivery_options/list envelope; its shape is
// not published, so it mirrors payment options.
type DeliveryOptionList struct {
	DeliveryOptions []Option `json:"delivery_options"`
}

// StatusOptionList is the /order_status_options/list envelope: the
// statuses an order of the company can be in, its own custom ones included.
// Prom publishes no item schema. Two integrations read {name, title} (name
// the status code, title its label: the Bitrix plugin namespace
// Acrit\Core\Crm\Plugins\TiuRuHelpers and the PHP module App\Modules\PU),
// one TypeScript client types {id, name, code}; StatusOption accepts both.
type StatusOptionList struct {
	StatusOptions []StatusOption `json:"order_status_options"`
}

// StatusOption is one entry of the status list, in either published shape.
type StatusOption struct {
	ID    FlexID `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	Title string `json:"title,omitempty"`
	Code  string `json:"code,omitempty"`
}

// Key is the status as orders carry it in "status": "pending", or
// "custom-137639" for the company's own status 137639. In the {name, title}
// shape the name is the code; in {id, name, code} the code is, and an entry
// without one is the custom status of its id. A bare number is a custom
// status id.
func (o StatusOption) Key() string {
	code, name, title, id := strings.TrimSpace(o.Code), strings.TrimSpace(o.Name), strings.TrimSpace(o.Title), strings.TrimSpace(string(o.ID))
	key := name
	switch {
	case code != "":
		key = code
	case title == "" && id != "":
		key = id
	}
	if isDigits(key) {
		return CustomStatus(key)
	}
	return key
}

// Label is the name the cabinet shows for the status: title, else the name
// when it is not the code, else the code.
func (o StatusOption) Label() string {
	if title := strings.TrimSpace(o.Title); title != "" {
		return title
	}
	if name := strings.TrimSpace(o.Name); name != "" && (strings.TrimSpace(o.Code) != "" || strings.TrimSpace(string(o.ID)) != "") {
		return name
	}
	return o.Key()
}

// customPrefix starts the status of an order in one of the company's own
// statuses: a real order dump (ffers/cetwer12 prom_dict.py) has status
// "custom-137639" with status_name «Підтверджено», and the Swagger enum
// quoted by a live-verified integration is
// pending/received/delivered/canceled/draft/paid/custom-{id}.
const customPrefix = "custom-"

// CustomStatus is the status orders carry for custom status id.
func CustomStatus(id string) string { return customPrefix + id }

// CustomStatusID returns the id of a custom status ("custom-137639" →
// 137639), the custom_status_id set_status takes for it.
func CustomStatusID(status string) (int64, bool) {
	rest, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(status)), customPrefix)
	if !ok || !isDigits(rest) {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ErrorBody is what Prom sends with non-2xx answers, as clients read it
// (e.g. dimagord/mcp-prom-ua src/services/PromApiClient.ts); the official
// Error schema is not public.
type ErrorBody struct {
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
}

// TimeLayout is the layout of the list filters (date_from, last_modified_from…); values are UTC.
const TimeLayout = "2006-01-02T15:04:05"

// SetStatusRequest is the body of POST /orders/set_status (see
// evo-company/company-api-example php/api_php_example.php).
// cancellation_reason and cancellation_text go only with status canceled;
// custom_status_id replaces status in newer API versions.
type SetStatusRequest struct {
	IDs                []int64 `json:"ids"`
	Status             string  `json:"status,omitempty"`
	CustomStatusID     int64   `json:"custom_status_id,omitempty"`
	CancellationReason string  `json:"cancellation_reason,omitempty"`
	CancellationText   string  `json:"cancellation_text,omitempty"`
}

// SetStatusResponse is set_status's answer. It comes with HTTP 200 even
// when nothing was done: only processed_ids says what changed.
type SetStatusResponse struct {
	ProcessedIDs    []int64            `json:"processed_ids"`
	NotProcessedIDs []int64            `json:"not_processed_ids,omitempty"`
	Errors          map[string]Message `json:"errors,omitempty"`
}

// SaveDeclarationRequest is the body of POST /delivery/save_declaration_id;
// the waybill lands in delivery_provider_data.declaration_number.
type SaveDeclarationRequest struct {
	OrderID       int64  `json:"order_id"`
	DeclarationID string `json:"declaration_id"`
	DeliveryType  string `json:"delivery_type"`
}

// StatusResponse is {"status":"success"}; some POSTs answer 200 with
// "status":"error" and a message instead.
type StatusResponse struct {
	Status string `json:"status"`
	ErrorBody
}

// ProductEdit is one item of POST /products/edit_by_external_id: ID
// is the seller's external id. Unset fields are left alone; QuantityInStock
// is a pointer so that 0 is still sent.
type ProductEdit struct {
	ID              string `json:"id"`
	Presence        string `json:"presence,omitempty"`
	QuantityInStock *int64 `json:"quantity_in_stock,omitempty"`
}

// EditResponse is the answer of the product edits: what was applied and,
// by id, what was refused.
type EditResponse struct {
	ProcessedIDs []FlexID           `json:"processed_ids"`
	Errors       map[string]Message `json:"errors,omitempty"`
}

// FlexID is an id Prom may write as a number or a string.
type FlexID string

// UnmarshalJSON accepts 123 and "123".
func (id *FlexID) UnmarshalJSON(b []byte) error {
	s, err := jsonText(b)
	*id = FlexID(s)
	return err
}

// Message is an error entry whose shape is not published: a string is
// kept as it is, anything else as its compact JSON.
type Message string

// UnmarshalJSON accepts any JSON value.
func (m *Message) UnmarshalJSON(b []byte) error {
	s, err := jsonText(b)
	*m = Message(s)
	return err
}

// jsonText is a JSON string's value, or any other value's compact JSON.
func jsonText(b []byte) (string, error) {
	var s string
	if json.Unmarshal(b, &s) == nil {
		return s, nil
	}
	var buf bytes.Buffer
	err := json.Compact(&buf, b)
	return buf.String(), err
}

// StatusCanceled is the wire spelling; the schema text spells "cancelled",
// so NormalizeStatus maps one onto the other.
const StatusCanceled = "canceled"

// NormalizeStatus returns the wire spelling of a status.
func NormalizeStatus(s string) string {
	if s == "cancelled" {
		return StatusCanceled
	}
	return s
}

// CancellationReasons are set_status's cancellation reasons (both
// published sets: the official one in
// evo-company/company-api-example php/api_php_example.php, and the newer
// one with payment_not_received); true marks those that need cancellation_text.
var CancellationReasons = map[string]bool{
	"not_available": false, "price_changed": true, "buyers_request": false, "not_enough_fields": true,
	"duplicate": false, "invalid_phone_number": false, "less_than_minimal_price": false, "another": true,
	"payment_not_received": false, "no_product_variants": false,
}

// DeliveryTypes are the carriers save_declaration_id takes.
var DeliveryTypes = []string{"nova_poshta", "ukrposhta", "meest", "justin"}
