package prom

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/sandbox/kit/fake"
)

// Date layouts of generated orders: the documented ISO form with offset and
// microseconds, and the bare form some data carries.
const (
	isoLayout     = "2006-01-02T15:04:05.000000-07:00"
	compactLayout = "2006-01-02 15:04:05"
)

// Generator streams: each item of each store draws from its own
// fake.Rand, so stores generate in parallel and reproducibly.
const (
	streamCatalog = iota + 1
	streamOrders
	streamAdded
	streamStock
)

// catalogItem is one product the store sells.
type catalogItem struct {
	id       int64
	external string
	sku      string
	name     string
	unit     string
	weighed  bool
	priceKop int64
}

func newCatalog(seed int64, store int) []catalogItem {
	r := fake.Rand(seed, store, streamCatalog, 0)
	items := make([]catalogItem, 300)
	for i := range items {
		g := goods[r.IntN(len(goods))]
		nm := g.name
		if v := variants[r.IntN(len(variants))]; v != "" {
			nm += ", " + v
		}
		price := (g.minUAH + r.Int64N(g.maxUAH-g.minUAH+1)) * 100
		if r.IntN(5) < 2 {
			price += []int64{50, 90, 99, 25, 10}[r.IntN(5)]
		}
		if g.weighed && price%2 != 0 {
			price++ // half a kilo of an odd price would need half a kopeck
		}
		ext := fake.SellerSKU(store, i)
		sku := ext
		if r.IntN(4) == 0 {
			sku = fmt.Sprintf("A%06d", r.IntN(1_000_000))
		}
		items[i] = catalogItem{
			id: int64(1_000_000*(store+1) + i + 1), external: ext, sku: sku,
			name: nm, unit: g.unit, weighed: g.weighed, priceKop: price,
		}
	}
	return items
}

func recipient(p fake.Person) *wire.Person {
	return &wire.Person{FirstName: p.First, LastName: p.Last, SecondName: p.Patronymic, Phone: p.Phone()}
}

var (
	statusWeights = []string{"pending", "received", "delivered", "canceled", "paid", "draft"}
	sourceList    = []string{"portal", "company_site", "mobile_app", "company_cabinet", "bigl"}
	providerTypes = []string{"W2W", "W2D", "D2W", "D2D"}
)

// genOrder builds one realistic order. created and modified are already
// chosen by the caller; style decides how this order writes money and dates.
func genOrder(r *rand.Rand, catalog []catalogItem, id int64, created, modified time.Time) *record {
	rec := &record{compact: r.IntN(100) < 3}
	style := styleHryvnia
	if r.IntN(10) < 3 {
		style = stylePlain
	}
	status := statusWeights[fake.Weighted(r, 15, 25, 35, 12, 8, 5)]
	source := sourceList[fake.Weighted(r, 45, 20, 20, 10, 5)]
	buyer := fake.NewPerson(r)
	o := wire.Order{
		ID:               id,
		ClientFirstName:  buyer.First,
		ClientSecondName: buyer.Patronymic,
		ClientLastName:   buyer.Last,
		ClientID:         int64(5_000_000 + r.IntN(4_000_000)),
		Phone:            buyer.Phone(),
		Status:           status,
		StatusName:       statusNames[status],
		Source:           source,
		// Only some buyers ask not to be called back.
		DontCallCustomerBack: r.IntN(10) == 0,
	}
	if r.IntN(10) < 8 {
		o.Email = buyer.Email(r)
	}
	if r.IntN(100) < 15 {
		o.ClientNotes = fake.Note(r)
	}
	switch n := r.IntN(100); {
	case n < 30:
		o.DeliveryRecipient = recipient(fake.NewPerson(r))
	case n < 65:
		o.DeliveryRecipient = recipient(buyer)
	}

	// CPA commission is what Prom's catalogue charges, so only catalogue sources carry it.
	cpaPct := int64(0)
	if source == "portal" || source == "mobile_app" || source == "bigl" {
		cpaPct = []int64{5, 7, 10, 12}[r.IntN(4)]
	}
	var priceKop, cpaKop int64
	nLines := 1 + fake.Weighted(r, 55, 25, 12, 8)
	used := map[int]bool{}
	for len(o.Products) < nLines {
		ci := r.IntN(len(catalog))
		if used[ci] {
			continue
		}
		used[ci] = true
		it := catalog[ci]
		tenths := int64(10 * (1 + fake.Weighted(r, 70, 20, 10)))
		if it.weighed {
			tenths = []int64{5, 10, 15, 20, 25}[r.IntN(5)]
		}
		total := it.priceKop * tenths / 10 // exact: weighed prices are even
		p := wire.Product{
			ID: it.id, ExternalID: it.external, SKU: it.sku, Name: it.name,
			Quantity:    json.Number(decimalTenths(tenths)),
			MeasureUnit: it.unit,
			Price:       formatMoney(it.priceKop, style),
			TotalPrice:  formatMoney(total, style),
		}
		if cpaPct > 0 {
			c := (total*cpaPct + 50) / 100
			cpaKop += c
			p.CPACommission = &wire.CPACommission{Amount: fake.Amount(c)}
		}
		priceKop += total
		o.Products = append(o.Products, p)
	}
	o.Price = formatMoney(priceKop, style)
	if cpaPct > 0 {
		o.CPACommission = &wire.CPACommission{Amount: fake.Amount(cpaKop), IsRefunded: status == "canceled" && r.IntN(2) == 0}
		if r.IntN(4) == 0 {
			o.ProsaleCommission = &wire.ProsaleCommission{Value: json.Number(fake.Amount(cpaKop * 3 / 2))}
		}
	}
	// Real orders send utm with empty strings when the visit had no tags.
	o.UTM = &wire.UTM{}
	if r.IntN(5) == 0 {
		o.UTM = &wire.UTM{
			Medium:   []string{"cpc", "email", "social"}[r.IntN(3)],
			Source:   []string{"google", "facebook", "instagram", "prom"}[r.IntN(4)],
			Campaign: []string{"summer_sale", "black_friday", "new_arrivals", "retargeting"}[r.IntN(4)],
		}
	}

	deliveryKop := int64(0)
	if r.IntN(10) < 4 {
		deliveryKop = (40 + r.Int64N(90)) * 100
		if r.IntN(3) == 0 {
			deliveryKop += 50
		}
	}
	o.DeliveryCost = json.Number(fake.Amount(deliveryKop))
	o.FullPrice = formatMoney(priceKop+deliveryKop, style)

	dopt := deliveryOptions[fake.Weighted(r, 55, 20, 5, 5, 10, 5)]
	o.DeliveryOption = &wire.Option{ID: dopt.id, Name: dopt.name, ShippingService: dopt.service}
	addr := fake.NewAddress(r)
	door := "м. " + addr.City.Name + ", " + addr.Door()
	switch {
	case dopt.service == "":
		if dopt.id == 105 {
			o.DeliveryAddress = "м. " + addr.City.Name + ", магазин на " + addr.Street + ", 1"
		} else {
			o.DeliveryAddress = door
		}
	case r.IntN(10) == 0:
		// Some carrier deliveries come without provider data at all
		// (delivery_provider_data is null for unsupported carriers).
		o.DeliveryAddress = door
	default:
		pd := &wire.DeliveryProvider{
			Provider:             dopt.service,
			Type:                 providerTypes[fake.Weighted(r, 60, 20, 10, 10)],
			SenderWarehouseID:    fake.UUID(r),
			RecipientWarehouseID: fake.UUID(r),
		}
		if pd.Type[2] == 'W' {
			o.DeliveryAddress = "м. " + addr.City.Name + ", " + addr.BranchName() + ": " + addr.StreetHouse()
		} else {
			o.DeliveryAddress = door
		}
		if status == "delivered" || ((status == "received" || status == "paid") && r.IntN(2) == 0) {
			pd.DeclarationNumber = declarationNumber(r, dopt.service)
		}
		o.DeliveryProviderData = pd
	}

	popt := paymentOptions[fake.Weighted(r, 30, 35, 15, 20)]
	o.PaymentOption = &wire.Option{ID: popt.id, Name: popt.name}
	if popt.name == promPayment {
		ps := "unpaid"
		if status == "paid" || status == "delivered" || (status == "received" && r.IntN(10) < 7) {
			ps = "paid"
		}
		o.PaymentData = &wire.PaymentData{Type: "evopay", Status: ps}
	}
	if status == "canceled" {
		keys := []string{"not_available", "buyers_request", "duplicate", "invalid_phone_number", "price_changed"}
		o.Cancellation = &wire.Cancellation{Title: cancellationReasons[keys[r.IntN(len(keys))]], Initiator: []string{"seller", "buyer"}[r.IntN(2)]}
	}
	if c, ok := customFor(status, id); ok {
		// An accepted order the seller moved on to one of the company's
		// own statuses; everything else stays as for received.
		o.Status, o.StatusName = wire.CustomStatus(strconv.FormatInt(c.id, 10)), c.label
	}
	rec.order = o
	rec.setCreated(created)
	rec.setModified(modified)
	return rec
}

// customFor decides, from the id alone (the generator's random stream
// stays as it was), whether a received order sits in a custom status: one
// in four does.
func customFor(status string, id int64) (customStatus, bool) {
	if status != "received" {
		return customStatus{}, false
	}
	h := uint64(id) * 0x9E3779B97F4A7C15
	h ^= h >> 29
	if h%4 != 0 {
		return customStatus{}, false
	}
	return customStatuses[(h/4)%uint64(len(customStatuses))], true
}

// zeroPad renders n with at least width digits.
func zeroPad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// decimalTenths renders a quantity kept in tenths: 15 → "1.5", 20 → "2".
func decimalTenths(t int64) string {
	if t%10 == 0 {
		return strconv.FormatInt(t/10, 10)
	}
	return strconv.FormatInt(t/10, 10) + "." + strconv.FormatInt(t%10, 10)
}

// declarationNumber returns a TTN in the carrier's usual shape.
func declarationNumber(r *rand.Rand, provider string) string {
	switch provider {
	case "nova_poshta":
		return "20450" + zeroPad(r.IntN(1_000_000_000), 9)
	case "ukrposhta":
		return "05000" + zeroPad(r.IntN(100_000_000), 8)
	default:
		return zeroPad(int(r.Int64N(10_000_000_000)), 10)
	}
}
