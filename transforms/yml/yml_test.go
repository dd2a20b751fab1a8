package yml

import (
	"encoding/json"
	"errors"
	"testing"

	feed "github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
)

var shop = &feed.Shop{Categories: []feed.Category{
	{ID: "1", Name: "Посуд"},
	{ID: "11", ParentID: "1", Name: "Сковороди"},
	{ID: "3806", Name: "Електрочайники (дерево)"},
}}

// Each input is {"match_by": "...", "offer": {…feed.Offer…}}.
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", func(in []byte) (any, error) {
		var c struct {
			MatchBy string     `json:"match_by"`
			Offer   feed.Offer `json:"offer"`
		}
		if err := json.Unmarshal(in, &c); err != nil {
			t.Fatal(err)
		}
		return TransformOffer(c.Offer, StoreContext{Marketplace: "prom", Store: "kuhsvit", MatchBy: c.MatchBy, Categories: CategoryNames(shop)})
	})
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
		_, err := TransformOffer(o, StoreContext{})
		var fe *canon.FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
	if _, err := TransformOffer(base, StoreContext{MatchBy: "ean"}); err == nil {
		t.Error("unknown match_by accepted")
	}
}
