package epicentr

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/sandbox/kit/fake"
	"github.com/kramar/kramar/transforms/timeconv"
)

// SeedSpan is how far back seeded orders reach before the clock's now.
const SeedSpan = 14 * 24 * time.Hour

// catalogSize is how many offers every store sells.
const catalogSize = 150

// Generator streams: every item of every store draws from its own
// fake.Rand, so stores seed in parallel and reproducibly.
const (
	streamOffers = iota + 1
	streamOrders
	streamAdded
)

// money writes kopecks as Epicentr does: a JSON number, 163.56 or 100.
func money(kop int64) wire.Number { return wire.Number(fake.Amount(kop)) }

// seed fills the catalog and nOrders orders created over SeedSpan before now.
func (s *store) seed(seed int64, nOrders int, now time.Time) {
	for i := range catalogSize {
		r := fake.Rand(seed, s.index, streamOffers, i)
		g := goods[r.IntN(len(goods))]
		o := &Offer{
			SKU:       fake.SellerSKU(s.index, i),
			OfferID:   strconv.Itoa(4_000_000 + s.index*100_000 + i),
			ProductID: strconv.Itoa(2_000_000 + s.index*100_000 + i),
			Title:     g.title + " " + strconv.Itoa(1+i%41),
			Category:  g.category,
			Price:     (g.min + r.Int64N(g.max-g.min+1)) * 100,
			// Cards made from the seller's feed carry its article as
			// productExternalId; cards made by hand do not.
			FromFeed: i%10 < 7,
		}
		o.Availability = fake.Choose(r, []string{wire.InStock, wire.NotAvailable}, []int{9, 1})
		s.offers[o.SKU] = o
		s.skus = append(s.skus, o.SKU)
	}
	s.book.Seed(nOrders, func(i int) *record {
		r := fake.Rand(seed, s.index, streamOrders, i)
		created, _ := fake.Seeded(r, now, SeedSpan, i, nOrders, 1)
		return s.genOrder(r, s.number(i), created.Truncate(time.Second))
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

// phoneOf is p's mobile in one of the shapes buyers type: +380…, 380… or 0….
func phoneOf(r *rand.Rand, p fake.Person) string {
	local := p.Operator + p.Number
	return fake.Choose(r, []string{"+380" + local, "380" + local, "0" + local}, []int{6, 3, 1})
}

// kyivTime writes createdAt: ISO 8601 with Kyiv's offset, some in UTC with
// milliseconds (clients meet both).
func kyivTime(r *rand.Rand, t time.Time) string {
	if r.IntN(8) == 0 {
		return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	}
	return timeconv.FormatKyiv(t, time.RFC3339)
}

// genOrder builds one order created at created.
func (s *store) genOrder(r *rand.Rand, number wire.Text, created time.Time) *record {
	status := fake.Choose(r, statusValues, statusWeights)
	buyer := fake.NewPerson(r)
	buyerPhone := phoneOf(r, buyer)
	o := wire.Order{
		ID:         fake.UUID(r),
		Number:     number,
		CreatedAt:  kyivTime(r, created),
		StatusCode: status,
		Payed:      r.IntN(10) == 0, // unreliable: false even on finished orders
	}
	if r.IntN(6) == 0 {
		o.Comment = fake.Note(r)
	}
	var subtotal int64
	var sold []*Offer
	for range fake.Choose(r, []int{1, 2, 3}, []int{60, 28, 12}) {
		of := s.offers[s.skus[r.IntN(len(s.skus))]]
		qty := fake.Choose(r, []int64{1, 2, 3, 5}, []int{78, 14, 6, 2})
		o.Items = append(o.Items, wire.Item{OfferID: wire.Text(of.OfferID), SKU: of.SKU, Title: of.Title, Quantity: wire.Number(strconv.FormatInt(qty, 10)), Price: money(of.Price)})
		sold = append(sold, of)
		subtotal += of.Price * qty
	}
	o.Subtotal = money(subtotal)

	a := &wire.Address{FirstName: buyer.First, LastName: buyer.Last, Patronymic: buyer.Patronymic, Phone: buyerPhone}
	if r.IntN(10) < 6 {
		a.Email = buyer.Email(r)
	}
	switch n := r.IntN(10); {
	case n < 3: // ~30%: the parcel goes to someone else
		p := fake.NewPerson(r)
		a.IsAlternateRecipient = true
		a.Recipient = &wire.Person{FirstName: p.First, LastName: p.Last, Patronymic: p.Patronymic, Phone: phoneOf(r, p)}
	case n < 6: // the buyer repeated as recipient, phone typed another way
		a.Recipient = &wire.Person{FirstName: buyer.First, LastName: buyer.Last, Phone: "+38" + strings.TrimPrefix(strings.TrimPrefix(buyerPhone, "+38"), "38")}
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
	provider := fake.Choose(r, providers, providerWeights)
	addr := fake.NewAddress(r)
	city := addr.City
	// Settlements and offices are ids of Epicentr's delivery directory:
	// uuids (the swagger's ShipmentInput; the _v6_order of a third-party
	// client's tests).
	sh := &wire.Shipment{Provider: provider, SettlementID: wire.Text(fake.UUID(r))}
	o.Settlement = &wire.Settlement{ID: string(sh.SettlementID), Title: city.Name, Region: city.Region, District: city.District, ExternalID: fake.UUID(r)}
	street := addr.StreetHouse()
	switch {
	case provider == wire.ProviderNovaPoshta && r.IntN(5) == 0: // courier to the door
		sh.Address = addr.Door()
	case provider == wire.ProviderPickup || provider == wire.ProviderCVZ:
		o.Office = &wire.Office{Title: "ТЦ «Епіцентр К» " + city.Name, Address: street, ExternalID: fake.UUID(r)}
	case provider == wire.ProviderParcelBox:
		o.Office = &wire.Office{Title: "Поштомат Епіцентр №" + strconv.Itoa(100+r.IntN(900)), Address: street, ExternalID: fake.UUID(r)}
	default:
		o.Office = &wire.Office{Title: addr.BranchName(), Address: street, ExternalID: fake.UUID(r)}
	}
	if o.Office != nil {
		o.Office.ID = fake.UUID(r)
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
	sh.PaymentProvider = fake.Choose(r, []string{cash, onlinePayments[r.IntN(len(onlinePayments))]}, []int{55, 45})
	online := sh.PaymentProvider != wire.PayOnDelivery && sh.PaymentProvider != wire.PayOnPickup
	switch {
	case finished[o.StatusCode]:
		sh.PaymentStatus = wire.PaymentHoldUnset
	case !online:
		sh.PaymentStatus = wire.PaymentNone
	case cancelled[o.StatusCode] || o.StatusCode == wire.StatusReturned:
		sh.PaymentStatus = fake.Choose(r, []string{wire.PaymentHoldCanceled, wire.PaymentCanceled}, []int{2, 1})
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
		return fake.Waybill(r, fake.Ukrposhta)
	case wire.ProviderMeest:
		return fake.Waybill(r, fake.Meest)
	}
	return fake.Waybill(r, fake.NovaPoshta)
}
