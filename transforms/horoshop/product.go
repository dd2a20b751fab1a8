package horoshop

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/decode"
	"github.com/kramar/kramar/transforms/money"
	"github.com/kramar/kramar/transforms/timeconv"
)

// TransformProduct turns one catalog/export product into a catalog
// product. presence is the availability (quantity reads 0 when the shop
// keeps no stock accounting, measured in IgorShutko/horoshop-mcp
// docs/tools/catalog-public-api.md); the article is the key.
var TransformProduct = decode.Transform(product)

func product(w *wire.CatalogProduct, store canon.Store) (canon.Product, error) {
	article := strings.TrimSpace(w.Article)
	if article == "" {
		return canon.Product{}, canon.FieldErr("article", "missing")
	}
	p := canon.Product{
		Marketplace: store.Marketplace, Store: store.Store,
		ProductID: article, ExternalID: article, Article: article,
		Name:              w.Title.Best(),
		Currency:          canon.FirstNonEmpty(w.Currency, DefaultCurrency),
		AvailabilityTitle: text(w.Presence),
		Available:         Available(string(w.Presence)),
		URL:               strings.TrimSpace(w.Link),
		Photos:            images(w.Images),
	}
	if p.Marketplace == "" {
		p.Marketplace = Marketplace
	}
	if canon.OptionsOf[Options](store.Options).Article == ArticleExternal && strings.TrimSpace(w.ArticleForDisplay) != "" {
		p.Article = strings.TrimSpace(w.ArticleForDisplay)
	}
	var err error
	if p.Price, err = productMoney("price", w.Price); err != nil {
		return canon.Product{}, err
	}
	if p.OldPrice, err = productMoney("price_old", w.PriceOld); err != nil {
		return canon.Product{}, err
	}
	q, err := money.ParseNumberField("quantity", w.Quantity)
	if err != nil {
		return canon.Product{}, err
	}
	if q.IsPositive() {
		p.Stock = uint32(q.IntPart())
	}
	// The seller's article is the vendor code; modifications of one
	// product name the product's article in parent_article (Horoshop wiki
	// "Product export", see categoryPath), which is their group.
	// catalog/export as kramar reads it (extractors/horoshop
	// CatalogProduct) carries no description, characteristics, brand or
	// gtin yet: those stay empty.
	p.VendorCode = p.Article
	p.GroupID = strings.TrimSpace(w.ParentArticle)
	p.CategoryPath, p.ParamNames, p.ParamUnits, p.ParamValues = []string{}, []string{}, []string{}, []string{}
	if w.Parent != nil {
		if w.Parent.ID != 0 {
			p.CategoryID = strconv.FormatInt(w.Parent.ID, 10)
		}
		p.Category = w.Parent.Value.Best()
		p.CategoryPath = categoryPath(p.Category)
	}
	if strings.TrimSpace(w.CreationTime) != "" {
		// Shop (Kyiv) local time, as orders write theirs.
		if p.CreatedAt, err = timeconv.ParseField("creation_time", w.CreationTime, timeconv.Kyiv); err != nil {
			return canon.Product{}, err
		}
	}
	return p, nil
}

// categoryPath reads a category's value as a path, root first: Horoshop
// writes a category's place as `Дім \ Освітлення` (catalog/export's expr
// filters by parent path "A \\ B" in JSON, Horoshop wiki "Product export",
// https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183492/Product+export);
// a plain name is a path of one.
func categoryPath(value string) []string {
	out := []string{}
	for _, part := range strings.Split(value, `\`) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// productMoney reads a price; 0 and negatives mean none.
func productMoney(field string, n json.Number) (decimal.Decimal, error) {
	v, err := money.ParseNumberField(field, n)
	if err != nil {
		return decimal.Zero, err
	}
	if !v.IsPositive() {
		return decimal.Zero, nil
	}
	return v, nil
}

// Availability is what a presence text says.
type Availability int

const (
	AvailabilityUnknown    Availability = iota // a text kramar does not know («Очікується», a shop's own)
	AvailabilityInStock                        // «Є в наявності», «В наявності», «В наличии»…
	AvailabilityOnOrder                        // «Під замовлення», «Под заказ»
	AvailabilityOutOfStock                     // «Немає в наявності», «Нет в наличии»…
)

// PresenceKind reads presence, a text the shop sets. A live shop exports
// «Є в наявності» (IgorShutko/horoshop-mcp docs/tools/catalog-public-api.md);
// others write «В наявності», «Немає в наявності», «Очікується», «Під
// замовлення», or their Russian forms.
func PresenceKind(presence string) Availability {
	p := strings.ToLower(strings.Join(strings.Fields(presence), " "))
	switch {
	case p == "":
		return AvailabilityUnknown
	case strings.HasPrefix(p, "нема") || strings.HasPrefix(p, "нет") || strings.HasPrefix(p, "out of"):
		return AvailabilityOutOfStock
	}
	for _, yes := range []string{"в наявності", "є в наявності", "в наличии", "есть в наличии", "in stock"} {
		if p == yes {
			return AvailabilityInStock
		}
	}
	for _, order := range []string{"під замовлення", "под заказ", "на замовлення"} {
		if p == order {
			return AvailabilityOnOrder
		}
	}
	return AvailabilityUnknown
}

// Available reads presence: in stock and made-to-order products can be
// ordered; anything else, unknown texts included, cannot.
func Available(presence string) bool {
	k := PresenceKind(presence)
	return k == AvailabilityInStock || k == AvailabilityOnOrder
}

// images reads the product's image list: URLs as strings, or objects with
// a "src"/"url"; anything else gives none.
func images(raw json.RawMessage) []string {
	out := []string{}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return out
	}
	for _, item := range list {
		var s string
		if json.Unmarshal(item, &s) == nil {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
			continue
		}
		var obj struct{ Src, URL string }
		if json.Unmarshal(item, &obj) == nil {
			if s := strings.TrimSpace(obj.Src); s != "" {
				out = append(out, s)
			} else if s := strings.TrimSpace(obj.URL); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
