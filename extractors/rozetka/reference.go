package rozetka

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kramar/kramar/extractors/paging"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/schema/canon"
	"github.com/kramar/kramar/transforms/decode"
)

// paged is a search result: its entries and its paging block.
type paged[T any] interface {
	entries() []T
	meta() Meta
}

func (l *OrderStatusList) entries() []OrderStatus         { return l.OrderStatus }
func (l *OrderStatusList) meta() Meta                     { return l.Meta }
func (l *StatusAvailableList) entries() []StatusAvailable { return l.StatusAvailables }
func (l *StatusAvailableList) meta() Meta                 { return l.Meta }
func (l *DeliveryServiceList) entries() []DeliveryService { return l.DeliveryServices }
func (l *DeliveryServiceList) meta() Meta                 { return l.Meta }
func (l *PaymentMethodList) entries() []PaymentMethod     { return l.PaymentMethods }
func (l *PaymentMethodList) meta() Meta                   { return Meta{} } // one page
func (l *GoodsList) entries() []json.RawMessage           { return l.Items }
func (l *GoodsList) meta() Meta                           { return l.Meta }

// eachPage calls fn with the entries of every page of path (page 1..pageCount;
// a list without _meta is one page).
func eachPage[T any, L any, PL interface {
	*L
	paged[T]
}](ctx context.Context, c *Client, path string, query url.Values, fn func([]T) error) error {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	for page := 1; ; page++ {
		q.Set("page", strconv.Itoa(page))
		var list L
		if err := c.call(ctx, http.MethodGet, path, q, nil, &list); err != nil {
			return err
		}
		pl := PL(&list)
		if err := fn(pl.entries()); err != nil {
			return err
		}
		if page >= pl.meta().PageCount {
			return nil
		}
	}
}

// collect gathers every page of a reference list, the entries keep
// accepts (all when keep is nil).
func collect[T any, L any, PL interface {
	*L
	paged[T]
}](ctx context.Context, c *Client, path string, q url.Values, keep func(T) bool) ([]T, error) {
	var out []T
	err := eachPage[T, L, PL](ctx, c, path, q, func(p []T) error {
		for _, e := range p {
			if keep == nil || keep(e) {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// OrderStatuses lists every order status with its group (/order-statuses/search).
func (c *Client) OrderStatuses(ctx context.Context) ([]OrderStatus, error) {
	return collect[OrderStatus, OrderStatusList](ctx, c, "/order-statuses/search", nil, nil)
}

// StatusAvailables lists the allowed status transitions (/status-availables/search).
func (c *Client) StatusAvailables(ctx context.Context) ([]StatusAvailable, error) {
	return collect[StatusAvailable, StatusAvailableList](ctx, c, "/status-availables/search", nil, nil)
}

// StatusAvailablesFrom lists the transitions out of status parent
// (/status-availables/search?parent_id=), for every delivery type. The
// filter is applied here as well, so a server that ignores it still gives
// the right edges.
func (c *Client) StatusAvailablesFrom(ctx context.Context, parent int) ([]StatusAvailable, error) {
	q := url.Values{"parent_id": {strconv.Itoa(parent)}}
	return collect[StatusAvailable, StatusAvailableList](ctx, c, "/status-availables/search", q,
		func(e StatusAvailable) bool { return e.ParentID == parent })
}

// DeliveryServices lists the delivery services (/delivery-services/search).
func (c *Client) DeliveryServices(ctx context.Context) ([]DeliveryService, error) {
	return collect[DeliveryService, DeliveryServiceList](ctx, c, "/delivery-services/search", nil, nil)
}

// PaymentMethods lists the store's payment methods (/market-payment-methods/list).
func (c *Client) PaymentMethods(ctx context.Context) ([]PaymentMethod, error) {
	return collect[PaymentMethod, PaymentMethodList](ctx, c, "/market-payment-methods/list", nil, nil)
}

// goodsPages walks /goods/all with pageSize items a page (0 or less: the
// server's default).
func (c *Client) goodsPages(ctx context.Context, pageSize int, fn func([]json.RawMessage) error) error {
	q := url.Values{}
	if pageSize > 0 {
		q.Set("pageSize", strconv.Itoa(pageSize))
	}
	return eachPage[json.RawMessage, GoodsList](ctx, c, "/goods/all", q, fn)
}

// Goods calls fn with every page of the seller's catalog (/goods/all).
func (c *Client) Goods(ctx context.Context, pageSize int, fn func([]GoodsItem) error) error {
	return c.goodsPages(ctx, pageSize, func(raws []json.RawMessage) error {
		items := make([]GoodsItem, len(raws))
		for i, raw := range raws {
			if err := decode.Into(raw, &items[i]); err != nil {
				return fmt.Errorf("store %s: /goods/all item %d: %w", c.store, i, err)
			}
		}
		return fn(items)
	})
}

// GoodsByID reads the catalog items ids name, one /goods/all?rz_item_id=
// call each: the API filters by one rz_item_id at a time (apidoc mirror
// docs/categories/apiitems.md L178). An id the store does not have is
// absent from the answer, and so is an item that does not decode: the
// caller cannot learn anything about it. A failed call is an error.
func (c *Client) GoodsByID(ctx context.Context, ids []int64) (map[int64]GoodsItem, error) {
	out := make(map[int64]GoodsItem, len(ids))
	for _, id := range ids {
		var list GoodsList
		q := url.Values{"rz_item_id": {strconv.FormatInt(id, 10)}}
		if err := c.call(ctx, http.MethodGet, "/goods/all", q, nil, &list); err != nil {
			return nil, err
		}
		for _, raw := range list.Items {
			var g GoodsItem
			// A server that ignores the filter answers other items: only
			// the one asked for counts.
			if decode.Into(raw, &g) == nil && g.RzItemID == id {
				out[id] = g
			}
		}
	}
	return out, nil
}

// catalogPageSize is asked of /goods/all: large pages, few requests. The
// maximum is not documented (the /goods/all example in apiitems.md shows
// perPage 100); a server that caps lower just answers more pages, which
// _meta.pageCount reports.
const catalogPageSize = 1000

// Products delivers the catalog as raw records keyed by rz_item_id
// (source.Catalog).
func (c *Client) Products(ctx context.Context, page func([]source.Record) error) error {
	return c.goodsPages(ctx, catalogPageSize, func(raws []json.RawMessage) error {
		return page(paging.Records(raws, func(raw json.RawMessage) string { return source.PeekNumber(raw, "rz_item_id") }))
	})
}

// Options lists statuses, delivery services and payment methods by the
// names the cabinet shows (source.Reference). A status's Extra is its
// group (1 in process, 2 successful, 3 unsuccessful).
func (c *Client) Options(ctx context.Context) ([]canon.Option, error) {
	return source.Gather(ctx,
		source.Each(c.OrderStatuses, func(s OrderStatus) canon.Option {
			return canon.Option{Kind: canon.OptionStatus, ID: strconv.Itoa(s.ID), Name: s.NameUK, Extra: strconv.Itoa(s.StatusGroup), Active: s.Status == 1}
		}),
		source.Each(c.DeliveryServices, func(d DeliveryService) canon.Option {
			return canon.Option{Kind: canon.OptionDelivery, ID: strconv.FormatInt(d.ID, 10), Name: d.Name, Active: d.Status == 1}
		}),
		source.Each(c.PaymentMethods, func(p PaymentMethod) canon.Option {
			// One method name can exist once per legal entity of the
			// seller: the entity tells them apart.
			extra := ""
			if p.LegalPerson != nil {
				extra = p.LegalPerson.FullName
			}
			return canon.Option{Kind: canon.OptionPayment, ID: strconv.FormatInt(p.ID, 10), Name: p.Name, Extra: extra, Active: p.Status == 1}
		}))
}
