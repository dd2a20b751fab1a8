package epicentr

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/transforms/timeconv"
)

// SeedSpan is how far back seeded orders reach before the clock's now.
const SeedSpan = 14 * 24 * time.Hour

// catalogSize is how many offers every store sells.
const catalogSize = 150

// Generator streams: every item of every store draws from its own source,
// so stores seed in parallel and reproducibly.
const (
	streamOffers uint64 = iota + 1
	streamOrders
	streamAdded
)

func rng(seed int64, store int, stream uint64, item int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed)^uint64(store+1)*0xa0761d6478bd642f, stream<<40|uint64(item)))
}

// pick draws one of values by integer weights.
func pick[T any](r *rand.Rand, values []T, weights []int) T {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	i, n := 0, r.IntN(sum)
	for ; n >= weights[i]; i++ {
		n -= weights[i]
	}
	return values[i]
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func uuid(r *rand.Rand) string {
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), 0x8000|r.IntN(1<<14), r.Int64N(1<<48))
}

// money writes kopecks as Epicentr does: a JSON number, 163.56 or 100.
func money(kop int64) wire.Number { return wire.Number(decimal.New(kop, -2).String()) }

// seed fills the catalog and nOrders orders created over SeedSpan before now.
func (s *store) seed(seed int64, nOrders int, now time.Time) {
	for i := range catalogSize {
		r := rng(seed, s.index, streamOffers, i)
		g := goods[r.IntN(len(goods))]
		o := &Offer{
			SKU:       fmt.Sprintf("EP-%d-%05d", s.index+1, i+1),
			OfferID:   strconv.Itoa(4_000_000 + s.index*100_000 + i),
			ProductID: strconv.Itoa(2_000_000 + s.index*100_000 + i),
			Title:     g.title + " " + strconv.Itoa(1+i%41),
			Category:  g.category,
			Price:     (g.min + r.Int64N(g.max-g.min+1)) * 100,
			// Cards made from the seller's feed carry its article as
			// productExternalId; cards made by hand do not.
			FromFeed: i%10 < 7,
		}
		o.Availability = pick(r, []string{wire.InStock, wire.NotAvailable}, []int{9, 1})
		s.offers[o.SKU] = o
		s.skus = append(s.skus, o.SKU)
	}
	recs := make([]*record, nOrders)
	spacing := max(SeedSpan.Microseconds()/int64(max(nOrders, 1)), 1)
	start := now.Add(-SeedSpan)
	kit.Parallel(nOrders, func(i int) {
		r := rng(seed, s.index, streamOrders, i)
		created := start.Add(time.Duration(int64(i)*spacing+r.Int64N(spacing)) * time.Microsecond).Truncate(time.Second)
		recs[i] = s.genOrder(r, s.number(i), created)
		recs[i].encode()
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range recs {
		s.byID[rec.order.ID] = rec
	}
	s.recs = recs
	slices.SortFunc(s.recs, func(a, b *record) int {
		switch ka, kb := a.key(), b.key(); {
		case ka.less(kb):
			return -1
		case kb.less(ka):
			return 1
		}
		return 0
	})
}

// number is the public number of the store's i-th order.
func (s *store) number(i int) wire.Text {
	return wire.Text(strconv.Itoa(58_000_000 + s.index*1_000_000 + i))
}

// statusMix is how seeded orders spread over statuses.
var (
	statusValues = []string{
		wire.StatusNew, wire.StatusConfirmedByMerchant, wire.StatusConfirmed, wire.StatusSent, wire.StatusDelivered,
		wire.StatusCompleted, wire.StatusClosed, wire.StatusCanceled, wire.StatusCanceledByMerchant, wire.StatusReturned,
		wire.StatusReturnRequested, wire.StatusCompletedMerchantRejection, wire.StatusClosedMerchantRejection,
	}
	statusWeights = []int{10, 3, 8, 10, 6, 33, 9, 8, 4, 3, 2, 1, 2}
	// shipped: statuses in which a carrier's parcel has its waybill.
	shipped = map[string]bool{
		wire.StatusSent: true, wire.StatusDelivered: true, wire.StatusCompleted: true, wire.StatusClosed: true,
		wire.StatusReturned: true, wire.StatusReturnRequested: true, wire.StatusCompletedMerchantRejection: true,
		wire.StatusClosedMerchantRejection: true,
	}
	cancelled = map[string]bool{wire.StatusCanceled: true, wire.StatusCanceledByMerchant: true}
	finished  = map[string]bool{wire.StatusCompleted: true, wire.StatusClosed: true}

	providers       = []string{wire.ProviderNovaPoshta, wire.ProviderUkrposhta, wire.ProviderMeest, wire.ProviderPickup, wire.ProviderParcelBox, wire.ProviderCVZ}
	providerWeights = []int{55, 12, 6, 10, 9, 8}
	onlinePayments  = []string{wire.PayEasypay, wire.PayMonobank, wire.PayInvoice}
)

type person struct{ first, last, middle, phone string }

func newPerson(r *rand.Rand) person {
	p := person{last: familyNames[r.IntN(len(familyNames))]}
	if r.IntN(2) == 0 {
		p.first, p.middle = menNames[r.IntN(len(menNames))], menMiddle[r.IntN(len(menMiddle))]
	} else {
		p.first, p.middle = womenNames[r.IntN(len(womenNames))], womenMiddle[r.IntN(len(womenMiddle))]
	}
	local := operators[r.IntN(len(operators))] + digits(r, 7)
	// Phones arrive in every shape buyers type them.
	p.phone = pick(r, []string{"+380" + local, "380" + local, "0" + local}, []int{6, 3, 1})
	return p
}

// kyivTime writes createdAt: ISO 8601 with Kyiv's offset, some in UTC with
// milliseconds (clients meet both).
func kyivTime(r *rand.Rand, t time.Time) string {
	if r.IntN(8) == 0 {
		return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	}
	return t.In(timeconv.Kyiv).Format(time.RFC3339)
}

// genOrder builds one order created at created.
func (s *store) genOrder(r *rand.Rand, number wire.Text, created time.Time) *record {
	status := pick(r, statusValues, statusWeights)
	buyer := newPerson(r)
	o := wire.Order{
		ID:         uuid(r),
		Number:     number,
		CreatedAt:  kyivTime(r, created),
		StatusCode: status,
		Payed:      r.IntN(10) == 0, // unreliable: false even on finished orders
	}
	if r.IntN(6) == 0 {
		o.Comment = notes[r.IntN(len(notes))]
	}
	var subtotal int64
	var sold []*Offer
	for range pick(r, []int{1, 2, 3}, []int{60, 28, 12}) {
		of := s.offers[s.skus[r.IntN(len(s.skus))]]
		qty := pick(r, []int64{1, 2, 3, 5}, []int{78, 14, 6, 2})
		o.Items = append(o.Items, wire.Item{OfferID: wire.Text(of.OfferID), SKU: of.SKU, Title: of.Title, Quantity: wire.Number(strconv.FormatInt(qty, 10)), Price: money(of.Price)})
		sold = append(sold, of)
		subtotal += of.Price * qty
	}
	o.Subtotal = money(subtotal)

	a := &wire.Address{FirstName: buyer.first, LastName: buyer.last, Patronymic: buyer.middle, Phone: buyer.phone}
	if r.IntN(10) < 6 {
		a.Email = "buyer" + digits(r, 6) + "@example.com"
	}
	switch n := r.IntN(10); {
	case n < 3: // ~30%: the parcel goes to someone else
		p := newPerson(r)
		a.IsAlternateRecipient = true
		a.Recipient = &wire.Person{FirstName: p.first, LastName: p.last, Patronymic: p.middle, Phone: p.phone}
	case n < 6: // the buyer repeated as recipient, phone typed another way
		a.Recipient = &wire.Person{FirstName: buyer.first, LastName: buyer.last, Phone: "+38" + strings.TrimPrefix(strings.TrimPrefix(buyer.phone, "+38"), "38")}
	}
	if a.Recipient == nil {
		// No one else: the block comes with empty fields.
		a.Recipient = &wire.Person{}
	}
	o.Address = a
	s.genShipment(r, &o)
	lineShape(r, &o, sold)
	return &record{order: o}
}

// lineShape fills the lines in one of the two shapes live clients meet:
// most as the swagger's OrderProductsItem (offerId, productId, sku, the
// feed article as productExternalId, image, url, subtotal, measure, ratio),
// a quarter as a live-syncing client types them (offerId, title, image,
// quantity, price and a product block with its categories; no sku, no
// article at all).
func lineShape(r *rand.Rand, o *wire.Order, sold []*Offer) {
	bare := r.IntN(4) == 0
	for i := range o.Items {
		it, of := &o.Items[i], sold[i]
		it.Image = "https://images.sandbox.example/epicentr/" + of.OfferID + ".jpg"
		if bare {
			it.SKU = ""
			it.Product = &wire.Product{ID: wire.Text(of.ProductID), Categories: []wire.ProductCategory{{
				ID: categoryID(of.Category), IsMain: true, Translations: []wire.Translation{{Title: of.Category, LanguageCode: "ua"}},
			}}}
			continue
		}
		it.ProductID = wire.Text(of.ProductID)
		if of.FromFeed {
			it.ProductExternalID = wire.Text(of.SKU)
		}
		it.URL = "https://shop.sandbox.example/epicentr/p/" + of.ProductID
		qty, _ := strconv.ParseInt(string(it.Quantity), 10, 64)
		it.Subtotal = money(of.Price * qty)
		it.Measure, it.Ratio = "шт.", "1"
	}
}

// categoryID is the marketplace's id of a category of goods.
func categoryID(name string) wire.Text {
	return wire.Text(strconv.Itoa(1100 + slices.IndexFunc(goods, func(g good) bool { return g.category == name })))
}

// genShipment fills the delivery, the place and the payment.
func (s *store) genShipment(r *rand.Rand, o *wire.Order) {
	provider := pick(r, providers, providerWeights)
	city := settlements[r.IntN(len(settlements))]
	// Settlements and offices are ids of Epicentr's delivery directory:
	// uuids (the swagger's ShipmentInput; the _v6_order of a third-party
	// client's tests).
	sh := &wire.Shipment{Provider: provider, SettlementID: wire.Text(uuid(r))}
	o.Settlement = &wire.Settlement{ID: string(sh.SettlementID), Title: city[0], Region: city[1], District: city[2], ExternalID: uuid(r)}
	street := streets[r.IntN(len(streets))] + ", " + strconv.Itoa(1+r.IntN(120))
	switch {
	case provider == wire.ProviderNovaPoshta && r.IntN(5) == 0: // courier to the door
		sh.Address = street + ", кв. " + strconv.Itoa(1+r.IntN(200))
	case provider == wire.ProviderPickup || provider == wire.ProviderCVZ:
		o.Office = &wire.Office{Title: "ТЦ «Епіцентр К» " + city[0], Address: street, ExternalID: uuid(r)}
	case provider == wire.ProviderParcelBox:
		o.Office = &wire.Office{Title: "Поштомат Епіцентр №" + strconv.Itoa(100+r.IntN(900)), Address: street, ExternalID: uuid(r)}
	default:
		n := strconv.Itoa(1 + r.IntN(300))
		o.Office = &wire.Office{Title: "Відділення №" + n, Address: street, ExternalID: uuid(r)}
	}
	if o.Office != nil {
		o.Office.ID = uuid(r)
		sh.OfficeID = wire.Text(o.Office.ID)
	}
	if _, waybill := waybillProviders[provider]; waybill {
		if r.IntN(3) > 0 {
			sh.DeliveryPrice = money(int64(50+r.IntN(90)) * 100)
		}
		if shipped[o.StatusCode] || o.StatusCode == wire.StatusConfirmed && r.IntN(3) == 0 {
			sh.Number = wire.Text(waybillFor(r, provider))
		}
	}
	// Payment, as live orders show it: cash on delivery none, held money
	// hold_set, finished orders hold_unset.
	cash := wire.PayOnDelivery
	if provider == wire.ProviderPickup || provider == wire.ProviderCVZ {
		cash = wire.PayOnPickup
	}
	sh.PaymentProvider = pick(r, []string{cash, onlinePayments[r.IntN(len(onlinePayments))]}, []int{55, 45})
	online := sh.PaymentProvider != wire.PayOnDelivery && sh.PaymentProvider != wire.PayOnPickup
	switch {
	case finished[o.StatusCode]:
		sh.PaymentStatus = wire.PaymentHoldUnset
	case !online:
		sh.PaymentStatus = wire.PaymentNone
	case cancelled[o.StatusCode] || o.StatusCode == wire.StatusReturned:
		sh.PaymentStatus = pick(r, []string{wire.PaymentHoldCanceled, wire.PaymentCanceled}, []int{2, 1})
	case o.StatusCode == wire.StatusNew && r.IntN(4) == 0:
		sh.PaymentStatus = "" // not paid yet
	default:
		sh.PaymentStatus = wire.PaymentHoldSet
	}
	o.Address.Shipment = sh
	// Where the place's names are: mostly in the order's own blocks; in
	// some details inside address; in some not at all, only the ids in
	// address.shipment (the tests of a third-party Epicentr OMS client,
	// test_nested_settlement_and_office_are_supported and
	// test_missing_location_blocks_are_loaded_by_current_exact_endpoints).
	switch n := r.IntN(20); {
	case n >= 17:
		o.Settlement, o.Office = nil, nil
	case n >= 14:
		o.Address.Settlement, o.Address.Office = o.Settlement, o.Office
		o.Settlement, o.Office = nil, nil
	}
}

// waybillFor returns a number shaped like the carrier's (waybillProviders).
func waybillFor(r *rand.Rand, provider string) string {
	switch provider {
	case wire.ProviderUkrposhta:
		return "0500" + digits(r, 9)
	case wire.ProviderMeest:
		return "MV" + digits(r, 10)
	}
	return "20450" + digits(r, 9)
}
