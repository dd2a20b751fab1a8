package prom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
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
	base := c.BaseURL
	if base == "" {
		base = ProductionURL
	}
	o := c.HTTP
	o.Store = c.Store
	o.BaseURL = strings.TrimRight(base, "/")
	token, lang := c.Token, co.language
	o.Authorize = func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set(LanguageHeader, lang)
	}
	size := c.PageSize
	if size <= 0 {
		size = 100
	}
	return &Client{http: httpx.New(o), pageSize: size}
}

// maxInconsistentPages bounds how often in a row a page that contradicts
// last_id is asked again.
const maxInconsistentPages = 5

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
	var lastID int64
	inconsistent := 0
	for {
		if lastID > 0 {
			q.Set("last_id", strconv.FormatInt(lastID, 10))
		}
		var list OrderList
		if err := c.http.GetJSON(ctx, "/orders/list", q, &list); err != nil {
			return err
		}
		fresh := make([]source.RawOrder, 0, len(list.Orders))
		above := false
		minID := lastID
		for _, raw := range list.Orders {
			id, ok := peekID(raw)
			if !ok {
				// Unreadable id: hand it on so the transform rejects it by name.
				fresh = append(fresh, source.RawOrder{Body: raw})
				continue
			}
			switch {
			case lastID > 0 && id > lastID:
				above = true
				continue
			case lastID > 0 && id == lastID:
				continue
			}
			if minID == 0 || id < minID {
				minID = id
			}
			fresh = append(fresh, source.RawOrder{ID: strconv.FormatInt(id, 10), Body: raw})
		}
		if above && len(fresh) == 0 {
			inconsistent++
			if inconsistent > maxInconsistentPages {
				return fmt.Errorf("store %s: /orders/list keeps answering ids above last_id=%d", c.http.Store(), lastID)
			}
			continue
		}
		inconsistent = 0
		if len(fresh) > 0 {
			if err := page(fresh); err != nil {
				return err
			}
		}
		if len(list.Orders) < c.pageSize || minID == lastID {
			return nil
		}
		lastID = minID
	}
}

// Get fetches /orders/{id}; the answer is {"order": {...}}, though one
// client reads a bare order, so both are accepted.
func (c *Client) Get(ctx context.Context, id string) (source.RawOrder, error) {
	var env json.RawMessage
	err := c.http.GetJSON(ctx, "/orders/"+url.PathEscape(id), nil, &env)
	if err != nil {
		var he *httpx.Error
		if errors.As(err, &he) && he.Status == http.StatusNotFound {
			return source.RawOrder{}, &source.NotFoundError{ID: id}
		}
		return source.RawOrder{}, err
	}
	var wrapped OrderEnvelope
	if json.Unmarshal(env, &wrapped) == nil && len(wrapped.Order) > 0 && !bytes.Equal(wrapped.Order, []byte("null")) {
		env = wrapped.Order
	}
	return source.RawOrder{ID: id, Body: env}, nil
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

// peekID reads only the id of an order (a number; a quoted one is tolerated).
func peekID(raw json.RawMessage) (int64, bool) {
	v, ok := source.PeekField(raw, "id")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(strings.Trim(string(v), `"`), 10, 64)
	return id, err == nil && id > 0
}

// StatusOptions lists the company's order statuses, its custom ones
// included (GET /order_status_options/list). An account that does not
// offer the list (404, 403) has none to give: that is no error.
func (c *Client) StatusOptions(ctx context.Context) ([]StatusOption, error) {
	var l StatusOptionList
	err := c.http.GetJSON(ctx, "/order_status_options/list", nil, &l)
	var he *httpx.Error
	if errors.As(err, &he) && (he.Status == http.StatusNotFound || he.Status == http.StatusForbidden) {
		return nil, nil
	}
	return l.StatusOptions, err
}

// Options lists the store's payment and delivery options, by the names the
// cabinet shows (what the mappings are written against), and its order
// statuses by the code orders carry ("custom-137639" for a custom one; Extra
// holds the custom_status_id that sets it).
func (c *Client) Options(ctx context.Context) ([]canon.Option, error) {
	pay, err := c.PaymentOptions(ctx)
	if err != nil {
		return nil, err
	}
	del, err := c.DeliveryOptions(ctx)
	if err != nil {
		return nil, err
	}
	statuses, err := c.StatusOptions(ctx)
	if err != nil {
		return nil, err
	}
	var out []canon.Option
	for _, list := range []struct {
		kind string
		opts []Option
	}{{canon.OptionPayment, pay}, {canon.OptionDelivery, del}} {
		for _, o := range list.opts {
			out = append(out, canon.Option{Kind: list.kind, ID: strconv.FormatInt(o.ID, 10), Name: o.Name, Extra: o.ShippingService, Active: true})
		}
	}
	for _, s := range statuses {
		key := s.Key()
		if key == "" {
			continue
		}
		opt := canon.Option{Kind: canon.OptionStatus, ID: key, Name: s.Label(), Active: true}
		if id, ok := CustomStatusID(key); ok {
			opt.Extra = strconv.FormatInt(id, 10)
		}
		out = append(out, opt)
	}
	return out, nil
}
