// Package epicentr turns one Epicentr Marketplace order, as the merchant API
// sends it (extractors/epicentr.Order), into a canonical order.
package epicentr

import (
	"cmp"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/decode"
	"github.com/kramar/kramar/transforms/money"
	"github.com/kramar/kramar/transforms/order"
)

// Marketplace is the canonical marketplace name, used when the store
// names none.
const Marketplace = "epicentr"

// Currency: Epicentr sells in hryvnias and its orders carry no currency.
const Currency = "UAH"

// ChannelMarketplace: every Epicentr order is placed on the marketplace.
const ChannelMarketplace = "marketplace"

// CancelInitiatorSeller marks cancels and rejections that are the seller's.
const CancelInitiatorSeller = "seller"

// StatusNames are the cabinet's labels. The second group is the other
// spelling one client uses; both are read.
var StatusNames = map[string]string{
	wire.StatusNew:                        "Новий",
	wire.StatusConfirmedByMerchant:        "Підтверджено продавцем",
	wire.StatusConfirmed:                  "Підтверджено",
	wire.StatusSent:                       "Відправлено",
	wire.StatusDelivered:                  "Готовий до видачі",
	wire.StatusCompleted:                  "Завершено",
	wire.StatusClosed:                     "Закрито",
	wire.StatusCanceled:                   "Скасовано",
	wire.StatusCanceledByMerchant:         "Скасовано продавцем",
	wire.StatusReturned:                   "Повернено",
	wire.StatusReturnRequested:            "Запит на повернення",
	wire.StatusCompletedMerchantRejection: "Завершено (відмова)",
	wire.StatusClosedMerchantRejection:    "Закрито (відмова)",

	"confirmed_by_seller": "Підтверджено продавцем",
	"ready_for_pickup":    "Готовий до видачі",
	"finished":            "Завершено",
	"return_request":      "Запит на повернення",
	"canceled_by_seller":  "Скасовано продавцем",
}

// cancels are the statuses whose label is the cancel reason; the seller's
// own are marked as such.
var cancels = map[string]bool{
	wire.StatusCanceled: false, wire.StatusCanceledByMerchant: true, "canceled_by_seller": true,
	wire.StatusCompletedMerchantRejection: true, wire.StatusClosedMerchantRejection: true,
}

// DeliveryNames and PaymentNames label the codes for people and
// for mappings written against a name rather than a code.
var (
	DeliveryNames = map[string]string{
		wire.ProviderNovaPoshta: "Нова Пошта",
		wire.ProviderUkrposhta:  "Укрпошта",
		wire.ProviderMeest:      "Meest",
		wire.ProviderPickup:     "Самовивіз",
		wire.ProviderParcelBox:  "Поштомат Епіцентр",
		wire.ProviderCVZ:        "Доставка Епіцентр",
	}
	PaymentNames = map[string]string{
		wire.PayOnDelivery: "Накладений платіж",
		wire.PayOnPickup:   "Оплата при отриманні",
		wire.PayEasypay:    "EasyPay",
		wire.PayMonobank:   "monobank",
		wire.PayInvoice:    "Рахунок",
	}
)

// paidStatuses are the payment statuses that mean the buyer's money is the
// seller's: held for the order (hold_set), and the forms other code treats
// as prepaid. hold_unset is on every finished order, cash ones too,
// so it says nothing; `payed` is unreliable and never read.
var paidStatuses = map[string]bool{wire.PaymentHoldSet: true, "payed": true, "success": true, "paid": true}

// Transform decodes one raw Epicentr order and maps it to canon.Order. Any
// bad field makes the whole order fail with a *canon.FieldError whose Field
// is a JSON-style path ("subtotal", "items[1].price"); RecordID names the
// record in the reject.
var Transform = decode.Transform(build)

// RecordID reads the order's top-level "id" even from a record that does
// not decode, as long as the id comes before the damage.
func RecordID(raw json.RawMessage) string { return source.PeekID(raw, "id") }

func build(w *wire.Order, store canon.Store) (canon.Order, error) {
	o := store.NewOrder(Marketplace, Currency, ChannelMarketplace)
	if o.ExternalID = strings.TrimSpace(w.ID); o.ExternalID == "" {
		return canon.Order{}, canon.FieldErr("id", "missing")
	}
	// createdAt is ISO 8601, with an offset as observed; the API gives no
	// change time, but one sent later (updatedAt) is used.
	if err := order.Times(&o, "createdAt", w.CreatedAt, w.UpdatedAt); err != nil {
		return canon.Order{}, err
	}
	mapStatus(&o, w, store.Mappings.Status)
	o.BuyerComment = strings.TrimSpace(w.Comment)
	mapPeople(&o, w)
	mapDelivery(&o, w, store.Mappings.Delivery)
	mapPayment(&o, w.Address, store.Mappings.Payment)
	var err error
	if o.Items, err = items(w.Items); err != nil {
		return canon.Order{}, err
	}
	if err := mapMoney(&o, w); err != nil {
		return canon.Order{}, err
	}
	return o, nil
}

func mapStatus(o *canon.Order, w *wire.Order, table map[string]string) {
	// An order without a status still loads, its status empty: the drift
	// check reports the missing field.
	code := strings.TrimSpace(w.StatusCode)
	order.Status(o, table, code, StatusNames[code])
	if bySeller, ok := cancels[code]; ok {
		o.CancelReason = o.StatusName
		if bySeller {
			o.CancelInitiator = CancelInitiatorSeller
		}
	}
}

// ContactsHidden is the manager's comment on a new order whose buyer
// Epicentr does not show yet.
const ContactsHidden = "Контакти покупця Епіцентр приховує, доки замовлення не підтверджене продавцем"

// mapPeople: the buyer is the address's own name; the recipient is
// address.recipient when it names someone (isAlternateRecipient is not
// needed to read it: RecipientComment decides whether it is someone else).
//
// While an order is new, Epicentr hides the buyer's name and phone until
// the seller confirms it (the API reference note beside epicentr_mcp.py of
// a third-party seller toolkit). Such an order loads with empty contacts
// and the comment says why; `new` is an active status, so the next pull
// after the confirmation reads the order again and rewrites it with the
// contacts. A masked value (with '*') counts as hidden.
func mapPeople(o *canon.Order, w *wire.Order) {
	var buyer, recipient order.Party
	if a := w.Address; a != nil {
		buyer = person(a.LastName, a.FirstName, a.Patronymic, a.Phone)
		recipient = buyer
		if r := a.Recipient; r != nil {
			if p := person(r.LastName, r.FirstName, r.Patronymic, r.Phone); p != (order.Party{}) {
				recipient = p
			}
		}
		if e := visible(a.Email); strings.Contains(e, "@") {
			o.BuyerEmail = e
		}
	}
	order.Parties(o, buyer, recipient)
	if o.MarketplaceStatus == wire.StatusNew && buyer.Phone == "" && buyer.LastName+buyer.FirstName == "" {
		o.ManagerComment = canon.JoinNonEmpty("\n", ContactsHidden, o.ManagerComment)
	}
}

// person is a party named in parts, a masked part left out.
func person(last, first, middle, phone string) order.Party {
	return order.Person(visible(last), visible(first), visible(middle), "", visible(phone))
}

// visible is s trimmed, or "" when it is masked.
func visible(s string) string {
	if s = strings.TrimSpace(s); strings.ContainsAny(s, "*•") {
		return ""
	}
	return s
}

// mapDelivery reads the shipment block, which lives inside address.
func mapDelivery(o *canon.Order, w *wire.Order, table map[string]string) {
	var sh wire.Shipment
	if w.Address != nil && w.Address.Shipment != nil {
		sh = *w.Address.Shipment
	}
	code := strings.TrimSpace(sh.Provider)
	order.Delivery(o, table, code, DeliveryNames[code])
	o.DeliveryProvider = code
	o.TTN = strings.Join(strings.Fields(string(sh.Number)), "")
	o.DeliveryAddress = address(w, sh)
}

// address is "city, branch, its address" for a branch, locker or store,
// and "city, street address" for a courier. The city and the branch come
// from the order's settlement and office blocks, top-level or inside
// address. When a block is missing, its id from address.shipment stands in
// ("ID населеного пункту …", "ID відділення …"): the names are only in
// Epicentr's delivery directory (/v3/deliveries/…), which kramar does not
// read.
func address(w *wire.Order, sh wire.Shipment) string {
	settlement, office := w.Settlement, w.Office
	if a := w.Address; a != nil {
		settlement, office = cmp.Or(settlement, a.Settlement), cmp.Or(office, a.Office)
	}
	var city string
	if s := settlement; s != nil {
		city = cmp.Or(strings.TrimSpace(s.Title), strings.TrimSpace(s.City), strings.TrimSpace(s.Name))
	}
	if city == "" {
		city = labelled("ID населеного пункту", string(sh.SettlementID))
	}
	if of := office; of != nil {
		if branch := branchName(of); branch+strings.TrimSpace(of.Address) != "" {
			return place(city, branch, of.Address)
		}
	}
	if strings.TrimSpace(sh.Address) != "" {
		return place(city, sh.Address)
	}
	return place(city, labelled("ID відділення", string(sh.OfficeID)))
}

// branchName is the office's title (or name) with its number when the
// title lacks it: details may send {"title": "Відділення Укрпошти",
// "number": "12"}.
func branchName(of *wire.Office) string {
	name := cmp.Or(strings.TrimSpace(of.Title), strings.TrimSpace(of.Name))
	n := strings.TrimSpace(string(of.Number))
	if n == "" || strings.Contains(name, n) {
		return name
	}
	if name == "" {
		return "№" + n
	}
	return name + " №" + n
}

func labelled(label, id string) string {
	if id = strings.TrimSpace(id); id == "" {
		return ""
	}
	return label + " " + id
}

func mapPayment(o *canon.Order, a *wire.Address, table map[string]string) {
	if a == nil || a.Shipment == nil {
		return
	}
	code := strings.TrimSpace(a.Shipment.PaymentProvider)
	order.Payment(o, table, code, PaymentNames[code])
	o.PaymentStatus = strings.ToLower(strings.TrimSpace(a.Shipment.PaymentStatus))
	o.Paid = paidStatuses[o.PaymentStatus]
}

// mapMoney: subtotal is the goods (the lines' sum when it is missing);
// deliveryPrice is the carrier's price, on top.
func mapMoney(o *canon.Order, w *wire.Order) error {
	amount, set, err := parseAmount("subtotal", w.Subtotal)
	if err != nil {
		return err
	}
	if !set {
		if len(o.Items) == 0 {
			return canon.FieldErr("subtotal", "missing")
		}
		for _, it := range o.Items {
			amount = amount.Add(it.Total)
		}
	}
	var delivery decimal.Decimal
	if w.Address != nil && w.Address.Shipment != nil {
		if delivery, _, err = parseAmount("address.shipment.deliveryPrice", w.Address.Shipment.DeliveryPrice); err != nil {
			return err
		}
	}
	o.Amount, o.DeliveryCost, o.FullAmount = amount, delivery, amount.Add(delivery)
	return nil
}

func items(in []wire.Item) ([]canon.Item, error) {
	out := make([]canon.Item, 0, len(in))
	for i, it := range in {
		at := func(field string) string { return "items[" + strconv.Itoa(i) + "]." + field }
		qty, set, err := parseAmount(at("quantity"), it.Quantity)
		if err != nil {
			return nil, err
		}
		if !set || !qty.IsPositive() {
			return nil, canon.FieldErr(at("quantity"), "must be more than 0")
		}
		price, set, err := parseAmount(at("price"), it.Price)
		if err != nil {
			return nil, err
		}
		if !set {
			return nil, canon.FieldErr(at("price"), "missing")
		}
		if price.IsNegative() {
			return nil, canon.FieldErr(at("price"), "negative")
		}
		sku := wire.ItemArticle(it)
		out = append(out, canon.Item{
			Line:       uint32(i),
			ProductID:  wire.ItemOffer(it),
			ExternalID: sku,
			SKU:        sku,
			Name:       strings.TrimSpace(it.Title),
			Quantity:   qty,
			Price:      price,
			Total:      price.Mul(qty),
		})
	}
	return out, nil
}

// parseAmount reads a number as documented, or a money string as some
// clients meet it; blank is "not set".
func parseAmount(field string, n wire.Number) (decimal.Decimal, bool, error) {
	s := strings.TrimSpace(string(n))
	if s == "" {
		return decimal.Zero, false, nil
	}
	d, err := money.ParseNumber(json.Number(s))
	if err != nil {
		if d, err = money.Parse(s); err != nil {
			return decimal.Zero, false, canon.FieldErr(field, err.Error())
		}
	}
	return d, true, nil
}

// place joins the non-blank parts of an address.
func place(parts ...string) string { return canon.JoinNonEmpty(", ", parts...) }
