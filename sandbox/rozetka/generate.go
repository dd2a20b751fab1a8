package rozetka

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/sandbox/kit/fake"
	"github.com/kramar/kramar/transforms/timeconv"
)

// Generator streams: each item of each store draws from its own
// fake.Rand, so stores generate in parallel and reproducibly.
const (
	streamGoods = iota + 1
	streamOrders
	streamAdded
)

// statusValues and statusWeights are how seeded orders spread over statuses; cancellations
// include the buyer's own (45, 40).
var (
	statusValues  = []int{stNew, stManager, stPacking, stHandover, stShipped, stDelivering, stAtPickup, stDone, stNotProcessed, stCallBack, stAwaitPayment, 11, 12, stBuyerCancel, stChangedMind, 42, 18, 28, 29, 17, 31}
	statusWeights = []int{8, 6, 7, 4, 5, 6, 4, 32, 1, 2, 2, 2, 2, 5, 4, 3, 3, 1, 1, 1, 1}
)

// hasParcel: statuses in which the order already carries a TTN.
var hasParcel = map[int]bool{stShipped: true, stDelivering: true, stAtPickup: true, stDone: true, stHandover: true, 11: true, 12: true}

// money renders kopecks as Rozetka does: "640.00".
func money(kop int64) wire.NullString { return wire.NullString(fake.Cents(kop)) }

// title is the person as a name block; full_name is "Прізвище Ім'я По батькові".
func title(p fake.Person) *wire.PersonTitle {
	return &wire.PersonTitle{FirstName: p.First, LastName: p.Last, SecondName: p.Patronymic, FullName: p.Full()}
}

// phone is how Rozetka writes numbers: 380671234567.
func phone(p fake.Person) string { return strings.TrimPrefix(p.Phone(), "+") }

// availableTitles name a goods item's `available` (apiitems.md L269).
var availableTitles = map[int]string{0: "Немає в наявності", 1: "В наявності", 2: "Видалено з прайсу"}

// The two sources of a store's catalog (apiitems.md L225-230; the ids are
// made up): most items come from a source whose stock the API sets, as in
// the apidoc example (availability 4, is_virtual_source 0); the last tenth
// of the catalog from a price-list feed that sets their stock itself.
func apiSource(store int) wire.SyncSource {
	return wire.SyncSource{ID: int64(100 + store*10 + 1), Availability: wire.StockByAPI, NewFlowOldPrice: 1}
}

func feedSource(store int) wire.SyncSource {
	return wire.SyncSource{ID: int64(100 + store*10 + 2), Availability: wire.StockByPriceList, NewFlowOldPrice: 1}
}

// genGoods builds item i of a store's catalog; byFeed puts it in the
// price-list source.
func genGoods(r *rand.Rand, store, i int, now time.Time, byFeed bool) wire.GoodsItem {
	base := goodsBase[r.IntN(len(goodsBase))]
	price := base.minUAH + r.Int64N(base.maxUAH-base.minUAH+1)
	rz := int64(100_000_000 + store*10_000_000 + i + 1)
	g := wire.GoodsItem{
		RzItemID:      rz,
		ItemID:        int64(700_000_000 + store*10_000_000 + i + 1),
		PriceOfferID:  fake.SellerSKU(store, i),
		Article:       base.article + "-" + fake.Digits(r, 6),
		Name:          base.name + " " + strconv.Itoa(1+i%97),
		URL:           "https://rozetka.com.ua/ua/p" + strconv.FormatInt(rz, 10) + "/",
		Price:         price,
		StockQuantity: r.IntN(60),
		Available:     fake.Choose(r, []int{1, 0, 2}, []int{85, 12, 3}),
		RzCategory:    &wire.GoodsRef{ID: base.catID, Title: base.cat, TitleUA: base.cat},
		Sold:          r.IntN(500),
		IsFF:          r.IntN(10) == 0,
		CreatedAt:     timeconv.FormatKyiv(now.Add(-time.Duration(r.Int64N(int64(365*24*time.Hour)))), wire.TimeLayout),
		RzSellStatus:  1 + r.IntN(3),
		UploadStatus:  1,
	}
	g.NameUA = g.Name
	src := apiSource(store)
	if byFeed {
		src = feedSource(store)
	}
	g.SyncSourceID, g.SyncSource = src.ID, &src
	if r.IntN(4) == 0 {
		g.PriceOld = price + price/5
	}
	if r.IntN(6) == 0 {
		promo := price - price/10
		g.PricePromo = &promo
	}
	g.AvailableTitle = availableTitles[g.Available]
	// One to three photos, the main one first (photo[] and photo_preview[]
	// are lists: apiitems.md; an item has as many as the seller uploaded).
	n, id := 1+i%3, strconv.FormatInt(rz, 10)
	g.Photo, g.PhotoPreview = make([]string, n), make([]string, n)
	for k := range n {
		name := id + suffix(k) + ".jpg"
		g.Photo[k] = "https://content.rozetka.com.ua/goods/images/original/" + name
		g.PhotoPreview[k] = "https://content.rozetka.com.ua/goods/images/preview/" + name
	}
	return g
}

// suffix tells the k-th photo of an item apart ("" for the main one).
func suffix(k int) string {
	if k == 0 {
		return ""
	}
	return "_" + strconv.Itoa(k+1)
}

// genOrder builds one order; created and changed are chosen by the caller.
func genOrder(r *rand.Rand, catalog []wire.GoodsItem, id int64, created, changed time.Time) *record {
	status := fake.Choose(r, statusValues, statusWeights)
	st := statusByID[status]
	buyer := fake.NewPerson(r)
	o := wire.Order{
		ID:            id,
		Created:       timeconv.FormatKyiv(created, wire.TimeLayout),
		Changed:       timeconv.FormatKyiv(changed, wire.TimeLayout),
		Status:        status,
		StatusGroup:   st.StatusGroup,
		UserPhone:     phone(buyer),
		UserTitle:     title(buyer),
		CreatedType:   fake.Choose(r, []int{4, 1, 3}, []int{90, 4, 6}),
		CallbackOff:   r.IntN(8) == 0,
		IsFulfillment: r.IntN(10) == 0,
		StatusData:    statusData(st),
	}
	if o.IsFulfillment && (status == stNew || status == stManager) {
		o.FFCanApprove = true
	}
	if r.IntN(7) == 0 {
		o.Comment = fake.Note(r)
	}
	o.User = &wire.User{ID: int64(40_000_000 + r.IntN(9_000_000)), ContactFIO: o.UserTitle.FullName}
	if r.IntN(10) < 7 {
		o.User.HasEmail, o.User.Email = true, "true" // the literal string (orders.md L1676-1678)
	}

	// Purchases and money.
	n := 1 + fake.Weighted(r, 65, 25, 10)
	var amount, amountDisc int64
	qty := 0
	for i := range n {
		g := catalog[r.IntN(len(catalog))]
		q := 1 + fake.Weighted(r, 80, 15, 5)
		price := g.Price * 100
		disc := price
		if g.PricePromo != nil {
			disc = *g.PricePromo * 100
		}
		o.Purchases = append(o.Purchases, wire.Purchase{
			ID: id*10 + int64(i), ItemID: g.RzItemID, ItemName: g.NameUA, Quantity: q,
			Price: money(price), PriceWithDiscount: money(disc),
			Cost: money(price * int64(q)), CostWithDiscount: money(disc * int64(q)), Status: 1,
			Item: &wire.PurchaseItem{ID: g.RzItemID, Name: g.Name, NameUA: g.NameUA, Article: g.Article, PriceOfferID: g.PriceOfferID, URL: g.URL},
		})
		amount += price * int64(q)
		amountDisc += disc * int64(q)
		qty += q
	}
	o.TotalQuantity = qty
	o.Amount, o.AmountWithDiscount = money(amount), money(amountDisc)
	o.Cost, o.CostWithDiscount = o.Amount, o.AmountWithDiscount

	// Delivery, with another recipient in ~30% of orders.
	ds := deliveryServices[fake.Weighted(r, 55, 15, 10, 12, 8)]
	rcpt := buyer
	another := r.IntN(10) < 3
	if another {
		rcpt = fake.NewPerson(r)
	}
	addr := fake.NewAddress(r)
	city := addr.City
	d := &wire.Delivery{
		DeliveryServiceID: ds.id, DeliveryServiceName: ds.name, NameLogo: ds.logo, DeliveryMethodID: ds.method,
		RecipientTitle:     title(rcpt).FullName,
		RecipientFirstName: rcpt.First, RecipientLastName: rcpt.Last, RecipientSecondName: rcpt.Patronymic,
		RecipientPhone: phone(rcpt), AnotherRecipient: wire.Bool(another),
		City: &wire.City{ID: cityID(city), Name: city.Name, NameUA: city.Name, Title: city.Name, RegionTitle: city.Region},
	}
	if ds.method == 2 {
		d.PlaceStreet, d.PlaceHouse, d.PlaceFlat = addr.Street, strconv.Itoa(addr.House), strconv.Itoa(addr.Flat)
	} else {
		d.PlaceNumber = wire.NullString(strconv.Itoa(addr.Branch))
	}
	if r.IntN(2) == 0 {
		d.Cost = "0.00"
	}
	o.Delivery = d
	o.RecipientTitle = title(rcpt)
	o.RecipientPhone = phone(rcpt)

	// Payment.
	pm := paymentMethods[fake.Weighted(r, 55, 35, 10)]
	p := &wire.Payment{PaymentMethodID: pm.id, PaymentMethodName: pm.name, PaymentType: pm.typ, PaymentTypeTitle: pm.title}
	cancelled := st.StatusGroup == 3
	var ps *paymentStatus
	switch {
	case pm.typ == "card" && cancelled:
		ps = &payBack
	case pm.typ == "card":
		ps = &payPaid
	case pm.typ == "credit" && status == stDone:
		ps = &payPaid
	case pm.typ == "credit":
		ps = &payHold
	case status == stDone:
		ps = &payPaid
	case status == stAwaitPayment:
		ps = &payUnpaid
	}
	if ps != nil {
		p.PaymentStatus = statusOf(*ps, id, o.Changed, pm.typ == "card")
	}
	o.Payment = p

	rec := &record{order: o}
	switch {
	case hasParcel[status] && ds.logo == rozetkaDelivery:
		// ROZETKA Delivery carries it itself or hands it to Meest; the
		// waybill is the carrier's (see record).
		inner := int64(fake.Choose(r, []int{wire.CarrierRozetkaDelivery, wire.CarrierMeest}, []int{3, 1}))
		c := &wire.Carrier{Carrier: wire.NullString(ds.mdm), CarrierInnerID: &inner, IsCarrierMeest: inner == wire.CarrierMeest}
		if inner == wire.CarrierMeest {
			c.Carrier = "meest-0004"
		}
		c.CarrierTrackNum = wire.NullString(carrierTrackFor(r, inner))
		if status == 11 || status == 12 { // coming back
			c.CarrierReturnTrackNum = wire.NullString(carrierTrackFor(r, inner))
		}
		rec.order.Carrier, rec.order.TTN = c, c.CarrierTrackNum
	case hasParcel[status]:
		rec.order.TTN = wire.NullString(ttnFor(r, ds.id))
	default:
		rec.ttnNull = r.IntN(2) == 0
	}
	// An order of the old shape (lines without status) now and then.
	rec.bareLines = r.IntN(8) == 0
	if r.IntN(5) == 0 {
		rec.order.SellerComment = []wire.SellerNote{{Comment: "Зв'язалися з покупцем", Created: o.Changed, SellerID: 12345, SellerFIO: "Менеджер магазину"}}
		rec.unixNotes = r.IntN(3) == 0
	}
	return rec
}

// statusOf is payment.payment_status of order id, changed at the Kyiv
// wall time at; card payments have an invoice (models.md L2438-2446).
func statusOf(p paymentStatus, id int64, at string, invoice bool) *wire.PaymentStatus {
	s := &wire.PaymentStatus{OrderID: id, StatusPaymentID: p.id, Name: p.name, Title: p.title, Value: p.id, CreatedAt: at}
	if invoice {
		s.PaymentInvoiceID = 500_000_000 + id%100_000_000
	}
	return s
}

// carrierTrackFor returns a waybill of ROZETKA Delivery's own network or of
// Meest. Their formats are not documented; these only look different.
func carrierTrackFor(r *rand.Rand, inner int64) string {
	if inner == wire.CarrierMeest {
		return ttnFor(r, 37)
	}
	return "RZ" + fake.Digits(r, 12)
}

// ttnFor returns a waybill number shaped like the carrier's.
func ttnFor(r *rand.Rand, serviceID int64) string {
	switch serviceID {
	case 4:
		return fake.Waybill(r, fake.Ukrposhta)
	case 37:
		return fake.Waybill(r, fake.Meest)
	default:
		return fake.Waybill(r, fake.NovaPoshta)
	}
}

// cityID is the id of Rozetka's city directory; the sandbox numbers its
// cities from 1.
func cityID(c fake.City) int64 { return int64(slices.Index(fake.Cities, c) + 1) }
