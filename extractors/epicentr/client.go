package epicentr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
)

// ProductionURL is the merchant API root (the vendor's samples,
// epicentrm/merchant-api api-samples/python.md).
const ProductionURL = "https://merchant-api.epicentrm.com.ua"

// API paths: versions coexist, one per call as live-tested clients use them.
const (
	PathOrders        = "/v3/oms/orders"
	PathOrderDetails  = "/v5/oms/orders/"
	PathCancelReasons = "/v2/oms/order-cancel-reasons/customer"
	PathOffers        = "/v1/offers"
	PathOfferResults  = "/v1/offers/update-results/"
)

// Client talks to one Epicentr seller company (one token = one store).
type Client struct {
	store    string
	api      *httpx.Client
	pageSize int
	// SettledHorizon is how far before a pull's window orders in any status
	// are re-read (see ModifiedBetween).
	SettledHorizon time.Duration
}

// NewClient builds a client for one store. The token is the cabinet's
// "Згенерувати" token (tab API of the company settings,
// https://help.keycrm.app/uk/getting-orders-and-goods-from-marketplaces/iak-dodati-iepitsientr-do-dzhieriel-zamovlien),
// sent as a Bearer on every call.
func NewClient(c source.Config) *Client {
	o := c.HTTPOptions(ProductionURL)
	token := c.Token
	o.Authorize = func(r *http.Request) { httpx.Bearer(r, token) }
	return &Client{store: c.Store, api: httpx.New(o), pageSize: c.Size(MaxPageSize, MaxPageSize), SettledHorizon: DefaultSettledHorizon}
}

// isNotFound is a 404 for a record; a 404 for an unknown route (NoRoute) is a
// configuration mistake and stays an error.
func isNotFound(err error) bool {
	var he *httpx.Error
	return errors.As(err, &he) && he.Status == http.StatusNotFound && !strings.Contains(he.Msg, NoRoute)
}

// Get fetches one order (GET /v5/oms/orders/{id}); a {"data": …} wrapper,
// which some versions add, is removed.
func (c *Client) Get(ctx context.Context, id string) (source.RawOrder, error) {
	var raw json.RawMessage
	err := c.api.GetJSON(ctx, PathOrderDetails+url.PathEscape(id), nil, &raw)
	return source.One(id, Unwrap(raw), err, isNotFound)
}

// Unwrap returns the order inside {"data": {...}}, or raw itself.
func Unwrap(raw json.RawMessage) json.RawMessage {
	if _, hasID := source.PeekField(raw, "id"); hasID {
		return raw
	}
	if d, ok := source.PeekField(raw, "data"); ok && len(d) > 0 && d[0] == '{' {
		return d
	}
	return raw
}

func orderPath(id, tail string) string {
	return "/v2/oms/orders/" + url.PathEscape(id) + tail
}

// AllowedStatuses lists the status codes order id may move to now (live
// clients consult it before every change).
func (c *Client) AllowedStatuses(ctx context.Context, id string) ([]string, error) {
	var list StatusList
	if err := c.api.GetJSON(ctx, orderPath(id, "/allowed-statuses"), nil, &list); err != nil {
		return nil, err
	}
	out := make([]string, len(list.Items))
	for i, s := range list.Items {
		out[i] = s.Code
	}
	return out, nil
}

// The writes below go out once (httpx.NotRepeatable): a lost answer is not
// retried blindly, the caller reads the order again to learn whether the
// change landed.

// ChangeStatus moves order id to status code with an empty body. Use
// Cancel for canceled, which needs a reason.
func (c *Client) ChangeStatus(ctx context.Context, id, code string) error {
	return c.api.Do(httpx.NotRepeatable(ctx), http.MethodPost, orderPath(id, "/change-status/to/"+url.PathEscape(code)), nil, struct{}{}, nil)
}

// Cancel cancels order id with one of CancelReasons' codes; the
// translation key is filled in from the code when empty.
func (c *Client) Cancel(ctx context.Context, id string, r CancelRequest) error {
	if r.TranslationKey == "" {
		r.TranslationKey = TranslationKey(r.ReasonCode)
	}
	return c.api.Do(httpx.NotRepeatable(ctx), http.MethodPost, orderPath(id, "/change-status/to/"+StatusCanceled), nil, r, nil)
}

// SetShipmentNumber sets the waybill (TTN) of order id
// (PATCH /v1/oms/orders/{id}/shipment-number).
func (c *Client) SetShipmentNumber(ctx context.Context, id, number string) error {
	return c.api.Do(httpx.NotRepeatable(ctx), http.MethodPatch, "/v1/oms/orders/"+url.PathEscape(id)+"/shipment-number", nil, ShipmentNumber{Number: number}, nil)
}

// CancelReasons lists the reasons a cancel may give.
func (c *Client) CancelReasons(ctx context.Context) ([]CancelReason, error) {
	var list CancelReasonList
	err := c.api.GetJSON(ctx, PathCancelReasons, nil, &list)
	return list.Items, err
}

// UpdateOffers sends price and availability changes (POST /v1/offers, at
// most MaxOfferBatch items). The answer is a request id with each item
// enqueued or refused; poll OfferUpdateResults until Done. Setting a
// price or availability twice is harmless, but a lost answer still ends
// the call: the caller decides whether to send the batch again.
func (c *Client) UpdateOffers(ctx context.Context, items []OfferUpdate) (OfferUpdateResult, error) {
	var res OfferUpdateResult
	if len(items) > MaxOfferBatch {
		return res, fmt.Errorf("store %s: %s takes at most %d items a call, not %d", c.store, PathOffers, MaxOfferBatch, len(items))
	}
	err := c.api.PostJSON(httpx.NotRepeatable(ctx), PathOffers, OfferUpdateRequest{Items: items}, &res)
	return res, err
}

// MaxOfferBatch is the batch size a live-syncing client uses; no limit is
// documented.
const MaxOfferBatch = 200

// OfferUpdateResults reads the outcome of an UpdateOffers request.
func (c *Client) OfferUpdateResults(ctx context.Context, requestID string) (OfferUpdateResult, error) {
	var res OfferUpdateResult
	err := c.api.GetJSON(ctx, PathOfferResults+url.PathEscape(requestID), nil, &res)
	return res, err
}

// The interface the pipeline uses.
var _ source.Orders = (*Client)(nil)
