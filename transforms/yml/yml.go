// Package yml turns one offer of a YML product feed (Prom, Rozetka,
// Zakupka, Epicentr) into a canonical catalog product. Prices stay in the
// feed's currency: no conversion is made.
package yml

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	feed "github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/money"
	"github.com/kramar/kramar/transforms/timeconv"
)

// Ways a store's CRM matches feed offers to its own products.
const (
	MatchByID         = "id"          // the offer id (default)
	MatchByVendorCode = "vendor_code" // vendorCode (Rozetka: article); "sku" is the same
	MatchByBarcode    = "barcode"
)

// DefaultCurrency is assumed when an offer names no currencyId. Real feeds
// give none: Epicentr's feed format has no currencyId at all; bare Rozetka
// feeds have no <currencies> block (AndriiSolodovnyk/feed rozetka.xml) and
// Prom price and stock feeds may name no currency on an offer
// (xvalikan/avtopro-pricelist prom.xml). Every marketplace kramar reads
// feeds for sells in hryvnias only and reads such prices as UAH, so that
// is what an unnamed currency is. The shop's <currencies> block is not
// consulted: it lists rates, and names no default.
const DefaultCurrency = "UAH"

// Catalog is what the transform knows of a store's feed besides the store.
type Catalog struct {
	// MatchBy chooses ExternalID: MatchByID (default), MatchByVendorCode
	// ("sku" too) or MatchByBarcode.
	MatchBy string
	// Categories is the shop's category tree (see CategoryNames).
	Categories Categories
}

// Categories is the shop's <categories> by id: each one's name and path
// (its ancestors' names and its own, root first, by the parentId chain).
// The zero value knows no category.
type Categories map[string]category

type category struct {
	name string
	path []string // shared by every offer of the category: never changed
}

// Name is the name of category id, "" when the shop does not define it.
func (c Categories) Name(id string) string { return c[id].name }

// Path is the path of category id, nil when the shop does not define it.
func (c Categories) Path(id string) []string { return c[id].path }

// maxCategoryDepth bounds a parentId chain; a deeper one is cut at its
// root end (real trees are a handful of levels deep).
const maxCategoryDepth = 32

// CategoryNames reads the shop's category tree. An id defined twice keeps
// its first name and parent: real Rozetka price lists define one id twice
// under different parents (JEBS-O/desktop-converter-excel-xml rozetka.xml,
// id 1112602), the reader warns about it, and the first definition is the
// one a reader of the file meets first. A parentId that names no category,
// or a chain that loops back, ends the path there.
func CategoryNames(s *feed.Shop) Categories {
	first := make(map[string]feed.Category, len(s.Categories))
	for _, c := range s.Categories {
		if _, ok := first[c.ID]; !ok {
			first[c.ID] = c
		}
	}
	m := make(Categories, len(s.Categories))
	add := func(id string, c feed.Category) {
		if _, ok := m[id]; !ok {
			m[id] = category{name: c.Name, path: pathOf(first, c.ID)}
		}
	}
	for _, c := range s.Categories {
		add(c.ID, c)
		if c.Code != "" { // Epicentr offers point at categories by code
			add(c.Code, c)
		}
	}
	return m
}

// pathOf walks id's parentId chain up to the root and returns the names
// root first.
func pathOf(byID map[string]feed.Category, id string) []string {
	var rev []string
	seen := map[string]bool{}
	for id != "" && !seen[id] && len(rev) < maxCategoryDepth {
		c, ok := byID[id]
		if !ok {
			break
		}
		seen[id] = true
		rev = append(rev, c.Name)
		id = c.ParentID
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// CatalogDate reads yml_catalog's date attribute as a UTC instant. Feeds
// write it as the Yandex format says, "YYYY-MM-DD hh:mm" in local (Kyiv)
// time, with seconds or without, or as ISO-8601 with an offset — real
// Rozetka feeds write "2026-08-22T21:45:51.897Z", with milliseconds
// (AndriiSolodovnyk/feed rozetka.xml). The result is truncated to the
// second, as the warehouse stores time.
func CatalogDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02 15:04", s); err == nil {
		return timeconv.InLocation(t, timeconv.Kyiv), nil
	}
	if t, err := time.Parse("2006-01-02T15:04", s); err == nil {
		return timeconv.InLocation(t, timeconv.Kyiv), nil
	}
	t, err := timeconv.Parse(s, timeconv.Kyiv)
	if err != nil {
		return time.Time{}, fmt.Errorf("yml_catalog date %q is neither \"YYYY-MM-DD hh:mm\" nor ISO-8601", s)
	}
	return t, nil
}

// TransformOffer maps one offer. A bad field fails the offer with a
// *canon.FieldError naming the feed's element.
//
// Name is the Ukrainian name when the feed has one (name_ua, Epicentr
// <name lang="ua">), else <name>: the marketplaces show Ukrainian first.
// An absent available attribute means available, as in the Yandex spec
// (https://yandex.ru/support/partnermarket/offers.html?lang=en):
// available="false" marks an offer not in stock; Epicentr's
// <availability>out_of_stock</availability> also means not available.
func TransformOffer(o feed.Offer, store canon.Store, c Catalog) (canon.Product, error) {
	if o.ID == "" {
		return canon.Product{}, canon.FieldErr("id", "missing")
	}
	external, err := externalID(o, c.MatchBy)
	if err != nil {
		return canon.Product{}, err
	}
	p := canon.Product{
		Marketplace: store.Marketplace, Store: store.Store,
		ProductID: o.ID, ExternalID: external,
		Article:           canon.FirstNonEmpty(o.VendorCode, o.Article),
		Name:              canon.FirstNonEmpty(o.NameUA, o.Name),
		Currency:          canon.FirstNonEmpty(strings.ToUpper(o.CurrencyID), DefaultCurrency),
		AvailabilityTitle: canon.FirstNonEmpty(o.Presence, o.Availability),
		CategoryID:        o.CategoryID,
		Category:          canon.FirstNonEmpty(o.CategoryName, c.Categories.Name(o.CategoryID)),
		URL:               o.URL,
		Photos:            o.Pictures,
		DescriptionHTML:   canon.FirstNonEmpty(o.DescriptionUA, o.Description),
		Brand:             canon.FirstNonEmpty(o.Vendor, paramByCode(o.Params, "brand")),
		GroupID:           o.GroupID,
		VendorCode:        canon.FirstNonEmpty(o.VendorCode, o.Article),
		Barcode:           canon.FirstNonEmpty(o.Barcode, paramByCode(o.Params, "barcodes")),
	}
	if p.Photos == nil {
		p.Photos = []string{}
	}
	p.Description = PlainText(p.DescriptionHTML)
	p.CategoryPath = categoryPath(c.Categories.Path(o.CategoryID), p.Category)
	p.ParamNames, p.ParamUnits, p.ParamValues = params(o.Params)
	if o.Price == "" {
		return canon.Product{}, canon.FieldErr("price", "missing")
	}
	if p.Price, err = amount("price", o.Price, money.Parse); err != nil {
		return canon.Product{}, err
	}
	if p.OldPrice, err = amount("oldprice", o.OldPrice, money.ParseOptional); err != nil {
		return canon.Product{}, err
	}
	if p.PromoPrice, err = amount("price_promo", o.PricePromo, money.ParseOptional); err != nil {
		return canon.Product{}, err
	}
	if p.Stock, err = stock(o.QuantityInStock); err != nil {
		return canon.Product{}, err
	}
	switch o.Available {
	case "", "true":
		p.Available = o.Availability != "out_of_stock"
	case "false":
	default:
		return canon.Product{}, canon.FieldErr("available", "must be true or false, not "+strconv.Quote(o.Available))
	}
	ownText(&p)
	return p, nil
}

// ownText gives the product one string of its own holding all its text.
// An offer's values are pieces of the offer's whole text (feed.Offer): a
// product holding them would hold all of it in memory, markup and the
// other language's name and description included, while the catalog job
// bounds a batch by the product's own text.
func ownText(p *canon.Product) {
	var room [64]*string
	fields := append(room[:0], &p.ProductID, &p.ExternalID, &p.Article, &p.Name, &p.Currency, &p.AvailabilityTitle,
		&p.CategoryID, &p.Category, &p.URL, &p.DescriptionHTML, &p.Brand, &p.GroupID, &p.VendorCode, &p.Barcode)
	// PlainText returns a description without markup as it is: then the
	// two share one copy.
	sameDescription := p.Description == p.DescriptionHTML
	if !sameDescription {
		fields = append(fields, &p.Description)
	}
	for _, list := range [][]string{p.CategoryPath, p.Photos, p.ParamNames, p.ParamUnits, p.ParamValues} {
		for i := range list {
			fields = append(fields, &list[i])
		}
	}
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(*f)
	}
	text, at := b.String(), 0
	for _, f := range fields {
		*f, at = text[at:at+len(*f)], at+len(*f)
	}
	if sameDescription {
		p.Description = p.DescriptionHTML
	}
}

// categoryPath is the tree's path of the offer's category, its last name
// being the one the offer shows (Epicentr's offers name their category
// themselves); a category the tree does not know is a path of one.
func categoryPath(path []string, name string) []string {
	switch {
	case len(path) == 0 && name == "":
		return []string{}
	case len(path) == 0:
		return []string{name}
	case path[len(path)-1] == name || name == "":
		return path
	}
	own := make([]string, len(path))
	copy(own, path)
	own[len(own)-1] = name
	return own
}

// params splits the offer's params into the three parallel lists, on one
// backing array.
func params(ps []feed.Param) (names, units, values []string) {
	if len(ps) == 0 {
		return []string{}, []string{}, []string{}
	}
	n := len(ps)
	all := make([]string, 3*n)
	names, units, values = all[:n:n], all[n:2*n:2*n], all[2*n:]
	for i, p := range ps {
		names[i], units[i], values[i] = p.Name, p.Unit, p.Value
	}
	return names, units, values
}

// paramByCode is the value of the param with Epicentr's paramcode code:
// Epicentr's own feed format carries the barcode and the brand as system
// params, <param paramcode="barcodes"> and <param paramcode="brand">, beside
// measure, ratio and weight.
func paramByCode(ps []feed.Param, code string) string {
	for _, p := range ps {
		if p.Code == code {
			return p.Value
		}
	}
	return ""
}

func externalID(o feed.Offer, matchBy string) (string, error) {
	var v, field string
	switch matchBy {
	case "", MatchByID:
		return o.ID, nil
	case MatchByVendorCode, "sku":
		v, field = canon.FirstNonEmpty(o.VendorCode, o.Article), "vendorCode"
	case MatchByBarcode:
		v, field = o.Barcode, "barcode"
	default:
		return "", errors.New("yml: unknown match_by " + strconv.Quote(matchBy) + " (want id, vendor_code or barcode)")
	}
	if v == "" {
		return "", canon.FieldErr(field, "missing, and the store matches offers by it")
	}
	return v, nil
}

func amount(field, s string, parse func(string) (decimal.Decimal, error)) (decimal.Decimal, error) {
	d, err := parse(s)
	if err != nil {
		return decimal.Zero, canon.FieldErr(field, err.Error())
	}
	if d.IsNegative() {
		return decimal.Zero, canon.FieldErr(field, "negative: "+s)
	}
	return d, nil
}

// stock reads the quantity in stock: a whole, non-negative number; blank is 0.
func stock(s string) (uint32, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, canon.FieldErr("quantity_in_stock", "not a whole non-negative number: "+strconv.Quote(s))
	}
	return uint32(min(v, math.MaxUint32)), nil
}
