package rozetka

import (
	"context"
	"encoding/base64"
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
	"github.com/kramar/kramar/transforms/decode"
)

// ProductionURL is the Seller API root (GERA-OneTeam/Rozetka-API-Seller
// docs/api_project.json, "url").
const ProductionURL = "https://api-seller.rozetka.com.ua"

// OrderExpand is what every order read asks for: the blocks the transform
// needs, among the expand values of the apidoc (GERA-OneTeam/Rozetka-API-Seller
// docs/categories/orders.md). `carrier` holds the waybill of parcels
// ROZETKA Delivery or Meest carries (see Carrier).
const OrderExpand = "delivery,purchases,payment,status_data,user,carrier"

// Client talks to one Rozetka seller account.
type Client struct {
	store    string
	api      *httpx.Client // authorized calls
	anon     *httpx.Client // POST /sites
	username string
	password string
}

// NewClient builds a client for one store. A static API token (Token, made in
// the seller cabinet: https://sellerhelp.rozetka.com.ua/st/ua/api-start)
// is used as the Bearer as is; otherwise the client logs in with Username
// and Password on first use. Either way an expired or refused session
// (HTTP 401, codes 6001/1018/1020/5401) makes it log in once more and
// repeat the call, when it has a username to log in with.
func NewClient(c source.Config) *Client {
	cl := &Client{store: c.Store, username: c.Username, password: c.Password}
	o := c.HTTPOptions(ProductionURL)
	o.CheckBody = checkEnvelope
	o.Authorize = setCommonHeaders
	cl.anon = httpx.New(o)
	o.Session = &httpx.Session{Login: cl.login(c.Token != ""), Apply: httpx.Bearer}
	o.Session.SetToken(c.Token)
	cl.api = httpx.New(o)
	return cl
}

// setCommonHeaders sets the headers the apidoc's routes list (e.g. GET
// /orders/search in docs/categories/orders.md): the language, and on
// searches validation errors as errors rather than an empty list.
func setCommonHeaders(r *http.Request) {
	r.Header.Set("Content-Language", "uk")
	if strings.HasSuffix(r.URL.Path, "/search") {
		r.Header.Set("Accept-Validate-Exception", "1")
	}
}

// errNoLogin explains a refused static token: nothing to log in with.
var errNoLogin = &httpx.Error{Kind: httpx.KindAuth, Msg: "the API token was refused and no username is configured to log in with"}

// login is POST /sites with the password in Base64, as the API demands
// (docs/categories/authorization.md: "Пароль в base64()"). The session
// has no known lifetime: it is used until refused.
func (c *Client) login(static bool) func(ctx context.Context) (string, time.Duration, error) {
	return func(ctx context.Context) (string, time.Duration, error) {
		switch {
		case c.username == "" && static:
			return "", 0, errNoLogin
		case c.username == "":
			return "", 0, fmt.Errorf("store %s: neither an API token nor a username is configured: %w", c.store, errNoLogin)
		}
		req := LoginRequest{Username: c.username, Password: base64.StdEncoding.EncodeToString([]byte(c.password))}
		var env struct {
			Content Login `json:"content"`
		}
		if err := c.anon.PostJSON(ctx, "/sites", req, &env); err != nil {
			return "", 0, fmt.Errorf("log in: %w", err)
		}
		if env.Content.AccessToken == "" {
			return "", 0, fmt.Errorf("store %s: log in: %w", c.store, &httpx.Error{Kind: httpx.KindAuth, Status: http.StatusOK, Msg: "no access_token in the answer"})
		}
		return env.Content.AccessToken, 0, nil
	}
}

// call performs one API call; out receives the envelope's content.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, body any, out any) error {
	env := struct {
		Content any `json:"content"`
	}{Content: out}
	if out == nil {
		return c.api.Do(ctx, method, path, query, body, nil)
	}
	return c.api.Do(ctx, method, path, query, body, &env)
}

// checkEnvelope turns {"success":false,"errors":{…}}, sent with HTTP 200,
// into a classified error: session problems and refusals are
// KindAuth (a session error makes httpx log in again once), transient
// codes are KindServer (retried), the rest are final. The *Error with the
// code stays reachable with errors.As.
func checkEnvelope(status int, body []byte) error {
	v, ok := source.PeekField(body, "success")
	if !ok || string(v) != "false" {
		return nil // not an envelope, or a success
	}
	raw, _ := source.PeekField(body, "errors")
	var items ItemErrors
	if json.Unmarshal(raw, &items) == nil && len(items) > 0 {
		// The bulk form keyed by item id (PUT /items/mass-update in
		// docs/categories/apiitems.md): a refusal of those items,
		// never a transient fault — its "code" would otherwise read as 0,
		// server_error.
		return &httpx.Error{Kind: httpx.KindRequest, Status: status, Msg: items.Error(), Err: items}
	}
	var env Envelope
	if json.Unmarshal(body, &env) != nil || env.Errors == nil {
		// errors may also be an array, as the MarketError model
		// has it (docs/categories/aboutapi.md): keep it whole.
		env.Errors = &Error{Message: "unrecognised error", Details: raw}
	}
	e := env.Errors
	kind := httpx.KindRequest
	switch e.Code {
	case CodeSessionExpired, CodeBadToken, CodeBadCredentials2, CodeInvalidCreds, CodeBadCredentials, CodeAccessDenied:
		kind = httpx.KindAuth
	case CodeServerError, CodeMessageBroker, CodeMaintenance:
		kind = httpx.KindServer
	}
	return &httpx.Error{Kind: kind, Status: status, Msg: e.Error(), Err: e}
}

// isNotFound reports an entity the API does not have: codes 1019/5404 or HTTP 404.
func isNotFound(err error) bool {
	var e *Error
	if errors.As(err, &e) && (e.Code == CodeNotFound || e.Code == CodeHTTPNotFound) {
		return true
	}
	return httpx.StatusOf(err) == http.StatusNotFound
}

// Get fetches one order with OrderExpand.
func (c *Client) Get(ctx context.Context, id string) (source.RawOrder, error) {
	var raw json.RawMessage
	q := url.Values{"expand": {OrderExpand}}
	err := c.call(ctx, http.MethodGet, "/orders/"+url.PathEscape(id), q, nil, &raw)
	return source.One(id, raw, err, isNotFound)
}

// UpdateOrder changes an order's status, TTN or seller comment (PUT
// /orders/{id} in docs/categories/orders.md) and returns the order as the
// API answers it. It is a change that must not be sent twice blindly (a
// seller comment would be appended again), so it goes out with
// httpx.NotRepeatable: a timeout, 5xx or cut answer ends the call at once
// with an error httpx.Uncertain recognises, and the caller reads the order
// before sending it again.
func (c *Client) UpdateOrder(ctx context.Context, id int64, u UpdateOrder) (json.RawMessage, error) {
	var raw json.RawMessage
	q := url.Values{"expand": {OrderExpand}}
	err := c.call(httpx.NotRepeatable(ctx), http.MethodPut, "/orders/"+strconv.FormatInt(id, 10), q, u, &raw)
	return raw, err
}

// StateExpand is what OrderState asks for: the next statuses the order may
// take (the status_available expand of docs/categories/orders.md).
const StateExpand = "status_available"

// OrderState reads an order's status, TTN and StatusAvailable (GET
// /orders/{id}?expand=status_available) — the small read the reverse-ETL
// makes before and after every change. A missing order is a
// *source.NotFoundError.
//
// The order is decoded as the transform decodes it (decode.Into): a field
// of an unexpected type — seller_comment[].created as Unix seconds, say —
// does not stop a push; an id that cannot be read does.
func (c *Client) OrderState(ctx context.Context, id int64) (Order, error) {
	var raw json.RawMessage
	q := url.Values{"expand": {StateExpand}}
	err := c.call(ctx, http.MethodGet, "/orders/"+strconv.FormatInt(id, 10), q, nil, &raw)
	if isNotFound(err) {
		return Order{}, &source.NotFoundError{ID: strconv.FormatInt(id, 10)}
	}
	if err != nil {
		return Order{}, err
	}
	var o Order
	if err := decode.Into(raw, &o); err != nil {
		return Order{}, fmt.Errorf("store %s: order %d: %w", c.store, id, err)
	}
	return o, nil
}

// MassUpdate sets the stock of catalog items (PUT /items/mass-update in
// docs/categories/apiitems.md). Setting a level twice is harmless, so
// unlike UpdateOrder it is retried like a read. When Rozetka refuses items
// the error wraps ItemErrors (errors.As) naming each refused item_rz_id
// with its reasons; whether the other items of the batch were applied is
// not documented.
func (c *Client) MassUpdate(ctx context.Context, items []ItemUpdate) error {
	return c.call(ctx, http.MethodPut, "/items/mass-update", nil, MassUpdate{IsIgnoreCheck: 0, Items: items}, nil)
}

// ApproveFF approves a fulfillment order (POST
// /orders/approve-ff-order/{id} in docs/categories/orders.md).
func (c *Client) ApproveFF(ctx context.Context, id int64) (json.RawMessage, error) {
	var raw json.RawMessage
	err := c.call(ctx, http.MethodPost, "/orders/approve-ff-order/"+strconv.FormatInt(id, 10), nil, struct{}{}, &raw)
	return raw, err
}

// The interfaces the pipeline uses.
var (
	_ source.Orders    = (*Client)(nil)
	_ source.Catalog   = (*Client)(nil)
	_ source.Reference = (*Client)(nil)
)
