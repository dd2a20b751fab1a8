package prom

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	wire "github.com/kramar/kramar/extractors/prom"
)

// Date layouts of generated orders: the documented ISO form with offset and
// microseconds, and the bare form some data carries.
const (
	isoLayout     = "2006-01-02T15:04:05.000000-07:00"
	compactLayout = "2006-01-02 15:04:05"
)

// newRand returns the generator for one item of one store: independent of
// every other item, so stores can be generated in parallel and still be
// reproducible from the seed.
func newRand(seed int64, store, stream, item int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed)^uint64(store)<<48^uint64(stream)<<40, uint64(item)))
}

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
	r := newRand(seed, store, 1, 0)
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
		ext := fmt.Sprintf("SKU-%d-%05d", store+1, i+1)
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

// pick returns an index chosen by weights.
func pick(r *rand.Rand, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

type person struct {
	first, second, last string
	phone, email        string
}

func newPerson(r *rand.Rand) person {
	var first name
	var patr string
	if r.IntN(2) == 0 {
		first, patr = maleFirst[r.IntN(len(maleFirst))], malePatr[r.IntN(len(malePatr))]
	} else {
		first, patr = femaleFirst[r.IntN(len(femaleFirst))], femalePatr[r.IntN(len(femalePatr))]
	}
	last := lastNames[r.IntN(len(lastNames))]
	return person{
		first: first.uk, second: patr, last: last.uk,
		phone: "+380" + phoneCodes[r.IntN(len(phoneCodes))] + zeroPad(r.IntN(10_000_000), 7),
		email: first.lat + "." + last.lat + strconv.Itoa(r.IntN(1000)) + "@" + mailDomains[r.IntN(len(mailDomains))],
	}
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
	status := statusWeights[pick(r, 15, 25, 35, 12, 8, 5)]
	source := sourceList[pick(r, 45, 20, 20, 10, 5)]
	buyer := newPerson(r)
	o := wire.Order{
		ID:               id,
		ClientFirstName:  buyer.first,
		ClientSecondName: buyer.second,
		ClientLastName:   buyer.last,
		ClientID:         int64(5_000_000 + r.IntN(4_000_000)),
		Phone:            buyer.phone,
		Status:           status,
		StatusName:       statusNames[status],
		Source:           source,
		// Only some buyers ask not to be called back.
		DontCallCustomerBack: r.IntN(10) == 0,
	}
	if r.IntN(10) < 8 {
		o.Email = buyer.email
	}
	if r.IntN(100) < 15 {
		o.ClientNotes = clientNotes[r.IntN(len(clientNotes))]
	}
	switch n := r.IntN(100); {
	case n < 30:
		p := newPerson(r)
		o.DeliveryRecipient = &wire.Person{FirstName: p.first, LastName: p.last, SecondName: p.second, Phone: p.phone}
	case n < 65:
		o.DeliveryRecipient = &wire.Person{FirstName: buyer.first, LastName: buyer.last, SecondName: buyer.second, Phone: buyer.phone}
	}

	// CPA commission is what Prom's catalogue charges, so only catalogue sources carry it.
	cpaPct := int64(0)
	if source == "portal" || source == "mobile_app" || source == "bigl" {
		cpaPct = []int64{5, 7, 10, 12}[r.IntN(4)]
	}
	var priceKop, cpaKop int64
	nLines := 1 + pick(r, 55, 25, 12, 8)
	used := map[int]bool{}
	for len(o.Products) < nLines {
		ci := r.IntN(len(catalog))
		if used[ci] {
			continue
		}
		used[ci] = true
		it := catalog[ci]
		tenths := int64(10 * (1 + pick(r, 70, 20, 10)))
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
			p.CPACommission = &wire.CPACommission{Amount: plainAmount(c)}
		}
		priceKop += total
		o.Products = append(o.Products, p)
	}
	o.Price = formatMoney(priceKop, style)
	if cpaPct > 0 {
		o.CPACommission = &wire.CPACommission{Amount: plainAmount(cpaKop), IsRefunded: status == "canceled" && r.IntN(2) == 0}
		if r.IntN(4) == 0 {
			o.ProsaleCommission = &wire.ProsaleCommission{Value: json.Number(plainAmount(cpaKop * 3 / 2))}
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
	o.DeliveryCost = json.Number(plainAmount(deliveryKop))
	o.FullPrice = formatMoney(priceKop+deliveryKop, style)

	dopt := deliveryOptions[pick(r, 55, 20, 5, 5, 10, 5)]
	o.DeliveryOption = &wire.Option{ID: dopt.id, Name: dopt.name, ShippingService: dopt.service}
	city := cities[r.IntN(len(cities))]
	door := "м. " + city + ", " + streets[r.IntN(len(streets))] + ", " + strconv.Itoa(1+r.IntN(120)) + ", кв. " + strconv.Itoa(1+r.IntN(200))
	switch {
	case dopt.service == "":
		if dopt.id == 105 {
			o.DeliveryAddress = "м. " + city + ", магазин на " + streets[r.IntN(len(streets))] + ", 1"
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
			Type:                 providerTypes[pick(r, 60, 20, 10, 10)],
			SenderWarehouseID:    uuid(r),
			RecipientWarehouseID: uuid(r),
		}
		if pd.Type[2] == 'W' {
			o.DeliveryAddress = "м. " + city + ", Відділення №" + strconv.Itoa(1+r.IntN(300)) + ": " + streets[r.IntN(len(streets))] + ", " + strconv.Itoa(1+r.IntN(120))
		} else {
			o.DeliveryAddress = door
		}
		if status == "delivered" || ((status == "received" || status == "paid") && r.IntN(2) == 0) {
			pd.DeclarationNumber = declarationNumber(r, dopt.service)
		}
		o.DeliveryProviderData = pd
	}

	popt := paymentOptions[pick(r, 30, 35, 15, 20)]
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

// uuid renders 128 random bits in the 8-4-4-4-12 form (hand-rolled: this
// runs twice per seeded order and fmt is the slow part of seeding).
func uuid(r *rand.Rand) string {
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], r.Uint64())
	binary.BigEndian.PutUint64(raw[8:], r.Uint64())
	var out [36]byte
	hex.Encode(out[0:8], raw[0:4])
	hex.Encode(out[9:13], raw[4:6])
	hex.Encode(out[14:18], raw[6:8])
	hex.Encode(out[19:23], raw[8:10])
	hex.Encode(out[24:36], raw[10:16])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
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
