package yml

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/kramar/kramar/transforms/golden"

	"golang.org/x/text/encoding/charmap"

	"github.com/kramar/kramar/sandbox/feedgen"
)

func TestRealShapesAreListedAndPresent(t *testing.T) {
	golden.Sources(t, "testdata")
}

func parseBytes(t *testing.T, data []byte, opts Options) (parsed, error) {
	t.Helper()
	return parseAll(t, bytes.NewReader(data), opts)
}

func mustRead(t *testing.T, name string) []byte { return golden.Read(t, name) }

// chunkings are the ways a test feed is cut into reads: the outcome must
// not depend on them.
var chunkings = []struct {
	name string
	opts Options
	read func([]byte) *bytes.Reader
}{
	{"default", Options{}, nil},
	{"16-byte chunks", Options{ChunkBytes: 16, Workers: 3}, nil},
	{"600-byte chunks", Options{ChunkBytes: 600, Workers: 2}, nil},
	{"5000-byte chunks", Options{ChunkBytes: 5000}, nil},
}

func parseEveryWay(t *testing.T, data []byte, opts Options) (parsed, error) {
	t.Helper()
	var first parsed
	var firstErr error
	for i, c := range chunkings {
		o := c.opts
		o.Name = opts.Name
		p, err := parseAll(t, iotest.HalfReader(bytes.NewReader(data)), o)
		if i == 0 {
			first, firstErr = p, err
			continue
		}
		if fmt.Sprint(err) != fmt.Sprint(firstErr) || !reflect.DeepEqual(p.Offers, first.Offers) ||
			!reflect.DeepEqual(p.Stats.WarningSamples, first.Stats.WarningSamples) {
			t.Fatalf("%s: %v %v\ndiffers from the default: %v %v", c.name, err, p.Stats.WarningSamples, firstErr, first.Stats.WarningSamples)
		}
	}
	return first, firstErr
}

func fromCP1251(t *testing.T, b []byte) []byte {
	t.Helper()
	u, err := charmap.Windows1251.NewDecoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Point 1: windows-1251 bytes under a UTF-8 declaration are read as
// windows-1251, with one warning naming the feed, the line and both
// encodings; the text is exactly what the UTF-8 version of the feed gives.
func TestWindows1251DeclaredUTF8IsSniffed(t *testing.T) {
	data := mustRead(t, "sniff_cp1251.xml")
	const feedName = "https://teplyi-dim.example.ua/rozetka.xml"
	p, err := parseEveryWay(t, data, Options{Name: feedName})
	if err != nil {
		t.Fatal(err)
	}
	want := "feed " + feedName + ": declared encoding UTF-8, but the text is windows-1251: from line 11 (offset 268), " +
		"its first non-ASCII text, it is not UTF-8 and reads as Cyrillic in windows-1251; read as windows-1251"
	if p.Stats.Encoding != "windows-1251" || p.Stats.Warnings != 1 || p.Stats.WarningSamples[0] != want {
		t.Fatalf("encoding %s, warnings %d %q\nwant %q", p.Stats.Encoding, p.Stats.Warnings, p.Stats.WarningSamples, want)
	}
	utf, err := parseBytes(t, fromCP1251(t, data), Options{})
	if err != nil || utf.Stats.Warnings != 0 || utf.Stats.Encoding != "UTF-8" {
		t.Fatalf("the UTF-8 version: %v %+v", err, utf.Stats)
	}
	if !reflect.DeepEqual(p.Offers, utf.Offers) || !reflect.DeepEqual(p.Shop, utf.Shop) {
		t.Errorf("sniffed windows-1251 differs from UTF-8:\n%+v\n%+v", p.Offers, utf.Offers)
	}
	if p.Offers[0].Name != "Плед вовняний «Карпати» 140x200 см, сірий" || p.Shop.Categories[1].Name != "Ковдри та пледи" {
		t.Errorf("Cyrillic lost: %q %q", p.Offers[0].Name, p.Shop.Categories[1].Name)
	}

	// Without a declaration the warning says so.
	bare := data[bytes.IndexByte(data, '\n')+1:]
	p, err = parseEveryWay(t, bare, Options{})
	if err != nil || len(p.Stats.WarningSamples) != 1 ||
		!strings.HasPrefix(p.Stats.WarningSamples[0], "no declared encoding (so UTF-8), but the text is windows-1251: from line 10 (offset 229)") {
		t.Fatalf("%v %q", err, p.Stats.WarningSamples)
	}

	// Once read as windows-1251, a byte windows-1251 lacks fails the feed,
	// and the error says why windows-1251 was used.
	spoiled := bytes.Replace(data, []byte("<vendor>"), []byte("<vendor>\x98"), 1)
	_, err = parseEveryWay(t, spoiled, Options{})
	var se *SyntaxError
	if !errors.As(err, &se) || err.Error() != "yml: line 23, offset 706: invalid windows-1251 byte 0x98 "+
		"(the feed does not declare windows-1251: it was read so because its text is not UTF-8)" {
		t.Fatalf("got %v", err)
	}
}

// Point 1, the other half: when the bytes cannot be taken for windows-1251
// the feed fails at the first invalid byte, naming its line and the
// encoding the text most likely is.
func TestUndecidableEncodingFailsNamingLineAndLikelyEncoding(t *testing.T) {
	head := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<yml_catalog date=\"2024-01-01 00:00\">\n<shop>\n<offers>\n"
	offer := func(name []byte) []byte {
		return append(append([]byte(`<offer id="1" available="true"><price>1</price><name>`), name...), "</name></offer>\n"...)
	}
	tail := "</offers>\n</shop>\n</yml_catalog>\n"
	enc := func(e *charmap.Charmap, s string) []byte {
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		name string
		feed []byte
		want string
	}{
		{"Latin-1", append(append([]byte(head), offer(enc(charmap.ISO8859_1, "Crème brûlée Müller Straße"))...), tail...),
			"yml: line 5, offset 148: invalid UTF-8 byte 0xE8: the feed is not UTF-8 and not windows-1251 Cyrillic " +
				"(its text is likely ISO-8859-1 or windows-1252 (Latin letters with accents)); re-export it in UTF-8 or windows-1251 and declare the encoding"},
		{"KOI8-U", append(append([]byte(head), offer(enc(charmap.KOI8U, "Плед Вовняний Карпати Сірий, Україна"))...), tail...),
			"yml: line 5, offset 146: invalid UTF-8 byte 0xF0: the feed is not UTF-8 and not windows-1251 Cyrillic " +
				"(its text is likely KOI8-U or KOI8-R); re-export it in UTF-8 or windows-1251 and declare the encoding"},
		{"UTF-8 then windows-1251", append(append(append([]byte(head), offer([]byte("Плед"))...), offer(enc(charmap.Windows1251, "Рушник махровий"))...), tail...),
			"yml: line 6, offset 223: invalid UTF-8 byte 0xD0: the text before it is UTF-8 and this text looks like windows-1251, " +
				"so the feed mixes two encodings; re-export it in one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseEveryWay(t, c.feed, Options{})
			var se *SyntaxError
			if !errors.As(err, &se) || err.Error() != c.want {
				t.Errorf("got  %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestGuessEncoding(t *testing.T) {
	enc := func(e *charmap.Charmap, s string) []byte { b, _ := e.NewEncoder().Bytes([]byte(s)); return b }
	cases := []struct {
		text []byte
		want string
	}{
		{enc(charmap.Windows1251, "Ковдри та пледи"), guessCP1251},
		{enc(charmap.Windows1251, "ЧОРНИЙ, 10 РОКІВ"), guessCP1251}, // capitals only
		{enc(charmap.Windows1251, "Їжак і ґава: Євген"), guessCP1251},
		{enc(charmap.KOI8U, "Привіт, Світе! Ковдри Та Пледи"), guessKOI8},
		{enc(charmap.ISO8859_1, "Café, naïve, Müller"), guessLatin},
		{[]byte("\xe9t\xe9 \xe0 la cr\xe8me"), guessLatin},
		{[]byte("x\xff"), guessUnknown},
		{[]byte("\xffПлед вовняний"), guessBroken},
		{[]byte("<\x00y\x00"), guessUTF16},
	}
	for _, c := range cases {
		if got := guessEncoding(c.text); got != c.want {
			t.Errorf("%q: %s, want %s", c.text, got, c.want)
		}
	}
}

// Point 2: a Cyrillic look-alike in a name the reader knows is folded and
// the value read, with one warning per feed however many offers have it.
func TestCyrillicLookAlikesInNamesAreFolded(t *testing.T) {
	p, err := parseEveryWay(t, mustRead(t, "homoglyph_cr.xml"), Options{Name: "bdzhilka"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Offers[0].Available != "true" || p.Offers[1].Available != "false" {
		t.Errorf("available: %q %q", p.Offers[0].Available, p.Offers[1].Available)
	}
	want := `feed bdzhilka: attribute "аvailable" of <offer> is written with Cyrillic letters that look Latin (а U+0430); read as "available" (2 times, first at line 14)`
	if p.Stats.Warnings != 1 || p.Stats.WarningSamples[0] != want {
		t.Errorf("%q\nwant %q", p.Stats.WarningSamples, want)
	}

	// A thousand offers: still one warning, and the same offers as the
	// feed spelled right.
	gen := func(o feedgen.Options) []byte {
		var b bytes.Buffer
		if err := feedgen.WriteYML(&b, o); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	o := feedgen.Options{Offers: 1000, Dialect: feedgen.Rozetka, Seed: 9}
	clean, err := parseBytes(t, gen(o), Options{})
	if err != nil {
		t.Fatal(err)
	}
	o.AvailableCyrillic = true
	folded, err := parseEveryWay(t, gen(o), Options{})
	if err != nil || folded.Stats.Warnings != 1 || !strings.Contains(folded.Stats.WarningSamples[0], `read as "available" (1000 times, first at line 51)`) {
		t.Fatalf("%v %q", err, folded.Stats.WarningSamples)
	}
	if !reflect.DeepEqual(folded.Offers, clean.Offers) {
		t.Error("folded offers differ from the clean feed's")
	}
	unavailable := 0
	for _, x := range folded.Offers {
		if x.Available == "false" {
			unavailable++
		}
	}
	if unavailable < 50 {
		t.Errorf("only %d offers unavailable: availability fell back to its default", unavailable)
	}

	// Element and header names fold too; names that are not look-alikes of
	// a known one stay unknown and unread, without a warning.
	feed := "<yml_catalog><shop><nаme>Лапа</nаme><currencies><currency іd=\"UAH\" rate=\"1\"/></currencies><offers>\n" +
		"<offer id=\"1\"><prісe>12.50</prісe><Ціна>99</Ціна><pаram nаme=\"Колір\">сірий</pаram></offer>\n" +
		"</offers></shop></yml_catalog>"
	p, err = parseEveryWay(t, []byte(feed), Options{})
	if err != nil {
		t.Fatal(err)
	}
	o1 := p.Offers[0]
	if p.Shop.Name != "Лапа" || p.Shop.Currencies[0].ID != "UAH" || o1.Price != "12.50" || len(o1.Params) != 1 || o1.Params[0].Name != "Колір" || o1.Params[0].Value != "сірий" {
		t.Errorf("%+v %+v", p.Shop, o1)
	}
	if p.Stats.Warnings != 5 {
		t.Errorf("%d warnings: %q", p.Stats.Warnings, p.Stats.WarningSamples)
	}
	for _, w := range []string{
		`element "nаme" in the header is written with Cyrillic letters that look Latin (а U+0430); read as "name" (once, first at line 1)`,
		`attribute "іd" of <currency> is written with Cyrillic letters that look Latin (і U+0456); read as "id" (once, first at line 1)`,
		`element "prісe" in <offer> is written with Cyrillic letters that look Latin (і U+0456, с U+0441); read as "price" (once, first at line 2)`,
		`element "pаram" in <offer> is written with Cyrillic letters that look Latin (а U+0430); read as "param" (once, first at line 2)`,
		`attribute "nаme" in <offer> is written with Cyrillic letters that look Latin (а U+0430); read as "name" (once, first at line 2)`,
	} {
		if !contains(p.Stats.WarningSamples, w) {
			t.Errorf("no warning %q in %q", w, p.Stats.WarningSamples)
		}
	}

	// The same in a windows-1251 feed.
	cp, _ := charmap.Windows1251.NewEncoder().Bytes([]byte(strings.Replace(feed, "<yml_catalog>", `<?xml version="1.0" encoding="windows-1251"?><yml_catalog>`, 1)))
	q, err := parseBytes(t, cp, Options{})
	if err != nil || !reflect.DeepEqual(q.Offers, p.Offers) || !reflect.DeepEqual(q.Stats.WarningSamples, p.Stats.WarningSamples) {
		t.Errorf("windows-1251: %v %q", err, q.Stats.WarningSamples)
	}

	// An <offer> spelled with look-alikes cannot be found by the offer
	// scan: it fails the feed rather than vanish.
	_, err = parseEveryWay(t, []byte("<yml_catalog><shop><offers>\r<оffer id=\"1\"><price>1</price></оffer></offers></shop></yml_catalog>"), Options{})
	if err == nil || err.Error() != "yml: line 2, offset 28: <оffer> is written with Cyrillic letters that look Latin (о U+043E): offers must be <offer>" {
		t.Errorf("got %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.HasSuffix(x, s) {
			return true
		}
	}
	return false
}

// Point 2: lines end with LF, CR LF or a lone CR, and errors count each
// once, wherever the reads cut the feed.
func TestLineNumbersCountCROnlyLineEnds(t *testing.T) {
	feed := "<yml_catalog>\r<shop>\r\n<offers>\n\r<offer id=\"1\">\r\r<price>1</offer>\r</offers></shop></yml_catalog>"
	// line 1 <yml_catalog>, 2 <shop>, 3 <offers>, 4 empty, 5 <offer>, 6 empty, 7 the error
	want := "yml: line 7, offset 56: </offer> closes <price>"
	for chunk := 1; chunk <= 80; chunk++ {
		_, err := parseAll(t, iotest.OneByteReader(strings.NewReader(feed)), Options{ChunkBytes: chunk})
		if err == nil || err.Error() != want {
			t.Fatalf("chunk %d: %v, want %s", chunk, err, want)
		}
	}
	// location.at across a CR LF cut in two.
	b := []byte("a\r\nb\rc\n")
	for cut := 0; cut <= len(b); cut++ {
		l := location{line: 1}.at(b[:cut], cut)
		if end := l.at(b[cut:], len(b)-cut); end.line != 4 || end.offset != int64(len(b)) {
			t.Errorf("cut at %d: line %d", cut, end.line)
		}
	}
}

// Point 3: bare feeds and price/stock-only feeds are read, not rejected.
func TestBareAndPriceStockFeedsAreRead(t *testing.T) {
	p, err := parseEveryWay(t, mustRead(t, "bare_iso_date.xml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Shop, &Shop{Date: "2025-11-30T06:05:04.321Z"}) || p.Stats.Offers != 2 || p.Stats.Warnings != 0 {
		t.Errorf("%+v %+v", p.Shop, p.Stats)
	}
	if o := p.Offers[0]; o.Price != "899" || o.CategoryID != "7" || len(o.Pictures) != 2 || o.QuantityInStock != "6" {
		t.Errorf("%+v", o)
	}

	p, err = parseEveryWay(t, mustRead(t, "prom_price_stock.xml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Offers) != 3 || p.Stats.Warnings != 0 || p.Stats.Categories != 0 || p.Stats.Currencies != 1 {
		t.Fatalf("%+v", p.Stats)
	}
	want := []Offer{
		{ID: "210000101", Available: "true", Price: "1520", CurrencyID: "UAH", QuantityInStock: "2"},
		{ID: "210000102", Available: "false", Price: "4380", CurrencyID: "UAH", QuantityInStock: "0"},
		{ID: "210000103", Available: "true", Price: "96", QuantityInStock: "11"},
	}
	if !reflect.DeepEqual(p.Offers, want) {
		t.Errorf("%+v", p.Offers)
	}
}

// Point 4: several URLs in one <picture>, a category id defined twice and
// names lost to question marks are warnings, one each per feed.
func TestDamagedFeedWarnsAndSplitsPictures(t *testing.T) {
	p, err := parseEveryWay(t, mustRead(t, "damaged.xml"), Options{Name: "shoes"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`feed shoes: 1 category id is defined more than once (first: id 4001 at line 12 "Кросівки" and at line 14 "Зимові черевики"); offers in it get the first definition`,
		`feed shoes: 2 offers list several URLs in one <picture>, separated by ";" (first: offer 9 at line 22, 3 URLs); each URL is read as a picture`,
		`feed shoes: 2 offers have names whose letters are question marks (first: offer 9 at line 17, "???????? Runway 9 42 ?????"): ` +
			`the text was lost when the feed was made, before it was published; the names are kept as written, re-export the feed in UTF-8 to repair them`,
	}
	if !reflect.DeepEqual(p.Stats.WarningSamples, want) || p.Stats.Warnings != 3 {
		t.Errorf("%q", p.Stats.WarningSamples)
	}
	if got := p.Offers[0].Pictures; !reflect.DeepEqual(got, []string{"https://photos.example.net/9/front.jpg", "https://photos.example.net/9/side.jpg",
		"https://photos.example.net/9/sole.jpg", "https://photos.example.net/9/box;v=2.jpg"}) {
		t.Errorf("pictures %q", got)
	}
	if len(p.Shop.Categories) != 4 || p.Offers[0].Name != "???????? Runway 9 42 ?????" || p.Offers[2].Name != "Черевики Тропа 41 — чи підійдуть?" {
		t.Errorf("%+v %q", p.Shop.Categories, p.Offers[0].Name)
	}

	// Feed-wide warnings come before those about single offers.
	noPrice := bytes.Replace(mustRead(t, "damaged.xml"), []byte("<price>990</price>"), nil, 1)
	p, err = parseBytes(t, noPrice, Options{})
	if err != nil || p.Stats.Warnings != 4 || p.Stats.WarningSamples[3] != "offer 11 has no price" {
		t.Errorf("%v %q", err, p.Stats.WarningSamples)
	}
}

func TestSplitURLs(t *testing.T) {
	cases := map[string][]string{
		"https://a/1.jpg":                            {"https://a/1.jpg"},
		"https://a/1.jpg; https://a/2.jpg":           {"https://a/1.jpg", "https://a/2.jpg"},
		"https://a/1.jpg;https://a/2.jpg; //c/3.png": {"https://a/1.jpg", "https://a/2.jpg", "//c/3.png"},
		"https://a/1;v=2.jpg":                        {"https://a/1;v=2.jpg"},
		"https://a/1.jpg; ; http://b/2.jpg; ":        {"https://a/1.jpg", "http://b/2.jpg"},
	}
	for in, want := range cases {
		if got := splitURLs(in); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestLostToQuestionMarks(t *testing.T) {
	for s, want := range map[string]bool{
		"?????? Marions 05903 140 ?? ??????": true,
		"???????":                            true,
		"Що це?":                             false,
		"Чи підійдуть??? Так":                false,
		"Hoodie ??? size XL, cotton blend":   false,
		"":                                   false,
	} {
		if got := lostToQuestionMarks(s); got != want {
			t.Errorf("%q: %v", s, got)
		}
	}
}

// The generator writes each real shape; the reader reads each as its
// source needs, and reports it once.
func TestGeneratedRealShapesParse(t *testing.T) {
	cases := []struct {
		name     string
		o        feedgen.Options
		encoding string
		warnings []string // each a substring of one warning, in order
	}{
		{"windows-1251 declared UTF-8", feedgen.Options{Dialect: feedgen.Rozetka, Encoding: feedgen.Windows1251, DeclaredEncoding: "UTF-8"},
			"windows-1251", []string{"declared encoding UTF-8, but the text is windows-1251: from line 4 "}},
		{"CR only, no declaration, аvailable", feedgen.Options{Dialect: feedgen.Rozetka, NoDeclaration: true, LineEnd: "\r", AvailableCyrillic: true},
			"UTF-8", []string{`read as "available" (300 times, first at line 50)`}},
		{"bare, ISO date, no currency", feedgen.Options{Dialect: feedgen.Rozetka, Bare: true, ISODate: true, NoCurrencyID: true, LineEnd: "\r\n"},
			"UTF-8", nil},
		{"price and stock only", feedgen.Options{PriceStockOnly: true}, "UTF-8", nil},
		{"joined pictures, a category twice, names lost", feedgen.Options{Dialect: feedgen.Rozetka, JoinedPictures: true, DuplicateCategory: true, LostNames: true},
			"UTF-8", []string{`1 category id is defined more than once (first: id 2 at line 10 "Чайники" and at line 11 "Комплекти")`,
				"300 offers have names whose letters are question marks (first: offer 100000 at line 52", "200 offers list several URLs in one <picture>, separated by \";\" (first: offer 100001 at line 80, 2 URLs)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.o.Offers, c.o.Seed = 300, 11
			var b bytes.Buffer
			if err := feedgen.WriteYML(&b, c.o); err != nil {
				t.Fatal(err)
			}
			p, err := parseEveryWay(t, b.Bytes(), Options{})
			if err != nil || len(p.Offers) != 300 || p.Stats.Encoding != c.encoding || len(p.Stats.WarningSamples) != len(c.warnings) {
				t.Fatalf("%v, %d offers, %s, %q", err, len(p.Offers), p.Stats.Encoding, p.Stats.WarningSamples)
			}
			for i, w := range c.warnings {
				if !strings.Contains(p.Stats.WarningSamples[i], w) {
					t.Errorf("warning %d: %q, want %q", i, p.Stats.WarningSamples[i], w)
				}
			}
			for _, o := range p.Offers {
				if o.ID == "" || o.Price == "" || o.Available == "" {
					t.Fatalf("%+v", o)
				}
			}
		})
	}
}

func TestCountReportsFeedWarnings(t *testing.T) {
	// Count (the benchmark's path) reports the same warnings as Parse.
	st, err := Count(context.Background(), bytes.NewReader(mustRead(t, "damaged.xml")), Options{})
	if err != nil || st.Warnings != 3 {
		t.Fatalf("%v %+v", err, st)
	}
}
