package rows

import (
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/shopspring/decimal"

	"github.com/kramar/kramar/schema/canon"
)

// Catalog and reference tables.
const (
	ProductsTable = "products"
	OptionsTable  = "marketplace_options"
)

// productRow stamps a product with its load.
type productRow struct {
	*canon.Product
	meta *Meta
}

var productsSpec = NewSpec(ProductsTable,
	Str("marketplace", func(r productRow) string { return r.Marketplace }),
	Str("store", func(r productRow) string { return r.Store }),
	Str("product_id", func(r productRow) string { return r.ProductID }),
	Str("external_id", func(r productRow) string { return r.ExternalID }),
	Str("article", func(r productRow) string { return r.Article }),
	Str("name", func(r productRow) string { return r.Name }),
	MoneyOf("price", func(r productRow) decimal.Decimal { return r.Price }),
	MoneyOf("old_price", func(r productRow) decimal.Decimal { return r.OldPrice }),
	MoneyOf("promo_price", func(r productRow) decimal.Decimal { return r.PromoPrice }),
	Str("currency", func(r productRow) string { return r.Currency }),
	U32("stock", func(r productRow) uint32 { return r.Stock }),
	Flag("available", func(r productRow) bool { return r.Available }),
	Str("availability_title", func(r productRow) string { return r.AvailabilityTitle }),
	Str("sell_status", func(r productRow) string { return r.SellStatus }),
	U32("sold", func(r productRow) uint32 { return r.Sold }),
	Flag("fulfillment", func(r productRow) bool { return r.Fulfillment }),
	Str("category_id", func(r productRow) string { return r.CategoryID }),
	Str("category", func(r productRow) string { return r.Category }),
	Str("url", func(r productRow) string { return r.URL }),
	StrList("photos", func(r productRow) []string { return r.Photos }),
	Time("created_at", func(r productRow) time.Time { return r.CreatedAt }),
	Str("_run_id", func(r productRow) string { return r.meta.RunID }),
	Time("_loaded_at", func(r productRow) time.Time { return r.meta.LoadedAt }),
	U64("_version", func(r productRow) uint64 { return r.meta.Version }),
	// Added by migration 012, so after the bookkeeping columns.
	Str("stock_managed_by", func(r productRow) string { return r.StockManagedBy }),
	// Added by migration 017: what the offer says of itself.
	Str("description", func(r productRow) string { return r.Description }),
	Str("description_html", func(r productRow) string { return r.DescriptionHTML }),
	StrList("param_names", func(r productRow) []string { return r.ParamNames }),
	StrList("param_units", func(r productRow) []string { return r.ParamUnits }),
	StrList("param_values", func(r productRow) []string { return r.ParamValues }),
	Str("brand", func(r productRow) string { return r.Brand }),
	Str("group_id", func(r productRow) string { return r.GroupID }),
	Str("vendor_code", func(r productRow) string { return r.VendorCode }),
	Str("barcode", func(r productRow) string { return r.Barcode }),
	StrList("category_path", func(r productRow) []string { return r.CategoryPath }),
)

type optionRow struct {
	*canon.Option
	meta *Meta
}

var optionsSpec = NewSpec(OptionsTable,
	Str("marketplace", func(r optionRow) string { return r.Marketplace }),
	Str("store", func(r optionRow) string { return r.Store }),
	Str("kind", func(r optionRow) string { return r.Kind }),
	Str("option_id", func(r optionRow) string { return r.ID }),
	Str("name", func(r optionRow) string { return r.Name }),
	Str("extra", func(r optionRow) string { return r.Extra }),
	Flag("active", func(r optionRow) bool { return r.Active }),
	Str("_run_id", func(r optionRow) string { return r.meta.RunID }),
	Time("_loaded_at", func(r optionRow) time.Time { return r.meta.LoadedAt }),
	U64("_version", func(r optionRow) uint64 { return r.meta.Version }),
)

// Products builds the products record for a chunk of a catalog load.
func Products(ps []canon.Product, meta Meta) (arrow.Record, error) {
	src := make([]productRow, len(ps))
	for i := range ps {
		src[i] = productRow{&ps[i], &meta}
	}
	return productsSpec.Build(src)
}

// Options builds the marketplace_options record for a store's reference lists.
func Options(os []canon.Option, meta Meta) (arrow.Record, error) {
	src := make([]optionRow, len(os))
	for i := range os {
		src[i] = optionRow{&os[i], &meta}
	}
	return optionsSpec.Build(src)
}
