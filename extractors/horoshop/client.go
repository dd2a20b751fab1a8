package horoshop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/transforms/decode"
)

// TokenLifetime is a token's life (wiki auth): 600 s. The client logs in
// again on its own a minute early, so a long pull rarely meets an expired
// token; when it does, the UNAUTHORIZED answer costs one re-login
// (httpx.Session).
const TokenLifetime = 600 * time.Second

// Client talks to one Horoshop shop. There is no production host: every
// shop has its own domain, so source.Config.BaseURL is required.
type Client struct {
	store    string
	api      *httpx.Client // calls that carry the token
	anon     *httpx.Client // POST /api/auth/
	login    string
	password string
	pageSize int
	// Revisit is how far before `from` ModifiedBetween re-reads (see there).
	Revisit time.Duration
}

// DefaultRevisit: statuses, payment and waybills of an order change for a
// few weeks after it is placed.
const DefaultRevisit = 30 * 24 * time.Hour

// DefaultPageSize is the orders/get limit when the store sets none: 500 is
// the largest page clients use (IgorShutko/horoshop-claude-skill
// horoshop-sales-report/references/orders_api.md: up to 500 orders a page).
const DefaultPageSize = 500

// NewClient builds a client for one shop that logs in with
// c.Username/c.Password (an admin account, made under Налаштування → Адміни).
func NewClient(c source.Config) *Client {
	cl := &Client{store: c.Store, login: c.Username, password: c.Password, pageSize: c.Size(DefaultPageSize, 0), Revisit: DefaultRevisit}
	o := c.HTTPOptions("")
	anon := o
	anon.CheckBody = checkAuthEnvelope
	cl.anon = httpx.New(anon)
	o.CheckBody = checkEnvelope
	o.Session = &httpx.Session{Login: cl.logIn, Apply: putToken, Early: time.Minute}
	cl.api = httpx.New(o)
	return cl
}

// putToken writes the token into the JSON body (Horoshop takes it there,
// not in a header).
func putToken(r *http.Request, token string) {
	if r.Body != nil {
		httpx.RewriteBody(r, func(body []byte) []byte { return withToken(body, token) })
	}
}

// withToken puts "token" first into a JSON object.
func withToken(obj []byte, token string) []byte {
	rest := bytes.TrimSpace(obj)
	if len(rest) < 2 || rest[0] != '{' {
		return obj
	}
	rest = bytes.TrimSpace(rest[1:])
	t, _ := json.Marshal(token)
	out := make([]byte, 0, len(obj)+len(t)+12)
	out = append(out, `{"token":`...)
	out = append(out, t...)
	if rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...)
}

// logIn is POST /api/auth/ with the login and password (wiki auth).
func (c *Client) logIn(ctx context.Context) (string, time.Duration, error) {
	if c.login == "" {
		return "", 0, fmt.Errorf("store %s: %w", c.store, &httpx.Error{Kind: httpx.KindAuth, Msg: "no username is configured to log in with"})
	}
	var env Envelope
	if err := c.anon.PostJSON(ctx, PathAuth, AuthRequest{Login: c.login, Password: c.password}, &env); err != nil {
		return "", 0, fmt.Errorf("log in: %w", err)
	}
	var auth AuthResponse
	if json.Unmarshal(env.Response, &auth) != nil || auth.Token == "" {
		return "", 0, fmt.Errorf("store %s: log in: %w", c.store, &httpx.Error{Kind: httpx.KindAuth, Status: http.StatusOK, Msg: "no token in the answer"})
	}
	return auth.Token, TokenLifetime, nil
}

// call performs one API function and decodes its response into out; an
// EMPTY answer leaves out untouched and returns empty=true.
func (c *Client) call(ctx context.Context, path string, body, out any) (empty bool, err error) {
	var env Envelope
	if err := c.api.PostJSON(ctx, path, body, &env); err != nil {
		return false, err
	}
	if env.Status == StatusEmpty || out == nil {
		return env.Status == StatusEmpty, nil
	}
	// Read as the transforms read records: a field of another type is
	// converted or left empty rather than failing the call.
	if err := decode.Into(env.Response, out); err != nil {
		return false, fmt.Errorf("store %s: POST %s: unexpected response: %w", c.store, path, err)
	}
	return false, nil
}

// APIError is an ERROR, EXCEPTION or UNDEFINED_FUNCTION answer: the
// envelope status and the shop's message.
type APIError struct {
	Status  string
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return e.Status
	}
	return e.Status + ": " + e.Message
}

// errHTML is what a shop without the API module, a maintenance page or a
// wrong domain answers: an HTML page with HTTP 200. Retrying cannot
// help, so it is final.
var errHTML = &httpx.Error{Kind: httpx.KindRequest, Status: http.StatusOK, Msg: "the answer is HTML, not JSON — check base_url (is the API module enabled?)"}

// checkEnvelope classifies an answer by its envelope status (as
// ecomkit-com-ua/horoshop-mcp src/client.ts does):
// OK, EMPTY and WARNING pass; UNAUTHORIZED and AUTHORIZATION_ERROR are
// KindAuth, so httpx logs in again once and repeats the call; the rest
// are final errors carrying *APIError.
func checkEnvelope(status int, body []byte) error {
	return classify(status, body, httpx.KindRequest)
}

// checkAuthEnvelope is checkEnvelope for POST /api/auth/, whose ERROR
// means a wrong login or password.
func checkAuthEnvelope(status int, body []byte) error {
	return classify(status, body, httpx.KindAuth)
}

func classify(status int, body []byte, errorKind httpx.Kind) error {
	if looksLikeHTML(body) {
		return errHTML
	}
	v, ok := source.PeekField(body, "status")
	if !ok {
		return nil // cut short or not an envelope: decoding decides (and retries)
	}
	var s string
	_ = json.Unmarshal(v, &s)
	switch s {
	case StatusOK, StatusEmpty, StatusWarning:
		return nil
	}
	e := &APIError{Status: s, Message: responseMessage(body)}
	kind := errorKind
	switch s {
	case StatusUnauthorized, StatusAuthorizationError:
		kind = httpx.KindAuth
	case StatusError, StatusException, StatusUndefinedFunction:
	default:
		e.Message = strings.TrimSpace("unknown envelope status " + e.Message)
	}
	return &httpx.Error{Kind: kind, Status: status, Msg: e.Error(), Err: e}
}

// looksLikeHTML: the first non-space byte of a JSON answer is never '<'.
func looksLikeHTML(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n\ufeff")
	return len(b) > 0 && b[0] == '<'
}

// responseMessage reads response.message; its absence gives "".
func responseMessage(body []byte) string {
	raw, ok := source.PeekField(body, "response")
	if !ok {
		return ""
	}
	var m Message
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	return m.Message
}

// IsAPIStatus reports whether err is an answer with the envelope status s.
func IsAPIStatus(err error, s string) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == s
}

// The interfaces the pipeline uses.
var (
	_ source.Orders    = (*Client)(nil)
	_ source.Catalog   = (*Client)(nil)
	_ source.Reference = (*Client)(nil)
)
