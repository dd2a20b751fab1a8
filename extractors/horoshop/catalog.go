package horoshop

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/decode"
)

// Products delivers the whole catalog from catalog/export, 500 products a
// call (the API's maximum, wiki "Product export"), keyed by article
// (source.Catalog).
func (c *Client) Products(ctx context.Context, page func([]source.Record) error) error {
	return walk(ctx, c, PathCatalogExport, "products", "article", CatalogPageMax, func(offset, limit int) any {
		return CatalogRequest{Offset: offset, Limit: limit}
	}, page)
}

// OrderStatuses lists the shop's order statuses (orders/get_available_statuses,
// Horoshop ≥ 4.0). An older shop answers UNDEFINED_FUNCTION; then the
// BuiltinStatuses are returned, as those are what it has.
func (c *Client) OrderStatuses(ctx context.Context) ([]OrderStatus, error) {
	var l StatusList
	_, err := c.call(ctx, PathOrderStatuses, struct{}{}, &l)
	if IsAPIStatus(err, StatusUndefinedFunction) {
		return BuiltinStatuses(), nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]OrderStatus, 0, len(l.Statuses))
	for key, s := range l.Statuses {
		if s.ID == 0 {
			s.ID, _ = strconv.Atoi(key)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// BuiltinStatuses are the statuses every shop starts with (there is no id
// 5), titled as the wiki's get_available_statuses example titles them
// ("Get order statuses", https://horoshop.atlassian.net/wiki/x/AgDB4w and
// https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183381): 6 is
// «Надіслане» / "Shipping", 4 «Не доставлене» / "Canceled".
func BuiltinStatuses() []OrderStatus {
	return []OrderStatus{
		{ID: 1, Title: map[string]string{"ua": "Нове", "en": "New"}},
		{ID: 2, Title: map[string]string{"ua": "В обробці", "en": "Processing"}},
		{ID: 3, Title: map[string]string{"ua": "Доставлене", "en": "Delivered"}, IsSuccessful: true},
		{ID: 4, Title: map[string]string{"ua": "Не доставлене", "en": "Canceled"}},
		{ID: 6, Title: map[string]string{"ua": "Надіслане", "en": "Shipping"}},
	}
}

// Options lists the order statuses by their Ukrainian titles
// (source.Reference); Extra is is_successful. The public API documents no
// delivery or payment lists, so those come from the orders' own titles.
func (c *Client) Options(ctx context.Context) ([]canon.Option, error) {
	return source.Gather(ctx, source.Each(c.OrderStatuses, func(s OrderStatus) canon.Option {
		extra := "0"
		if s.IsSuccessful {
			extra = "1"
		}
		return canon.Option{Kind: canon.OptionStatus, ID: strconv.Itoa(s.ID), Name: Localized(s.Title).Best(), Extra: extra, Active: true}
	}))
}

// ProductsByArticle reads the given articles through catalog/export
// (expr.article, at most CatalogPageMax a call), keyed by article; an
// article the shop does not have is simply absent. fields, when given,
// narrow the answer (includedParams; article always comes back).
func (c *Client) ProductsByArticle(ctx context.Context, articles []string, fields ...string) (map[string]CatalogProduct, error) {
	out := make(map[string]CatalogProduct, len(articles))
	for start := 0; start < len(articles); start += CatalogPageMax {
		batch := articles[start:min(start+CatalogPageMax, len(articles))]
		req := CatalogRequest{Expr: &CatalogExpr{Article: batch}, Limit: len(batch)}
		if len(fields) > 0 {
			req.IncludedParams = append([]string{"article"}, fields...)
		}
		raws, err := c.list(ctx, PathCatalogExport, "products", req)
		if err != nil {
			return nil, err
		}
		for _, raw := range raws {
			var p CatalogProduct
			if err := decode.Into(raw, &p); err != nil {
				return nil, fmt.Errorf("store %s: catalog/export: unreadable product %.60s: %w", c.store, raw, err)
			}
			out[p.Article] = p
		}
	}
	return out, nil
}

// PresenceTexts counts the availability texts (presence) the first
// CatalogPageMax products of the shop show: the shop's own wording, which
// catalog/import matches presence against.
func (c *Client) PresenceTexts(ctx context.Context) (map[string]int, error) {
	raws, err := c.list(ctx, PathCatalogExport, "products", CatalogRequest{Limit: CatalogPageMax, IncludedParams: []string{"article", "presence"}})
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, raw := range raws {
		var p struct {
			Presence Text `json:"presence"`
		}
		if json.Unmarshal(raw, &p) == nil && strings.TrimSpace(string(p.Presence)) != "" {
			out[strings.TrimSpace(string(p.Presence))]++
		}
	}
	return out, nil
}

// UpdateOrders sends orders/update (wiki "Updating Orders") and returns the
// per-order log. A WARNING answer (some orders refused) is not an error: the log says
// which. It is a write: a lost answer is not retried (httpx.NotRepeatable),
// the caller reads the order again to learn whether it landed.
func (c *Client) UpdateOrders(ctx context.Context, updates []OrderUpdate) ([]UpdateLog, error) {
	if len(updates) == 0 {
		return nil, nil
	}
	var resp UpdateResponse
	if err := c.write(ctx, PathOrdersUpdate, UpdateRequest{Orders: updates}, &resp); err != nil {
		return nil, err
	}
	if len(resp.Log) != 0 && len(resp.Log) != len(updates) {
		return resp.Log, fmt.Errorf("store %s: orders/update answered %d log entries for %d orders", c.store, len(resp.Log), len(updates))
	}
	return resp.Log, nil
}

// CatalogImport sends catalog/import, at most ImportBatchMax
// products, and returns the per-product log. A WARNING answer is not an
// error: the log says which products were refused. Like every write it
// goes out once (httpx.NotRepeatable).
func (c *Client) CatalogImport(ctx context.Context, products []ImportProduct) ([]ImportLog, error) {
	if len(products) == 0 {
		return nil, nil
	}
	if len(products) > ImportBatchMax {
		return nil, fmt.Errorf("store %s: catalog/import takes at most %d products a call, not %d", c.store, ImportBatchMax, len(products))
	}
	var resp ImportResponse
	if err := c.write(ctx, PathCatalogImport, ImportRequest{Products: products}, &resp); err != nil {
		return nil, err
	}
	return resp.Log, nil
}

// write performs a call that changes the shop: NotRepeatable (a login it
// needs is still retried as usual).
func (c *Client) write(ctx context.Context, path string, body, out any) error {
	_, err := c.call(httpx.NotRepeatable(ctx), path, body, out)
	return err
}
