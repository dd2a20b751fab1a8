package horoshop

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/fake"
	"github.com/kramar/kramar/transforms/timeconv"
)

// Generator streams: each item of each shop draws from its own
// fake.Rand, so the data depends only on the seed and positions.
const (
	streamProducts = iota + 1
	streamOrders
	streamAdded
)

// Money writes kopecks as the API writes sums: a JSON number in hryvnias
// with no trailing zeros (799, 599.5, 12.25).
func Money(kop int64) json.Number { return json.Number(fake.Amount(kop)) }

// Built-in statuses (wiki "Get order statuses",
// https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183381).
const (
	stNew        = 1
	stProcessing = 2
	stDelivered  = 3
	stCancelled  = 4
	stShipping   = 6
)

// Delivery and payment types of every sandbox shop.
var (
	deliveryTypes = []wire.Named{
		{ID: 11, Title: "Нова Пошта (відділення)"},
		{ID: 12, Title: "Нова Пошта (кур'єр)"},
		{ID: 13, Title: "Укрпошта"},
		{ID: 42, Title: "Самовивіз"},
	}
	paymentTypes = []wire.Named{
		{ID: 21, Title: "Накладений платіж"},
		{ID: 22, Title: OnlinePayment},
		{ID: 13, Title: "Готівкою"},
	}
)

// OnlinePayment is the one payment type paid online: its orders may stay
// unpaid (payed 0) for a while, which a store's hold setting waits for.
const OnlinePayment = "Оплата карткою онлайн"

var (
	catalog = []struct {
		name, cat string
		catID     int64
		min, max  int64 // hryvnias
	}{
		{"Чайник електричний", `Техніка \ Дрібна техніка`, 101, 450, 2200},
		{"Блендер занурювальний", `Техніка \ Дрібна техніка`, 101, 700, 3500},
		{"Футболка бавовняна", "Одяг", 202, 250, 900},
		{"Худі оверсайз", "Одяг", 202, 800, 2600},
		{"Крем для рук", `Краса \ Косметика`, 303, 90, 420},
		{"Набір пензлів", `Краса \ Косметика`, 303, 300, 1500},
		{"Настільна лампа", `Дім \ Освітлення`, 404, 500, 2400},
		{"Плед флисовий", "Дім", 404, 350, 1300},
	}
	// presences are every sandbox shop's availability texts, as a live
	// store words them («Є в наявності», IgorShutko/horoshop-mcp
	// docs/tools/catalog-public-api.md): in stock, out of stock, awaited,
	// made to order.
	presences = []string{"Є в наявності", "Немає в наявності", "Очікується", "Під замовлення"}
	coupons   = []struct {
		code    string
		percent int64
	}{{"SPRING10", 10}, {"WELCOME5", 5}, {"VIP25", 25}}
)

// genProduct builds product i of a shop's catalog.
func genProduct(r *rand.Rand, store, i int, now time.Time) wire.CatalogProduct {
	base := catalog[r.IntN(len(catalog))]
	price := (base.min + r.Int64N(base.max-base.min+1)) * 100
	if r.IntN(4) == 0 {
		price += 50 // some prices have kopecks
	}
	p := wire.CatalogProduct{
		Article:           fmt.Sprintf("HS%d-%05d", store+1, i+1),
		ArticleForDisplay: "SUP-" + fake.Digits(r, 6),
		CreationTime:      timeconv.FormatKyiv(now.Add(-time.Duration(r.Int64N(int64(300*24*time.Hour)))), wire.TimeLayout),
		Title:             wire.Localized{"ua": fmt.Sprintf("%s %d", base.name, 1+i%50), "ru": fmt.Sprintf("%s (ru) %d", base.name, 1+i%50)},
		DisplayInShowcase: r.IntN(10) != 0,
		Price:             Money(price),
		Presence:          wire.Text(presences[fake.Weighted(r, 80, 12, 5, 3)]),
		Quantity:          json.Number(strconv.Itoa(r.IntN(40))),
		Currency:          "UAH",
		// A category's place in the tree is its path, `A \ B`, as
		// catalog/export's expr filters by parent (Horoshop "Product
		// export", S5 in the reference notes).
		Parent: &wire.CatalogParent{ID: base.catID, Value: wire.Localized{"ua": base.cat}},
	}
	// One to three images, the main one first.
	images := []string{}
	for k := range 1 + i%3 {
		images = append(images, fmt.Sprintf("https://shop%d.example.com/content/images/%d%s.jpg", store+1, i+1, strings.Repeat("b", k)))
	}
	p.Images = kit.MustJSON(images)
	// Every third product is a modification (another colour, size) of the
	// one before it: parent_article names that product (S5).
	if i%3 == 2 {
		p.ParentArticle = fmt.Sprintf("HS%d-%05d", store+1, i)
	}
	p.Link = fmt.Sprintf("https://shop%d.example.com/%s/", store+1, strings.ToLower(p.Article))
	if r.IntN(4) == 0 {
		p.PriceOld = Money(price + price/5)
	}
	return p
}

// typedName is the name in one field as buyers type it, now and then with
// a doubled space.
func typedName(r *rand.Rand, p fake.Person) string {
	s := p.Typed(r)
	if r.IntN(15) == 0 {
		s = strings.Replace(s, " ", "  ", 1)
	}
	return s
}

// ttnFor returns a waybill number shaped like the carrier's.
func ttnFor(r *rand.Rand, delivery int64) string {
	if delivery == 13 {
		return fake.Waybill(r, fake.Ukrposhta)
	}
	return fake.Waybill(r, fake.NovaPoshta)
}

// genOrder builds order id placed at created from the shop's catalog.
func genOrder(r *rand.Rand, products []wire.CatalogProduct, id int64, created time.Time) wire.Order {
	status := []int{stNew, stProcessing, stShipping, stDelivered, stCancelled}[fake.Weighted(r, 15, 15, 20, 40, 10)]
	rcpt, addr := fake.NewPerson(r), fake.NewAddress(r)
	dt := deliveryTypes[fake.Weighted(r, 50, 15, 15, 20)]
	pay := paymentTypes[fake.Weighted(r, 50, 40, 10)]
	o := wire.Order{
		OrderID:              id,
		User:                 int64(5000 + r.IntN(900000)),
		DeliveryName:         typedName(r, rcpt),
		DeliveryEmail:        rcpt.Email(r),
		DeliveryPhone:        rcpt.PhoneLocal(), // as the buyer typed it in the checkout
		DeliveryCity:         addr.City.Name,
		DeliveryType:         &dt,
		PaymentType:          &pay,
		StatStatus:           status,
		StatCreated:          timeconv.FormatKyiv(created, wire.TimeLayout),
		Currency:             "UAH",
		OrderWithoutCallback: r.IntN(8) == 0,
	}
	if r.IntN(10) == 0 {
		o.DeliveryEmail = ""
	}
	if dt.ID == 12 {
		o.DeliveryAddress = addr.Door()
	}
	if dt.ID == 42 {
		o.DeliveryCity = ""
	}
	switch fake.Weighted(r, 30, 40, 30) {
	case 0:
		o.DeliveryPrice = "-1" // not calculated
	case 1:
		o.DeliveryPrice = "0"
	default:
		o.DeliveryPrice = Money([]int64{7000, 9500, 12050}[r.IntN(3)])
	}
	if r.IntN(7) == 0 {
		o.Comment = fake.Note(r)
	}
	switch {
	case pay.Title == OnlinePayment:
		o.Payed = r.IntN(100) < 85
	default:
		o.Payed = status == stDelivered
	}
	fillProducts(r, &o, products)
	if dt.ID != 42 {
		dd := &wire.DeliveryData{DeliveryOperatorType: "novaposhta"}
		if dt.ID == 13 {
			dd.DeliveryOperatorType = "ukrposhta"
		}
		if status == stShipping || status == stDelivered || (status == stCancelled && r.IntN(2) == 0) {
			t := wire.Text(ttnFor(r, dt.ID))
			dd.TNNumber, dd.TNID = &t, wire.Text(fake.Digits(r, 8))
			dd.TNStatusName = map[int]string{stShipping: "Прямує до міста одержувача", stDelivered: "Отримано", stCancelled: "Повернення"}[status]
		}
		o.DeliveryData = dd
		o.AdditionalData = kit.MustJSON(map[string]string{"recipient_warehouse_ref": fmt.Sprintf("%08x-0000-4000-8000-%012d", r.Uint32(), r.IntN(1_000_000))})
	}
	o.Analytics = genAnalytics(r)
	if r.IntN(12) == 0 {
		// A B2B order placed by a company's buyer for someone else. The
		// block's keys are not documented (the wiki's orders/get page names
		// only the block); the sandbox assumes name, phone, email and company.
		b := fake.NewPerson(r)
		o.CustomerDetails = kit.MustJSON(map[string]string{"name": b.Last + " " + b.First, "phone": b.PhoneLocal(), "email": "purchasing@example.com", "company": "ТОВ «Постачання»"})
	}
	return o
}

// fillProducts adds 1–3 lines (and now and then a gift) and the totals:
// product discounts are in the line price; a coupon or a manager discount
// is order-level, so total_sum = total_default − it (measured,
// IgorShutko/horoshop-mcp docs/tools/orders-public-api.md).
func fillProducts(r *rand.Rand, o *wire.Order, products []wire.CatalogProduct) {
	var total, qty int64
	for range 1 + fake.Weighted(r, 65, 25, 10) {
		p := products[r.IntN(len(products))]
		price := fake.Kopecks(p.Price.String())
		marker := "NONE"
		if r.IntN(6) == 0 {
			price -= price / 10
			marker = "PRICE_OLD"
		}
		q := int64(1 + fake.Weighted(r, 80, 15, 5))
		o.Products = append(o.Products, wire.Product{
			Title: p.Title.Best(), Article: p.Article, ArticleForDisplay: p.ArticleForDisplay,
			Price: Money(price), Quantity: json.Number(strconv.FormatInt(q, 10)), DiscountMarker: marker,
			TotalPrice: Money(price * q), Type: "product",
		})
		total += price * q
		qty += q
	}
	if r.IntN(20) == 0 {
		g := products[r.IntN(len(products))]
		o.Products = append(o.Products, wire.Product{Title: g.Title.Best(), Article: g.Article, ArticleForDisplay: g.ArticleForDisplay,
			Price: "0", Quantity: "1", DiscountMarker: "NONE", TotalPrice: "0", Type: "gift"})
		qty++
	}
	o.TotalDefault, o.TotalQuantity = Money(total), json.Number(strconv.FormatInt(qty, 10))
	o.DiscountPercent, o.DiscountValue, o.CouponPercent, o.CouponDiscountValue, o.CouponType = "0", "0", "0", "0", "0"
	var off int64
	switch fake.Weighted(r, 70, 20, 10) {
	case 1:
		c := coupons[r.IntN(len(coupons))]
		off = total * c.percent / 100
		o.CouponCode, o.CouponPercent, o.CouponDiscountValue, o.CouponType = wire.Text(c.code), json.Number(strconv.FormatInt(c.percent, 10)), Money(off), "1"
	case 2:
		off = min(5000, total/2)
		o.DiscountValue = Money(off)
	}
	o.TotalSum = Money(total - off)
}

func genAnalytics(r *rand.Rand) *wire.Analytics {
	a := &wire.Analytics{}
	switch fake.Weighted(r, 35, 20, 15, 15, 15) {
	case 0:
		a.UTMSource, a.UTMMedium, a.UTMCampaign = "google", "cpc", wire.Text("2396443"+fake.Digits(r, 4)) // a number on the wire
	case 1:
		a.UTMSource, a.UTMMedium, a.UTMCampaign = "facebook", "social", "spring_sale"
	case 2:
		a.UTMSource, a.UTMMedium = "(direct)", "(none)"
	case 3:
		a.UTMSource, a.UTMMedium, a.UTMCampaign, a.UTMTerm = "instagram", "cpc", "stories", "plaid"
	}
	a.GoogleClientID = wire.Text(fake.Digits(r, 9) + "." + fake.Digits(r, 10))
	return a
}
