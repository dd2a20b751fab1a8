package yml

// Shop is the feed's <shop> header: who publishes it, the currencies its
// prices use and the category tree offers point into
// (https://yandex.com/support/partnermarket/elements/shop.html?lang=en).
type Shop struct {
	// Date is yml_catalog's date attribute as written: "YYYY-MM-DD hh:mm"
	// as the format says, or ISO-8601 ("2026-08-22T21:45:51.897Z") as some
	// real feeds write it; transforms/yml.CatalogDate reads both.
	Date       string
	Name       string
	Company    string
	URL        string
	Platform   string
	Email      string
	Currencies []Currency
	Categories []Category
}

// Currency is one <currency id rate [plus]>. Rate stays a string: it is
// money-like ("41.2", "NBU", "CBRF") and is never turned into a float.
type Currency struct {
	ID   string
	Rate string
	Plus string
}

// Category is one <category id [parentId]>Name</category>.
type Category struct {
	ID       string
	ParentID string
	Name     string
	// PortalID is the marketplace's own category (Prom portal_id, Rozetka rz_id).
	PortalID string
	// Code is Epicentr's category code attribute (<category code="3806">).
	Code string
}

// Offer is one <offer> with the fields the Yandex core and the Prom,
// Rozetka, Zakupka and Epicentr dialects use.
// Everything stays the text the feed wrote (trimmed); money is never a
// float. Elements not listed here are skipped.
//
// In a UTF-8 feed the strings of one Offer are pieces of one string, the
// offer's text as written: a value kept after its batch is handled keeps
// the whole offer in memory, so clone one that is kept for the whole run.
type Offer struct {
	ID string
	// Available is the available attribute as written: "true", "false" or
	// "" when absent; the transform decides what absent means.
	Available   string
	GroupID     string // variants of one product share it (group_id)
	Type        string // type="vendor.model"…
	SellingType string // Prom selling_type (attribute or element)

	URL        string
	Price      string
	OldPrice   string // oldprice (Yandex, Prom, Zakupka) or price_old (Rozetka, Epicentr)
	PricePromo string // price_promo (Rozetka)
	CurrencyID string

	// CategoryID is categoryId, or the code of Epicentr's <category code="…">.
	CategoryID string
	// CategoryName is the text of Epicentr's <category code="…">Name</category>.
	CategoryName     string
	PortalCategoryID string // Prom portal_category_id
	AttributeSet     string // Epicentr <attribute_set code="…">: the code
	AttributeSetName string

	// Pictures are the <picture> URLs in feed order; one element holding
	// several URLs separated by ';' gives one picture per URL.
	Pictures []string

	// Name is <name> (or Epicentr <name lang="ru">); NameUA is name_ua
	// (or <name lang="ua">). Descriptions follow the same rule.
	Name          string
	NameUA        string
	Description   string
	DescriptionUA string

	Vendor     string
	VendorID   string // Epicentr <vendor code="…">: the brand's code
	VendorCode string // the seller's article (vendorCode)
	Article    string // Rozetka article
	Model      string
	TypePrefix string
	Barcode    string
	Keywords   string
	KeywordsUA string

	// QuantityInStock is quantity_in_stock (Prom, Zakupka), else
	// stock_quantity (Rozetka), else quantity — in that order of preference
	// (importers read quantity_in_stock first, e.g.
	// https://h-profit.com/blog/?p=2064).
	QuantityInStock string
	Presence        string // Prom presence
	Availability    string // Epicentr <availability> in_stock|out_of_stock
	State           string // Rozetka state: new / used / refurbished
	Condition       string // Prom condition
	Country         string // country_of_origin text
	CountryCode     string // Epicentr <country_of_origin code="…">
	SalesNotes      string
	Warranty        string // manufacturer_warranty

	Params []Param
}

// Param is one <param name="…" [unit] [paramid] [paramcode] [valuecode]>value</param>.
type Param struct {
	Name      string
	Unit      string
	Value     string
	ParamID   string // Rozetka paramid
	Code      string // Epicentr paramcode
	ValueCode string // Epicentr valuecode
}
