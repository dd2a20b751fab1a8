package feedgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/schema/canon"
	ymltransform "github.com/kramar/kramar/transforms/yml"
)

func generate(t *testing.T, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteYML(&b, o); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDeterministic(t *testing.T) {
	o := Options{Offers: 300, Dialect: Rozetka, Seed: 7}
	a, b := generate(t, o), generate(t, o)
	if sha256.Sum256(a) != sha256.Sum256(b) {
		t.Fatal("same options, different feeds")
	}
	o.Seed = 8
	if bytes.Equal(a, generate(t, o)) {
		t.Fatal("the seed changes nothing")
	}
}

func TestDialectsAndEncodings(t *testing.T) {
	for _, d := range []string{Prom, Rozetka, Zakupka, Epicentr} {
		s := string(generate(t, Options{Offers: 6, Dialect: d}))
		if n := strings.Count(s, "<offer "); n != 6 {
			t.Errorf("%s: %d offers", d, n)
		}
		want := map[string]string{Prom: "<quantity_in_stock>", Rozetka: "<stock_quantity>", Zakupka: `SYSTEM "shops.dtd"`, Epicentr: `<name lang="ua">`}[d]
		if !strings.Contains(s, want) || !strings.Contains(s, "<![CDATA[") || !strings.HasSuffix(s, "</yml_catalog>\n") {
			t.Errorf("%s: missing %s", d, want)
		}
	}
	utf := generate(t, Options{Offers: 3})
	cp := generate(t, Options{Offers: 3, Encoding: Windows1251})
	if !bytes.Contains(cp, []byte(`encoding="windows-1251"`)) || bytes.Contains(cp, []byte("Чайник")) ||
		!bytes.Contains(cp, []byte("\xd7\xe0\xe9\xed\xe8\xea")) || len(cp) >= len(utf) {
		t.Error("windows-1251 output is not windows-1251")
	}
	if bom := generate(t, Options{Offers: 1, BOM: true}); !bytes.HasPrefix(bom, []byte("\xef\xbb\xbf<?xml")) {
		t.Error("no BOM")
	}
	if err := WriteYML(&bytes.Buffer{}, Options{Dialect: "hotline"}); err == nil {
		t.Error("unknown dialect accepted")
	}
}

// TestRealShapes: each option writes the shape of a feed found published.
func TestRealShapes(t *testing.T) {
	// JEBS-O/desktop-converter-excel-xml rozetka.xml @ 3ac09856: windows-1251
	// bytes under a UTF-8 declaration, several pictures in one element, a
	// category id defined twice, names turned into question marks.
	y1 := generate(t, Options{Offers: 6, Dialect: Rozetka, Encoding: Windows1251, DeclaredEncoding: "UTF-8",
		JoinedPictures: true, DuplicateCategory: true, LostNames: true})
	if !bytes.HasPrefix(y1, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) || utf8.Valid(y1) ||
		!bytes.Contains(y1, []byte("\xcf\xee\xe1\xf3\xf2\xee\xe2\xe0 \xf2\xe5\xf5\xed\xb3\xea\xe0")) { // «Побутова техніка» in windows-1251
		t.Errorf("y1: not windows-1251 declared as UTF-8:\n%.300s", y1)
	}
	if !bytes.Contains(y1, []byte(`<picture>https://cdn.zatyshok.example.ua/img/500000/1.jpg; https://cdn.zatyshok.example.ua/img/500000/2.jpg</picture>`)) {
		t.Error("y1: pictures not joined with \"; \"")
	}
	if bytes.Count(y1, []byte(`<category id="2" `)) != 2 || !bytes.Contains(y1, []byte(`<category id="2" parentId="5">`)) {
		t.Error("y1: category id 2 not defined twice")
	}
	if !bytes.Contains(y1, []byte("<name_ua>?????? ??????????? ?????? 1000, ?????</name_ua>")) {
		t.Errorf("y1: names not lost to question marks")
	}

	// pojitonov/pricelist rozetka.xml @ e6cd44c2: no declaration, CR-only
	// line ends, Cyrillic «а» opening the available attribute.
	y2 := string(generate(t, Options{Offers: 4, Dialect: Rozetka, NoDeclaration: true, LineEnd: "\r", AvailableCyrillic: true}))
	if !strings.HasPrefix(y2, `<yml_catalog date="2024-05-01 12:00">`+"\r<shop>\r") || strings.Contains(y2, "\n") ||
		strings.Count(y2, "\u0430vailable=") != 4 || strings.Contains(y2, " available=") {
		t.Errorf("y2:\n%.400q", y2)
	}
	crlf := string(generate(t, Options{Offers: 2, LineEnd: "\r\n"}))
	if strings.Count(crlf, "\n") != strings.Count(crlf, "\r\n") || !strings.Contains(crlf, "</offer>\r\n") {
		t.Error("CR LF line ends")
	}

	// AndriiSolodovnyk/feed rozetka.xml @ 80b53361: <shop> holds only
	// <offers>; the date is ISO-8601 with milliseconds and Z.
	y3 := string(generate(t, Options{Offers: 3, Dialect: Rozetka, Bare: true, ISODate: true}))
	if !strings.Contains(y3, `<yml_catalog date="2024-05-01T09:00:00.123Z">`+"\n<shop>\n<offers>\n<offer ") ||
		strings.Contains(y3, "<currencies>") || strings.Contains(y3, "<categories>") || !strings.Contains(y3, "<categoryId>") {
		t.Errorf("y3:\n%.300s", y3)
	}

	// xvalikan/avtopro-pricelist prom.xml @ c9815254: price and stock only.
	y4 := string(generate(t, Options{Offers: 3, PriceStockOnly: true}))
	offer := y4[strings.Index(y4, "<offer "):]
	offer = offer[:strings.Index(offer, "</offer>")]
	if strings.Contains(y4, "<categories>") || !strings.Contains(y4, "<currencies>") ||
		!regexp.MustCompile(`^<offer id="100000" available="(true|false)">\n<price>\d+\.\d\d</price>\n<currencyId>UAH</currencyId>\n<quantity_in_stock>\d+</quantity_in_stock>\n$`).MatchString(offer) {
		t.Errorf("y4: %q", offer)
	}
	none := string(generate(t, Options{Offers: 3, PriceStockOnly: true, NoCurrencyID: true}))
	if strings.Contains(none, "currenc") {
		t.Error("NoCurrencyID with PriceStockOnly still names a currency")
	}
	if err := WriteYML(&bytes.Buffer{}, Options{LineEnd: "\t"}); err == nil {
		t.Error("a tab accepted as a line end")
	}
}

// A price and stock feed carries the prices and stock of the full feed of
// the same seed, so the two can be compared offer by offer.
func TestPriceStockOnlyMatchesTheFullFeed(t *testing.T) {
	full := string(generate(t, Options{Offers: 50, Seed: 3}))
	short := string(generate(t, Options{Offers: 50, Seed: 3, PriceStockOnly: true}))
	re := regexp.MustCompile(`<offer id="(\d+)" available="(\w+)"[^>]*>\n(?:.*\n)*?<price>([\d.]+)</price>(?:.*\n)*?<quantity_in_stock>(\d+)<`)
	a, b := re.FindAllStringSubmatch(full, -1), re.FindAllStringSubmatch(short, -1)
	if len(a) != 50 || len(b) != 50 {
		t.Fatalf("%d and %d offers", len(a), len(b))
	}
	for i := range a {
		if strings.Join(a[i][1:], " ") != strings.Join(b[i][1:], " ") {
			t.Fatalf("offer %d: %v vs %v", i, a[i][1:], b[i][1:])
		}
	}
}

// Every dialect, in both encodings, gives the catalog job everything a
// complete catalog row holds: descriptions, params, brand, variants, vendor
// code and barcode, several pictures and the category path.
func TestEveryDialectCarriesTheCatalogDetails(t *testing.T) {
	for _, d := range []string{Prom, Rozetka, Zakupka, Epicentr} {
		for _, enc := range []string{UTF8, Windows1251} {
			feedBytes := generate(t, Options{Offers: 12, Dialect: d, Encoding: enc})
			var cats ymltransform.Categories
			var ps []canon.Product
			_, err := yml.Parse(context.Background(), bytes.NewReader(feedBytes), yml.Options{},
				func(s *yml.Shop) error { cats = ymltransform.CategoryNames(s); return nil },
				func(offers []yml.Offer) error {
					for _, o := range offers {
						p, err := ymltransform.TransformOffer(o, canon.Store{Marketplace: d, Store: "s"}, ymltransform.Catalog{Categories: cats})
						if err != nil {
							return err
						}
						ps = append(ps, p)
					}
					return nil
				})
			if err != nil {
				t.Fatalf("%s %s: %v", d, enc, err)
			}
			deep, several := false, false
			for _, p := range ps {
				where := d + " " + enc + " offer " + p.ProductID
				if !strings.HasPrefix(p.DescriptionHTML, "<p>") || p.Description == "" || strings.ContainsAny(p.Description, "<>") || !strings.Contains(p.Description, "&") {
					t.Errorf("%s: description %q / %q", where, p.Description, p.DescriptionHTML)
				}
				if len(p.ParamNames) < 3 || len(p.ParamUnits) != len(p.ParamNames) || len(p.ParamValues) != len(p.ParamNames) || p.ParamNames[0] == "" {
					t.Errorf("%s: params %q %q %q", where, p.ParamNames, p.ParamUnits, p.ParamValues)
				}
				if p.Brand == "" || !validEAN13(p.Barcode) || len(p.CategoryPath) == 0 || p.CategoryPath[len(p.CategoryPath)-1] != p.Category {
					t.Errorf("%s: brand %q barcode %q path %q (category %q)", where, p.Brand, p.Barcode, p.CategoryPath, p.Category)
				}
				if d != Epicentr && (p.VendorCode == "" || p.GroupID == "") {
					t.Errorf("%s: vendor code %q group %q", where, p.VendorCode, p.GroupID)
				}
				deep = deep || len(p.CategoryPath) > 1
				several = several || len(p.Photos) > 2
			}
			if len(ps) != 12 || !deep || !several {
				t.Errorf("%s %s: %d products, a nested category %v, three pictures %v", d, enc, len(ps), deep, several)
			}
		}
	}
}

func validEAN13(s string) bool {
	if len(s) != 13 {
		return false
	}
	sum := 0
	for k := range 12 {
		w := 1
		if k%2 == 1 {
			w = 3
		}
		sum += int(s[k]-'0') * w
	}
	return int(s[12]-'0') == (10-sum%10)%10
}
