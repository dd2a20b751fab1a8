package drift_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/kramar/kramar/extractors/drift"
	prom "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/transforms/decode"
)

// The check against the cost it sits beside: decoding the same order.
// go test -bench . ./extractors/drift
func promPayload(b *testing.B) []byte {
	raw, err := os.ReadFile("../../transforms/prom/testdata/full.json")
	if err != nil {
		b.Skip(err)
	}
	// The API sends compact JSON; the golden file is indented.
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		b.Fatal(err)
	}
	return compact.Bytes()
}

func BenchmarkCheckPromOrder(b *testing.B) {
	raw := promPayload(b)
	m := drift.ModelOf(prom.Order{})
	var tally drift.Tally
	now := time.Now()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		tally.Check(m, "orders", raw, now)
	}
}

func BenchmarkDecodePromOrder(b *testing.B) { benchDecode(b, promPayload(b)) }

// A marketplace that changes a field's type for every order sends each one
// down decode's slow path (read, repair, decode again).
func BenchmarkDecodePromOrderOfAnotherShape(b *testing.B) {
	raw := bytes.Replace(promPayload(b), []byte(`"price":"`), []byte(`"price":1,"x":"`), 1)
	var probe prom.Order
	if err := decode.Into(raw, &probe); err != nil {
		b.Fatal(err)
	}
	benchDecode(b, raw)
}

// benchDecode measures decoding raw into a Prom order.
func benchDecode(b *testing.B, raw []byte) {
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var o prom.Order
		if err := decode.Into(raw, &o); err != nil {
			b.Fatal(err)
		}
	}
}
