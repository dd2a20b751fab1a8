package prom

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/paging"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/schema/canon"
)

// ProductionURL is the public API root; sister hosts (my.satu.kz, my.prom.md)
// serve the same API and can be set as base_url (see the HOST line of
// evo-company/company-api-example php/api_php_example.php).
const ProductionURL = "https://my.prom.ua/api/v1"

// Client talks to one Prom company (one token = one store).
type Client struct {
	http     *httpx.Client
	pageSize int
}

// Languages are the answer languages Prom takes in the X-LANGUAGE header.
// Without the header Prom answers status_name and the option names in
// Russian ("Новый", "Выполнен" in real orders); an integration that lets the
// seller choose sends X-LANGUAGE uk, ru or en (ruslanmlnk/opencart-plugin,
// system/library/prom_sync/PromApi.php).
var Languages = []string{"uk", "ru", "en"}

// DefaultLanguage is what kramar asks for unless the store chooses another.
const DefaultLanguage = "uk"

// LanguageHeader carries the answer language.
const LanguageHeader = "X-LANGUAGE"

// ClientOption adjusts a Client.
type ClientOption func(*clientOptions)

type clientOptions struct{ language string }

// WithLanguage asks Prom to answer in lang (one of Languages); "" keeps
// DefaultLanguage.
func WithLanguage(lang string) ClientOption {
	return func(o *clientOptions) {
		if lang = strings.ToLower(strings.TrimSpace(lang)); lang != "" {
			o.language = lang
		}
	}
}

// NewClient builds a client for one store.
func NewClient(c source.Config, opts ...ClientOption) *Client {
	co := clientOptions{language: DefaultLanguage}
	for _, opt := range opts {
		opt(&co)
	}
	o := c.HTTPOptions(ProductionURL)
	token, lang := c.Token, co.language
	o.Authorize = func(r *http.Request) {
		httpx.Bearer(r, token)
		r.Header.Set(LanguageHeader, lang)
	}
	return &Client{http: httpx.New(o), pageSize: c.Size(100, 0)}
}

// ModifiedBetween walks /orders/list for [from, to] by descending id with
// last_id. Prom gives no totals; whether last_id is inclusive is not
// documented, so ids >= the previous minimum are skipped.
// A page holding ids above last_id contradicts the filter (a repeated or
// shifted page): it is asked again rather than trusted.
func (c *Client) ModifiedBetween(ctx context.Context, from, to time.Time, page func([]source.RawOrder) error) error {
	q := url.Values{}
	q.Set("last_modified_from", from.UTC().Format(TimeLayout))
	q.Set("last_modified_to", to.UTC().Format(TimeLayout))
	q.Set("limit", strconv.Itoa(c.pageSize))
	w := paging.Walk{
		What: "store " + c.http.Store() + ": /orders/list", Strategy: paging.LastID, Check: belowLastID,
		Fetch: func(ctx context.Context, r paging.Request) (paging.Page, error) {
			if r.Cursor != "" {
				q.Set("last_id", r.Cursor)
			}
			var list OrderList
			if err := c.http.GetJSON(ctx, "/orders/list", q, &list); err != nil {
				return paging.Page{}, err
			}
			return paging.Page{Records: paging.Records(list.Orders, orderID), Last: len(list.Orders) < c.pageSize}, nil
		},
	}
	return w.Run(ctx, page)
}

// belowLastID keeps the orders below last_id and continues from the
// lowest; a page with ids above it and nothing below is asked again.
func belowLastID(r paging.Request, p *paging.Page, _ paging.Seen) paging.Verdict {
	lastID, _ := strconv.ParseInt(r.Cursor, 10, 64)
	kept := p.Records[:0]
	above := false
	minID := lastID
	for _, rec := range p.Records {
		id, _ := strconv.ParseInt(rec.ID, 10, 64)
		switch {
		case rec.ID == "":
			// Unreadable id: handed on so the transform rejects it by name.
		case lastID > 0 && id > lastID:
			above = true
			continue
		case lastID > 0 && id == lastID:
			continue
		case minID == 0 || id < minID:
			minID = id
		}
		kept = append(kept, rec)
	}
	if above && len(kept) == 0 {
		return paging.Repeat
	}
	p.Records = kept
	if minID != lastID {
		p.Next = strconv.FormatInt(minID, 10)
	}
	return paging.Accept
}

// Get fetches /orders/{id}; the answer is {"order": {...}}, though one
// client reads a bare order, so both are accepted.
func (c *Client) Get(ctx context.Context, id string) (source.RawOrder, error) {
	var env json.RawMessage
	err := c.http.GetJSON(ctx, "/orders/"+url.PathEscape(id), nil, &env)
	var wrapped OrderEnvelope
	if err == nil && json.Unmarshal(env, &wrapped) == nil && len(wrapped.Order) > 0 && !bytes.Equal(wrapped.Order, []byte("null")) {
		env = wrapped.Order
	}
	return source.One(id, env, err, nil)
}

// PaymentOptions lists the store's payment options (for mapping setup).
func (c *Client) PaymentOptions(ctx context.Context) ([]Option, error) {
	var l PaymentOptionList
	err := c.http.GetJSON(ctx, "/payment_options/list", nil, &l)
	return l.PaymentOptions, err
}

// DeliveryOptions lists the store's delivery options (for mapping setup).
func (c *Client) DeliveryOptions(ctx context.Context) ([]Option, error) {
	var l DeliveryOptionList
	err := c.http.GetJSON(ctx, "/delivery_options/list", nil, &l)
	return l.DeliveryOptions, err
}

// orderID reads only the id of an order (a positive number; a quoted one
// is tolerated).
func orderID(raw json.RawMessage) string { return source.PeekNumber(raw, "id") }

// StatusOptions lists the company's order statuses, its custom ones
// included (GET /order_status_options/list). An account that does not
// offer the list (404, 403) has none to give: that is no error.
func (c *Client) StatusOptions(ctx context.Context) ([]StatusOption, error) {
	var l StatusOptionList
	err := c.http.GetJSON(ctx, "/order_status_options/list", nil, &l)
	if s := httpx.StatusOf(err); s == http.StatusNotFound || s == http.StatusForbidden {
		return nil, nil
	}
	return l.StatusOptions, err
}

// Options lists the store's payment and delivery options, by the names the
// cabinet shows (what the mappings are written against), and its order
// statuses by the code orders carry ("custom-137639" for a custom one; Extra
// holds the custom_status_id that sets it).
func (c *Client) Options(ctx context.Context) ([]canon.Option, error) {
	return source.Gather(ctx,
		source.Each(c.PaymentOptions, option(canon.OptionPayment)),
		source.Each(c.DeliveryOptions, option(canon.OptionDelivery)),
		source.Each(c.StatusOptions, func(s StatusOption) canon.Option {
			opt := canon.Option{Kind: canon.OptionStatus, ID: s.Key(), Name: s.Label(), Active: true}
			if id, ok := CustomStatusID(opt.ID); ok {
				opt.Extra = strconv.FormatInt(id, 10)
			}
			return opt
		}))
}

// option reads a payment or delivery option; Extra is its shipping service.
func option(kind string) func(Option) canon.Option {
	return func(o Option) canon.Option {
		return canon.Option{Kind: kind, ID: strconv.FormatInt(o.ID, 10), Name: o.Name, Extra: o.ShippingService, Active: true}
	}
}
