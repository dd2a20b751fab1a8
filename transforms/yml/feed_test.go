package yml

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	feed "github.com/kramar/kramar/extractors/feeds/yml"
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
