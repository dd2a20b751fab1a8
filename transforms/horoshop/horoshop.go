// Package horoshop turns one Horoshop orders/get order, as the API sends it
// (extractors/horoshop.Order), into a canonical order, and one
// catalog/export product into a canonical product.
package horoshop

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/decode"
	"github.com/kramar/kramar/transforms/money"
	"github.com/kramar/kramar/transforms/order"
)

// Marketplace is the canonical marketplace name, used when the store
// names none.
const Marketplace = "horoshop"

// DefaultCurrency is used when an order names none.
const DefaultCurrency = "UAH"

// Article choices of a store (Options.Article).
const (
	ArticleInternal = "internal" // the shop's own article (default)
	ArticleExternal = "external" // the article shown to buyers, often the supplier's
)

// Payment statuses: Horoshop has only the payed flag.
const (
	PaymentPaid   = "paid"
	PaymentUnpaid = "unpaid"
)

// statusCancelled is built-in status 4, "Не доставлене" (the admin's
// «Отменен», IgorShutko/horoshop-mcp docs/tools/orders-public-api.md).
const statusCancelled = 4

// Options are a Horoshop store's own keys.
type Options struct {
	// SplitNames splits delivery_name into last, first and middle names;
	// off, the whole name goes into the first-name field as typed.
	SplitNames bool `yaml:"split_names"`
	// Article picks the line SKU: ArticleInternal (default) or ArticleExternal.
	Article string `yaml:"article" oneof:"internal,external"`
	// Warehouse is the shop's warehouse that takes the CRM's stock
	// ("office" is the main one) when the shop keeps warehouse accounting;
	// empty: the shop keeps none and stock is written as presence.
	Warehouse string `yaml:"warehouse"`
}

// Transform decodes one raw order and maps it to canon.Order. A bad field
// fails the order with a *canon.FieldError naming it ("total_sum",
// "products[1].price"); RecordID names the record in the reject.
var Transform = decode.Transform(build)

// RecordID reads the order's "order_id" (number or string) even from a
// record that does not decode; "" when there is none.
func RecordID(raw json.RawMessage) string { return source.PeekID(raw, "order_id") }

func build(w *wire.Order, store canon.Store) (canon.Order, error) {
	o := store.NewOrder(Marketplace, currencyOf(w), "")
	opts := canon.OptionsOf[Options](store.Options)
	if w.OrderID <= 0 {
		return canon.Order{}, canon.FieldErr("order_id", "missing")
	}
	o.ExternalID = strconv.FormatInt(w.OrderID, 10)
	// stat_created is "YYYY-MM-DD HH:MM:SS" in shop (Kyiv) local time, as the
	// wiki's orders/get writes it. orders/get carries no modification time
	// (none in the field list of
	// https://horoshop.atlassian.net/wiki/pages/viewpage.action?pageId=3822321668):
	// the change time is the creation time, and the content hash tells
	// changed orders apart.
	if err := order.Times(&o, "stat_created", w.StatCreated, ""); err != nil {
		return canon.Order{}, err
	}

	// An order without a status still loads, its status empty (the drift
	// check reports the field).
	var status string
	if w.StatStatus != 0 {
		status = strconv.Itoa(w.StatStatus)
	}
	order.Status(&o, store.Mappings.Status, status, builtinStatusNames[w.StatStatus])
	if w.StatStatus == statusCancelled {
		o.CancelReason = o.StatusName
	}

	discount, err := mapMoney(&o, w)
	if err != nil {
		return canon.Order{}, err
	}
	mapPeople(&o, w, opts.SplitNames)
	o.ManagerComment = joinLines(o.ManagerComment, discountNote(discount, w))
	mapDelivery(&o, w, store.Mappings.Delivery)
	mapPayment(&o, w, store.Mappings.Payment)
	if a := w.Analytics; a != nil {
		o.UTMSource, o.UTMMedium, o.UTMCampaign = text(a.UTMSource), text(a.UTMMedium), text(a.UTMCampaign)
	}
	if o.Items, err = items(w.Products, opts.Article); err != nil {
		return canon.Order{}, err
	}
	return o, nil
}

// builtinStatusNames are the Ukrainian titles of the built-in statuses,
// the client's (extractors/horoshop.BuiltinStatuses, titled after the wiki's
// get_available_statuses example: 6 is «Надіслане»); a shop's own statuses
// keep an empty name (the reference job lists them).
var builtinStatusNames = func() map[int]string {
	out := map[int]string{}
	for _, s := range wire.BuiltinStatuses() {
		out[s.ID] = wire.Localized(s.Title).Best()
	}
	return out
}()

// mapPeople: delivery_name is the recipient's full name in one field. The
// checkout asks for one contact, so the buyer is the recipient unless a
// B2B order's customer_details names someone else; then the manager
// comment says who receives the parcel.
func mapPeople(o *canon.Order, w *wire.Order, split bool) {
	recipient := person(w.DeliveryName, w.DeliveryPhone, split)
	buyer, email := recipient, strings.TrimSpace(w.DeliveryEmail)
	if c, ok := customerDetails(w.CustomerDetails); ok {
		buyer = person(c.Name, c.Phone, split)
		if e := strings.TrimSpace(c.Email); e != "" {
			email = e
		}
	}
	o.BuyerEmail = email
	o.BuyerComment = strings.TrimSpace(w.Comment)
	order.Parties(o, buyer, recipient)
	o.DontCallBack = bool(w.OrderWithoutCallback)
}

// person reads a name typed in one field: split into its parts, or kept
// whole (spaces tidied) in the first name.
func person(fullName, phone string, split bool) order.Party {
	if split {
		return order.Person("", "", "", fullName, phone)
	}
	return order.Person("", strings.Join(strings.Fields(fullName), " "), "", "", phone)
}

// customer is the part of a B2B order's customer_details the transform
// reads. The block's keys are not documented (the wiki's orders/get page
// names only the block): name, phone and email are assumed, and any other
// shape is ignored.
type customer struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

func customerDetails(raw json.RawMessage) (customer, bool) {
	var c customer
	if len(raw) == 0 || json.Unmarshal(raw, &c) != nil {
		return customer{}, false
	}
	c.Name, c.Phone = strings.TrimSpace(c.Name), strings.TrimSpace(c.Phone)
	return c, c.Name != "" || c.Phone != ""
}

func mapDelivery(o *canon.Order, w *wire.Order, table map[string]string) {
	if d := w.DeliveryType; d != nil {
		order.DeliveryOption(o, table, d.Title, d.ID)
	}
	if d := w.DeliveryData; d != nil {
		o.DeliveryProvider = strings.TrimSpace(d.DeliveryOperatorType)
		if d.TNNumber != nil {
			o.TTN = text(*d.TNNumber)
		}
	}
	// tnNumber is filled by Horoshop's own Nova Poshta integration; a code
	// set through orders/update's tracking_code is not documented to come
	// back, but a shop that returns it says which waybill the seller gave.
	if o.TTN == "" {
		o.TTN = text(w.TrackingCode)
	}
	o.DeliveryAddress = canon.JoinNonEmpty(", ", w.DeliveryCity, w.DeliveryAddress)
}

// mapPayment: the payed flag is the whole payment state; the update API's
// spelling paid is read too.
func mapPayment(o *canon.Order, w *wire.Order, table map[string]string) {
	if p := w.PaymentType; p != nil {
		order.PaymentOption(o, table, p.Title, p.ID)
	}
	o.Paid = bool(w.Payed) || (w.Paid != nil && bool(*w.Paid))
	o.PaymentStatus = PaymentUnpaid
	if o.Paid {
		o.PaymentStatus = PaymentPaid
	}
}

// orderDiscount is the order-level discount (a coupon or the manager's)
// that total_sum already has taken off.
type orderDiscount struct {
	amount decimal.Decimal
	coupon string
	pct    decimal.Decimal
}

// mapMoney: Amount is total_sum, what the buyer pays for the goods after
// every discount and without delivery (measured: Σ products[].total_price,
// IgorShutko/horoshop-mcp docs/tools/orders-public-api.md); delivery_price
// is added for FullAmount (-1 means "not calculated" and counts as 0). Product
// discounts are already in the line prices; the order-level discount is
// total_default − total_sum, which the lines do not show, so it is
// returned for the manager comment. Every money field present is checked.
func mapMoney(o *canon.Order, w *wire.Order) (orderDiscount, error) {
	fields := []struct {
		name string
		n    json.Number
		dst  *decimal.Decimal
	}{
		{"total_sum", w.TotalSum, &o.Amount}, {"delivery_price", w.DeliveryPrice, &o.DeliveryCost},
		{"total_default", w.TotalDefault, nil}, {"discount_value", w.DiscountValue, nil},
		{"coupon_discount_value", w.CouponDiscountValue, nil}, {"coupon_percent", w.CouponPercent, nil},
	}
	vals := make([]decimal.Decimal, len(fields))
	for i, f := range fields {
		v, err := money.ParseNumberField(f.name, f.n)
		if err != nil {
			return orderDiscount{}, err
		}
		vals[i] = v
		if f.dst != nil {
			*f.dst = v
		}
	}
	if strings.TrimSpace(string(w.TotalSum)) == "" {
		return orderDiscount{}, canon.FieldErr("total_sum", "missing")
	}
	if o.Amount.IsNegative() {
		return orderDiscount{}, canon.FieldErr("total_sum", "negative")
	}
	if o.DeliveryCost.IsNegative() {
		o.DeliveryCost = decimal.Zero
	}
	o.FullAmount = o.Amount.Add(o.DeliveryCost)

	d := orderDiscount{coupon: text(w.CouponCode), pct: vals[5]}
	if totalDefault := vals[2]; totalDefault.GreaterThan(o.Amount) {
		d.amount = totalDefault.Sub(o.Amount)
	} else {
		d.amount = vals[3].Add(vals[4]) // no total_default: the parts as given
	}
	return d, nil
}

// discountNote tells the manager about an order-level discount and its
// coupon: canon.Order has no coupon field, and the CRM's order comment is
// where a manager looks for one.
//
//	Знижка на замовлення: 200.00 UAH (купон SPRING10, 25%)
func discountNote(d orderDiscount, w *wire.Order) string {
	if !d.amount.IsPositive() && d.coupon == "" {
		return ""
	}
	note := "Знижка на замовлення: " + d.amount.StringFixed(2) + " " + currencyOf(w)
	if d.coupon != "" {
		c := "купон " + d.coupon
		if d.pct.IsPositive() {
			c += ", " + d.pct.String() + "%"
		}
		note += " (" + c + ")"
	}
	return note
}

func currencyOf(w *wire.Order) string { return canon.FirstNonEmpty(w.Currency, DefaultCurrency) }

func items(products []wire.Product, article string) ([]canon.Item, error) {
	out := make([]canon.Item, 0, len(products))
	for i, p := range products {
		at := func(field string) string { return "products[" + strconv.Itoa(i) + "]." + field }
		internal := strings.TrimSpace(p.Article)
		it := canon.Item{
			Line: uint32(i), Name: strings.TrimSpace(p.Title),
			ProductID: internal, ExternalID: internal, SKU: internal,
		}
		if article == ArticleExternal {
			if ext := strings.TrimSpace(p.ArticleForDisplay); ext != "" {
				it.SKU = ext
			}
		}
		q, err := money.ParseNumber(p.Quantity)
		if err != nil {
			return nil, canon.FieldErr(at("quantity"), err.Error())
		}
		if !q.IsPositive() {
			return nil, canon.FieldErr(at("quantity"), "must be more than 0")
		}
		it.Quantity = q
		if it.Price, err = money.ParseNumber(p.Price); err != nil {
			return nil, canon.FieldErr(at("price"), err.Error())
		}
		if it.Total, err = money.ParseNumberField(at("total_price"), p.TotalPrice); err != nil {
			return nil, err
		}
		if strings.TrimSpace(string(p.TotalPrice)) == "" {
			it.Total = it.Price.Mul(q)
		}
		out = append(out, it)
	}
	return out, nil
}

func text(t wire.Text) string { return strings.TrimSpace(string(t)) }

func joinLines(parts ...string) string { return canon.JoinNonEmpty("\n", parts...) }
