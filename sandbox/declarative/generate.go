package declarative

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	spec "github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/sandbox/kit/fake"
)

// Reference data for the generator.
var (
	goods      = []string{"Чайник електричний 1.7 л", "Навушники бездротові", "Кросівки бігові", "Ковдра вовняна 200×220", "Павербанк 20000 мАг", "Сковорода чавунна 26 см"}
	deliveries = []struct{ name, provider string }{{"Нова Пошта", "nova_poshta"}, {"Укрпошта", "ukrposhta"}, {"Самовивіз", ""}}
	payments   = []string{"Накладений платіж", "Оплата карткою", "Безготівковий розрахунок"}
)

// generate builds one order with 1–3 lines; money has kopecks.
func (s *Sandbox) generate(r *rand.Rand, id string, created, modified time.Time) *Order {
	d, buyer, addr := fake.Pick(r, deliveries), fake.NewPerson(r), fake.NewAddress(r)
	o := &Order{
		ID: id, Status: fake.Pick(r, s.Statuses()), CreatedAt: created, ModifiedAt: modified,
		BuyerLastName: buyer.Last, BuyerFirstName: buyer.First, BuyerMiddleName: buyer.Patronymic,
		BuyerPhone: buyer.Phone(), BuyerEmail: buyer.Email(r),
		Delivery: d.name, DeliveryProvider: d.provider,
		DeliveryAddress: addr.City.Name + ", відділення №" + fmt.Sprint(addr.Branch),
		Payment:         fake.Pick(r, payments),
		Currency:        "UAH",
		Channel:         fake.Pick(r, []string{"site", "mobile_app"}),
		DontCallBack:    r.IntN(5) == 0,
	}
	if r.IntN(3) == 0 {
		o.BuyerComment = "Зателефонуйте, будь ласка, після 18:00"
	}
	if r.IntN(4) == 0 { // the parcel goes to someone else
		p := fake.NewPerson(r)
		o.RecipientLastName, o.RecipientFirstName, o.RecipientMiddleName, o.RecipientPhone = p.Last, p.First, p.Patronymic, p.Phone()
	} else {
		o.RecipientLastName, o.RecipientFirstName, o.RecipientMiddleName, o.RecipientPhone = o.BuyerLastName, o.BuyerFirstName, o.BuyerMiddleName, o.BuyerPhone
	}
	if d.provider != "" && r.IntN(2) == 0 {
		o.TTN = fmt.Sprintf("2045%010d", r.Int64N(10_000_000_000))
	}
	o.Paid = r.IntN(2) == 0
	o.PaymentStatus = "unpaid"
	if o.Paid {
		o.PaymentStatus = "paid"
	}
	if r.IntN(3) == 0 {
		o.UTMSource, o.UTMMedium, o.UTMCampaign = "google", "cpc", "autumn_sale"
	}
	for i := range 1 + r.IntN(3) {
		price := decimal.New(int64(5_000+r.IntN(500_000)), -2)
		qty := decimal.NewFromInt(int64(1 + r.IntN(3)))
		o.Items = append(o.Items, Item{
			ProductID:  fmt.Sprint(1_000_000 + r.IntN(9_000_000)),
			ExternalID: fmt.Sprintf("ART-%04d-%d", r.IntN(10_000), i),
			SKU:        fmt.Sprintf("SKU%06d", r.IntN(1_000_000)),
			Name:       fake.Pick(r, goods),
			Quantity:   qty, Price: price, Total: price.Mul(qty),
		})
		o.Amount = o.Amount.Add(price.Mul(qty))
	}
	if d.provider != "" {
		o.DeliveryCost = decimal.New(int64(5_000+r.IntN(5_000)), -2)
	}
	o.FullAmount = o.Amount.Add(o.DeliveryCost)
	return o
}

// render is the order as the API sends it: every value at the spec's path,
// in the spec's formats.
func (s *Sandbox) render(o *Order) any {
	sp := s.spec
	f := sp.Fields
	var doc any = map[string]any{}
	put := func(p spec.Path, v any) {
		if p.IsSet() && !p.IsRoot() {
			doc = p.Set(doc, v)
		}
	}
	text := func(p spec.Path, v string) {
		if v != "" {
			put(p, v)
		}
	}
	tf := sp.Formats.Time
	money := sp.Formats.FormatMoney
	id := json.Number(o.ID)
	put(sp.Orders.ID, id)
	put(f.ExternalID, id)
	put(f.CreatedAt, timeValue(tf, o.CreatedAt))
	put(f.ModifiedAt, timeValue(tf, o.ModifiedAt))
	put(sp.Orders.ChangedAt, timeValue(tf, o.ModifiedAt))
	put(f.MarketplaceStatus, o.Status)
	text(f.StatusName, o.Status)
	text(f.CancelReason, o.Cancel)
	text(f.Channel, o.Channel)
	name := func(last, first, middle, full spec.Path, l, fi, m string) {
		text(last, l)
		text(first, fi)
		text(middle, m)
		text(full, strings.Join(nonEmpty(l, fi, m), " "))
	}
	name(f.BuyerLastName, f.BuyerFirstName, f.BuyerMiddleName, f.BuyerFullName, o.BuyerLastName, o.BuyerFirstName, o.BuyerMiddleName)
	name(f.RecipientLastName, f.RecipientFirstName, f.RecipientMiddleName, f.RecipientFullName, o.RecipientLastName, o.RecipientFirstName, o.RecipientMiddleName)
	text(f.BuyerPhone, o.BuyerPhone)
	text(f.RecipientPhone, o.RecipientPhone)
	text(f.BuyerEmail, o.BuyerEmail)
	text(f.BuyerComment, o.BuyerComment)
	put(f.DontCallBack, o.DontCallBack)
	text(f.Delivery, o.Delivery)
	text(f.DeliveryProvider, o.DeliveryProvider)
	text(f.DeliveryAddress, o.DeliveryAddress)
	text(f.TTN, o.TTN)
	text(f.Payment, o.Payment)
	text(f.PaymentStatus, o.PaymentStatus)
	put(f.Paid, paidValue(f.PaidValues, o.Paid))
	put(f.Amount, money(o.Amount))
	if o.BrokenAmount != "" {
		put(f.Amount, o.BrokenAmount)
	}
	put(f.FullAmount, money(o.FullAmount))
	put(f.DeliveryCost, money(o.DeliveryCost))
	text(f.Currency, o.Currency)
	text(f.UTMSource, o.UTMSource)
	text(f.UTMMedium, o.UTMMedium)
	text(f.UTMCampaign, o.UTMCampaign)

	lines := make([]any, len(o.Items))
	it := sp.Items.Fields
	for i, item := range o.Items {
		var line any = map[string]any{}
		set := func(p spec.Path, v any) {
			if p.IsSet() && !p.IsRoot() {
				line = p.Set(line, v)
			}
		}
		set(it.ProductID, json.Number(item.ProductID))
		set(it.ExternalID, item.ExternalID)
		set(it.SKU, item.SKU)
		set(it.Name, item.Name)
		set(it.Quantity, json.Number(item.Quantity.String()))
		set(it.Price, money(item.Price))
		set(it.Total, money(item.Total))
		lines[i] = line
	}
	put(sp.Items.Path, lines)
	return doc
}

// timeValue is a unix time as a JSON number, any other layout as text.
func timeValue(tf spec.TimeFormat, t time.Time) any {
	if tf.Numeric() {
		return json.Number(tf.Format(t))
	}
	return tf.Format(t)
}

// paidValue writes the flag as the spec reads it: the first listed paid
// value, or a boolean.
func paidValue(values []string, paid bool) any {
	if len(values) == 0 {
		return paid
	}
	if paid {
		return values[0]
	}
	return "not_paid"
}

func nonEmpty(parts ...string) []string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
