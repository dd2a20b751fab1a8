package yml

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unsafe"

	feed "github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/sandbox/feedgen"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
)

// TestFeedGoldens reads whole feeds through the feed reader and this
// transform, as the catalog job does: each testdata_feeds/<case>.json names
// its feed ({"feed": "<file>.xml"}), and <case>.golden.json holds the
// products (or, for an offer the transform refuses, its id and error). The
// feeds hold what the offer-level goldens cannot: the encoding, CDATA and
// entities of descriptions, the category tree. prom_cp1251 is a
// windows-1251 Prom feed with params, units and an HTML description, and
// an offer with neither params nor markup.
func TestFeedGoldens(t *testing.T) {
	golden.Run(t, "testdata_feeds", func(in []byte) (any, error) {
		var c struct {
			Feed string `json:"feed"`
		}
		if err := json.Unmarshal(in, &c); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(filepath.Join("testdata_feeds", c.Feed))
		if err != nil {
			return nil, err
		}
		return transformFeed(data, canon.Store{Marketplace: "prom", Store: "kuhsvit"})
	})
}

func transformFeed(data []byte, store canon.Store) ([]any, error) {
	var c Catalog
	var out []any
	_, err := feed.Parse(context.Background(), bytes.NewReader(data), feed.Options{},
		func(s *feed.Shop) error { c.Categories = CategoryNames(s); return nil },
		func(offers []feed.Offer) error {
			for _, o := range offers {
				p, err := TransformOffer(o, store, c)
				if err != nil {
					out = append(out, map[string]string{"offer": o.ID, "error": err.Error()})
					continue
				}
				out = append(out, p)
			}
			return nil
		})
	return out, err
}

// TestProductsHoldNoneOfTheOfferText: the feed reader gives an offer's
// values as pieces of the offer's text; a product must hold copies, or a
// batch of products would keep every offer's markup and unused values in
// memory. Every string of every product (all its fields, found by
// reflection, so a field added later is checked too) lies outside every
// string of its offer.
func TestProductsHoldNoneOfTheOfferText(t *testing.T) {
	var buf bytes.Buffer
	if err := feedgen.WriteYML(&buf, feedgen.Options{Offers: 50, Dialect: "prom"}); err != nil {
		t.Fatal(err)
	}
	var c Catalog
	products := 0
	_, err := feed.Parse(context.Background(), &buf, feed.Options{},
		func(s *feed.Shop) error { c.Categories = CategoryNames(s); return nil },
		func(offers []feed.Offer) error {
			for _, o := range offers {
				offerText := stringsOf(reflect.ValueOf(o), nil)
				p, err := TransformOffer(o, canon.Store{Marketplace: "prom", Store: "kuhsvit"}, c)
				if err != nil {
					continue
				}
				products++
				for _, s := range stringsOf(reflect.ValueOf(p), nil) {
					for _, v := range offerText {
						if overlaps(s, v) {
							t.Errorf("offer %s: product text %q shares memory with offer value %q", o.ID, s, v)
						}
					}
				}
			}
			return nil
		})
	if err != nil || products == 0 {
		t.Fatalf("%d products, %v", products, err)
	}
}

// stringsOf appends every string in v: its own, its fields' and its
// elements'.
func stringsOf(v reflect.Value, out []string) []string {
	switch v.Kind() {
	case reflect.String:
		return append(out, v.String())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = stringsOf(v.Field(i), out)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			out = stringsOf(v.Index(i), out)
		}
	}
	return out
}

// overlaps reports whether two non-empty strings share bytes in memory.
func overlaps(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	a0, b0 := uintptr(unsafe.Pointer(unsafe.StringData(a))), uintptr(unsafe.Pointer(unsafe.StringData(b)))
	return a0 < b0+uintptr(len(b)) && b0 < a0+uintptr(len(a))
}
