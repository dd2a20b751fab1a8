package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/sandbox/feedgen"
)

// countTags counts opening tags by a plain scan that skips CDATA and
// comments: independent of the parsers under test.
func countTags(data []byte, tag string) int {
	if bytes.Contains(data[:min(len(data), 200)], []byte("windows-1251")) {
		data, _ = charmap.Windows1251.NewDecoder().Bytes(data)
	}
	skip := regexp.MustCompile(`(?s)<!\[CDATA\[.*?\]\]>|<!--.*?-->`)
	data = skip.ReplaceAll(data, nil)
	return len(regexp.MustCompile(`<`+regexp.QuoteMeta(tag)+`[\s>/]`).FindAll(data, -1))
}

func TestInspectFeedCountsEveryTestFeed(t *testing.T) {
	bin := buildKramar(t)
	var files []string
	for _, glob := range []string{"../../extractors/feeds/yml/testdata/*.xml", "../../extractors/feeds/cml/testdata/*.xml", "../../transforms/cml/testdata/files/*.xml"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 8 {
		t.Fatalf("only %d test feeds found", len(files))
	}
	for _, f := range files {
		out, err := exec.Command(bin, "inspect", "feed", f, "--json").Output()
		if err != nil {
			t.Errorf("%s: %v\n%s", f, err, out)
			continue
		}
		var rep struct {
			Format             string
			Offers, Categories int
			Orders             int
			Errors             []string
		}
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatalf("%s: %v\n%s", f, err, out)
		}
		data, _ := os.ReadFile(f)
		want := map[string]int{"yml": countTags(data, "offer"), "cml": countTags(data, "Документ")}[rep.Format]
		got := map[string]int{"yml": rep.Offers, "cml": rep.Orders}[rep.Format]
		if want == 0 || got != want || len(rep.Errors) != 0 {
			t.Errorf("%s: format %s, %d records (want %d), errors %v", f, rep.Format, got, want, rep.Errors)
		}
	}
}

func TestInspectFeedNamesTheBrokenPlace(t *testing.T) {
	bin := buildKramar(t)
	data, err := os.ReadFile("../../extractors/feeds/yml/testdata/prom.xml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut.xml")
	if err := os.WriteFile(path, data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "inspect", "feed", path, "--json").Output()
	var rep struct {
		Format string
		Errors []string
	}
	if exitCode(err) != 1 || json.Unmarshal(out, &rep) != nil || rep.Format != "yml" || len(rep.Errors) != 1 ||
		!regexp.MustCompile(`line \d+`).MatchString(rep.Errors[0]) {
		t.Fatalf("cut feed: exit %d, %s", exitCode(err), out)
	}
}

func TestBackfillCatalogLoadsAFeedStore(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.xml")
	var b bytes.Buffer
	if err := feedgen.WriteYML(&b, feedgen.Options{Offers: 1200, Seed: 3, Encoding: feedgen.Windows1251}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(feed, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, wh := shopCLI(t, dir, "    feed_url: "+feed+"\n")
	out, code := c.run("backfill", "catalog", "--store", "shop")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	// Not a terminal: plain log lines, not a bar.
	if !strings.Contains(string(out), "catalog load in progress") || !strings.Contains(string(out), "1200") {
		t.Errorf("output:\n%s", out)
	}
	if got := pipelinetest.Query(t, wh, `SELECT count() FROM {db}.v_products WHERE store = 'shop'`); got[0] != "1200" {
		t.Errorf("v_products holds %v offers, want 1200", got)
	}
}
