package zakupka

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/sandbox/kit/kittest"
	"github.com/kramar/kramar/schema/canon"
	transform "github.com/kramar/kramar/transforms/cml"
)

func getBody(t *testing.T, url string) []byte {
	t.Helper()
	code, _, body := kittest.Do(t, nil, "GET", url, nil, nil)
	if code != http.StatusOK {
		t.Fatalf("HTTP %d", code)
	}
	return body
}

// dec reads a document's money independently of the transform.
func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(strings.ReplaceAll(strings.TrimSpace(s), ",", "."))
	if err != nil {
		t.Fatalf("money %q: %v", s, err)
	}
	return d
}

// TestOrdersFileRealShapes: the sandbox serves the shapes 1C writes, and
// the client and the transform load every order of them to the kopeck.
func TestOrdersFileRealShapes(t *testing.T) {
	cases := []struct {
		name string
		opts StoreOptions
		// what the raw file must and must not hold
		must, mustNot []string
	}{
		{"2.05 default", StoreOptions{},
			[]string{`ВерсияСхемы="2.05"`, "<ЦенаЗаЕдиницу>", "<БазоваяЕдиница "},
			[]string{"xmlns=", "<Цена>", "<Единица>", "<Налоги>", "<Контейнер>", "\xef\xbb\xbf"}},
		{"2.09 from 1C", StoreOptions{Schema: Schema209, Padded: true},
			[]string{`<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.09"`, "<Цена>", "<Единица>\n", "<НаименованиеКраткое>шт</НаименованиеКраткое>",
				"<Коэффициент>1</Коэффициент>", "<Налоги>", "<УчтеноВСумме>false</УчтеноВСумме>", "<УчтеноВСумме>true</УчтеноВСумме>", "<Скидки>", "<Ид>796 </Ид>", `encoding="UTF-8"`},
			[]string{"<ЦенаЗаЕдиницу>", "<БазоваяЕдиница", "<Контейнер>", "\xef\xbb\xbf"}},
		{"3.1 from 1C, BOM", StoreOptions{Schema: Schema31, BOM: true, Padded: true},
			[]string{"\xef\xbb\xbf<?xml", `<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_3" ВерсияСхемы="3.1"`, "<Контейнер>\n\t\t<Документ>", "<Цена>", "<Единица>", "<Налоги>"},
			[]string{"<ЦенаЗаЕдиницу>", "<БазоваяЕдиница"}},
		{"3.1 from 1C, windows-1251", StoreOptions{Schema: Schema31, Encoding: Windows1251},
			[]string{`encoding="windows-1251"`, "<Контейнер>", "<Цена>"},
			[]string{"<ЦенаЗаЕдиницу>", "\xef\xbb\xbf", "<Ид>796 </Ид>"}},
	}
	padded1C := regexp.MustCompile(`<Номер1С>L\d{7} {3}</Номер1С>`) // 11 characters, as 1C's «L320       »
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sb, base := newServer(t, Options{Seed: 21})
			c.opts.Key, c.opts.Orders = "k", 40
			sb.AddStore(c.opts)
			truth := sb.Orders(sb.StoreID("k"))
			raw := getBody(t, base+OrdersPath+"?key=k")
			text := string(raw)
			if c.opts.Encoding == Windows1251 {
				text = string(mustDecode1251(t, raw))
			}
			for _, s := range c.must {
				if !strings.Contains(text, s) {
					t.Errorf("file lacks %q", s)
				}
			}
			for _, s := range c.mustNot {
				if strings.Contains(text, s) {
					t.Errorf("file holds %q", s)
				}
			}
			if c.opts.Schema == Schema31 && strings.Count(text, "<Контейнер>") != len(truth) {
				t.Errorf("%d containers for %d documents", strings.Count(text, "<Контейнер>"), len(truth))
			}
			if n := len(padded1C.FindAllString(text, -1)); c.opts.Padded && n != len(truth) {
				t.Errorf("%d padded Номер1С for %d documents", n, len(truth))
			}

			client := cml.NewOrdersFile(source.Config{Store: "zk", BaseURL: base + OrdersPath + "?key=k", HTTP: fastHTTP()})
			got := pullAll(t, client, start.Add(-30*24*time.Hour), start)
			if len(got) != len(truth) {
				t.Fatalf("pulled %d orders, truth has %d", len(got), len(truth))
			}
			var onTop, discounted int
			for i, r := range got {
				doc := truth[i]
				o, err := transform.Transform(r.Body, canon.Store{Store: "zk"})
				if err != nil {
					t.Fatalf("order %s: %v", r.ID, err)
				}
				// The document's Сумма is what the buyer pays; the lines
				// and the delivery must add up to it to the kopeck.
				if want := dec(t, doc.Sum); !o.FullAmount.Equal(want) {
					t.Errorf("order %s: full amount %s, document %s", r.ID, o.FullAmount, want)
				}
				sum := o.DeliveryCost
				for _, it := range o.Items {
					sum = sum.Add(it.Total)
					if it.Unit != "шт" {
						t.Errorf("order %s: unit %q", r.ID, it.Unit)
					}
				}
				if !sum.Equal(o.FullAmount) {
					t.Errorf("order %s: lines and delivery add up to %s, the document to %s", r.ID, sum, o.FullAmount)
				}
				for _, it := range doc.Items {
					for _, tx := range it.Taxes {
						if tx.Included == "false" && !dec(t, tx.Sum).IsZero() {
							onTop++
						}
					}
					discounted += len(it.Discounts)
				}
			}
			if c.opts.Schema != "" && (onTop == 0 || discounted == 0) {
				t.Errorf("the 1C file needs lines with VAT on top (%d) and discounts (%d)", onTop, discounted)
			}
		})
	}
}

func mustDecode1251(t *testing.T, b []byte) []byte {
	t.Helper()
	info, err := cml.Parse(b) // the parser must accept it, too
	if err != nil || len(info.Documents) == 0 {
		t.Fatalf("windows-1251 file: %v", err)
	}
	var out bytes.Buffer
	for _, c := range b {
		if c < 0x80 {
			out.WriteByte(c)
		} else {
			out.WriteRune(cp1251[c-0x80])
		}
	}
	return out.Bytes()
}

// cp1251 is the upper half of windows-1251, for reading a body in a test.
var cp1251 = []rune("ЂЃ‚ѓ„…†‡€‰Љ‹ЊЌЋЏђ‘’“”•–—\uFFFD™љ›њќћџ\u00A0ЎўЈ¤Ґ¦§Ё©Є«¬\u00AD®Ї°±Ііґµ¶·ё№є»јЅѕїАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюя")

// TestSchemaOptionsAreChecked: a store asking for a shape the sandbox
// cannot write fails at once, naming it.
func TestSchemaOptionsAreChecked(t *testing.T) {
	for want, o := range map[string]StoreOptions{
		`schema "4.0"`:      {Key: "key-S3CR3T", Schema: "4.0"},
		"needs UTF-8":       {Key: "key-S3CR3T", BOM: true, Encoding: Windows1251},
		`encoding "koi8-u"`: {Key: "key-S3CR3T", Encoding: "koi8-u"},
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, want) || strings.Contains(msg, "S3CR3T") {
					t.Errorf("%+v: panic %q, want one naming %s and no key", o, msg, want)
				}
			}()
			New(Options{}).AddStore(o)
		}()
	}
}

// TestDefaultShapeUnchanged: choosing a 1C shape for one store leaves the
// other stores' generated orders as they were.
func TestDefaultShapeUnchanged(t *testing.T) {
	a, _ := newServer(t, Options{Seed: 9})
	b, _ := newServer(t, Options{Seed: 9})
	a.AddStore(StoreOptions{Key: "k", Orders: 10})
	b.AddStore(StoreOptions{Key: "k", Orders: 10, Schema: Schema31})
	x, y := a.Orders(a.StoreID("k")), b.Orders(b.StoreID("k"))
	for i := range x {
		if x[i].ID != y[i].ID || x[i].Date != y[i].Date || x[i].Counterparties[0].FullName != y[i].Counterparties[0].FullName {
			t.Fatalf("order %d differs beyond its shape: %s/%s", i, x[i].ID, y[i].ID)
		}
		if x[i].Items[0].UnitPrice == "" || y[i].Items[0].Price == "" || y[i].Items[0].UnitPrice != "" {
			t.Fatalf("order %d: shapes not applied: %+v / %+v", i, x[i].Items[0], y[i].Items[0])
		}
	}
}

// TestExchangeServesTheStoreShape: the 1C exchange's mode=query answers in
// the store's shape too, and every order of it loads.
func TestExchangeServesTheStoreShape(t *testing.T) {
	sb, base := newServer(t, Options{Seed: 4})
	sb.AddStore(StoreOptions{Key: "k", Login: "1c", Password: "pw", Orders: 15, Schema: Schema31, BOM: true, Padded: true})
	ex := cml.NewExchange(source.Config{Store: "zk-1c", BaseURL: base + ExchangePath, Username: "1c", Password: "pw", HTTP: fastHTTP()})
	got := pullAll(t, ex, start.Add(-365*24*time.Hour), start.Add(time.Hour))
	if len(got) != 15 {
		t.Fatalf("exchange: %d orders, want 15", len(got))
	}
	for _, r := range got {
		if !bytes.Contains(r.Body, []byte(`"Цена"`)) || bytes.Contains(r.Body, []byte(`"ЦенаЗаЕдиницу"`)) {
			t.Fatalf("order %s is not in the 1C shape: %s", r.ID, r.Body)
		}
		if _, err := transform.Transform(r.Body, canon.Store{Store: "zk-1c"}); err != nil {
			t.Errorf("order %s: %v", r.ID, err)
		}
	}
}
