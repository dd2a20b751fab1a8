// Package rozetka turns one Rozetka Seller API order, as the API sends it
// (extractors/rozetka.Order), into a canonical order.
package rozetka

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/decode"
	"github.com/kramar/kramar/transforms/money"
	"github.com/kramar/kramar/transforms/order"
)

// Marketplace is the canonical marketplace name, used when the store
// names none.
const Marketplace = "rozetka"

// Currency: Rozetka sells in hryvnias and its orders carry no currency.
const Currency = "UAH"

// Channels of a Rozetka order: fulfillment orders are stored and shipped by
// Rozetka from its own warehouse; the seller ships every other one.
// canon.Order has no fulfillment flag, and Channel is the field that says
// how the order reached the seller.
const (
	ChannelFulfillment = "fulfillment"
	ChannelMarketplace = "marketplace"
)

// CancelInitiatorBuyer is CancelInitiator for a customer cancel.
const CancelInitiatorBuyer = "buyer"

// CustomerCancelStatuses are the Rozetka status ids (the OrdersStatuses
// model, GERA-OneTeam/Rozetka-API-Seller docs/categories/models.md) that
// mean the buyer called the order off before it was shipped: these get the
// store's CustomerCancelStatus, so the seller sees them apart from the
// cancels that are the seller's or Rozetka's doing.
//
//	45 Скасовано покупцем              40 Клієнт передумав
//	17 Не влаштовують умови оплати      20 Товар не підходить за характеристиками
//	24 Скасування. Не влаштовує доставка 33 Умови доставки не влаштовують
//	37 Передоплата не влаштовує         38 Не влаштовує товар
//
// 17–38 are the reasons the buyer gives for not buying. Left out on
// purpose:
//   - 11 "Не прийшов за замовленням" and 12 "Відмова при отриманні": the
//     parcel was already shipped and is coming back. The CRM status for
//     them must start a return, which the status mapping gives; a
//     "cancelled by the customer" status would hide a parcel in transit.
//   - 30 (reserve expired), 50 (not paid), 51 and 77 (bank refused): the
//     buyer did nothing rather than decided; Rozetka cancels on a timer.
//   - 13, 16, 18, 28, 29, 42, 43, 44, 75: the seller, the call centre or
//     Rozetka cancelled.
var CustomerCancelStatuses = map[int]bool{
	17: true, 20: true, 24: true, 33: true, 37: true, 38: true, 40: true, 45: true,
}

// statusGroupUnsuccessful is status_group 3, "Неуспішні" (order.status_group
// in docs/categories/orders.md).
const statusGroupUnsuccessful = 3

// paidStatus is the one payment status that counts as paid: "hold" is
// money reserved on the card and not yet taken, "part-paid" is not the
// whole sum (GET /payments/payment-statuses in orders.md). PaymentStatus
// keeps the exact state.
const paidStatus = "paid"

// Options are a Rozetka store's own keys.
type Options struct {
	// CustomerCancelStatus is the CRM status of orders the buyer cancelled
	// (CustomerCancelStatuses); empty means the status mapping decides.
	CustomerCancelStatus string `yaml:"customer_cancel_status"`
}

// Transform decodes one raw Rozetka order and maps it to canon.Order.
// Any bad field makes the whole order fail with a *canon.FieldError whose
// Field is a JSON-style path ("amount", "purchases[1].cost"); use RecordID
// to name the record in the reject.
func Transform(raw json.RawMessage, store canon.Store) (canon.Order, error) {
	var w wire.Order
	if err := decode.Into(raw, &w); err != nil {
		return canon.Order{}, err
	}
	return build(&w, raw, store)
}

// RecordID reads the order's top-level "id" (number or string) even from a
// record that does not decode, as long as the id comes before the damage:
// Rozetka sends it first. It returns "" when there is none.
func RecordID(raw json.RawMessage) string { return source.PeekID(raw, "id") }

func build(w *wire.Order, raw json.RawMessage, store canon.Store) (canon.Order, error) {
	o := store.NewOrder(Marketplace, Currency, ChannelMarketplace)
	if w.ID == 0 {
		return canon.Order{}, canon.FieldErr("id", "missing")
	}
	o.ExternalID = strconv.FormatInt(w.ID, 10)
	if w.IsFulfillment {
		o.Channel = ChannelFulfillment
	}

	// created and changed are "YYYY-MM-DD HH:MM:SS" in Kyiv local time;
	// the apidoc names no zone.
	if err := order.Times(&o, "created", w.Created, w.Changed); err != nil {
		return canon.Order{}, err
	}

	mapStatus(&o, w, store)
	mapPeople(&o, w)
	mapDelivery(&o, w, store.Mappings.Delivery)
	mapPayment(&o, w, store.Mappings.Payment)
	if err := mapMoney(&o, w); err != nil {
		return canon.Order{}, err
	}
	var err error
	if o.Items, err = items(w.Purchases, removedLines(raw, w.Purchases)); err != nil {
		return canon.Order{}, err
	}
	return o, nil
}

func mapStatus(o *canon.Order, w *wire.Order, store canon.Store) {
	// Every order has a status; one without (or unreadable) still loads,
	// its status empty, and the drift check reports the field.
	var status, label string
	if w.Status != 0 {
		status = strconv.Itoa(w.Status)
	}
	group := w.StatusGroup
	if d := w.StatusData; d != nil {
		label = canon.FirstNonEmpty(d.NameUK, d.NameUA, d.Name)
		if group == 0 {
			group = d.StatusGroup
		}
	}
	// The mapping names the status id only: the label is Rozetka's text.
	order.Status(o, store.Mappings.Status, status, label, status)
	if group == statusGroupUnsuccessful {
		o.CancelReason = o.StatusName
	}
	if CustomerCancelStatuses[w.Status] {
		o.CancelInitiator = CancelInitiatorBuyer
		if s := strings.TrimSpace(canon.OptionsOf[Options](store.Options).CustomerCancelStatus); s != "" {
			o.Status = s
		}
	}
}

func mapPeople(o *canon.Order, w *wire.Order) {
	buyer := titled(w.UserTitle, w.UserPhone)
	recipient := buyer
	if r, ok := deliveryRecipient(w.Delivery); ok {
		recipient = r
	} else if r := titled(w.RecipientTitle, w.RecipientPhone); !isEmpty(r) {
		recipient = r // the order-level fields are deprecated yet still sent
	}
	if u := w.User; u != nil {
		o.BuyerEmail = realEmail(u.Email)
	}
	o.BuyerComment = strings.TrimSpace(w.Comment)
	order.Parties(o, buyer, recipient)
	o.DontCallBack = bool(w.CallbackOff)
}

// titled reads a name given in parts, or only as a full name, and a phone.
func titled(t *wire.PersonTitle, phone string) order.Party {
	if t == nil {
		return order.Person("", "", "", "", phone)
	}
	return order.Person(t.LastName, t.FirstName, t.SecondName, t.FullName, phone)
}

// deliveryRecipient is the recipient where the apidoc now puts it, in
// delivery (orders.md); ok is false when the delivery expand is missing
// or names nobody.
func deliveryRecipient(d *wire.Delivery) (order.Party, bool) {
	if d == nil {
		return order.Party{}, false
	}
	p := order.Person(d.RecipientLastName, d.RecipientFirstName, d.RecipientSecondName, d.RecipientTitle, d.RecipientPhone)
	return p, !isEmpty(p)
}

func isEmpty(p order.Party) bool { return p == order.Party{} }

// realEmail drops the "true" Rozetka writes when the buyer merely has an
// address and anything else that is not an address.
func realEmail(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "@") {
		return ""
	}
	return s
}

func mapDelivery(o *canon.Order, w *wire.Order, table map[string]string) {
	o.TTN = strings.TrimSpace(string(w.TTN))
	if c := w.Carrier; o.TTN == "" && c != nil {
		// ROZETKA Delivery and Meest parcels: the carrier's waybill (the
		// `carrier` expand, apidoc mirror docs/categories/orders.md L750-755).
		o.TTN = strings.TrimSpace(string(c.CarrierTrackNum))
	}
	d := w.Delivery
	if d == nil { // not expanded
		return
	}
	order.DeliveryOption(o, table, d.DeliveryServiceName, d.DeliveryServiceID)
	o.DeliveryProvider = strings.TrimSpace(d.NameLogo)
	o.DeliveryAddress = address(d)
}

// courier is delivery_method_id 2; 1 is pickup at a branch (orders.md L5160).
const courier = 2

// address is "city, place": the branch number for a pickup, the street,
// house and flat for a courier or when no branch is given.
func address(d *wire.Delivery) string {
	var city string
	if c := d.City; c != nil {
		city = canon.FirstNonEmpty(c.NameUA, c.Name, c.Title)
	}
	parts := []string{city}
	if n := strings.TrimSpace(string(d.PlaceNumber)); n != "" && d.DeliveryMethodID != courier {
		parts = append(parts, "Відділення №"+n)
	} else {
		parts = append(parts, strings.TrimSpace(d.PlaceStreet), prefixed("буд. ", d.PlaceHouse), prefixed("кв. ", d.PlaceFlat))
	}
	return canon.JoinNonEmpty(", ", parts...)
}

func prefixed(prefix, s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return ""
	}
	return prefix + s
}

func mapPayment(o *canon.Order, w *wire.Order, table map[string]string) {
	p := w.Payment
	if p == nil {
		return
	}
	order.PaymentOption(o, table, p.PaymentMethodName, p.PaymentMethodID)
	if s := p.PaymentStatus; s != nil {
		o.PaymentStatus = strings.ToLower(strings.TrimSpace(s.Name))
	}
	o.Paid = o.PaymentStatus == paidStatus
}

// mapMoney: amount is the goods, cost the goods and delivery; the
// *_with_discount forms are what the buyer pays (orders.md). Every money
// field present is checked, used or not: one bad value means a damaged
// record.
func mapMoney(o *canon.Order, w *wire.Order) error {
	amount, err := preferred("amount_with_discount", string(w.AmountWithDiscount), "amount", string(w.Amount))
	if err != nil {
		return err
	}
	if !amount.set {
		return canon.FieldErr("amount", "missing")
	}
	cost, err := preferred("cost_with_discount", string(w.CostWithDiscount), "cost", string(w.Cost))
	if err != nil {
		return err
	}
	// delivery.cost (only with the delivery expand) is a fallback for the
	// totals: unreadable, it counts as none.
	var listed decimal.Decimal
	if d := w.Delivery; d != nil {
		if v, err := money.ParseField("delivery.cost", string(d.Cost), false); err == nil {
			listed = v
		}
	}

	o.Amount = amount.value
	switch delivery := cost.value.Sub(amount.value); {
	case cost.set && !delivery.IsNegative():
		o.FullAmount, o.DeliveryCost = cost.value, delivery
	case cost.set: // cost below the goods: trust the totals, take delivery as listed
		o.FullAmount, o.DeliveryCost = cost.value, listed
	default: // cost is a base field; never seen missing
		o.FullAmount, o.DeliveryCost = amount.value.Add(listed), listed
	}
	return nil
}

// removedLines tells which purchases were removed while the order was
// edited: those whose status is an explicit 0. A line without a status is
// active: the apidoc's 0.0.0 detail example has lines without one
// (apidoc mirror GERA-OneTeam/Rozetka-API-Seller docs/categories/orders.md
// L1354-1378), and status 0 is "removed" (models.md L2621). The wire type
// reads both as 0, so only then is the record looked at again, for the
// lines that read 0.
func removedLines(raw json.RawMessage, purchases []wire.Purchase) map[int]bool {
	zero := false
	for _, p := range purchases {
		zero = zero || p.Status == 0
	}
	if !zero {
		return nil
	}
	var rec struct {
		Purchases json.RawMessage `json:"purchases"`
	}
	if json.Unmarshal(raw, &rec) != nil {
		return nil // cannot tell: keep every line
	}
	lines := []json.RawMessage{rec.Purchases} // one object read as a list of one
	if p := strings.TrimSpace(string(rec.Purchases)); strings.HasPrefix(p, "[") && json.Unmarshal(rec.Purchases, &lines) != nil {
		return nil
	}
	removed := map[int]bool{}
	for i, line := range lines {
		var l struct {
			Status json.RawMessage `json:"status"`
		}
		if i < len(purchases) && purchases[i].Status == 0 && json.Unmarshal(line, &l) == nil {
			if v := strings.Trim(strings.TrimSpace(string(l.Status)), `"`); v == "0" {
				removed[i] = true
			}
		}
	}
	return removed
}

func items(purchases []wire.Purchase, removed map[int]bool) ([]canon.Item, error) {
	out := make([]canon.Item, 0, len(purchases))
	for i, p := range purchases {
		if removed[i] { // removed while the order was edited
			continue
		}
		at := func(field string) string { return "purchases[" + strconv.Itoa(i) + "]." + field }
		it := canon.Item{
			Line:     uint32(len(out)),
			Name:     strings.TrimSpace(p.ItemName),
			Quantity: decimal.NewFromInt(int64(p.Quantity)),
		}
		if p.ItemID != 0 {
			it.ProductID = strconv.FormatInt(p.ItemID, 10)
		}
		if item := p.Item; item != nil {
			it.ExternalID = strings.TrimSpace(item.PriceOfferID)
			it.SKU = strings.TrimSpace(item.Article)
			if it.Name == "" {
				it.Name = canon.FirstNonEmpty(item.NameUA, item.Name)
			}
		}
		if p.Quantity <= 0 {
			return nil, canon.FieldErr(at("quantity"), "must be more than 0")
		}
		price, err := preferred(at("price_with_discount"), string(p.PriceWithDiscount), at("price"), string(p.Price))
		if err != nil {
			return nil, err
		}
		if !price.set {
			return nil, canon.FieldErr(at("price"), "missing")
		}
		total, err := preferred(at("cost_with_discount"), string(p.CostWithDiscount), at("cost"), string(p.Cost))
		if err != nil {
			return nil, err
		}
		it.Price, it.Total = price.value, total.value
		if !total.set {
			it.Total = price.value.Mul(it.Quantity)
		}
		out = append(out, it)
	}
	return out, nil
}

// sum is a parsed optional money field.
type sum struct {
	value decimal.Decimal
	set   bool
}

// preferred parses both forms of one sum and returns the first one given.
func preferred(field, s, fallbackField, fallback string) (sum, error) {
	var out sum
	for _, f := range [2]struct{ name, s string }{{field, s}, {fallbackField, fallback}} {
		if strings.TrimSpace(f.s) == "" {
			continue
		}
		d, err := money.ParseField(f.name, f.s, false)
		if err != nil {
			return sum{}, err
		}
		if !out.set {
			out = sum{d, true}
		}
	}
	return out, nil
}

// SellerNoteTime reads the created time of a seller_comment entry: Unix
// seconds when it is all digits — the field's description gives
// {"comment":…,"created":1490203200} (apidoc mirror
// docs/categories/orders.md L666), and a number reaches the wire type as
// its digits — otherwise "YYYY-MM-DD HH:MM:SS" in Kyiv time, as every
// example has it (L798). The result is UTC. canon.Order has no place for
// the seller's notes yet; this is the one reader of their times.
func SellerNoteTime(created string) (time.Time, error) {
	s := strings.TrimSpace(created)
	if s != "" && strings.Trim(s, "0123456789") == "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, canon.FieldErr("seller_comment.created", "not a Unix time: "+s)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return order.Time("seller_comment.created", s)
}
