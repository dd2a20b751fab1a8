// Package rozetka is the Rozetka Seller API client
// (https://api-seller.rozetka.com.ua): its wire types live here and nowhere
// else; the extractor, the reverse-ETL pusher and the sandbox all use them.
package rozetka

import (
	"encoding/json"
	"fmt"

	"github.com/kramar/kramar/extractors/jsonwire"
)

// Envelope wraps every answer: {"success": true, "content": …} or
// {"success": false, "errors": {...}} — business errors come with HTTP 200.
type Envelope struct {
	Success bool            `json:"success"`
	Content json.RawMessage `json:"content,omitempty"`
	Errors  *Error          `json:"errors,omitempty"`
}

// Error is the MarketError object; the apidoc calls it an array
// (GERA-OneTeam/Rozetka-API-Seller docs/categories/aboutapi.md), observed
// responses send one object.
type Error struct {
	Message     string          `json:"message"`
	Code        int             `json:"code"`
	Description string          `json:"description,omitempty"`
	Details     json.RawMessage `json:"details,omitempty"`
}

func (e *Error) Error() string {
	if e.Description != "" {
		return fmt.Sprintf("rozetka error %d %s: %s", e.Code, e.Message, e.Description)
	}
	return fmt.Sprintf("rozetka error %d %s", e.Code, e.Message)
}

// Meta is the paging block, _meta, of every search.
type Meta struct {
	TotalCount  int `json:"totalCount"`
	PageCount   int `json:"pageCount"`
	CurrentPage int `json:"currentPage"`
	PerPage     int `json:"perPage"`
}

// OrderSearch is the content of GET /orders/search.
type OrderSearch struct {
	Orders []json.RawMessage `json:"orders"`
	Meta   Meta              `json:"_meta"`
}

// Order is the OrderModel with the expands the extractor asks for
// (delivery, purchases, payment, status_data, user, carrier) and the one
// the reverse-ETL asks for (status_available). Money is a decimal
// string; created/changed are Kyiv local time without an offset (the
// apidoc names no zone).
//
// A json tag with omitempty marks a field the API may leave out: the
// expands, and fields a documented example of the Rozetka apidoc mirror
// (GERA-OneTeam/Rozetka-API-Seller docs/categories/orders.md, "1.2 Деталі
// замовлення", the 0.0.0 example at L1298-1396) does not carry. Fields
// tagged kramar:"required" reject the order when their value cannot be
// read, rather than loading it with a zero.
type Order struct {
	ID      int64  `json:"id" kramar:"required"`
	Created string `json:"created" kramar:"required"`
	Changed string `json:"changed,omitempty"`
	// Money is a decimal string in every example, a Number in some model
	// tables: NullString takes both.
	Amount             NullString   `json:"amount" kramar:"required"`
	AmountWithDiscount NullString   `json:"amount_with_discount,omitempty" kramar:"required"`
	Cost               NullString   `json:"cost" kramar:"required"`
	CostWithDiscount   NullString   `json:"cost_with_discount" kramar:"required"`
	Status             int          `json:"status"`
	StatusGroup        int          `json:"status_group,omitempty"`
	Comment            string       `json:"comment"`
	SellerComment      []SellerNote `json:"seller_comment"`
	UserPhone          string       `json:"user_phone"`
	UserTitle          *PersonTitle `json:"user_title,omitempty"`
	// RecipientPhone and RecipientTitle at order level are deprecated
	// (orders.md): they moved into Delivery, yet still arrive.
	RecipientPhone string       `json:"recipient_phone,omitempty"`
	RecipientTitle *PersonTitle `json:"recipient_title,omitempty"`
	// TTN is the seller's waybill. For parcels ROZETKA Delivery or Meest
	// carry, it is empty and the waybill is Carrier.CarrierTrackNum.
	TTN           NullString `json:"ttn"`
	TotalQuantity int        `json:"total_quantity"`
	CreatedType   int        `json:"created_type,omitempty"`
	CallbackOff   Bool       `json:"callback_off"`
	IsFulfillment Bool       `json:"is_fulfillment"`
	FFCanApprove  Bool       `json:"ff_can_approve,omitempty"`

	Delivery   *Delivery   `json:"delivery,omitempty"`
	Purchases  []Purchase  `json:"purchases,omitempty"`
	Payment    *Payment    `json:"payment,omitempty"`
	StatusData *StatusData `json:"status_data,omitempty"`
	User       *User       `json:"user,omitempty"`
	Carrier    *Carrier    `json:"carrier,omitempty"`
	// StatusAvailable is the `status_available` expand: the edges of the
	// transition graph the order may take now (orders.md). Absent (nil)
	// when not expanded, an empty list when the order may go nowhere.
	StatusAvailable []StatusAvailable `json:"status_available,omitempty"`
}

// SellerNote is one entry of the seller's comment history. Created is
// "YYYY-MM-DD HH:MM:SS" (Kyiv) in every example, while the field's
// description gives Unix seconds ({"comment":…,"created":1490203200},
// apidoc mirror docs/categories/orders.md L666 vs L798): the transform's
// SellerNoteTime reads both. Some examples carry no seller_id (L1047-1056).
type SellerNote struct {
	Comment   string `json:"comment"`
	Created   string `json:"created"`
	SellerID  int64  `json:"seller_id,omitempty"`
	SellerFIO string `json:"seller_fio"`
}

// PersonTitle is a name split into parts, with the full form beside them.
type PersonTitle struct {
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	SecondName string `json:"second_name"`
	FullName   string `json:"full_name"`
}

// Delivery is the `delivery` expand: service, recipient and place. The
// recipient's parts, phone and another_recipient are in the model
// (models.md "Delivery") and in no example, so they may be absent.
type Delivery struct {
	DeliveryServiceID   int64      `json:"delivery_service_id"`
	DeliveryServiceName string     `json:"delivery_service_name,omitempty"`
	NameLogo            string     `json:"name_logo,omitempty"` // "octopus" for ROZETKA Delivery
	DeliveryMethodID    int        `json:"delivery_method_id,omitempty"`
	RecipientTitle      string     `json:"recipient_title"`
	RecipientFirstName  string     `json:"recipient_first_name,omitempty"`
	RecipientLastName   string     `json:"recipient_last_name,omitempty"`
	RecipientSecondName string     `json:"recipient_second_name,omitempty"`
	RecipientPhone      string     `json:"recipient_phone,omitempty"`
	AnotherRecipient    Bool       `json:"another_recipient"`
	Email               string     `json:"email,omitempty"`
	PlaceStreet         string     `json:"place_street"`
	PlaceNumber         NullString `json:"place_number"`
	PlaceHouse          string     `json:"place_house"`
	PlaceFlat           string     `json:"place_flat"`
	RefID               string     `json:"ref_id,omitempty"`
	City                *City      `json:"city,omitempty"`
	// Cost is null in some examples (orders.md L1720): not required.
	Cost NullString `json:"cost"`
}

// City of the delivery.
type City struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	NameUA      string `json:"name_ua,omitempty"`
	Title       string `json:"title,omitempty"`
	RegionTitle string `json:"region_title,omitempty"`
}

// Purchase is one order line (`purchases` expand).
type Purchase struct {
	ID                int64      `json:"id"`
	ItemID            int64      `json:"item_id"`
	ItemName          string     `json:"item_name"`
	Quantity          int        `json:"quantity" kramar:"required"`
	Price             NullString `json:"price" kramar:"required"`
	PriceWithDiscount NullString `json:"price_with_discount,omitempty" kramar:"required"`
	Cost              NullString `json:"cost" kramar:"required"`
	CostWithDiscount  NullString `json:"cost_with_discount,omitempty" kramar:"required"`
	// Status: 1 active, 2 returned by the buyer, 0 removed while editing
	// (models.md "Purchase" L2621). The 0.0.0 detail example has lines
	// without it (orders.md L1354-1378): an absent status is an active
	// line, and only an explicit 0 removes one. Both read 0 here; the
	// transform looks at the record to tell them apart.
	Status int           `json:"status,omitempty"`
	Item   *PurchaseItem `json:"item,omitempty"`
}

// PurchaseItem is the catalog item behind a purchase.
type PurchaseItem struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	NameUA       string `json:"name_ua,omitempty"`
	Article      string `json:"article,omitempty"`
	PriceOfferID string `json:"price_offer_id,omitempty"`
	URL          string `json:"url,omitempty"`
}

// Payment is the `payment` expand.
type Payment struct {
	PaymentMethodID   int64          `json:"payment_method_id"`
	PaymentMethodName string         `json:"payment_method_name"`
	PaymentType       string         `json:"payment_type"` // cash, card, credit…
	PaymentTypeTitle  string         `json:"payment_type_title"`
	PaymentStatus     *PaymentStatus `json:"payment_status"`
}

// PaymentStatus is payment.payment_status, the OrderStatusPayment model
// (apidoc mirror docs/categories/models.md L2492-2509, example
// L2438-2446), or null: mostly for card payments.
type PaymentStatus struct {
	OrderID         int64  `json:"order_id"`
	StatusPaymentID int    `json:"status_payment_id"`
	Name            string `json:"name"` // paid, unpaid, hold, expired…
	Title           string `json:"title"`
	// Value is deprecated and unused (models.md L2507).
	Value            int    `json:"value,omitempty"`
	PaymentInvoiceID int64  `json:"payment_invoice_id,omitempty"`
	CreatedAt        string `json:"created_at"` // Kyiv local "2006-01-02 15:04:05"
}

// StatusData is the `status_data` expand. One example has name_ua and no
// status_group (orders.md L1006-1014).
type StatusData struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	NameUK      string `json:"name_uk,omitempty"`
	NameUA      string `json:"name_ua,omitempty"` // an older spelling of name_uk
	NameEN      string `json:"name_en,omitempty"`
	StatusGroup int    `json:"status_group,omitempty"`
}

// User is the buyer's account; Email is the literal "true" when the buyer
// has one and "" otherwise (the example at orders.md L1674-1679).
type User struct {
	ID         int64  `json:"id"`
	HasEmail   Bool   `json:"has_email"`
	ContactFIO string `json:"contact_fio"`
	Email      string `json:"email"`
}

// Carrier is the `carrier` expand, the carrier of a ROZETKA Delivery
// parcel (apidoc mirror docs/categories/orders.md L750-755; every field
// may be null, example L1861-1867). When ROZETKA Delivery or Meest carries
// the parcel, the waybill is CarrierTrackNum and the order's ttn is empty;
// another client reads both as the order's shipments (Pvitaly91/CRMapp
// tests/CheckboxBatchPrinter.Tests/RozetkaOrdersTests.cs).
type Carrier struct {
	Carrier NullString `json:"carrier"` // the carrier's MDM id
	// CarrierInnerID: 1 ROZETKA Delivery, 4 Meest (orders.md L1452).
	CarrierInnerID        *int64     `json:"carrier_inner_id"`
	CarrierTrackNum       NullString `json:"carrier_track_num"`
	CarrierReturnTrackNum NullString `json:"carrier_return_track_num"`
	IsCarrierMeest        Bool       `json:"is_carrier_meest"`
}

// The carriers of Carrier.CarrierInnerID.
const (
	CarrierRozetkaDelivery = 1
	CarrierMeest           = 4
)

// TimeLayout is the layout of dates in bodies and filters; Kyiv local time.
const TimeLayout = "2006-01-02 15:04:05"

// Bool reads true/false, 0/1 and "0"/"1": Rozetka documents booleans and
// sends numbers (callback_off is a Boolean in orders.md and 0 in its
// examples). It writes a JSON bool.
type Bool = jsonwire.Bool

// NullString reads a string that may be null or a bare number ("ttn": null,
// money given as a Number).
type NullString = jsonwire.Text
