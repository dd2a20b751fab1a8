// Package feedgen writes deterministic YML product feeds in the Prom,
// Rozetka, Zakupka and Epicentr dialects, in UTF-8 or windows-1251, for
// tests and for the parser benchmark. It streams: a 1,000,000-offer feed
// (about 1 GB) is written in seconds with a few megabytes of memory, and
// the same Options always give the same bytes.
//
// Besides the clean dialects it writes the shapes of feeds sellers really
// publish (see the Options after VariantGroup, each with its public
// example): a windows-1251 feed that declares UTF-8, CR-only line ends, a
// Cyrillic letter in an attribute name, bare and price-only feeds, several
// URLs in one <picture>, a category id defined twice and names lost to
// question marks.
package feedgen

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Dialects.
const (
	Prom     = "prom"
	Rozetka  = "rozetka"
	Zakupka  = "zakupka"
	Epicentr = "epicentr"
)

// Encodings.
const (
	UTF8        = "utf-8"
	Windows1251 = "windows-1251"
)

// Options choose the feed.
type Options struct {
	Offers   int
	Dialect  string // Prom (default), Rozetka, Zakupka or Epicentr
	Encoding string // UTF8 (default) or Windows1251
	// BOM starts a UTF-8 feed with a byte order mark.
	BOM bool
	// Seed varies the content; the same seed gives the same feed.
	Seed uint64
	// Categories in the tree (default 40); every fourth is a top level.
	Categories int
	// VariantGroup makes runs of this many consecutive offers variants of
	// one product (same group_id, different colour); 0 means 3, 1 means none.
	VariantGroup int

	// The shapes below are those of real feeds found published; each names
	// a public example.

	// DeclaredEncoding is written in the XML declaration instead of
	// Encoding: a Rozetka price list in windows-1251 declares "UTF-8"
	// (JEBS-O/desktop-converter-excel-xml rozetka.xml @ 3ac09856).
	DeclaredEncoding string
	// NoDeclaration leaves the XML declaration out, and LineEnd ends every
	// line with "\r" (CR only) or "\r\n" instead of "\n"; AvailableCyrillic
	// writes the offers' available attribute with a Cyrillic «а» (U+0430)
	// as its first letter. All three: pojitonov/pricelist rozetka.xml @
	// e6cd44c2.
	NoDeclaration     bool
	LineEnd           string
	AvailableCyrillic bool
	// Bare writes a <shop> that holds only <offers> (no name, company,
	// url, currencies or categories; offers keep their categoryId), and
	// ISODate writes the catalog date as ISO-8601 with milliseconds and Z
	// (AndriiSolodovnyk/feed rozetka.xml @ 80b53361).
	Bare    bool
	ISODate bool
	// PriceStockOnly writes offers with nothing but the id, available,
	// price, currencyId and quantity_in_stock, and no categories: a Prom
	// price and stock feed (xvalikan/avtopro-pricelist prom.xml @
	// c9815254).
	PriceStockOnly bool
	// NoCurrencyID leaves currencyId out of every offer (and, with Bare or
	// PriceStockOnly, the feed names no currency at all).
	NoCurrencyID bool
	// JoinedPictures writes all of an offer's pictures in one <picture>,
	// separated by "; "; DuplicateCategory defines the id of the second
	// category again, under another parent and name, right after it;
	// LostNames writes every Cyrillic letter of the names as '?'. All
	// three: JEBS-O/desktop-converter-excel-xml rozetka.xml @ 3ac09856.
	JoinedPictures    bool
	DuplicateCategory bool
	LostNames         bool
}

// WriteYML writes the feed to w.
func WriteYML(w io.Writer, o Options) error {
	if o.Dialect == "" {
		o.Dialect = Prom
	}
	switch o.Dialect {
	case Prom, Rozetka, Zakupka, Epicentr:
	default:
		return fmt.Errorf("feedgen: unknown dialect %q", o.Dialect)
	}
	if o.Encoding == "" {
		o.Encoding = UTF8
	}
	if o.Encoding != UTF8 && o.Encoding != Windows1251 {
		return fmt.Errorf("feedgen: unknown encoding %q", o.Encoding)
	}
	if o.Categories <= 0 {
		o.Categories = 40
	}
	if o.VariantGroup <= 0 {
		o.VariantGroup = 3
	}
	switch o.LineEnd {
	case "", "\n", "\r", "\r\n":
	default:
		return fmt.Errorf("feedgen: line end %q is none of \\n, \\r, \\r\\n", o.LineEnd)
	}
	if o.DeclaredEncoding == "" {
		o.DeclaredEncoding = o.Encoding
	}
	out := &output{bw: bufio.NewWriterSize(w, 1<<20), cp1251: o.Encoding == Windows1251}
	if o.LineEnd != "" && o.LineEnd != "\n" {
		out.lineEnd = []byte(o.LineEnd)
	}
	g := &generator{o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x59_4d_4c)), out: out}
	g.header()
	for i := range o.Offers {
		g.offer(i)
		out.flush()
		if out.err != nil {
			return out.err
		}
	}
	g.footer()
	out.flush()
	if out.err != nil {
		return out.err
	}
	return out.bw.Flush()
}

// output collects UTF-8 text in buf and writes it in the feed's encoding.
type output struct {
	bw      *bufio.Writer
	cp1251  bool
	lineEnd []byte // replaces every '\n' when set
	buf     []byte
	enc     []byte
	err     error
}

func (o *output) s(parts ...string) {
	for _, p := range parts {
		o.buf = append(o.buf, p...)
	}
}

func (o *output) flush() {
	if o.err != nil {
		return
	}
	b := o.buf
	if o.lineEnd != nil {
		b = bytes.ReplaceAll(b, []byte{'\n'}, o.lineEnd)
	}
	if o.cp1251 {
		b = toCP1251(o.enc[:0], b)
		o.enc = b
	}
	_, o.err = o.bw.Write(b)
	o.buf = o.buf[:0]
}

// toCP1251 encodes generated text, which only uses characters
// windows-1251 has; anything else would be a bug in the word lists.
func toCP1251(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		if src[i] < utf8.RuneSelf {
			dst = append(dst, src[i])
			i++
			continue
		}
		r, n := utf8.DecodeRune(src[i:])
		c, ok := charmap.Windows1251.EncodeRune(r)
		if !ok {
			panic(fmt.Sprintf("feedgen: %q has no windows-1251 byte", r))
		}
		dst = append(dst, c)
		i += n
	}
	return dst
}

type generator struct {
	o   Options
	rng *rand.Rand
	out *output
}

func (g *generator) header() {
	o := g.out
	if g.o.BOM && !o.cp1251 {
		o.s("\uFEFF")
	}
	if !g.o.NoDeclaration {
		o.s(`<?xml version="1.0" encoding="`, g.o.DeclaredEncoding, `"?>`, "\n")
	}
	if g.o.Dialect == Zakupka {
		o.s(`<!DOCTYPE yml_catalog SYSTEM "shops.dtd">`, "\n")
	}
	date := "2024-05-01 12:00"
	if g.o.ISODate {
		date = "2024-05-01T09:00:00.123Z"
	}
	o.s(`<yml_catalog date="`, date, `">`, "\n<shop>\n")
	if g.o.Bare {
		o.s("<offers>\n")
		return
	}
	o.s("<name>Домашній Затишок</name>\n<company>ТОВ «Домашній Затишок»</company>\n<url>https://zatyshok.example.ua</url>\n")
	if g.o.Dialect == Zakupka {
		o.s("<platform>Zakupka.com</platform>\n<email>shop@zatyshok.example.ua</email>\n")
	}
	if g.o.Dialect != Epicentr && !(g.o.PriceStockOnly && g.o.NoCurrencyID) {
		o.s(`<currencies><currency id="UAH" rate="1"/><currency id="USD" rate="41.25"/></currencies>`, "\n")
	}
	if g.o.PriceStockOnly {
		o.s("<offers>\n")
		return
	}
	o.s("<categories>\n")
	for c := range g.o.Categories {
		g.category(c, g.categoryID(c), c%4 != 0, g.categoryID(c-c%4), categoryName(c))
		if g.o.DuplicateCategory && c == 1 {
			// The same id again, under another parent and name.
			g.category(c, g.categoryID(c), g.o.Categories > 4, g.categoryID(4), "Комплекти")
		}
	}
	o.s("</categories>\n<offers>\n")
}

func (g *generator) category(c int, id string, hasParent bool, parent, name string) {
	o := g.out
	o.s(`<category id="`, id, `"`)
	if hasParent {
		o.s(` parentId="`, parent, `"`)
	}
	if g.o.Dialect == Epicentr {
		o.s(` code="`, strconv.Itoa(3800+c), `"`)
	}
	o.s(">", name, "</category>\n")
}

func (g *generator) footer() { g.out.s("</offers>\n</shop>\n</yml_catalog>\n") }

func (g *generator) categoryID(c int) string {
	if g.o.Dialect == Zakupka {
		return strconv.Itoa(232923800 + c)
	}
	return strconv.Itoa(c + 1)
}

func categoryName(c int) string {
	n := categoryNames[c%len(categoryNames)]
	if c >= len(categoryNames) {
		n += " " + strconv.Itoa(c/len(categoryNames)+1)
	}
	return n
}

// offer writes offer i. Variants of one product share the group and the
// base name and differ in colour; the product is chosen by the group.
func (g *generator) offer(i int) {
	o, d, r := g.out, g.o.Dialect, g.rng
	group := i / g.o.VariantGroup
	product := products[group%len(products)]
	brand := brands[(group/len(products)+group)%len(brands)]
	colour := colours[i%len(colours)]
	cat := (group * 7) % g.o.Categories
	id := strconv.Itoa(100000 + i)
	sku := "ZT-" + strconv.Itoa(500000+group) + "-" + strconv.Itoa(i%g.o.VariantGroup+1)
	price := 99 + r.IntN(40000)
	kop := r.IntN(100)
	available := r.IntN(10) != 0
	stock := 0
	if available {
		stock = 1 + r.IntN(250)
	}
	model := strconv.Itoa(1000 + group%9000)
	name := product.ru + " " + brand + " " + model + ", " + colour.ru
	nameUA := product.ua + " " + brand + " " + model + ", " + colour.ua
	priceS := strconv.Itoa(price) + "." + twoDigits(kop)
	oldS := strconv.Itoa(price+price/5) + ".00"

	if g.o.LostNames {
		name, nameUA = lost(name), lost(nameUA)
	}
	availableAttr := "available"
	if g.o.AvailableCyrillic {
		availableAttr = "\u0430vailable"
	}
	o.s(`<offer id="`, id, `" `, availableAttr, `="`, strconv.FormatBool(available), `"`)
	if g.o.PriceStockOnly {
		o.s(">\n<price>", priceS, "</price>\n")
		if !g.o.NoCurrencyID {
			o.s("<currencyId>UAH</currencyId>\n")
		}
		o.s("<quantity_in_stock>", strconv.Itoa(stock), "</quantity_in_stock>\n</offer>\n")
		r.IntN(3000) // the weight a full offer draws: same seed, same prices as the full feed
		return
	}
	if g.o.VariantGroup > 1 && d != Epicentr {
		o.s(` group_id="`, strconv.Itoa(group+1), `"`)
	}
	if d == Prom {
		o.s(` selling_type="r"`)
	}
	o.s(">\n")
	o.s("<url>https://zatyshok.example.ua/p/", id, "?utm_source=feed&amp;v=", strconv.Itoa(i%g.o.VariantGroup+1), "</url>\n")
	o.s("<price>", priceS, "</price>\n")
	switch d {
	case Prom, Zakupka:
		o.s("<oldprice>", oldS, "</oldprice>\n")
	case Rozetka:
		o.s("<price_old>", oldS, "</price_old>\n")
		if i%5 == 0 {
			o.s("<price_promo>", strconv.Itoa(price-price/10), "</price_promo>\n")
		}
	case Epicentr:
		o.s("<price_old>", oldS, "</price_old>\n")
		if available {
			o.s("<availability>in_stock</availability>\n")
		} else {
			o.s("<availability>out_of_stock</availability>\n")
		}
	}
	if d != Epicentr {
		if !g.o.NoCurrencyID {
			o.s("<currencyId>UAH</currencyId>\n")
		}
		o.s("<categoryId>", g.categoryID(cat), "</categoryId>\n")
	} else {
		code := strconv.Itoa(3800 + cat)
		o.s(`<category code="`, code, `">`, categoryName(cat), "</category>\n")
		o.s(`<attribute_set code="`, code, `">`, categoryName(cat), "</attribute_set>\n")
	}
	if g.o.JoinedPictures {
		o.s("<picture>")
	}
	for p := range 1 + i%3 {
		url := "https://cdn.zatyshok.example.ua/img/" + strconv.Itoa(500000+group) + "/" + strconv.Itoa(p+1) + ".jpg"
		switch {
		case !g.o.JoinedPictures:
			o.s("<picture>", url, "</picture>\n")
		case p > 0:
			o.s("; ", url)
		default:
			o.s(url)
		}
	}
	if g.o.JoinedPictures {
		o.s("</picture>\n")
	}
	if d == Epicentr {
		o.s(`<name lang="ru">`, name, "</name>\n", `<name lang="ua">`, nameUA, "</name>\n")
	} else {
		o.s("<name>", name, "</name>\n<name_ua>", nameUA, "</name_ua>\n")
	}
	switch d {
	case Epicentr:
		o.s(`<vendor code="b`, strconv.Itoa(len(brand)*7919%100000), `">`, brand, "</vendor>\n")
		o.s(`<country_of_origin code="ukr">Україна</country_of_origin>`, "\n")
	default:
		o.s("<vendor>", brand, "</vendor>\n<vendorCode>", sku, "</vendorCode>\n<barcode>", ean13(i), "</barcode>\n")
	}
	switch d {
	case Prom:
		o.s("<quantity_in_stock>", strconv.Itoa(stock), "</quantity_in_stock>\n")
		o.s("<keywords>", product.ua, ", ", brand, ", ", colour.ua, "</keywords>\n")
		o.s("<portal_category_id>", strconv.Itoa(70000+cat), "</portal_category_id>\n")
	case Zakupka:
		o.s("<quantity_in_stock>", strconv.Itoa(stock), "</quantity_in_stock>\n")
		o.s("<country_of_origin>Україна</country_of_origin>\n")
	case Rozetka:
		o.s("<stock_quantity>", strconv.Itoa(stock), "</stock_quantity>\n<state>new</state>\n<article>", sku, "</article>\n")
	}
	desc := "<p>" + nameUA + ". " + product.about + "</p><ul><li>Колір: " + colour.ua +
		"</li><li>Гарантія: 12 місяців</li><li>Доставка по всій Україні &amp; самовивіз</li></ul>"
	if d == Epicentr {
		o.s(`<description lang="ua"><![CDATA[`, desc, "]]></description>\n")
	} else {
		o.s("<description><![CDATA[", desc, "]]></description>\n")
		o.s("<description_ua><![CDATA[", desc, "]]></description_ua>\n")
	}
	g.params(brand, colour, r.IntN(3000)+200, ean13(i))
	o.s("</offer>\n")
}

func (g *generator) params(brand string, c colour, weight int, barcode string) {
	o := g.out
	w := strconv.Itoa(weight)
	switch g.o.Dialect {
	case Epicentr:
		o.s(`<param name="Колір" paramcode="color" valuecode="`, c.code, `">`, c.ua, "</param>\n")
		o.s(`<param name="Бренд" paramcode="brand"><![CDATA[`, brand, "]]></param>\n")
		o.s(`<param name="Вага" paramcode="weight">`, w, "</param>\n")
		o.s(`<param name="Одиниця виміру" paramcode="measure" valuecode="measure_pcs">шт.</param>`, "\n")
		o.s(`<param name="Штрихкод" paramcode="barcodes">`, barcode, "</param>\n")
	case Rozetka:
		o.s(`<param name="Колір" paramid="21737">`, c.ua, "</param>\n")
		o.s(`<param name="Вага" paramid="2241" unit="г">`, w, "</param>\n")
		o.s(`<param name="Країна-виробник товару">Україна</param>`, "\n")
	case Zakupka:
		o.s(`<param name="Состояние">Новое</param>`, "\n", `<param name="Цвет">`, c.ru, "</param>\n")
		o.s(`<param name="Вес" unit="г">`, w, "</param>\n")
	default:
		o.s(`<param name="Колір">`, c.ua, "</param>\n", `<param name="Вага" unit="г">`, w, "</param>\n")
		o.s(`<param name="Гарантійний термін">12 міс.</param>`, "\n")
	}
}

// ean13 is offer i's barcode: an EAN-13 of the Ukrainian prefix 482 with
// its check digit, one per offer. Epicentr feeds carry it as the system
// param paramcode="barcodes", the others as <barcode>.
func ean13(i int) string {
	d := []byte(fmt.Sprintf("482%09d", i%1_000_000_000))
	sum := 0
	for k, c := range d {
		w := 1
		if k%2 == 1 {
			w = 3
		}
		sum += int(c-'0') * w
	}
	return string(append(d, byte('0'+(10-sum%10)%10)))
}

// lost writes each Cyrillic letter of s as '?', as a conversion to an
// encoding without them does.
func lost(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cyrillic, r) {
			return '?'
		}
		return r
	}, s)
}

func twoDigits(v int) string {
	if v < 10 {
		return "0" + strconv.Itoa(v)
	}
	return strconv.Itoa(v)
}

type product struct{ ru, ua, about string }

type colour struct{ ru, ua, code string }

var products = []product{
	{"Чайник электрический", "Чайник електричний", "Корпус з нержавіючої сталі, об'єм 1,7 л, потужність 2200 Вт, автовимкнення."},
	{"Пылесос", "Пилосос", "Циклонний фільтр, потужність всмоктування 420 Вт, довжина шнура 6 м."},
	{"Сковорода", "Сковорода", "Антипригарне покриття, діаметр 28 см, підходить для індукційних плит."},
	{"Утюг", "Праска", "Керамічна підошва, паровий удар 180 г/хв, захист від накипу."},
	{"Блендер погружной", "Блендер занурювальний", "Чотири ножі, дві швидкості, чаша 600 мл у комплекті."},
	{"Кофеварка", "Кавоварка", "Тиск 15 бар, капучинатор, знімний резервуар для води 1,2 л."},
	{"Плед", "Плед", "Мікрофібра, розмір 150x200 см, можна прати при 30 °C."},
	{"Подушка ортопедическая", "Подушка ортопедична", "Піна з пам'яттю форми, знімний чохол, гіпоалергенна."},
	{"Набор кастрюль", "Набір каструль", "Шість предметів, скляні кришки, товсте капсульне дно."},
	{"Настольная лампа", "Настільна лампа", "Світлодіодна, три режими яскравості, гнучка ніжка, USB-живлення."},
	{"Рюкзак городской", "Рюкзак міський", "Водовідштовхувальна тканина, відділення для ноутбука 15,6 дюйма, 24 л."},
	{"Термос", "Термос", "Зберігає тепло 24 години, об'єм 1 л, чашка-кришка, ґумове дно."},
}

var brands = []string{"Ґердан", "Kvitka", "Світанок", "Tefal", "Bosch", "Philips", "Їжачок", "Ardesto", "Єдність", "Rozetka Home"}

var colours = []colour{
	{"белый", "білий", "color_white"}, {"чёрный", "чорний", "color_black"}, {"серый", "сірий", "color_grey"},
	{"синий", "синій", "color_blue"}, {"красный", "червоний", "color_red"}, {"зелёный", "зелений", "color_green"},
	{"бежевый", "бежевий", "color_beige"},
}

var categoryNames = []string{
	"Побутова техніка", "Чайники", "Пилососи", "Праски", "Посуд", "Сковороди", "Каструлі", "Термоси",
	"Текстиль", "Пледи", "Подушки", "Ковдри", "Освітлення", "Настільні лампи", "Світильники", "Рюкзаки",
}
