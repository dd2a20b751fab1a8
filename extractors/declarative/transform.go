package declarative

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/mapping"
	"github.com/kramar/kramar/transforms/people"
)

// Transform turns one raw order into a canonical order by the spec's field
// paths. A bad field fails the order with a *canon.FieldError whose Field
// names the spec field and the JSON path: "amount (summary.total)".
func (s *Spec) Transform(raw json.RawMessage, sc canon.Store) (canon.Order, error) {
	doc, err := decodeAny(raw)
	if err != nil {
		return canon.Order{}, &canon.FieldError{Field: "order", Reason: "not JSON: " + err.Error()}
	}
	if _, ok := doc.(map[string]any); !ok {
		return canon.Order{}, &canon.FieldError{Field: "order", Reason: "expected an object, got " + kindOf(doc)}
	}
	r := &reader{doc: doc, spec: s}
	f := &s.Fields
	o := canon.Order{
		Marketplace: sc.Marketplace, Store: sc.Store, OrderType: sc.OrderType, OrderSource: sc.OrderSource,
	}
	idPath := f.ExternalID
	if !idPath.IsSet() {
		idPath = s.Orders.ID
	}
	if o.ExternalID = r.requiredText("external_id", idPath); o.ExternalID == "" && r.err == nil {
		r.fail("external_id", idPath, "missing")
	}
	o.CreatedAt = r.time("created_at", f.CreatedAt, true)
	o.ModifiedAt = r.time("modified_at", f.ModifiedAt, false)
	if o.ModifiedAt.IsZero() {
		o.ModifiedAt = o.CreatedAt
	}

	status := r.text("marketplace_status", f.MarketplaceStatus)
	o.MarketplaceStatus = status
	if v, ok := mapping.Lookup(s.Statuses, status); ok {
		o.MarketplaceStatus = v
	}
	o.StatusName = r.text("status_name", f.StatusName)
	o.Status, _ = mapping.First(sc.Mappings.Status, o.MarketplaceStatus, status)
	o.CancelReason = r.text("cancel_reason", f.CancelReason)
	o.Channel = r.text("channel", f.Channel)

	buyer := r.person("buyer", f.BuyerLastName, f.BuyerFirstName, f.BuyerMiddleName, f.BuyerFullName, f.BuyerPhone)
	recipient := r.person("recipient", f.RecipientLastName, f.RecipientFirstName, f.RecipientMiddleName, f.RecipientFullName, f.RecipientPhone)
	if recipient == (people.Person{}) {
		recipient = buyer
	}
	o.BuyerLastName, o.BuyerFirstName, o.BuyerMiddleName, o.BuyerPhone = buyer.LastName, buyer.FirstName, buyer.MiddleName, buyer.Phone
	o.RecipientLastName, o.RecipientFirstName, o.RecipientMiddleName, o.RecipientPhone = recipient.LastName, recipient.FirstName, recipient.MiddleName, recipient.Phone
	o.ManagerComment = people.RecipientComment(buyer, recipient)
	o.BuyerEmail = r.text("buyer_email", f.BuyerEmail)
	o.BuyerComment = r.text("buyer_comment", f.BuyerComment)
	o.DontCallBack = r.flag(f.DontCallBack, nil)

	o.MarketplaceDelivery = r.text("delivery", f.Delivery)
	o.Delivery, _ = mapping.First(sc.Mappings.Delivery, o.MarketplaceDelivery)
	o.DeliveryProvider = r.text("delivery_provider", f.DeliveryProvider)
	o.DeliveryAddress = r.text("delivery_address", f.DeliveryAddress)
	o.TTN = r.text("ttn", f.TTN)

	o.MarketplacePayment = r.text("payment", f.Payment)
	o.Payment, _ = mapping.First(sc.Mappings.Payment, o.MarketplacePayment)
	o.PaymentStatus = r.text("payment_status", f.PaymentStatus)
	o.Paid = r.flag(f.Paid, f.PaidValues)

	o.Amount = r.money("amount", f.Amount, true)
	o.FullAmount = o.Amount
	if f.FullAmount.IsSet() {
		if v, ok := f.FullAmount.Get(doc); ok && v != "" {
			o.FullAmount = r.money("full_amount", f.FullAmount, false)
		}
	}
	o.DeliveryCost = r.money("delivery_cost", f.DeliveryCost, false)
	if o.Currency = strings.ToUpper(r.text("currency", f.Currency)); o.Currency == "" {
		o.Currency = s.Formats.Currency
	}
	o.UTMSource = r.text("utm_source", f.UTMSource)
	o.UTMMedium = r.text("utm_medium", f.UTMMedium)
	o.UTMCampaign = r.text("utm_campaign", f.UTMCampaign)

	o.Items = r.items()
	if r.err != nil {
		return canon.Order{}, r.err
	}
	return o, nil
}

// reader reads fields of one order and keeps the first error.
type reader struct {
	doc  any
	spec *Spec
	at   string // "" for the order, "items[2]" inside a line
	base string // the JSON path of the line ("goods[2]")
	err  error
}

func (r *reader) fail(field string, p Path, reason string) {
	if r.err != nil {
		return
	}
	name, path := field, p.String()
	if r.at != "" {
		name, path = r.at+"."+field, r.base+"."+path
	}
	r.err = &canon.FieldError{Field: name + " (" + path + ")", Reason: reason}
}

func (r *reader) value(p Path) (any, bool) {
	if !p.IsSet() {
		return nil, false
	}
	return p.Get(r.doc)
}

// text reads a text field; a value that is no text (an object, a list) is
// left empty: the drift check reports it, and the order loads.
func (r *reader) text(field string, p Path) string {
	v, ok := r.value(p)
	if !ok {
		return ""
	}
	s, _ := scalarText(v)
	return strings.TrimSpace(s)
}

// requiredText reads a text field the order cannot do without (its id).
func (r *reader) requiredText(field string, p Path) string {
	v, ok := r.value(p)
	if !ok {
		return ""
	}
	s, err := scalarText(v)
	if err != nil {
		r.fail(field, p, err.Error())
	}
	return strings.TrimSpace(s)
}

func (r *reader) flag(p Path, trueValues []string) bool {
	v, ok := r.value(p)
	return ok && ParseBool(v, trueValues)
}

func (r *reader) time(field string, p Path, required bool) time.Time {
	v, ok := r.value(p)
	if !ok || v == "" {
		if required && p.IsSet() {
			r.fail(field, p, "missing")
		}
		return time.Time{}
	}
	at, err := r.spec.Formats.Time.Parse(v)
	if err != nil && required {
		r.fail(field, p, err.Error())
	}
	return at // an unreadable optional time is left zero (the drift check reports it)
}

func (r *reader) money(field string, p Path, required bool) decimal.Decimal {
	v, ok := r.value(p)
	if !ok {
		if required && p.IsSet() {
			r.fail(field, p, "missing")
		}
		return decimal.Zero
	}
	d, err := r.spec.Formats.ParseMoney(v)
	switch {
	case err != nil && !required:
		return decimal.Zero // empty, or unreadable: reported by the drift check
	case err != nil:
		r.fail(field, p, err.Error())
	}
	return d
}

// person reads the name parts, or splits the full name when they are absent.
func (r *reader) person(who string, last, first, middle, full, phone Path) people.Person {
	p := people.Person{
		LastName:   r.text(who+"_last_name", last),
		FirstName:  r.text(who+"_first_name", first),
		MiddleName: r.text(who+"_middle_name", middle),
		Phone:      people.NormalizePhone(r.text(who+"_phone", phone)),
	}
	if p.LastName+p.FirstName+p.MiddleName == "" {
		p.LastName, p.FirstName, p.MiddleName = people.SplitFullName(r.text(who+"_full_name", full))
	}
	return p
}

func (r *reader) items() []canon.Item {
	is := r.spec.Items
	v, ok := r.value(is.Path)
	if !ok {
		return []canon.Item{}
	}
	list, isList := v.([]any)
	if !isList {
		r.fail("items", is.Path, "expected a list, got "+kindOf(v))
		return nil
	}
	out := make([]canon.Item, 0, len(list))
	for i, line := range list {
		lr := &reader{doc: line, spec: r.spec, at: "items[" + strconv.Itoa(i) + "]", base: fmt.Sprintf("%s[%d]", is.Path, i)}
		if _, ok := line.(map[string]any); !ok {
			lr.fail("line", MustPath("."), "expected an object, got "+kindOf(line))
		}
		f := is.Fields
		it := canon.Item{
			Line:       uint32(i),
			ProductID:  lr.text("product_id", f.ProductID),
			ExternalID: lr.text("external_id", f.ExternalID),
			SKU:        lr.text("sku", f.SKU),
			Name:       lr.text("name", f.Name),
			Quantity:   lr.money("quantity", f.Quantity, true),
			Price:      lr.money("price", f.Price, true),
		}
		it.Total = it.Price.Mul(it.Quantity)
		if tv, ok := lr.value(f.Total); ok && tv != "" {
			it.Total = lr.money("total", f.Total, true)
		}
		if lr.err != nil {
			if r.err == nil {
				r.err = lr.err
			}
			return nil
		}
		out = append(out, it)
	}
	return out
}

// RecordID reads the order id even from a record that does not parse (a
// rejected record must still be named): for broken JSON it looks for the
// id path's last key in the text.
func (s *Spec) RecordID(raw json.RawMessage) string {
	v, found, err := s.Orders.ID.Raw(raw)
	if err == nil {
		if !found {
			return ""
		}
		var str string
		if json.Unmarshal(v, &str) == nil {
			return strings.TrimSpace(str)
		}
		return strings.TrimSpace(string(v))
	}
	key := s.Orders.ID.Last()
	if key == "" {
		return ""
	}
	re := regexp.MustCompile(`"` + regexp.QuoteMeta(key) + `"\s*:\s*"?([0-9A-Za-z_-]+)`)
	if m := re.FindSubmatch(raw); m != nil {
		return string(m[1])
	}
	return ""
}

// Records splits a saved payload — a list answer, a get_order answer or one
// bare order — into orders, for `kramar inspect`.
func (s *Spec) Records(payload []byte) ([]json.RawMessage, error) {
	if _, err := decodeAny(payload); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if v, found, _ := s.Orders.Records.Raw(payload); found && len(s.Orders.Records.steps) > 0 {
		var list []json.RawMessage
		if json.Unmarshal(v, &list) == nil {
			return list, nil
		}
	}
	if g := s.GetOrder; g != nil && g.Record.IsSet() {
		if v, found, _ := g.Record.Raw(payload); found {
			return []json.RawMessage{v}, nil
		}
	}
	var list []json.RawMessage
	if json.Unmarshal(payload, &list) == nil {
		return list, nil
	}
	return []json.RawMessage{payload}, nil
}
