package zakupka

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/sandbox/kit/fake"
	"github.com/kramar/kramar/transforms/timeconv"
)

// Order statuses as Zakupka's Russian-language cabinet names them.
const (
	StatusNew       = "Новый"
	StatusConfirmed = "Подтвержден"
	StatusShipped   = "Отгружен"
	StatusDelivered = "Доставлен"
	StatusCanceled  = "Отменен"
)

// statusDraw holds each status as often as it should be drawn: 40% new,
// 20% confirmed, 15% shipped, 15% delivered, 10% canceled.
var statusDraw = []string{
	StatusNew, StatusNew, StatusNew, StatusNew, StatusNew, StatusNew, StatusNew, StatusNew,
	StatusConfirmed, StatusConfirmed, StatusConfirmed, StatusConfirmed,
	StatusShipped, StatusShipped, StatusShipped, StatusDelivered, StatusDelivered, StatusDelivered,
	StatusCanceled, StatusCanceled,
}

// kyivLayout is how dates go into requisites: Kyiv local time, no offset.
const kyivLayout = "2006-01-02 15:04:05"

// Generator streams: each item of each store draws from its own
// fake.Rand, so the data is reproducible from the seed.
const (
	streamOrders = iota + 1
	streamAdded
	streamShapes
	streamAddedShapes
)

// genOrder builds one order: the buyer's full name in one field only,
// contacts, an address, 1–3 goods and sometimes a delivery service line.
func genOrder(r *rand.Rand, id int64, created, modified time.Time) *order {
	ids := strconv.FormatInt(id, 10)
	d := cml.Document{
		ID: ids, Number: ids,
		Date: timeconv.FormatKyiv(created, "2006-01-02"), Time: timeconv.FormatKyiv(created, "15:04:05"),
		Operation: "Заказ товара", Role: "Продавец", Currency: "грн", Rate: "1",
	}
	buyer := newBuyer(r)
	full, city := buyer.Typed(r), fake.Pick(r, cities)
	party := cml.Counterparty{
		ID: "zk-client-" + strconv.Itoa(100_000+r.IntN(900_000)), Name: full, FullName: full, Role: "Покупатель",
		RegAddress: &cml.Address{Text: "г. " + city + ", " + streets[r.IntN(len(streets))] + ", " + strconv.Itoa(1+r.IntN(150))},
		Contacts:   []cml.Contact{{Type: "Телефон", Value: buyer.PhoneTyped(r)}},
	}
	if r.IntN(10) < 7 {
		party.Contacts = append(party.Contacts, cml.Contact{Type: "Почта", Value: "buyer" + strconv.Itoa(r.IntN(100_000)) + "@example.ua"})
	}
	d.Counterparties = []cml.Counterparty{party}
	if r.IntN(10) < 2 {
		d.Comment = comments[r.IntN(len(comments))]
	}

	var totalKop int64
	used := map[int]bool{}
	for n := 1 + r.IntN(3); len(d.Items) < n; {
		gi := r.IntN(len(goods))
		if used[gi] {
			continue
		}
		used[gi] = true
		g := goods[gi]
		qty := int64(1 + r.IntN(3))
		priceKop := (g.minUAH + r.Int64N(g.maxUAH-g.minUAH+1)) * 100
		lineKop := priceKop * qty
		totalKop += lineKop
		d.Items = append(d.Items, cml.Item{
			ID: "ZK-" + strconv.Itoa(1000+gi), Article: g.article + "-" + strconv.Itoa(gi), Name: g.name,
			Unit:      &cml.Unit{Code: "796", FullName: "Штука", International: "PCE", Name: "шт"},
			UnitPrice: money(priceKop, r), Quantity: strconv.FormatInt(qty, 10), Sum: money(lineKop, r),
			Requisites: []cml.Requisite{{Name: cml.ReqItemKind, Value: "Товар"}},
		})
	}
	delivery := deliveries[r.IntN(len(deliveries))]
	if delivery != "Самовывоз" && r.IntN(3) == 0 {
		kop := (40 + r.Int64N(60)) * 100
		totalKop += kop
		d.Items = append(d.Items, cml.Item{
			ID: "ORDER_DELIVERY", Name: "Доставка", UnitPrice: money(kop, r), Quantity: "1", Sum: money(kop, r),
			Requisites: []cml.Requisite{{Name: cml.ReqItemKind, Value: "Услуга"}, {Name: cml.ReqItemType, Value: "Услуга"}},
		})
	}
	d.Sum = money(totalKop, r)

	status := statusDraw[r.IntN(len(statusDraw))]
	paid := status == StatusDelivered || (status != StatusCanceled && r.IntN(3) == 0)
	d.Requisites = []cml.Requisite{
		{Name: cml.ReqStatus, Value: status},
		{Name: cml.ReqPaymentMethod, Value: payments[r.IntN(len(payments))]},
		{Name: cml.ReqDeliveryMethod, Value: delivery},
		{Name: cml.ReqDeliveryAddr, Value: "г. " + city + ", отделение №" + strconv.Itoa(1+r.IntN(200))},
		{Name: cml.ReqPaid, Value: strconv.FormatBool(paid)},
		{Name: cml.ReqModified, Value: timeconv.FormatKyiv(modified, kyivLayout)},
	}
	return &order{id: id, doc: d, created: created, modified: modified}
}

// setStatus writes «Статус заказа» and «Дата изменения», and «Отменен»
// where the document has that flag (the 1C shapes).
func setStatus(d *cml.Document, status string, now time.Time) {
	setRequisite(d, cml.ReqStatus, status)
	setRequisite(d, cml.ReqModified, timeconv.FormatKyiv(now, kyivLayout))
	if _, ok := cml.FindRequisite(d.Requisites, cml.ReqCanceled); ok {
		setRequisite(d, cml.ReqCanceled, strconv.FormatBool(status == StatusCanceled))
	}
}

func setRequisite(d *cml.Document, name, value string) {
	for i := range d.Requisites {
		if d.Requisites[i].Name == name {
			d.Requisites[i].Value = value
			return
		}
	}
	d.Requisites = append(d.Requisites, cml.Requisite{Name: name, Value: value})
}

// status is the order's «Статус заказа».
func status(d *cml.Document) string {
	v, _ := cml.FindRequisite(d.Requisites, cml.ReqStatus)
	return v
}

// money writes kopecks as CML money: a dot usually, a comma sometimes
// (files from 1C configured for ЧРД=,).
func money(kop int64, r *rand.Rand) string {
	if r.IntN(5) == 0 {
		return strings.Replace(fake.Cents(kop), ".", ",", 1)
	}
	return fake.Cents(kop)
}

// newBuyer is a Ukrainian or a Russian-speaking buyer: 1C exports carry both.
func newBuyer(r *rand.Rand) fake.Person {
	p := fake.NewPerson(r)
	if r.IntN(2) == 0 {
		return p
	}
	first, patr, last := russianMale, russianMalePatr, fake.Pick(r, russianLast)
	if p.Female {
		first, patr, last = russianFemale, russianFemalePatr, last+"а"
	}
	p.First, p.Patronymic, p.Last = fake.Pick(r, first), fake.Pick(r, patr), last
	return p
}
