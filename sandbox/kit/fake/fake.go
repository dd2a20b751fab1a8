// Package fake makes the seeded data every simulator shares: Ukrainian
// people (with Latin forms for e-mails), mobile phones, cities, streets and
// Nova Poshta branches, sums as decimal text (money.go), and the random
// source each generated item draws from. A simulator formats them its marketplace's way. Apostrophes are
// ASCII: windows-1251 has no ʼ, and CommerceML files must survive it.
package fake

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Rand returns the source of one item of one stream of one store,
// independent of every other item: stores seed in parallel and the data
// depends only on the seed and the positions.
func Rand(seed int64, store, stream, item int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed)^uint64(store+1)*0x9e3779b97f4a7c15, uint64(stream)<<40|uint64(item)))
}

// Pick draws one of list.
func Pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// Weighted draws an index by integer weights.
func Weighted(r *rand.Rand, weights ...int) int {
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

// Digits is n random decimal digits.
func Digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// UUID renders 128 random bits in the 8-4-4-4-12 form (hand-rolled: it runs
// several times per seeded order and fmt is the slow part of seeding).
func UUID(r *rand.Rand) string {
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

type name struct{ uk, lat string }

var (
	maleFirst   = []name{{"Іван", "ivan"}, {"Олександр", "oleksandr"}, {"Андрій", "andrii"}, {"Сергій", "serhii"}, {"Дмитро", "dmytro"}, {"Микола", "mykola"}, {"Тарас", "taras"}, {"Богдан", "bohdan"}, {"Юрій", "yurii"}, {"Василь", "vasyl"}, {"Петро", "petro"}, {"Олег", "oleh"}, {"Остап", "ostap"}, {"Ярослав", "yaroslav"}, {"Назар", "nazar"}, {"Мар'ян", "marian"}}
	femaleFirst = []name{{"Олена", "olena"}, {"Наталія", "nataliia"}, {"Ірина", "iryna"}, {"Оксана", "oksana"}, {"Марія", "mariia"}, {"Тетяна", "tetiana"}, {"Світлана", "svitlana"}, {"Юлія", "yuliia"}, {"Катерина", "kateryna"}, {"Ганна", "hanna"}, {"Галина", "halyna"}, {"Софія", "sofiia"}, {"Соломія", "solomiia"}, {"Леся", "lesia"}, {"Зоряна", "zoriana"}, {"Мар'яна", "mariana"}}
	malePatr    = []string{"Іванович", "Олександрович", "Петрович", "Миколайович", "Васильович", "Сергійович", "Андрійович", "Богданович", "Тарасович", "Степанович"}
	femalePatr  = []string{"Іванівна", "Олександрівна", "Петрівна", "Миколаївна", "Василівна", "Сергіївна", "Андріївна", "Богданівна", "Тарасівна", "Степанівна"}
	// Surnames that read the same for both genders (-енко, -ук, -чук, …).
	lastNames   = []name{{"Шевченко", "shevchenko"}, {"Коваленко", "kovalenko"}, {"Бондаренко", "bondarenko"}, {"Ткаченко", "tkachenko"}, {"Кравченко", "kravchenko"}, {"Олійник", "oliinyk"}, {"Шевчук", "shevchuk"}, {"Поліщук", "polishchuk"}, {"Мельничук", "melnychuk"}, {"Бойко", "boiko"}, {"Лисенко", "lysenko"}, {"Марченко", "marchenko"}, {"Савчук", "savchuk"}, {"Руденко", "rudenko"}, {"Гнатюк", "hnatiuk"}, {"Ткачук", "tkachuk"}, {"Коваль", "koval"}, {"Мельник", "melnyk"}, {"Кузьменко", "kuzmenko"}, {"Дем'яненко", "demianenko"}}
	operators   = []string{"50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"}
	mailDomains = []string{"example.com", "example.net", "example.org", "example.ua"}
	notes       = []string{"Передзвоніть, будь ласка", "Доставка після 18:00", "Потрібен подарунковий пакет", "Без дзвінка, відправляйте одразу", "Потрібен рахунок для ФОП", "Зателефонуйте перед відправкою"}
)

// Person is a buyer or a recipient.
type Person struct {
	First, Patronymic, Last string
	Female                  bool
	latin                   string // first.last, for e-mails
	// Operator and Number are the mobile phone: "67" and seven digits.
	Operator, Number string
}

// NewPerson draws a person.
func NewPerson(r *rand.Rand) Person {
	p := Person{Female: r.IntN(2) == 0}
	first, patr := maleFirst, malePatr
	if p.Female {
		first, patr = femaleFirst, femalePatr
	}
	f, l := Pick(r, first), Pick(r, lastNames)
	p.First, p.Patronymic, p.Last, p.latin = f.uk, Pick(r, patr), l.uk, f.lat+"."+l.lat
	p.Operator, p.Number = Pick(r, operators), Digits(r, 7)
	return p
}

// Full is "Прізвище Ім'я По батькові".
func (p Person) Full() string { return p.Last + " " + p.First + " " + p.Patronymic }

// Typed is the name in one field as buyers type it: mostly in full,
// sometimes "Ім'я Прізвище" or "Прізвище Ім'я".
func (p Person) Typed(r *rand.Rand) string {
	switch Weighted(r, 60, 25, 15) {
	case 0:
		return p.Full()
	case 1:
		return p.First + " " + p.Last
	}
	return p.Last + " " + p.First
}

// Email is a plausible address of p on a reserved domain.
func (p Person) Email(r *rand.Rand) string {
	return p.latin + strconv.Itoa(r.IntN(1000)) + "@" + Pick(r, mailDomains)
}

// Phone is the mobile in full international form, +380671234567.
func (p Person) Phone() string { return "+380" + p.Operator + p.Number }

// PhoneTyped is the mobile as a buyer types it in a checkout:
// +380671234567, 067 123 45 67 or +38 (067) 123-45-67.
func (p Person) PhoneTyped(r *rand.Rand) string {
	n := p.Number
	switch r.IntN(3) {
	case 0:
		return p.Phone()
	case 1:
		return "0" + p.Operator + " " + n[:3] + " " + n[3:5] + " " + n[5:]
	}
	return p.PhoneLocal()
}

// PhoneLocal is +38 (067) 123-45-67.
func (p Person) PhoneLocal() string {
	n := p.Number
	return "+38 (0" + p.Operator + ") " + n[:3] + "-" + n[3:5] + "-" + n[5:]
}

// SellerSKU is the seller's own id of product i of their store number
// store (0-based), the same on every marketplace's simulator: a seller
// lists one catalog everywhere, so the lines of Prom, Rozetka and Epicentr
// orders carry the same ids for the same product.
func SellerSKU(store, i int) string { return fmt.Sprintf("SKU-%d-%05d", store+1, i+1) }

// Note is a buyer's comment on an order.
func Note(r *rand.Rand) string { return Pick(r, notes) }

// City is a settlement with its region (oblast) and district ("" for Kyiv).
type City struct{ Name, Region, District string }

// Cities are the settlements addresses are drawn from.
var Cities = []City{
	{"Київ", "Київська", ""}, {"Львів", "Львівська", "Львівський"}, {"Харків", "Харківська", "Харківський"},
	{"Одеса", "Одеська", "Одеський"}, {"Дніпро", "Дніпропетровська", "Дніпровський"}, {"Вінниця", "Вінницька", "Вінницький"},
	{"Полтава", "Полтавська", "Полтавський"}, {"Чернігів", "Чернігівська", "Чернігівський"}, {"Житомир", "Житомирська", "Житомирський"},
	{"Івано-Франківськ", "Івано-Франківська", "Івано-Франківський"}, {"Тернопіль", "Тернопільська", "Тернопільський"},
	{"Ужгород", "Закарпатська", "Ужгородський"}, {"Біла Церква", "Київська", "Білоцерківський"}, {"Луцьк", "Волинська", "Луцький"},
}

var streets = []string{"вул. Шевченка", "вул. Хрещатик", "просп. Свободи", "вул. Городоцька", "вул. Соборна", "вул. Грушевського", "вул. Незалежності", "вул. Лесі Українки", "вул. Франка", "вул. Садова"}

// Address is a place to deliver to.
type Address struct {
	City                City
	Street              string
	House, Flat, Branch int // Branch: a Nova Poshta branch number
}

// NewAddress draws an address.
func NewAddress(r *rand.Rand) Address {
	return Address{City: Pick(r, Cities), Street: Pick(r, streets), House: 1 + r.IntN(120), Flat: 1 + r.IntN(200), Branch: 1 + r.IntN(300)}
}

// StreetHouse is "вул. Шевченка, 12".
func (a Address) StreetHouse() string { return a.Street + ", " + strconv.Itoa(a.House) }

// Door is "вул. Шевченка, 12, кв. 34".
func (a Address) Door() string { return a.StreetHouse() + ", кв. " + strconv.Itoa(a.Flat) }

// BranchName is "Відділення №17".
func (a Address) BranchName() string { return "Відділення №" + strconv.Itoa(a.Branch) }

// Seeded is when seeded item i of n was created, spread over span before
// now (one slot each, at a random point of it), and when it last changed:
// the creation itself for one item in sameOneIn, otherwise up to 48 hours
// later and never after now.
func Seeded(r *rand.Rand, now time.Time, span time.Duration, i, n, sameOneIn int) (created, modified time.Time) {
	slot := max(span.Microseconds()/int64(max(n, 1)), 1)
	created = now.Add(-span).Add(time.Duration(int64(i)*slot+r.Int64N(slot)) * time.Microsecond)
	modified = created
	if room := now.Sub(created); r.IntN(sameOneIn) > 0 && room > time.Second {
		modified = created.Add(time.Duration(r.Int64N(int64(min(room, 48*time.Hour)))))
	}
	return created, modified
}

// Choose draws one of values by integer weights, weights[i] for values[i].
func Choose[T any](r *rand.Rand, values []T, weights []int) T { return values[Weighted(r, weights...)] }

// NextID is a new highest order id: 1 to gap above the last order's (id
// reads it), or above base in an empty book. Real ids leave gaps.
func NextID[R any](r *rand.Rand, last *R, id func(*R) int64, base, gap int64) int64 {
	if last != nil {
		base = id(last)
	}
	return base + 1 + r.Int64N(gap)
}

// Carrier is a delivery service whose waybill numbers Waybill makes.
type Carrier int

// The carriers Waybill knows.
const (
	NovaPoshta Carrier = iota
	Ukrposhta
	Meest
)

// Waybill is a tracking number in the carrier's form: Nova Poshta's 14
// digits from 20450, Ukrposhta's 13 from 0500, Meest's MV and 10 digits.
func Waybill(r *rand.Rand, c Carrier) string {
	switch c {
	case Ukrposhta:
		return "0500" + Digits(r, 9)
	case Meest:
		return "MV" + Digits(r, 10)
	}
	return "20450" + Digits(r, 9)
}
