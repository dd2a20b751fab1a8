package yml

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/kramar/kramar/sandbox/feedgen"
)

// validUTF8 must agree with utf8.Valid on every input: random mixes of
// ASCII, Cyrillic, three- and four-byte characters and stray bytes, at
// every alignment and length, and the edge cases by name.
func TestValidUTF8AgreesWithTheStandardLibrary(t *testing.T) {
	pieces := [][]byte{
		[]byte("a"), []byte("<offer id=\"1\">"), []byte("Київ"), []byte("ґ"), []byte("’"), []byte("—"),
		[]byte("€"), []byte("😀"), []byte("«»"), {0x80}, {0xbf}, {0xc0, 0x80}, {0xc1, 0xbf}, {0xc2}, {0xd0},
		{0xe2, 0x80}, {0xed, 0xa0, 0x80}, {0xf4, 0x90, 0x80, 0x80}, {0xff}, {0xfe}, []byte("  "),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 200000 {
		var b []byte
		for range r.IntN(24) {
			p := pieces[r.IntN(len(pieces))]
			if r.IntN(4) > 0 { // mostly text, now and then anything
				p = pieces[r.IntN(6)]
			}
			b = append(b, p...)
		}
		if got, want := validUTF8(b), utf8.Valid(b); got != want {
			t.Fatalf("case %d: validUTF8(%q) = %v, utf8.Valid = %v", n, b, got, want)
		}
	}
	for _, s := range []string{"", "abcdefgh", "абвгдеєж", "аaбbвcгd", "abcdefgа", "abcdefg\xd0", "abcdefg\xd0\xb0",
		"\xb0bcdefgh", "аааа\xc1\x81ааа", "ааааааа\xe2\x80\x99", "\xd0\xb0\xd0\xb0\xd0\xb0\xd0\xb0\xd0"} {
		if got, want := validUTF8([]byte(s)), utf8.Valid([]byte(s)); got != want {
			t.Errorf("validUTF8(%q) = %v, utf8.Valid = %v", s, got, want)
		}
	}
}

func BenchmarkValidUTF8(b *testing.B) {
	var feed bytes.Buffer
	if err := feedgen.WriteYML(&feed, feedgen.Options{Offers: 2000, Dialect: "prom"}); err != nil {
		b.Fatal(err)
	}
	text := feed.Bytes()
	for _, c := range []struct {
		name  string
		valid func([]byte) bool
	}{{"kramar", validUTF8}, {"stdlib", utf8.Valid}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if !c.valid(text) {
					b.Fatal("invalid")
				}
			}
		})
	}
}
