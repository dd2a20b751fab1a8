package zakupka

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/sandbox/kit/fake"
)

// Schemas the orders file and the exchange can be written in.
//
// Schema205 is the default: lines priced with ЦенаЗаЕдиницу, the unit in
// БазоваяЕдиница, no namespace, as kramar's first Zakupka files were.
// Schema209 and Schema31 are what 1C writes (and the 1C-Bitrix exchange
// module reads back): lines priced with Цена, the unit as an Единица with
// child elements, Коэффициент, СтавкиНалогов and Налоги per line, the
// root in 1C's namespace; Schema31 puts every document in its own
// Контейнер. Public examples: ArgentCrusade/commerceml
// tests/fixtures/documents-example.xml (2.09) and irpsv/commerceml
// tests/assets/bitrix-module-6/documents/1/documents.xml (3.1).
const (
	Schema205 = "2.05"
	Schema209 = "2.09"
	Schema31  = "3.1"
)

// namespaces is the root's xmlns per schema (none for the 2.05 default).
var namespaces = map[string]string{
	Schema205: "",
	Schema209: "urn:1C.ru:commerceml_2",
	Schema31:  "urn:1C.ru:commerceml_3",
}

// Format is how a CML file is written.
type Format struct {
	Encoding string // UTF8 (default) or Windows1251
	Schema   string // Schema205 (default), Schema209 or Schema31
	BOM      bool   // start a UTF-8 file with a byte order mark, as 1C does
}

func (f Format) check() error {
	if f.Encoding == "" {
		f.Encoding = UTF8
	}
	if f.Encoding != UTF8 && f.Encoding != Windows1251 {
		return fmt.Errorf("unknown encoding %q", f.Encoding)
	}
	if _, ok := namespaces[f.schema()]; !ok {
		return fmt.Errorf("unknown CML schema %q (have %s, %s, %s)", f.Schema, Schema205, Schema209, Schema31)
	}
	if f.BOM && f.Encoding != UTF8 {
		return fmt.Errorf("a byte order mark needs UTF-8, not %s", f.Encoding)
	}
	return nil
}

func (f Format) schema() string {
	if f.Schema == "" {
		return Schema205
	}
	return f.Schema
}

// oneC reports whether the schema is one of 1C's line shapes.
func (f Format) oneC() bool { return f.schema() != Schema205 }

// vatMode is how a 1C order carries VAT: «Без налога» with a zero НДС
// that is not in the sum (as in the irpsv/commerceml files), 20% already
// in the line sums, or 20% added on top of them (the document's Сумма then
// holds it, as in document 142 of the ArgentCrusade example).
type vatMode struct {
	rate  string
	pct   int64
	onTop bool
}

// vatDraw holds each mode as often as it is drawn: 60% without VAT, 20% each VAT mode.
var vatDraw = []vatMode{
	{"Без налога", 0, true}, {"Без налога", 0, true}, {"Без налога", 0, true},
	{"Без налога", 0, true}, {"Без налога", 0, true}, {"Без налога", 0, true},
	{"20", 20, false}, {"20", 20, false}, {"20", 20, true}, {"20", 20, true},
}

// tax is the VAT of a net amount, to the kopeck (half up).
func (v vatMode) tax(kop int64) int64 {
	if v.pct == 0 {
		return 0
	}
	if v.onTop {
		return (kop*v.pct + 50) / 100
	}
	return (kop*v.pct + (100+v.pct)/2) / (100 + v.pct) // the VAT inside a gross amount
}

// to1C rewrites a generated order the way 1C writes it. The money stays
// what the buyer pays: a discount comes off the line (mostly already in its
// Сумма, sometimes listed apart with УчтеноВСумме false), VAT on top adds
// to the document's Сумма, and that Сумма is what the buyer pays for the
// whole order. r is the order's own stream, so the default shape draws
// exactly what it always did.
func to1C(d *cml.Document, r *rand.Rand, padded bool) {
	vat := vatDraw[r.IntN(len(vatDraw))]
	d.Number1C = "L" + d.Number
	if padded {
		d.Number1C = padRight(d.Number1C, 11)
	}
	var totalKop, taxKop int64
	for i := range d.Items {
		it := &d.Items[i]
		service := strings.EqualFold(it.ID, "ORDER_DELIVERY")
		priceKop, lineKop := fake.Kopecks(it.UnitPrice), fake.Kopecks(it.Sum)
		var discKop int64
		discIncluded := true
		if !service && r.IntN(4) == 0 {
			discKop = lineKop * int64(5+r.IntN(11)) / 100 // 5–15 %
			discIncluded = r.IntN(5) != 0
		}
		netKop := lineKop - discKop
		sumKop := lineKop
		if discIncluded {
			sumKop = netKop
		}
		lineTax := vat.tax(netKop)
		payKop := netKop
		if vat.onTop {
			payKop += lineTax
		}
		totalKop += payKop
		taxKop += lineTax

		// 1C writes sums with no trailing zeros («1320», «1266.5»).
		it.UnitPrice, it.Price = "", fake.Amount(priceKop)
		it.Sum = fake.Amount(sumKop)
		it.Measure, it.Unit = measure(it.Unit, padded), nil
		it.Factor = "1"
		it.TaxRates = []cml.TaxRate{{Name: "НДС", Rate: vat.rate}}
		it.Taxes = []cml.Tax{{Name: "НДС", Included: strconv.FormatBool(!vat.onTop), Sum: fake.Amount(lineTax), Rate: vat.rate}}
		if discKop > 0 {
			it.Discounts = []cml.Discount{{Name: "Скидка на товар", Sum: fake.Amount(discKop), Included: strconv.FormatBool(discIncluded)}}
		}
		if !service {
			it.Requisites = append(it.Requisites, cml.Requisite{Name: cml.ReqItemType, Value: "Товар"})
		}
	}
	d.Sum = fake.Amount(totalKop)
	if vat.pct > 0 {
		d.Taxes = []cml.Tax{{Name: "НДС", Included: strconv.FormatBool(!vat.onTop), Sum: fake.Amount(taxKop)}}
	}
	d.Requisites = append(d.Requisites,
		cml.Requisite{Name: "Проведен", Value: "false"},
		cml.Requisite{Name: cml.ReqCanceled, Value: strconv.FormatBool(status(d) == StatusCanceled)})
}

// measure turns a БазоваяЕдиница into 1C's Единица; padded writes 1C's
// fixed-width Ид and НаименованиеПолное («796 », «Штука» and 95 spaces).
func measure(u *cml.Unit, padded bool) *cml.Measure {
	m := &cml.Measure{ID: "796", ShortName: "шт", Code: "796", FullName: "Штука"}
	if u != nil && u.Code != "" {
		m.ID, m.ShortName, m.Code, m.FullName = u.Code, u.Name, u.Code, u.FullName
	}
	if padded {
		m.ID += " "
		m.FullName = padRight(m.FullName, 100)
	}
	return m
}

func padRight(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}
