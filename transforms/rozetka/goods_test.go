package rozetka

import (
	"testing"

	"github.com/kramar/kramar/transforms/golden"
)

// stock_by_price_list and stock_by_api carry sync_source as the apidoc
// mirror documents it (GERA-OneTeam/Rozetka-API-Seller
// docs/categories/apiitems.md L223-229: availability 3 "by price list", 4
// "by API"); the catalog row keeps who sets the stock.
func TestGoodsGolden(t *testing.T) {
	golden.Run(t, "testdata_goods", golden.Products(TransformProduct, testStore))
}
