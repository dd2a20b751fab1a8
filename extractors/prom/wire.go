// Package prom is the Prom.ua public API client (my.prom.ua/api/v1): its wire
// types live here and nowhere else; the extractor, the reverse-ETL pusher and
// the sandbox all use them.
package prom

import "encoding/json"

// Order is the wire shape of one Prom order. The published schema has no
// required list (reference rozetka-prom.md §2.9 quirk 5), so every object is a
// pointer or zero-able and the transform decides what is mandatory.
// Money fields are strings such as "1 234,50 грн" (§2.2, low–medium confidence).
type Order struct {
	ID                   int64              `json:"id"`
	DateCreated          string             `json:"date_created"`
	DateModified         string             `json:"date_modified,omitempty"`
	ClientFirstName      string             `json:"client_first_name"`
	ClientSecondName     string             `json:"client_second_name"`
	ClientLastName       string             `json:"client_last_name"`
	ClientID             int64              `json:"client_id,omitempty"`
	ClientNotes          string             `json:"client_notes,omitempty"`
	Email                string             `json:"email,omitempty"`
	Phone                string             `json:"phone"`
	DeliveryRecipient    *Person            `json:"delivery_recipient,omitempty"`
	Products             []Product          `json:"products"`
	Price                string             `json:"price"`
	FullPrice            string             `json:"full_price,omitempty"`
	DeliveryOption       *Option            `json:"delivery_option,omitempty"`
	DeliveryProviderData *DeliveryProvider  `json:"delivery_provider_data"`
	DeliveryAddress      string             `json:"delivery_address,omitempty"`
	DeliveryCost         json.Number        `json:"delivery_cost,omitempty"`
	PaymentOption        *Option            `json:"payment_option,omitempty"`
	PaymentData          *PaymentData       `json:"payment_data"`
	Status               string             `json:"status"`
	StatusName           string             `json:"status_name,omitempty"`
	Source               string             `json:"source,omitempty"`
	CPACommission        *CPACommission     `json:"cpa_commission,omitempty"`
	ProsaleCommission    *ProsaleCommission `json:"prosale_commission,omitempty"`
	UTM                  *UTM               `json:"utm,omitempty"`
	DontCallCustomerBack bool               `json:"dont_call_customer_back"`
	Cancellation         *Cancellation      `json:"cancellation,omitempty"`
}

// Person is the delivery recipient when it is not the buyer.
type Person struct {
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	SecondName string `json:"second_name,omitempty"`
	Phone      string `json:"phone"`
}

// Product is one order line.
type Product struct {
	ID            int64          `json:"id"`
	ExternalID    string         `json:"external_id,omitempty"`
	SKU           string         `json:"sku,omitempty"`
	Name          string         `json:"name"`
	Quantity      json.Number    `json:"quantity"`
	MeasureUnit   string         `json:"measure_unit,omitempty"`
	Price         string         `json:"price"`
	TotalPrice    string         `json:"total_price"`
	CPACommission *CPACommission `json:"cpa_commission,omitempty"`
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
	Type                 string `json:"type,omitempty"`
	SenderWarehouseID    string `json:"sender_warehouse_id,omitempty"`
	RecipientWarehouseID string `json:"recipient_warehouse_id,omitempty"`
	DeclarationNumber    string `json:"declaration_number,omitempty"`
	UnifiedStatus        string `json:"unified_status,omitempty"`
}

// PaymentData is present for Prom-Oplata (evopay) orders.
type PaymentData struct {
	Type           string `json:"type"`
	Status         string `json:"status"` // paid, unpaid, refunded, paid_out
	StatusModified string `json:"status_modified,omitempty"`
}

// CPACommission is Prom's per-order (and per-line) CPA commission.
type CPACommission struct {
	Amount     string `json:"amount"`
	IsRefunded bool   `json:"is_refunded,omitempty"`
}

// ProsaleCommission appears in newer data as {value} (§2.2, medium).
type ProsaleCommission struct {
	Value json.Number `json:"value"`
}

// UTM tags of the visit that produced the order.
type UTM struct {
	Medium   string `json:"medium,omitempty"`
	Source   string `json:"source,omitempty"`
	Campaign string `json:"campaign,omitempty"`
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
// not published (§2.6, low), so it mirrors payment options.
type DeliveryOptionList struct {
	DeliveryOptions []Option `json:"delivery_options"`
}

// ErrorBody is what Prom sends with non-2xx answers (§2.7, low–medium).
type ErrorBody struct {
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
}

// TimeLayout is the layout of the list filters (date_from, last_modified_from…); values are UTC.
const TimeLayout = "2006-01-02T15:04:05"
