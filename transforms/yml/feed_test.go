package yml

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	feed "github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/golden"
)

// TestFeedGoldens reads every testdata_feeds/*.xml through the feed reader
// and this transform, as the catalog job does, and compares the products
// with the .golden.json beside it (-update rewrites them). The feeds hold
// what the offer-level goldens cannot: the encoding, CDATA and entities of
// descriptions, the category tree. prom_cp1251.xml is a windows-1251 Prom
// feed with params, units and an HTML description, and an offer with
// neither params nor markup.
func TestFeedGoldens(t *testing.T) {
	files, _ := filepath.Glob("testdata_feeds/*.xml")
	if len(files) == 0 {
		t.Fatal("no testdata_feeds/*.xml")
	}
	update := flag.Lookup("update").Value.(flag.Getter).Get().(bool)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			store := canon.Store{Marketplace: "prom", Store: "kuhsvit"}
			var c Catalog
			var out []any
			_, err = feed.Parse(context.Background(), in, feed.Options{Name: f},
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
			if err != nil {
				t.Fatal(err)
			}
			got, err := golden.Render(out, nil)
			if err != nil {
				t.Fatal(err)
			}
			path := strings.TrimSuffix(f, ".xml") + golden.Suffix
			if update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the output (run with -update if the change is intended):\n%s", path, got)
			}
		})
	}
}
