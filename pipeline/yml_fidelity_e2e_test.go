package pipeline_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramar/kramar/sandbox/feedgen"
)

// TestYMLFeedRealShapesLoad loads feeds in the shapes sellers really
// publish, each beside the clean feed of the same offers, and checks the
// warehouse gets the same catalog from both.
func TestYMLFeedRealShapesLoad(t *testing.T) {
	const offers = 1000
	dir := t.TempDir()
	shapes := []struct {
		store string
		o     feedgen.Options
	}{
		{"clean_rozetka", feedgen.Options{Dialect: feedgen.Rozetka}},
		{"clean_prom", feedgen.Options{Dialect: feedgen.Prom}},
		// JEBS-O/desktop-converter-excel-xml rozetka.xml @ 3ac09856: windows-1251
		// declared UTF-8, pictures joined by "; ", a category id twice, names lost.
		{"mislabelled", feedgen.Options{Dialect: feedgen.Rozetka, Encoding: feedgen.Windows1251, DeclaredEncoding: "UTF-8",
			JoinedPictures: true, DuplicateCategory: true, LostNames: true}},
		// pojitonov/pricelist rozetka.xml @ e6cd44c2: no declaration, CR only,
		// available spelled with a Cyrillic «а».
		{"lookalike", feedgen.Options{Dialect: feedgen.Rozetka, NoDeclaration: true, LineEnd: "\r", AvailableCyrillic: true}},
		// AndriiSolodovnyk/feed rozetka.xml @ 80b53361: <shop> holds only
		// <offers>, ISO date; and here no currencyId either.
		{"bare", feedgen.Options{Dialect: feedgen.Rozetka, Bare: true, ISODate: true, NoCurrencyID: true, LineEnd: "\r\n"}},
		// xvalikan/avtopro-pricelist prom.xml @ c9815254: price and stock only.
		{"price_stock", feedgen.Options{Dialect: feedgen.Prom, PriceStockOnly: true}},
	}
	feeds := map[string]string{}
	for _, s := range shapes {
		s.o.Offers, s.o.Seed = offers, 21
		feeds[s.store] = filepath.Join(dir, s.store+".xml")
		writeFeed(t, feeds[s.store], s.o)
	}
	e := newFeedEnv(t, feeds)
	for _, s := range shapes {
		if r := e.load(s.store); !r.OK() || r.New != offers || r.Rejected != 0 {
			t.Fatalf("%s: %+v", s.store, r)
		}
	}
	q := func(sql string) string { return strings.Join(e.Query(sql), "\n") }
	// differ counts the offers of store whose columns differ from the same
	// offer in the clean feed.
	differ := func(store, clean, cols string) string {
		return q(`SELECT count() FROM (SELECT product_id, ` + cols + ` FROM {db}.v_products WHERE store = '` + store + `') AS a
			ALL INNER JOIN (SELECT product_id, ` + rename(cols) + ` FROM {db}.v_products WHERE store = '` + clean + `') AS b USING product_id
			WHERE ` + compare(cols))
	}

	// The mislabelled feed is read as windows-1251: categories in Cyrillic,
	// as in the clean feed (the twice-defined id keeps its first name), the
	// joined pictures are separate photos again, and the lost names load as
	// written.
	if got := differ("mislabelled", "clean_rozetka", "category, photos, price, stock, available"); got != "0" {
		t.Errorf("mislabelled feed: %s offers differ from the clean feed", got)
	}
	if got := q(`SELECT countIf(match(category, '^[А-ЯІЇЄҐ]')), countIf(name LIKE '%???%'), max(length(photos))
		FROM {db}.v_products WHERE store = 'mislabelled'`); got != "1000\t1000\t3" {
		t.Errorf("mislabelled feed: Cyrillic categories, lost names, most photos: %s", got)
	}

	// The look-alike attribute is read: availability as in the clean feed,
	// not its default.
	if got := differ("lookalike", "clean_rozetka", "name, category, available, stock"); got != "0" {
		t.Errorf("look-alike feed: %s offers differ", got)
	}
	if got := q(`SELECT countIf(available = 0) > 50 FROM {db}.v_products WHERE store = 'lookalike'`); got != "1" {
		t.Errorf("look-alike feed: availability fell back to its default")
	}

	// The bare feed: no currencies anywhere, so UAH; no categories, so no
	// category names; the rest as the clean feed.
	if got := differ("bare", "clean_rozetka", "name, price, stock, available, photos"); got != "0" {
		t.Errorf("bare feed: %s offers differ", got)
	}
	if got := q(`SELECT countIf(currency = 'UAH'), countIf(category = '' AND category_id != '') FROM {db}.v_products WHERE store = 'bare'`); got != "1000\t1000" {
		t.Errorf("bare feed: currency UAH, categories without names: %s", got)
	}

	// The price and stock feed: prices, stock and availability as the full
	// feed's, no names.
	if got := differ("price_stock", "clean_prom", "price, stock, available, currency"); got != "0" {
		t.Errorf("price and stock feed: %s offers differ", got)
	}
	if got := q(`SELECT countIf(name = '' AND category = '') FROM {db}.v_products WHERE store = 'price_stock'`); got != "1000" {
		t.Errorf("price and stock feed: %s offers without a name", got)
	}
}

// rename turns "a, b" into "a AS a_b, b AS b_b" for the clean side of a join.
func rename(cols string) string {
	var out []string
	for _, c := range strings.Split(cols, ", ") {
		out = append(out, c+" AS "+c+"_b")
	}
	return strings.Join(out, ", ")
}

// compare is "a != a_b OR b != b_b".
func compare(cols string) string {
	var out []string
	for _, c := range strings.Split(cols, ", ") {
		out = append(out, c+" != "+c+"_b")
	}
	return strings.Join(out, " OR ")
}
