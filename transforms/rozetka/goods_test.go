package rozetka

import (
	"testing"

	"github.com/kramar/kramar/transforms/golden"
)

func TestGoodsGolden(t *testing.T) {
	golden.Run(t, "testdata_goods", func(in []byte) (any, error) {
		return TransformProduct(in, testStore)
	})
}
