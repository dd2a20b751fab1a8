// Package prom turns one Prom.ua order, as the API sends it
// (extractors/prom.Order), into a canonical order.
package prom

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/decode"
	"github.com/kramar/kramar/transforms/money"
	"github.com/kramar/kramar/transforms/order"
	"github.com/kramar/kramar/transforms/timeconv"
)

// Marketplace is the canonical marketplace name, used when the store
// names none.
const Marketplace = "prom"

// Currency: the Prom order schema has no currency field; Prom.ua sells in
// hryvnias.
const Currency = "UAH"

// Options are a Prom store's own keys.
type Options struct {
	// Language is the language Prom answers in, and so the language of the
	// status and option names the orders carry: "uk" (the default), "ru"
	// or "en".
	Language string `yaml:"language" oneof:"uk,ru,en"`
}

// Transform decodes one raw Prom order and maps it to canon.Order.
// Any bad field makes the whole order fail with a *canon.FieldError whose
// Field is a JSON-style path ("price", "products[1].quantity"); use RecordID
// to name the record in the reject.
var Transform = decode.Transform(build)

// RecordID reads the order's top-level "id" (number or string) even from a
// record that does not decode, as long as the id comes before the damage:
// Prom sends it first. It returns "" when there is none.
func RecordID(raw json.RawMessage) string { return source.PeekID(raw, "id") }

func build(w *wire.Order, store canon.Store) (canon.Order, error) {
	o := store.NewOrder(Marketplace, Currency, strings.TrimSpace(w.Source))
	if w.ID == 0 {
		return canon.Order{}, canon.FieldErr("id", "missing")
	}
	o.ExternalID = strconv.FormatInt(w.ID, 10)

	var err error
	if o.CreatedAt, err = parseTime("date_created", w.DateCreated); err != nil {
		return canon.Order{}, err
	}
	o.ModifiedAt = o.CreatedAt // date_modified is missing from older data
	if strings.TrimSpace(w.DateModified) != "" {
		if o.ModifiedAt, err = parseTime("date_modified", w.DateModified); err != nil {
			return canon.Order{}, err
		}
	}

	mapStatus(&o, w, store.Mappings.Status)
	mapPeople(&o, w)
	mapDelivery(&o, w, store.Mappings.Delivery)
	mapPayment(&o, w, store.Mappings.Payment)
	if w.UTM != nil {
		o.UTMSource, o.UTMMedium, o.UTMCampaign = w.UTM.Source, w.UTM.Medium, w.UTM.Campaign
	}

	if err := mapMoney(&o, w); err != nil {
		return canon.Order{}, err
	}
	if o.Items, err = items(w.Products); err != nil {
		return canon.Order{}, err
	}
	return o, nil
}

// NormalizeStatus lower-cases a Prom status and folds the schema's
// "cancelled" into the wire's "canceled".
func NormalizeStatus(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "cancelled" {
		return "canceled"
	}
	return s
}

func mapStatus(o *canon.Order, w *wire.Order, table map[string]string) {
	status, label := NormalizeStatus(w.Status), strings.TrimSpace(w.StatusName)
	keys := []string{status, w.Status}
	if _, custom := wire.CustomStatusID(status); custom && label != "" {
		// A company's own status arrives as "custom-<id>" with its label in
		// status_name (custom-137639 / «Підтверджено» in a real order,
		// ffers/cetwer12 prom_dict.py): the mapping may name either. The
		// label is the company's own text: the same dump names a base
		// status in Russian («Новый») beside it, so only custom labels are
		// safe to key a mapping on.
		keys = append(keys, label)
	}
	order.Status(o, table, status, label, keys...)
	if c := w.Cancellation; c != nil {
		o.CancelReason, o.CancelInitiator = strings.TrimSpace(c.Title), strings.TrimSpace(c.Initiator)
	}
}

func mapPeople(o *canon.Order, w *wire.Order) {
	buyer := order.Person(w.ClientLastName, w.ClientFirstName, w.ClientSecondName, "", w.Phone)
	recipient := buyer
	if r := w.DeliveryRecipient; r != nil && strings.TrimSpace(r.FirstName+r.LastName+r.SecondName+r.Phone) != "" {
		recipient = order.Person(r.LastName, r.FirstName, r.SecondName, "", r.Phone)
	}
	o.BuyerEmail = strings.TrimSpace(w.Email)
	o.BuyerComment = strings.TrimSpace(w.ClientNotes)
	order.Parties(o, buyer, recipient)
	o.DontCallBack = w.DontCallCustomerBack
}

func mapDelivery(o *canon.Order, w *wire.Order, table map[string]string) {
	if d := w.DeliveryOption; d != nil {
		order.DeliveryOption(o, table, d.Name, d.ID)
	}
	if p := w.DeliveryProviderData; p != nil { // null for carriers Prom does not integrate with
		o.DeliveryProvider = strings.TrimSpace(p.Provider)
		o.TTN = strings.TrimSpace(p.DeclarationNumber)
	}
	o.DeliveryAddress = strings.TrimSpace(w.DeliveryAddress)
}

func mapPayment(o *canon.Order, w *wire.Order, table map[string]string) {
	if p := w.PaymentOption; p != nil {
		order.PaymentOption(o, table, p.Name, p.ID)
	}
	if p := w.PaymentData; p != nil { // present for Prom-Oplata (evopay) only
		o.PaymentStatus = strings.ToLower(strings.TrimSpace(p.Status))
	}
	o.Paid = o.PaymentStatus == "paid" || o.PaymentStatus == "paid_out" || o.MarketplaceStatus == "paid"
}

func mapMoney(o *canon.Order, w *wire.Order) error {
	var err error
	if o.Amount, err = money.ParseField("price", w.Price, true); err != nil {
		return err
	}
	// full_price "may include delivery" and is absent in older data.
	o.FullAmount = o.Amount
	if strings.TrimSpace(w.FullPrice) != "" {
		if o.FullAmount, err = money.ParseField("full_price", w.FullPrice, true); err != nil {
			return err
		}
	}
	if o.DeliveryCost, err = money.ParseNumberField("delivery_cost", w.DeliveryCost); err != nil {
		return err
	}

	if w.CPACommission == nil && w.ProsaleCommission == nil {
		return nil
	}
	r := &canon.Royalty{Currency: Currency, AccruedAt: o.CreatedAt}
	if c := w.CPACommission; c != nil {
		if r.CPAAmount, err = money.ParseField("cpa_commission.amount", c.Amount, false); err != nil {
			return err
		}
		r.CPARefunded = c.IsRefunded
	}
	if p := w.ProsaleCommission; p != nil {
		if r.ProSaleAmount, err = money.ParseNumberField("prosale_commission.value", p.Value); err != nil {
			return err
		}
	}
	// A best guess: Prom publishes no definition of a ProSale order; a
	// positive prosale_commission is the one field-level sign found in real
	// data.
	o.ProSale = r.ProSaleAmount.IsPositive()
	o.Royalty = r
	return nil
}

func items(products []wire.Product) ([]canon.Item, error) {
	out := make([]canon.Item, 0, len(products))
	for i, p := range products {
		at := func(field string) string { return "products[" + strconv.Itoa(i) + "]." + field }
		it := canon.Item{
			Line:       uint32(i),
			ExternalID: strings.TrimSpace(p.ExternalID),
			SKU:        strings.TrimSpace(p.SKU),
			Name:       strings.TrimSpace(p.Name),
			Unit:       strings.TrimSpace(p.MeasureUnit),
		}
		if p.ID != 0 {
			it.ProductID = strconv.FormatInt(p.ID, 10)
		}
		var err error
		if strings.TrimSpace(string(p.Quantity)) == "" {
			return nil, canon.FieldErr(at("quantity"), "missing")
		}
		// Quantity is a float count on the wire: 0.5 kg is real.
		if it.Quantity, err = money.ParseNumberField(at("quantity"), p.Quantity); err != nil {
			return nil, err
		}
		if it.Price, err = money.ParseField(at("price"), p.Price, true); err != nil {
			return nil, err
		}
		it.Total = it.Price.Mul(it.Quantity)
		if strings.TrimSpace(p.TotalPrice) != "" {
			if it.Total, err = money.ParseField(at("total_price"), p.TotalPrice, true); err != nil {
				return nil, err
			}
		}
		if c := p.CPACommission; c != nil {
			if it.Commission, err = money.ParseField(at("cpa_commission.amount"), c.Amount, false); err != nil {
				return nil, err
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// parseTime reads a Prom timestamp: ISO-8601 with an offset, or
// "YYYY-MM-DD HH:MM:SS", which Prom means as UTC.
func parseTime(field, s string) (time.Time, error) { return timeconv.ParseField(field, s, time.UTC) }
