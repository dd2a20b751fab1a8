package yml

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/kramar/kramar/sandbox/feedgen"
	"github.com/kramar/kramar/transforms/golden"
)

// parsed is everything Parse reports, for goldens and comparisons.
type parsed struct {
	Shop   *Shop
	Offers []Offer
	Stats  Stats
}

func parseAll(t testing.TB, r io.Reader, opts Options) (parsed, error) {
	t.Helper()
	var p parsed
	headerCalls := 0
	st, err := Parse(context.Background(), r, opts, func(s *Shop) error {
		headerCalls++
		if len(p.Offers) > 0 {
			t.Errorf("header after offers")
		}
		p.Shop = s
		return nil
	}, func(o []Offer) error {
		if headerCalls != 1 {
			t.Errorf("offers before the header")
		}
		p.Offers = append(p.Offers, o...)
		return nil
	})
	if err == nil && headerCalls != 1 {
		t.Errorf("header called %d times", headerCalls)
	}
	p.Stats = st
	return p, err
}

func parseFile(t *testing.T, name string, opts Options) parsed {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseAll(t, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// compact drops zero fields so goldens show what was read.
func compact(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return compact(v.Elem())
	case reflect.Struct:
		m := map[string]any{}
		for i := range v.NumField() {
			if f := v.Field(i); !f.IsZero() {
				m[v.Type().Field(i).Name] = compact(f)
			}
		}
		return m
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = compact(v.Index(i))
		}
		return out
	}
	return v.Interface()
}

// TestDialectGoldens parses every testdata feed, at the default chunk size
// and at a tiny one that cuts offers across buffers, one byte per Read.
func TestDialectGoldens(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.xml")
	if len(files) < 5 {
		t.Fatalf("only %d testdata feeds", len(files))
	}
	update := flag.Lookup("update").Value.(flag.Getter).Get().(bool)
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			p := parseFile(t, name, Options{})
			got, err := golden.Render(compact(reflect.ValueOf(p)), nil)
			if err != nil {
				t.Fatal(err)
			}
			goldenPath := strings.TrimSuffix(f, ".xml") + golden.Suffix
			if update {
				if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs:\n%s", goldenPath, got)
			}
			data, _ := os.ReadFile(f)
			small, err := parseAll(t, iotest.OneByteReader(bytes.NewReader(data)), Options{ChunkBytes: 16, Workers: 3})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(small.Offers, p.Offers) || !reflect.DeepEqual(small.Shop, p.Shop) {
				t.Errorf("16-byte chunks give a different result")
			}
		})
	}
}

func TestEncodingsGiveTheSameText(t *testing.T) {
	utf := parseFile(t, "zakupka.xml", Options{})
	cp := parseFile(t, "zakupka_cp1251.xml", Options{})
	if !reflect.DeepEqual(utf.Offers, cp.Offers) || !reflect.DeepEqual(utf.Shop, cp.Shop) {
		t.Errorf("windows-1251 differs from UTF-8:\n%+v\n%+v", cp.Offers, utf.Offers)
	}
	if cp.Offers[0].NameUA != "Корм сухий Royal Canin Indoor 2 кг" || cp.Offers[0].Params[1].Value != "—" {
		t.Errorf("cyrillic lost: %q %q", cp.Offers[0].NameUA, cp.Offers[0].Params[1].Value)
	}
	plain := parseFile(t, "rozetka.xml", Options{})
	bom := parseFile(t, "rozetka_bom.xml", Options{})
	if !reflect.DeepEqual(plain.Offers, bom.Offers) || bom.Stats.Bytes != plain.Stats.Bytes+3 {
		t.Errorf("BOM changes the result")
	}
	for _, spelling := range []string{"cp1251", "Windows-1251", "WIN-1251"} {
		feed := `<?xml version="1.0" encoding="` + spelling + `"?><yml_catalog><shop><offers><offer id="1"><name>` +
			"\xca\xee\xeb\xb3\xf0 \xb2\xbf\xba\xb4" + `</name></offer></offers></shop></yml_catalog>`
		p, err := parseAll(t, strings.NewReader(feed), Options{})
		if err != nil || p.Offers[0].Name != "Колір Іїєґ" {
			t.Errorf("%s: %v %+v", spelling, err, p.Offers)
		}
	}
}

const head = "<?xml version=\"1.0\"?>\n<yml_catalog>\n<shop>\n<offers>\n"

// TestErrorsNameLineAndOffset checks the position of each failure.
func TestErrorsNameLineAndOffset(t *testing.T) {
	cases := []struct {
		name, feed, want string
	}{
		{"wrong nesting", head + "<offer id=\"1\">\n<price>1</offer>\n</offers></shop></yml_catalog>",
			"yml: line 6, offset 75: </offer> closes <price>"},
		{"unclosed offer", head + "<offer id=\"1\"><price>1</price>\n",
			"yml: line 5, offset 52: unclosed <offer> (the feed ends at offset 83)"},
		{"unclosed shop", head + "<offer id=\"1\"/>\n</offers>\n",
			"yml: line 3, offset 36: unclosed <shop> (the feed ends at offset 78)"},
		{"invalid utf-8", head + "<offer id=\"1\">\n<name>Ка\xffва</name></offer></offers></shop></yml_catalog>",
			"yml: line 6, offset 77: invalid UTF-8 byte 0xFF: a damaged or cut character in UTF-8 text (the text around it is UTF-8)"},
		{"invalid windows-1251", strings.Replace(head, "?>", " encoding=\"windows-1251\"?>", 1) + "<offer id=\"1\"><name>\x98</name></offer></offers></shop></yml_catalog>",
			"yml: line 5, offset 96: invalid windows-1251 byte 0x98"},
		{"unknown entity", head + "<offer id=\"1\"><name>a&nbsp;b</name></offer></offers></shop></yml_catalog>",
			"yml: line 5, offset 73: unknown entity &nbsp; (declared entities are never expanded)"},
		{"bare ampersand", head + "<offer id=\"1\"><url>a?b=1&c=2</url></offer></offers></shop></yml_catalog>",
			"yml: line 5, offset 76: '&' that starts no entity reference (write &amp;)"},
		{"offer outside offers", "<yml_catalog><shop>\n<offer id=\"1\"/></shop></yml_catalog>",
			"yml: line 2, offset 20: <offer> outside <offers>"},
		{"nested offer", head + "<offer id=\"1\">\n<offer id=\"2\"></offer></offer>",
			"yml: line 6, offset 67: <offer> inside <offer>"},
		{"stray end", head + "</offer></offers></shop></yml_catalog>",
			"yml: line 5, offset 52: </offer> without <offer>"},
		{"unquoted attribute", head + "<offer id=1></offer></offers></shop></yml_catalog>",
			"yml: line 5, offset 59: attribute id value is not quoted"},
		{"not yml", "<?xml version=\"1.0\"?><rss></rss>",
			"yml: line 1, offset 21: the root element is <rss>, not <yml_catalog>"},
		{"empty", "", "yml: line 1, offset 0: no <yml_catalog> element: not a YML feed"},
		{"two roots", "<yml_catalog/><yml_catalog/>", "yml: line 1, offset 14: a second root element <yml_catalog>"},
		{"unsupported encoding", "<?xml version=\"1.0\" encoding=\"koi8-u\"?><yml_catalog/>",
			"yml: line 1, offset 0: unsupported encoding koi8-u (use UTF-8 or windows-1251)"},
		// Names and tags, read a word at a time by the fast paths of
		// startTag, nextAttr and endTag.
		{"bad element name", head + "<offer id=\"1\"><na!me>x</na!me></offer></offers></shop></yml_catalog>",
			"yml: line 5, offset 66: bad element name <na!me>"},
		{"name starts with a digit", head + "<offer id=\"1\"><1name>x</1name></offer></offers></shop></yml_catalog>",
			"yml: line 5, offset 66: bad element name <1name>"},
		{"Cyrillic name with an apostrophe", head + "<offer id=\"1\"><ім'я>x</ім'я></offer></offers></shop></yml_catalog>",
			"yml: line 5, offset 66: bad element name <ім'я>"},
		{"bad attribute name", head + "<offer id=\"1\"><param na#me=\"a\">x</param></offer></offers></shop></yml_catalog>",
			"yml: line 5, offset 73: bad element name <na#me>"},
		{"'<' inside a tag", head + "<offer id=\"1\"><param name=\"a\" <b>x</param></offer></offers></shop></yml_catalog>",
			"yml: line 5, offset 82: '<' inside the tag <param>"},
		{"unclosed attribute value", head + "<offer id=\"1\"><param name=\"ab>x</param></offer></offers></shop></yml_catalog>",
			"yml: line 5, offset 66: unclosed tag <param>"},
		{"bad end tag", head + "<offer id=\"1\"><name>x</na!me></offer></offers></shop></yml_catalog>",
			"yml: line 5, offset 73: </na!me> closes <name>"},
		{"unterminated CDATA", head + "<offer id=\"1\"><description><![CDATA[abc</description></offer>",
			"yml: line 5, offset 79: unterminated CDATA section at the end of the feed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, chunk := range []int{0, 16} {
				_, err := parseAll(t, strings.NewReader(c.feed), Options{ChunkBytes: chunk})
				var se *SyntaxError
				if !errors.As(err, &se) || err.Error() != c.want {
					t.Errorf("chunk %d: got %v\nwant %s", chunk, err, c.want)
				}
			}
		})
	}
}

// TestTruncatedFeedAlwaysFails cuts a feed at every byte: no prefix may
// pass for a whole feed.
func TestTruncatedFeedAlwaysFails(t *testing.T) {
	data, _ := os.ReadFile("testdata/prom.xml")
	data = bytes.TrimRight(data, "\n")
	for cut := 0; cut < len(data); cut++ {
		if _, err := parseAll(t, bytes.NewReader(data[:cut]), Options{ChunkBytes: 64}); err == nil {
			t.Fatalf("feed cut at %d of %d bytes parsed without error", cut, len(data))
		}
	}
	if _, err := parseAll(t, bytes.NewReader(data), Options{ChunkBytes: 64}); err != nil {
		t.Fatal(err)
	}
}

// endless is a reader that never ends: what follows an entity bomb.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestEntityBombIsRefusedFast(t *testing.T) {
	bomb := `<?xml version="1.0"?>
<!DOCTYPE yml_catalog [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<yml_catalog><shop><name>&lol9;</name><offers><offer id="1"><name>&lol9;</name></offer></offers></shop></yml_catalog>`
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	st, err := Count(context.Background(), io.MultiReader(strings.NewReader(bomb), endless{}), Options{})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "DOCTYPE with an internal subset is refused") {
		t.Fatalf("got %v", err)
	}
	if err.Error() != "yml: line 2, offset 22: DOCTYPE with an internal subset is refused (entities are never expanded)" {
		t.Errorf("got %v", err)
	}
	if elapsed > time.Second || st.Bytes > 8<<20 || after.TotalAlloc-before.TotalAlloc > 32<<20 {
		t.Errorf("bomb cost %v, read %d bytes, allocated %d", elapsed, st.Bytes, after.TotalAlloc-before.TotalAlloc)
	}
	// An external DOCTYPE without a subset is fine (Zakupka writes one).
	if _, err := Count(context.Background(), strings.NewReader(`<!DOCTYPE yml_catalog SYSTEM "shops.dtd"><yml_catalog/>`), Options{}); err != nil {
		t.Error(err)
	}
}

func TestMaxBytes(t *testing.T) {
	data, _ := os.ReadFile("testdata/prom.xml")
	_, err := Count(context.Background(), bytes.NewReader(data), Options{MaxBytes: 1000, ChunkBytes: 256})
	if !errors.Is(err, ErrTooLarge) || err.Error() != "yml: feed exceeds 1000 bytes: feed too large" {
		t.Fatalf("got %v", err)
	}
	if _, err := Count(context.Background(), bytes.NewReader(data), Options{MaxBytes: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
}

func TestOfferTooLarge(t *testing.T) {
	feed := head + "<offer id=\"1\"><description>" + strings.Repeat("x", 5000) + "</description></offer></offers></shop></yml_catalog>"
	_, err := Count(context.Background(), strings.NewReader(feed), Options{ChunkBytes: 512, MaxElementBytes: 2048})
	if err == nil || err.Error() != "yml: line 5, offset 52: an <offer> longer than 2048 bytes" {
		t.Fatalf("got %v", err)
	}
}

// TestOrderIsPreserved parses a generated feed with many small chunks and
// more workers than cores: offers must come back in feed order.
func TestOrderIsPreserved(t *testing.T) {
	var buf bytes.Buffer
	const n = 20000
	if err := feedgen.WriteYML(&buf, feedgen.Options{Offers: n, Dialect: feedgen.Rozetka, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	next := 100000
	batches := 0
	st, err := Parse(context.Background(), bytes.NewReader(buf.Bytes()), Options{ChunkBytes: 8 << 10, Workers: 8}, nil, func(o []Offer) error {
		batches++
		for _, x := range o {
			if x.ID != fmt.Sprint(next) {
				return fmt.Errorf("offer %s where %d was due", x.ID, next)
			}
			next++
		}
		return nil
	})
	if err != nil || st.Offers != n || next != 100000+n || batches < 100 {
		t.Fatalf("err %v, %d offers in %d batches", err, st.Offers, batches)
	}
}

func TestEveryDialectFromTheGeneratorParses(t *testing.T) {
	for _, d := range []string{feedgen.Prom, feedgen.Rozetka, feedgen.Zakupka, feedgen.Epicentr} {
		for _, enc := range []string{feedgen.UTF8, feedgen.Windows1251} {
			var buf bytes.Buffer
			if err := feedgen.WriteYML(&buf, feedgen.Options{Offers: 50, Dialect: d, Encoding: enc, BOM: true}); err != nil {
				t.Fatal(err)
			}
			p, err := parseAll(t, &buf, Options{})
			if err != nil || len(p.Offers) != 50 || p.Stats.Warnings != 0 {
				t.Fatalf("%s %s: %v, %d offers, %v", d, enc, err, len(p.Offers), p.Stats.WarningSamples)
			}
			o := p.Offers[1]
			if o.ID != "100001" || o.Price == "" || o.NameUA == "" || len(o.Params) < 3 || o.Description == "" && o.DescriptionUA == "" {
				t.Errorf("%s %s: %+v", d, enc, o)
			}
			if !strings.Contains(o.NameUA, "і") && !strings.Contains(o.NameUA, "ї") && !strings.Contains(o.NameUA, "и") {
				t.Errorf("%s %s: name %q", d, enc, o.NameUA)
			}
		}
	}
}

func TestCallbackErrorStops(t *testing.T) {
	var buf bytes.Buffer
	if err := feedgen.WriteYML(&buf, feedgen.Options{Offers: 5000}); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	calls := 0
	_, err := Parse(context.Background(), &buf, Options{ChunkBytes: 4096}, nil, func([]Offer) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("got %v after %d calls", err, calls)
	}
}

// FuzzParse: the parser never panics, and the chunk size never changes
// whether a feed parses or what it yields.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, name := range files {
		data, _ := os.ReadFile(name)
		f.Add(data)
	}
	f.Add([]byte(head + "<offer id=\"1\"><![CDATA[</offer>]]></offer></offers></shop></yml_catalog>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, errA := parseAll(t, bytes.NewReader(data), Options{})
		b, errB := parseAll(t, bytes.NewReader(data), Options{ChunkBytes: 16, Workers: 2})
		if (errA == nil) != (errB == nil) {
			t.Fatalf("chunking changes the outcome: %v vs %v", errA, errB)
		}
		if errA == nil && !reflect.DeepEqual(a.Offers, b.Offers) {
			t.Fatalf("chunking changes the offers")
		}
	})
}

// BenchmarkCount measures the parse-only path on a generated feed.
func BenchmarkCount(b *testing.B) {
	var buf bytes.Buffer
	if err := feedgen.WriteYML(&buf, feedgen.Options{Offers: 20000}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		st, err := Count(context.Background(), bytes.NewReader(data), Options{})
		if err != nil || st.Offers != 20000 {
			b.Fatal(st, err)
		}
	}
}

// A quoted attribute value may hold '>', '<'-free markup characters and the
// other quote; none of them ends the tag.
func TestQuotedValuesDoNotEndTheTag(t *testing.T) {
	feed := head + `<offer id="1"><param name="a>b" unit='c"d>'>x</param></offer></offers></shop></yml_catalog>`
	for _, chunk := range []int{0, 16} {
		p, err := parseAll(t, strings.NewReader(feed), Options{ChunkBytes: chunk})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Offers[0].Params; len(got) != 1 || got[0].Name != "a>b" || got[0].Unit != `c"d>` || got[0].Value != "x" {
			t.Errorf("chunk %d: params %+v", chunk, got)
		}
	}
}

// TestValuesReadTheSameHoweverWritten: a value taken straight from the
// buffer (plain text, or one CDATA section, up to the end tag) reads the
// same as one that needs decoding, and a windows-1251 feed, which always
// decodes, reads the same text.
func TestValuesReadTheSameHoweverWritten(t *testing.T) {
	cases := map[string]string{
		`Чайник`:                            "Чайник",
		" \n Чайник \t":                     "Чайник",
		`<![CDATA[Чайник]]>`:                "Чайник",
		" <![CDATA[ Чайник <b>1</b> ]]>\n ": "Чайник <b>1</b>",
		`Чай<![CDATA[ник]]>`:                "Чайник",
		`<![CDATA[Чай]]>ник`:                "Чайник",
		`<![CDATA[Чай]]><![CDATA[ник]]>`:    "Чайник",
		`<![CDATA[Чай]]><!-- x --> ник`:     "Чай ник",
		`Чай &amp; кава`:                    "Чай & кава",
		`<![CDATA[&amp;]]>`:                 "&amp;",
		`<!-- x --><![CDATA[Чайник]]>`:      "Чайник",
		``:                                  "",
		`<![CDATA[]]>`:                      "",
	}
	enc := charmap.Windows1251.NewEncoder()
	for written, want := range cases {
		feed := head + `<offer id="1" group_id="Ґ"><name>` + written + `</name><vendor>Ґердан</vendor></offer></offers></shop></yml_catalog>`
		cp, err := enc.String(strings.Replace(feed, `version="1.0"?>`, `version="1.0" encoding="windows-1251"?>`, 1))
		if err != nil {
			t.Fatal(err)
		}
		for encoding, feed := range map[string]string{"UTF-8": feed, "windows-1251": cp} {
			p, err := parseAll(t, strings.NewReader(feed), Options{})
			if err != nil {
				t.Errorf("%s %q: %v", encoding, written, err)
				continue
			}
			if o := p.Offers[0]; o.Name != want || o.Vendor != "Ґердан" || o.GroupID != "Ґ" {
				t.Errorf("%s %q: name %q, vendor %q, group %q; want %q", encoding, written, o.Name, o.Vendor, o.GroupID, want)
			}
		}
	}
}
