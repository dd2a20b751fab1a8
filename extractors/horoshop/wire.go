// Package horoshop is the client of a Horoshop shop's API: POST /api/auth/
// for a token that lives 600 s, then POST /api/<function>/ with the token
// in the JSON body, every answer in a {"status", "response"} envelope.
// wire.go is the one place the Horoshop wire format lives.
//
// The wiki pages cited in this package by name:
//   - API: https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/25296927/API
//   - auth: https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/25296931
//   - orders/get: https://horoshop.atlassian.net/wiki/pages/viewpage.action?pageId=3822321668
//   - Updating Orders: https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183321
//   - Get order statuses: https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183381
//   - Product export: https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183492
package horoshop

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/kramar/kramar/extractors/jsonwire"
)

// Envelope statuses (the set ecomkit-com-ua/horoshop-mcp src/client.ts knows).
const (
	StatusOK                 = "OK"
	StatusEmpty              = "EMPTY" // nothing matched: a success with no data
	StatusWarning            = "WARNING"
	StatusError              = "ERROR"
	StatusException          = "EXCEPTION"
	StatusUnauthorized       = "UNAUTHORIZED"
	StatusAuthorizationError = "AUTHORIZATION_ERROR"
	StatusUndefinedFunction  = "UNDEFINED_FUNCTION"
)

// API paths: every function is /api/<function>/, with the trailing slash
// (wiki API page; ecomkit-com-ua/horoshop-mcp src/client.ts).
const (
	PathAuth          = "/api/auth/"
	PathOrdersGet     = "/api/orders/get/"
	PathOrdersUpdate  = "/api/orders/update/"
	PathOrderStatuses = "/api/orders/get_available_statuses/"
	PathCatalogExport = "/api/catalog/export/"
	PathCatalogImport = "/api/catalog/import/"
	// PathCatalogImportResidues is the older stock call; the wiki marks it
	// outdated and points to catalog/import's residues ("Import of product
	// stock", https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183458).
	PathCatalogImportResidues = "/api/catalog/importResidues/"
)

// TimeLayout is how order times and the from/to filter are written: shop
// (Kyiv) local time without an offset (wiki orders/get).
const TimeLayout = "2006-01-02 15:04:05"

// Envelope is every answer: {"status": …, "response": …}.
type Envelope struct {
	Status   string          `json:"status"`
	Response json.RawMessage `json:"response"`
}

// Message is the response of ERROR/EXCEPTION answers.
type Message struct {
	Message string `json:"message"`
}

// AuthRequest is the body of POST /api/auth/ (wiki auth).
type AuthRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// AuthResponse is the response of a successful auth.
type AuthResponse struct {
	Token string `json:"token"`
}

// OrdersRequest is the body of POST /api/orders/get/ (wiki orders/get),
// without the token the client adds. From and To are inclusive shop-local times;
// Offset works only together with Limit.
type OrdersRequest struct {
	From           string  `json:"from,omitempty"`
	To             string  `json:"to,omitempty"`
	IDs            []int64 `json:"ids,omitempty"`
	Status         IntList `json:"status,omitempty"`
	AdditionalData bool    `json:"additionalData,omitempty"`
	Offset         int     `json:"offset,omitempty"`
	Limit          int     `json:"limit,omitempty"`
}

// OrderList is the response of orders/get.
type OrderList struct {
	Orders []json.RawMessage `json:"orders"`
}

// Order is one order of orders/get (fields as on the wiki's orders/get).
// Money is a JSON number in hryvnias; stat_created is shop-local time.
type Order struct {
	OrderID         int64       `json:"order_id" kramar:"required"`
	User            int64       `json:"user"`
	DeliveryName    string      `json:"delivery_name"` // the recipient's full name in one field
	DeliveryEmail   string      `json:"delivery_email"`
	DeliveryPhone   string      `json:"delivery_phone"` // as typed: "+38 (067) 123-45-67"
	DeliveryCity    string      `json:"delivery_city"`
	DeliveryAddress string      `json:"delivery_address"`
	DeliveryType    *Named      `json:"delivery_type"`
	DeliveryPrice   json.Number `json:"delivery_price"` // not in total_sum; -1 = not calculated
	Comment         string      `json:"comment"`
	PaymentType     *Named      `json:"payment_type"`
	Payed           Flag        `json:"payed"`
	// Paid is the spelling the wiki's "Updating Orders" uses; an order that
	// carries it is read the same as payed.
	Paid *Flag `json:"paid,omitempty"`

	TotalDefault        json.Number `json:"total_default"`               // before order-level discounts
	TotalSum            json.Number `json:"total_sum" kramar:"required"` // Σ lines after every discount, without delivery
	TotalQuantity       json.Number `json:"total_quantity"`
	DiscountPercent     json.Number `json:"discount_percent"`
	DiscountValue       json.Number `json:"discount_value"`
	CouponCode          Text        `json:"coupon_code"`
	CouponPercent       json.Number `json:"coupon_percent"`
	CouponDiscountValue json.Number `json:"coupon_discount_value"`
	CouponType          json.Number `json:"coupon_type"`

	StatStatus           int    `json:"stat_status"`
	StatCreated          string `json:"stat_created" kramar:"required"`
	Currency             string `json:"currency"`
	OrderWithoutCallback Flag   `json:"order_without_callback"`

	Products     []Product     `json:"products"`
	DeliveryData *DeliveryData `json:"delivery_data"`
	Analytics    *Analytics    `json:"analytics,omitempty"`
	// AdditionalData is the legacy Nova Poshta block, CustomerDetails and
	// DropshippingDetails are B2B blocks; their shapes vary, so they stay raw.
	AdditionalData      json.RawMessage `json:"additional_data,omitempty"`
	CustomerDetails     json.RawMessage `json:"customer_details,omitempty"`
	DropshippingDetails json.RawMessage `json:"dropshipping_details,omitempty"`
	// TrackingCode is what orders/update's tracking_code sets ("tracking
	// code for UkrPochta, displayed in orders in user profile", wiki
	// "Updating Orders", https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183321).
	// The documented order fields (the webhook doc lists them as
	// orders/get's) do not include it, nor does the description of orders
	// measured on live stores (IgorShutko/horoshop-mcp
	// docs/tools/orders-public-api.md): read when a shop does send it,
	// never expected.
	TrackingCode Text `json:"tracking_code,omitempty"`
}

// Named is {"id": 42, "title": "Самовивіз"} (delivery_type, payment_type).
type Named struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

// Product is one order line. ArticleForDisplay is the article the shop
// shows buyers, which may be a supplier's ("external") one; Article is the
// shop's own.
type Product struct {
	Title             string      `json:"title"`
	Article           string      `json:"article"`
	ArticleForDisplay string      `json:"article_for_display,omitempty"`
	Price             json.Number `json:"price" kramar:"required"` // unit price, product discounts included
	Quantity          json.Number `json:"quantity" kramar:"required"`
	DiscountMarker    string      `json:"discount_marker,omitempty"`
	TotalPrice        json.Number `json:"total_price"`
	Type              string      `json:"type,omitempty"` // product, gift, gift_parent, set_main, set_item
}

// DeliveryData is the newer delivery block; TNNumber is null until a
// waybill exists (measured, IgorShutko/horoshop-mcp
// docs/tools/orders-public-api.md).
type DeliveryData struct {
	DeliveryOperatorType  string          `json:"deliveryOperatorType,omitempty"`
	TNNumber              *Text           `json:"tnNumber"`
	TNID                  Text            `json:"tnId,omitempty"`
	TNStatusName          string          `json:"tnStatusName,omitempty"`
	TNTrackingUpdateDate  string          `json:"tnTrackingUpdateDate,omitempty"`
	EstimatedDeliveryDate string          `json:"estimatedDeliveryDate,omitempty"`
	OwnTTNPicked          Flag            `json:"ownTTNPicked,omitempty"`
	Departure             json.RawMessage `json:"departure,omitempty"`
	Destination           json.RawMessage `json:"destination,omitempty"`
}

// Analytics holds the UTM tags; utm_campaign may be a JSON number (seen on
// Google Ads orders, IgorShutko/horoshop-mcp docs/tools/orders-public-api.md).
type Analytics struct {
	UTMSource      Text `json:"utm_source"`
	UTMMedium      Text `json:"utm_medium"`
	UTMCampaign    Text `json:"utm_campaign"`
	UTMTerm        Text `json:"utm_term"`
	UTMContent     Text `json:"utm_content"`
	GoogleClientID Text `json:"google_client_id"`
}

// UpdateRequest is the body of POST /api/orders/update/ (wiki "Updating
// Orders").
type UpdateRequest struct {
	Orders []OrderUpdate `json:"orders"`
}

// OrderUpdate changes one order. The payment flag is documented as paid
// (wiki "Updating Orders") and sent by clients as payed
// (ecomkit-com-ua/horoshop-mcp src/tools/orders.ts): SetPaid fills both.
type OrderUpdate struct {
	OrderID         int64  `json:"order_id"`
	Status          int    `json:"status,omitempty"`
	Paid            *int   `json:"paid,omitempty"`
	Payed           *int   `json:"payed,omitempty"`
	TrackingCode    string `json:"tracking_code,omitempty"`
	OwnTrackingCode string `json:"own_tracking_code,omitempty"`
}

// SetPaid sets the payment flag under both of its spellings.
func (u *OrderUpdate) SetPaid(paid bool) {
	v := 0
	if paid {
		v = 1
	}
	u.Paid, u.Payed = &v, &v
}

// UpdateResponse is the response of orders/update: one log entry per order.
type UpdateResponse struct {
	Log []UpdateLog `json:"log"`
}

// UpdateLog is one order's outcome.
type UpdateLog struct {
	OrderID int64  `json:"order_id,omitempty"`
	Status  string `json:"status"`
	LogMessage
}

// LogMessage is the text of a log entry. The wiki's "Updating Orders"
// example names it "messages", its prose "message"; Text() reads either.
type LogMessage struct {
	Message  string `json:"message,omitempty"`
	Messages string `json:"messages,omitempty"`
}

// Text is the message of the entry, whichever key carried it.
func (l LogMessage) Text() string { return cmp.Or(l.Message, l.Messages) }

// StatusList is the response of orders/get_available_statuses: an object
// keyed by the id as a string (wiki "Get order statuses").
type StatusList struct {
	Statuses map[string]OrderStatus `json:"statuses"`
}

// OrderStatus is one status; Title is keyed by site language (ua, ru, en…).
type OrderStatus struct {
	ID           int               `json:"id"`
	Title        map[string]string `json:"title"`
	IsSuccessful Flag              `json:"is_successful"`
}

// CatalogRequest is the body of POST /api/catalog/export/ (wiki "Product
// export").
type CatalogRequest struct {
	Expr   *CatalogExpr `json:"expr,omitempty"`
	Offset int          `json:"offset,omitempty"`
	Limit  int          `json:"limit"`
	// IncludedParams narrows the answer to these fields (the export is
	// heavy: about 1.3–6.9 MB per 100 products with descriptions,
	// IgorShutko/horoshop-mcp docs/tools/catalog-public-api.md). Unknown
	// names are ignored by the shop.
	IncludedParams []string `json:"includedParams,omitempty"`
}

// CatalogExpr filters the export; Article is one article or several.
type CatalogExpr struct {
	Article           StringList `json:"article,omitempty"`
	DisplayInShowcase *int       `json:"display_in_showcase,omitempty"`
}

// CatalogPageMax is the most products catalog/export returns at once
// (wiki "Product export": limit defaults to 500 and is capped there).
const CatalogPageMax = 500

// CatalogList is the response of catalog/export.
type CatalogList struct {
	Products []json.RawMessage `json:"products"`
}

// CatalogProduct is one product of catalog/export (wiki "Product export";
// partial: the API has many more fields). Presence is the reliable availability;
// Quantity reads 0 when warehouse accounting is off. With warehouse
// accounting on, Quantity is the stock the ledger holds and Residues (when
// the shop sends it) splits it per warehouse; its export shape is not
// documented and differs from the import one (IgorShutko/horoshop-mcp
// docs/tools/catalog-public-api.md), so WarehouseStock reads it leniently.
type CatalogProduct struct {
	Article           string          `json:"article"`
	ParentArticle     string          `json:"parent_article,omitempty"`
	ArticleForDisplay string          `json:"article_for_display,omitempty"`
	CreationTime      string          `json:"creation_time,omitempty"`
	Title             Localized       `json:"title"`
	DisplayInShowcase Flag            `json:"display_in_showcase"`
	Price             json.Number     `json:"price" kramar:"required"`
	PriceOld          json.Number     `json:"price_old,omitempty"`
	Discount          json.Number     `json:"discount,omitempty"`
	Presence          Text            `json:"presence"`
	Quantity          json.Number     `json:"quantity,omitempty"`
	Currency          string          `json:"currency,omitempty"`
	Parent            *CatalogParent  `json:"parent,omitempty"`
	Link              string          `json:"link,omitempty"`
	Images            json.RawMessage `json:"images,omitempty"`
	Residues          json.RawMessage `json:"residues,omitempty"`
}

// Stock is the product's quantity as a whole number; ok is false when the
// field is absent or not a whole number.
func (p CatalogProduct) Stock() (n int, ok bool) { return wholeNumber(string(p.Quantity)) }

// WarehouseStock is the product's stock in one warehouse when Residues
// lists it. Accepted shapes (none is documented for the export): a list
// of {"warehouse", "quantity"} objects, or an object keyed by warehouse
// whose values are numbers or {"quantity"} objects.
func (p CatalogProduct) WarehouseStock(warehouse string) (n int, ok bool) {
	if len(p.Residues) == 0 {
		return 0, false
	}
	var list []struct {
		Warehouse Text        `json:"warehouse"`
		Quantity  json.Number `json:"quantity"`
	}
	if json.Unmarshal(p.Residues, &list) == nil {
		for _, r := range list {
			if string(r.Warehouse) == warehouse {
				return wholeNumber(string(r.Quantity))
			}
		}
		return 0, false
	}
	var byName map[string]json.RawMessage
	if json.Unmarshal(p.Residues, &byName) != nil {
		return 0, false
	}
	raw, found := byName[warehouse]
	if !found {
		return 0, false
	}
	var obj struct {
		Quantity json.Number `json:"quantity"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Quantity != "" {
		return wholeNumber(string(obj.Quantity))
	}
	var num json.Number
	if json.Unmarshal(raw, &num) == nil {
		return wholeNumber(string(num))
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return wholeNumber(str)
	}
	return 0, false
}

// wholeNumber reads "5", "5.0" or "5.000" as 5.
func wholeNumber(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if whole, frac, dotted := strings.Cut(s, "."); dotted {
		if strings.Trim(frac, "0") != "" {
			return 0, false
		}
		s = whole
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// ImportBatchMax is the most products one catalog/import call carries:
// larger posts can drop the connection (IgorShutko/horoshop-claude-skill
// references/api_quickref.md keeps imports to 50; a POST over about 130 KB
// aborted in IgorShutko/horoshop-mcp docs/tools/catalog-public-api.md).
const ImportBatchMax = 50

// ImportRequest is the body of POST /api/catalog/import/, an upsert by
// article (IgorShutko/horoshop-claude-skill references/api_quickref.md).
type ImportRequest struct {
	Products []ImportProduct `json:"products"`
}

// ImportProduct updates the product with Article (catalog/import is an
// upsert by article); absent fields stay as they are.
//
// Stock goes in Residues, one entry per warehouse ("Stock goes in
// residues[{warehouse, quantity}] and only works when warehouse tracking is
// on; presence only works when it is off", ecomkit-com-ua/horoshop-mcp
// src/tools/catalog.ts). Quantity is accepted by every shop, answered
// «Товар обновлен», and does not move a warehouse-accounting shop's stock
// (measured: import 5, export still 0; IgorShutko/horoshop-mcp
// docs/tools/catalog-public-api.md). Presence is matched against the shop's
// own availability texts, so it must be one the shop uses. Quantity is a
// pointer because 0 is a value to send.
type ImportProduct struct {
	Article  string    `json:"article"`
	Presence string    `json:"presence,omitempty"`
	Quantity *int      `json:"quantity,omitempty"`
	Residues []Residue `json:"residues,omitempty"`
}

// Residue is a product's stock in one warehouse, as catalog/import and
// catalog/importResidues take it; the main warehouse is "office" in the
// wiki's example ("Import of product stock",
// https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183458).
type Residue struct {
	Warehouse string `json:"warehouse"`
	Quantity  int    `json:"quantity"`
}

// ResidueImport is one product of catalog/importResidues.
type ResidueImport struct {
	Article string `json:"article"`
	Residue
}

// ResidueRequest is the body of catalog/importResidues.
type ResidueRequest struct {
	Products []ResidueImport `json:"products"`
}

// ImportResponse is the response of catalog/import: one log entry per
// product.
type ImportResponse struct {
	Log []ImportLog `json:"log"`
}

// ImportLog is one product's outcome: code 0 is updated, others name the
// problem (6 title required, 11 unknown field, …; the codes of
// IgorShutko/horoshop-claude-skill references/api_quickref.md).
type ImportLog struct {
	Article string `json:"article"`
	Code    Text   `json:"code"`
	Status  string `json:"status"`
	LogMessage
}

// Failed says the product was not changed.
func (l ImportLog) Failed() bool { return l.Status == StatusError }

// CatalogParent is the product's category.
type CatalogParent struct {
	ID    int64     `json:"id"`
	Value Localized `json:"value,omitempty"`
}

// Flag reads the API's booleans in every form seen: true/false, 0/1 and
// "0"/"1"; null is false. It writes 0 or 1, as payed is sent.
type Flag = jsonwire.Flag

// Text is a string the API sometimes sends as a number (utm_campaign,
// tnNumber); null reads as "".
type Text = jsonwire.Text

// IntList is a status filter: one id or several (the wiki's orders/get
// accepts both).
type IntList []int

// UnmarshalJSON accepts 1, "1", [1,2] and ["1","2"].
func (l *IntList) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var raw []json.Number
		if err := json.Unmarshal(data, &raw); err != nil {
			return err
		}
		out := make(IntList, 0, len(raw))
		for _, n := range raw {
			v, err := strconv.Atoi(n.String())
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		*l = out
		return nil
	}
	v, err := strconv.Atoi(string(bytes.Trim(data, `"`)))
	if err != nil {
		return fmt.Errorf("not a status id: %s", data)
	}
	*l = IntList{v}
	return nil
}

// StringList is one string or several (catalog/export's expr.article).
type StringList []string

// UnmarshalJSON accepts "a" and ["a", "b"].
func (l *StringList) UnmarshalJSON(data []byte) error {
	if s, isString, err := jsonwire.String(data); isString || err != nil {
		*l = StringList{s}
		return err
	}
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return err
	}
	*l = list
	return nil
}

// Localized is a title per site language ({"ua": …, "en": …}); a plain
// string is read as the only language, "".
type Localized map[string]string

// UnmarshalJSON accepts an object of strings or one string.
func (l *Localized) UnmarshalJSON(data []byte) error {
	if s, isString, err := jsonwire.String(data); isString || err != nil {
		*l = Localized{"": s}
		return err
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*l = m
	return nil
}

// Best is the title in the first of the shop's languages that has one:
// Ukrainian (ua, uk), then Russian, English, then any.
func (l Localized) Best() string {
	for _, k := range []string{"ua", "uk", "", "ru", "en"} {
		if v := l[k]; v != "" {
			return v
		}
	}
	best := ""
	for k, v := range l { // deterministic: the smallest key with a value
		if v != "" && (best == "" || k < best) {
			best = k
		}
	}
	return l[best]
}
