package yml

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	feed "github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
)

var shop = &feed.Shop{Categories: []feed.Category{
	{ID: "1", Name: "Посуд"},
	{ID: "11", ParentID: "1", Name: "Сковороди"},
	{ID: "3806", Name: "Електрочайники (дерево)"},
}}

// Each input is {"match_by": "...", "offer": {…feed.Offer…}, "shop":
// {…feed.Shop…}}; without "shop" the offer is in the shop above. The
// offer is what the reader makes of the feed (several URLs of one
// <picture> already split, for instance).
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", func(in []byte) (any, error) {
		var c struct {
			MatchBy string     `json:"match_by"`
			Offer   feed.Offer `json:"offer"`
			Shop    *feed.Shop `json:"shop"`
		}
		if err := json.Unmarshal(in, &c); err != nil {
			t.Fatal(err)
		}
		s := shop
		if c.Shop != nil {
			s = c.Shop
		}
		return TransformOffer(c.Offer, canon.Store{Marketplace: "prom", Store: "kuhsvit"}, Catalog{MatchBy: c.MatchBy, Categories: CategoryNames(s)})
	})
}

func TestCategoryNamesKeepTheFirstDefinition(t *testing.T) {
	m := CategoryNames(&feed.Shop{Categories: []feed.Category{
		{ID: "4001", Name: "Кросівки"}, {ID: "4001", Name: "Зимові черевики"}, {ID: "7", Code: "3806", Name: "Чайники"}, {ID: "3806", Name: "Інше"},
	}})
	if m.Name("4001") != "Кросівки" || m.Name("3806") != "Чайники" || m.Name("7") != "Чайники" || len(m) != 3 {
		t.Errorf("%v", m)
	}
}

// Paths follow parentId to the root; a parent the shop does not define, or
// a loop, ends the path.
func TestCategoryPaths(t *testing.T) {
	m := CategoryNames(&feed.Shop{Categories: []feed.Category{
		{ID: "1", Name: "Дім"}, {ID: "2", ParentID: "1", Name: "Кухня"}, {ID: "3", ParentID: "2", Name: "Посуд"},
		{ID: "3", ParentID: "1", Name: "Дубль"}, // defined twice: the first wins, with its parent
		{ID: "4", ParentID: "404", Name: "Сирота"},
		{ID: "5", ParentID: "6", Name: "Коло А"}, {ID: "6", ParentID: "5", Name: "Коло Б"},
	}})
	for id, want := range map[string]string{
		"1": "Дім", "2": "Дім/Кухня", "3": "Дім/Кухня/Посуд", "4": "Сирота", "5": "Коло Б/Коло А", "6": "Коло А/Коло Б", "9": "",
	} {
		if got := strings.Join(m.Path(id), "/"); got != want {
			t.Errorf("path of %s = %q, want %q", id, got, want)
		}
	}
}

// The catalog date in both spellings real feeds use.
func TestCatalogDate(t *testing.T) {
	for in, want := range map[string]string{
		"2025-11-30T06:05:04.321Z":  "2025-11-30T06:05:04Z", // AndriiSolodovnyk/feed rozetka.xml: ISO-8601, milliseconds, Z
		"2026-07-19 09:07":          "2026-07-19T06:07:00Z", // xvalikan/avtopro-pricelist prom.xml: Kyiv time, summer (+03:00)
		"2019-11-15 23:24":          "2019-11-15T21:24:00Z", // JEBS-O/desktop-converter-excel-xml rozetka.xml: winter (+02:00)
		"2024-05-01 12:00:30":       "2024-05-01T09:00:30Z",
		"2024-05-01T12:00":          "2024-05-01T09:00:00Z",
		"2024-05-01T12:00:00+03:00": "2024-05-01T09:00:00Z",
		" 2024-01-10 08:00 ":        "2024-01-10T06:00:00Z",
	} {
		got, err := CatalogDate(in)
		if err != nil || got.Format(time.RFC3339) != want || got.Location() != time.UTC {
			t.Errorf("%q: %v %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "15.11.2019 23:24", "yesterday"} {
		if _, err := CatalogDate(bad); err == nil || !strings.Contains(err.Error(), "yml_catalog date") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestErrorsNameTheField(t *testing.T) {
	base := feed.Offer{ID: "1", Price: "10"}
	cases := map[string]func(o *feed.Offer){
		"price":             func(o *feed.Offer) { o.Price = "abc" },
		"oldprice":          func(o *feed.Offer) { o.OldPrice = "-5" },
		"price_promo":       func(o *feed.Offer) { o.PricePromo = "1,2,3" },
		"quantity_in_stock": func(o *feed.Offer) { o.QuantityInStock = "-1" },
		"available":         func(o *feed.Offer) { o.Available = "yes" },
		"id":                func(o *feed.Offer) { o.ID = "" },
	}
	for field, spoil := range cases {
		o := base
		spoil(&o)
		_, err := TransformOffer(o, canon.Store{}, Catalog{})
		var fe *canon.FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
	if _, err := TransformOffer(base, canon.Store{}, Catalog{MatchBy: "ean"}); err == nil {
		t.Error("unknown match_by accepted")
	}
}
