package pipeline_test

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/feedgen"
	"github.com/kramar/kramar/sandbox/kit"
)

// feedEnv is a harness of Prom stores whose catalogs come from YML feeds.
type feedEnv struct{ *pipelinetest.Multi }

// newFeedEnv has a store for each feed (store → the feed's URL or path).
func newFeedEnv(t *testing.T, feeds map[string]string) feedEnv {
	t.Setenv("FEED_TEST_TOKEN", "unused-token")
	var specs []pipelinetest.StoreSpec
	for _, id := range slices.Sorted(maps.Keys(feeds)) {
		specs = append(specs, pipelinetest.StoreSpec{ID: id,
			YAML: "marketplace: prom\ntoken_env: FEED_TEST_TOKEN\norder_type: Роздріб\norder_source: Prom.ua\nfeed_url: " + feeds[id]})
	}
	return feedEnv{pipelinetest.NewMulti(t, kit.NewClock(pipelinetest.Start), specs, "")}
}

// load is one catalog run of the store.
func (e feedEnv) load(store string) pipeline.StoreResult {
	e.T().Helper()
	return e.Run(context.Background(), pipeline.JobCatalog, store)[store]
}

func writeFeed(t *testing.T, path string, o feedgen.Options) []byte {
	var b bytes.Buffer
	if err := feedgen.WriteYML(&b, o); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestYMLFeedCatalogSnapshots(t *testing.T) {
	dir := t.TempDir()
	utf8, cp := filepath.Join(dir, "utf8.xml"), filepath.Join(dir, "cp1251.xml")
	writeFeed(t, utf8, feedgen.Options{Offers: 3000, Seed: 4})
	writeFeed(t, cp, feedgen.Options{Offers: 3000, Seed: 4, Encoding: feedgen.Windows1251})
	e := newFeedEnv(t, map[string]string{"utf8": utf8, "cp1251": "file://" + cp})
	for _, s := range []string{"utf8", "cp1251"} {
		if r := e.load(s); !r.OK() || r.New != 3000 || r.Rejected != 0 {
			t.Fatalf("%s: %+v", s, r)
		}
	}
	// Cyrillic from windows-1251 arrives exactly as from UTF-8.
	diff := e.Query(`SELECT count() FROM {db}.v_products AS a
		ALL INNER JOIN (SELECT product_id, name AS name2, category AS category2 FROM {db}.v_products WHERE store = 'cp1251') AS b USING product_id
		WHERE a.store = 'utf8' AND (a.name != b.name2 OR a.category != b.category2)`)
	same := e.Query(`SELECT count() FROM {db}.v_products WHERE store = 'cp1251' AND match(name, '[А-Яа-яІіЇїЄєҐґ]')`)
	if diff[0] != "0" || same[0] != "3000" {
		t.Fatalf("windows-1251 vs UTF-8: %s offers differ, %s of 3000 have Cyrillic names", diff[0], same[0])
	}

	// A truncated feed fails the load and the last good catalog stays.
	before := e.Query(`SELECT count(), sum(available), sum(stock) FROM {db}.v_products WHERE store = 'utf8'`)
	full, _ := os.ReadFile(utf8)
	if err := os.WriteFile(utf8, full[:len(full)*2/3], 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.load("utf8")
	if r.OK() || r.Err == nil || !strings.Contains(r.Err.Error(), "line") {
		t.Fatalf("truncated feed: %+v; want a failure naming the line", r)
	}
	if got := e.Query(`SELECT count(), sum(available), sum(stock) FROM {db}.v_products WHERE store = 'utf8'`); got[0] != before[0] {
		t.Fatalf("after a truncated feed: %v, want the last good catalog %v", got, before)
	}
	if got := e.Query(`SELECT status, position(error, 'line') > 0 FROM {db}.pipeline_runs WHERE run_id = ?`, r.RunID); got[0] != "failed\t1" {
		t.Fatalf("run record of the truncated feed: %v", got)
	}

	// A smaller feed: the offers it lost stay, unavailable and out of stock.
	kept := map[string]bool{}
	smaller := writeFeed(t, utf8, feedgen.Options{Offers: 2500, Seed: 4})
	if _, err := yml.Parse(context.Background(), bytes.NewReader(smaller), yml.Options{}, nil, func(os []yml.Offer) error {
		for _, o := range os {
			kept[o.ID] = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if r := e.load("utf8"); !r.OK() || r.New != 2500 {
		t.Fatalf("smaller feed: %+v", r)
	}
	gone := 0
	for _, row := range e.Query(`SELECT product_id, available, stock FROM {db}.v_products WHERE store = 'utf8'`) {
		f := strings.Split(row, "\t")
		if !kept[f[0]] {
			gone++
			if f[1] != "0" || f[2] != "0" {
				t.Errorf("offer %s is gone from the feed but shows available=%s stock=%s", f[0], f[1], f[2])
			}
		}
	}
	if gone != 500 {
		t.Errorf("%d offers gone from the feed are in v_products, want all 500 kept as unavailable", gone)
	}
}

func TestYMLFeedUnchangedIsNotReloaded(t *testing.T) {
	var feed bytes.Buffer
	if err := feedgen.WriteYML(&feed, feedgen.Options{Offers: 500, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	gets := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets++
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(feed.Bytes())
	}))
	defer srv.Close()
	e := newFeedEnv(t, map[string]string{"served": srv.URL + "/feed.xml"})
	if r := e.load("served"); !r.OK() || r.New != 500 {
		t.Fatalf("first load: %+v", r)
	}
	if r := e.load("served"); r.Status != pipeline.StatusNotModified || r.New != 0 {
		t.Fatalf("second load: %+v, want not_modified", r)
	}
	if got := e.Query(`SELECT count() FROM {db}.v_products`); got[0] != "500" || gets != 2 {
		t.Fatalf("v_products %v after %d GETs; want 500 after 2", got, gets)
	}
}
