package yml

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/kramar/kramar/sandbox/feedgen"
)

func BenchmarkDialects(b *testing.B) {
	for _, d := range []string{"prom", "epicentr", "rozetka", "zakupka"} {
		b.Run(d, func(b *testing.B) {
			var buf bytes.Buffer
			if err := feedgen.WriteYML(&buf, feedgen.Options{Offers: 20000, Dialect: d}); err != nil {
				b.Fatal(err)
			}
			data := buf.Bytes()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Count(context.Background(), bytes.NewReader(data), Options{Workers: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWorkers is the Prom feed parsed by one worker and by as many as
// there are CPUs: how well the parse spreads over the cores.
func BenchmarkWorkers(b *testing.B) {
	var buf bytes.Buffer
	if err := feedgen.WriteYML(&buf, feedgen.Options{Offers: 20000, Dialect: "prom"}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	for _, w := range []int{1, 0} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Count(context.Background(), bytes.NewReader(data), Options{Workers: w}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
