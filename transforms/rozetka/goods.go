package rozetka

import (
	"strconv"

	"github.com/shopspring/decimal"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/decode"
	"github.com/kramar/kramar/transforms/timeconv"
)

// TransformProduct turns one /goods/all item into a catalog product. Goods
// prices are whole hryvnias as integers (GERA-OneTeam/Rozetka-API-Seller
// docs/categories/apiitems.md: price is an Integer), unlike order money;
// price_old and price_promo of 0, -1 or null mean "none".
var TransformProduct = decode.Transform(product)

func product(g *wire.GoodsItem, store canon.Store) (canon.Product, error) {
	if g.RzItemID <= 0 {
		return canon.Product{}, canon.FieldErr("rz_item_id", "missing")
	}
	p := canon.Product{
		Marketplace: store.Marketplace, Store: store.Store,
		ProductID:  strconv.FormatInt(g.RzItemID, 10),
		ExternalID: g.PriceOfferID, Article: g.Article, Name: canon.FirstNonEmpty(g.NameUA, g.Name),
		Price: hryvnias(g.Price), OldPrice: hryvnias(g.PriceOld), Currency: Currency,
		Stock: uint32(max(g.StockQuantity, 0)), Available: g.Available == 1, AvailabilityTitle: g.AvailableTitle,
		SellStatus: strconv.Itoa(g.RzSellStatus), Sold: uint32(max(g.Sold, 0)), Fulfillment: bool(g.IsFF),
		URL: g.URL, Photos: g.Photo,
	}
	if g.PricePromo != nil {
		p.PromoPrice = hryvnias(*g.PricePromo)
	}
	if src := g.SyncSource; src != nil {
		switch src.Availability {
		case wire.StockByPriceList:
			p.StockManagedBy = canon.StockByFeed
		case wire.StockByAPI:
			p.StockManagedBy = canon.StockByAPI
		}
	}
	if len(p.Photos) == 0 {
		p.Photos = g.PhotoPreview
	}
	if p.Photos == nil {
		p.Photos = []string{}
	}
	// The article is the seller's vendor code. rz_category names one
	// category, no tree: its path is that one name. /goods/all documents
	// rz_producer (the brand) and rz_group_id (GERA-OneTeam/Rozetka-API-Seller
	// docs/categories/apiitems.md), but the wire model (extractors/rozetka
	// GoodsItem) does not read them yet, and goods carry no description,
	// params or barcode: those stay empty.
	p.VendorCode = g.Article
	p.CategoryPath, p.ParamNames, p.ParamUnits, p.ParamValues = []string{}, []string{}, []string{}, []string{}
	if g.RzCategory != nil {
		p.CategoryID = strconv.FormatInt(g.RzCategory.ID, 10)
		p.Category = canon.FirstNonEmpty(g.RzCategory.TitleUA, g.RzCategory.Title)
		if p.Category != "" {
			p.CategoryPath = []string{p.Category}
		}
	}
	if g.CreatedAt != "" {
		t, err := timeconv.ParseField("created_at", g.CreatedAt, timeconv.Kyiv)
		if err != nil {
			return canon.Product{}, err
		}
		p.CreatedAt = t
	}
	return p, nil
}

// hryvnias reads a whole-hryvnia price; 0 and negatives (-1 = removed) are none.
func hryvnias(v int64) decimal.Decimal {
	if v <= 0 {
		return decimal.Zero
	}
	return decimal.New(v, 0)
}
