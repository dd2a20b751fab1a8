package feedgen

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

func generate(t *testing.T, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteYML(&b, o); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDeterministic(t *testing.T) {
	o := Options{Offers: 300, Dialect: Rozetka, Seed: 7}
	a, b := generate(t, o), generate(t, o)
	if sha256.Sum256(a) != sha256.Sum256(b) {
		t.Fatal("same options, different feeds")
	}
	o.Seed = 8
	if bytes.Equal(a, generate(t, o)) {
		t.Fatal("the seed changes nothing")
	}
}

func TestDialectsAndEncodings(t *testing.T) {
	for _, d := range []string{Prom, Rozetka, Zakupka, Epicentr} {
		s := string(generate(t, Options{Offers: 6, Dialect: d}))
		if n := strings.Count(s, "<offer "); n != 6 {
			t.Errorf("%s: %d offers", d, n)
		}
		want := map[string]string{Prom: "<quantity_in_stock>", Rozetka: "<stock_quantity>", Zakupka: `SYSTEM "shops.dtd"`, Epicentr: `<name lang="ua">`}[d]
		if !strings.Contains(s, want) || !strings.Contains(s, "<![CDATA[") || !strings.HasSuffix(s, "</yml_catalog>\n") {
			t.Errorf("%s: missing %s", d, want)
		}
	}
	utf := generate(t, Options{Offers: 3})
	cp := generate(t, Options{Offers: 3, Encoding: Windows1251})
	if !bytes.Contains(cp, []byte(`encoding="windows-1251"`)) || bytes.Contains(cp, []byte("Чайник")) ||
		!bytes.Contains(cp, []byte("\xd7\xe0\xe9\xed\xe8\xea")) || len(cp) >= len(utf) {
		t.Error("windows-1251 output is not windows-1251")
	}
	if bom := generate(t, Options{Offers: 1, BOM: true}); !bytes.HasPrefix(bom, []byte("\xef\xbb\xbf<?xml")) {
		t.Error("no BOM")
	}
	if err := WriteYML(&bytes.Buffer{}, Options{Dialect: "hotline"}); err == nil {
		t.Error("unknown dialect accepted")
	}
}
