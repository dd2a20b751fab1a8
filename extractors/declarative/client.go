package declarative

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
)

// Client is the order API of one store of a spec-described marketplace.
type Client struct {
	spec     *Spec
	store    string
	api      *httpx.Client // authorized calls
	anon     *httpx.Client // the login call
	pageSize int
	token    string // static token (bearer, header, query)
	username string
	password string
	noBase   bool
	session  *httpx.Session // AuthLogin only
}

// NewClient builds the client of one store; c.BaseURL overrides the spec's.
func NewClient(spec *Spec, c source.Config) *Client {
	o := c.HTTPOptions(spec.BaseURL)
	cl := &Client{
		spec: spec, store: c.Store, token: c.Token, username: c.Username, password: c.Password,
		pageSize: pageSize(spec.Orders.Pagination, c), noBase: o.BaseURL == "",
	}
	if spec.Errors.Message.IsSet() || spec.Errors.Code.IsSet() {
		o.CheckBody = spec.checkBody
	}
	cl.anon = httpx.New(o)
	o.Authorize = cl.authorize
	if spec.Auth.Type == AuthLogin {
		// Renewed a little early when the lifetime is known and long enough.
		cl.session = &httpx.Session{Login: cl.login, Apply: spec.Auth.Login.apply, Early: 30 * time.Second}
		o.Session = cl.session
	}
	cl.api = httpx.New(o)
	return cl
}

// pageSize is the store's page size within the spec's limits; without a
// size parameter the API decides and the spec says how much.
func pageSize(p Pagination, store source.Config) int {
	if p.SizeParam == "" && p.Size > 0 {
		return p.Size
	}
	def := p.Size
	if def <= 0 {
		def = 100
	}
	return store.Size(def, p.MaxSize)
}

// Logins counts the logins made so far (tests check re-login happens once).
func (c *Client) Logins() int {
	if c.session == nil {
		return 0
	}
	return c.session.Logins()
}

// authorize puts the credentials on a request; it is the only place a
// secret touches one (httpx never puts a URL or header in an error).
func (c *Client) authorize(r *http.Request) {
	a := c.spec.Auth
	switch a.Type {
	case AuthBearer:
		httpx.Bearer(r, c.token)
	case AuthHeader:
		r.Header.Set(a.Name, a.Prefix+c.token)
	case AuthQuery:
		setQuery(r, a.Name, c.token)
	case AuthBasic:
		r.SetBasicAuth(c.username, c.password)
	}
}

// apply puts the session token where the spec sends it (httpx.Session.Apply).
func (l *Login) apply(r *http.Request, token string) {
	switch l.Send {
	case SendBearer:
		httpx.Bearer(r, token)
	case SendHeader:
		r.Header.Set(l.Name, l.Prefix+token)
	case SendQuery:
		setQuery(r, l.Name, token)
	case SendBody:
		setBodyField(r, l.Name, token)
	}
}

func setQuery(r *http.Request, name, value string) {
	q := r.URL.Query()
	q.Set(name, value)
	r.URL.RawQuery = q.Encode()
}

// setBodyField puts the session token into the JSON body at attempt time,
// so a repeat after a new login carries the new token.
func setBodyField(r *http.Request, name, value string) {
	httpx.RewriteBody(r, func(raw []byte) []byte {
		obj := map[string]json.RawMessage{}
		if len(raw) > 0 {
			_ = json.Unmarshal(raw, &obj)
		}
		v, _ := json.Marshal(value)
		obj[name] = v
		body, _ := json.Marshal(obj)
		return body
	})
	r.Header.Set("Content-Type", "application/json")
}

// login is the spec's POST; it returns the token and, when the spec or
// the answer gives one over a minute, its lifetime.
func (c *Client) login(ctx context.Context) (string, time.Duration, error) {
	l := c.spec.Auth.Login
	if c.username == "" {
		return "", 0, fmt.Errorf("store %s: %w", c.store, &httpx.Error{Kind: httpx.KindAuth, Msg: "the spec logs in, but the store has no username"})
	}
	vars := map[string]string{"username": c.username, "password": c.password}
	var raw json.RawMessage
	if err := c.anon.PostJSON(ctx, l.Path, buildBody(l.Body, vars, nil), &raw); err != nil {
		return "", 0, fmt.Errorf("log in: %w", err)
	}
	doc, err := decodeAny(raw)
	if err != nil {
		return "", 0, fmt.Errorf("store %s: log in: %w", c.store, err)
	}
	v, _ := l.Token.Get(doc)
	token, _ := scalarText(v)
	if token == "" {
		return "", 0, fmt.Errorf("store %s: log in: %w", c.store, &httpx.Error{Kind: httpx.KindAuth, Status: http.StatusOK, Msg: "no token at " + l.Token.String() + " in the answer"})
	}
	ttl := time.Duration(l.TTL) * time.Second
	if v, ok := l.ExpiresIn.Get(doc); ok {
		if d, ok := seconds(v); ok {
			ttl = d
		}
	}
	if ttl <= time.Minute {
		ttl = 0 // too short to renew early: used until refused
	}
	return token, ttl, nil
}

// buildBody turns body templates into a JSON object; numeric holds the
// placeholders whose value is a number.
func buildBody(tmpl map[string]string, vars map[string]string, numeric map[string]bool) any {
	if len(tmpl) == 0 {
		return nil
	}
	var doc any = map[string]any{}
	for key, t := range tmpl {
		var v any = expand(t, vars)
		if name, ok := Placeholder(t); ok && numeric[name] {
			v = json.Number(vars[name])
		}
		doc = MustPath(key).Set(doc, v)
	}
	return doc
}

// call makes one authorized request and returns the decoded answer.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, body any) (json.RawMessage, error) {
	if c.noBase {
		return nil, fmt.Errorf("store %s: neither the store nor the spec %s gives a base_url", c.store, c.spec.Name)
	}
	if method == http.MethodPost && body == nil {
		body = map[string]any{}
	}
	var raw json.RawMessage
	if err := c.api.Do(ctx, method, path, query, body, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// checkBody turns an error reported inside a 2xx answer into an
// *httpx.Error; codes listed in auth_codes are auth failures.
func (s *Spec) checkBody(status int, body []byte) error {
	doc, err := decodeAny(body)
	if err != nil {
		return nil // httpx reports a body that does not parse
	}
	e := s.Errors
	var msg, code string
	if v, ok := e.Message.Get(doc); ok {
		msg, _ = scalarText(v)
	}
	failed := strings.TrimSpace(msg) != ""
	if v, ok := e.Code.Get(doc); ok { // an answer without a code is a success
		code, _ = scalarText(v)
		failed = failed || !containsFold(e.okCodes(), code)
	}
	if !failed {
		return nil
	}
	kind := httpx.KindRequest
	if containsFold(e.AuthCodes, code) || containsFold(e.AuthCodes, msg) {
		kind = httpx.KindAuth
	}
	text := strings.TrimSpace(strings.Join([]string{code, msg}, " "))
	return &httpx.Error{Kind: kind, Status: status, Msg: text}
}

// okCodes are the codes of a success (default "", 0, 200, ok, success, true).
func (e Errors) okCodes() []string {
	if len(e.OKCodes) > 0 {
		return e.OKCodes
	}
	return []string{"", "0", "200", "ok", "success", "true"}
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(v)) {
			return true
		}
	}
	return false
}

// Get reads one order with get_order; ErrNotFound when the API has none.
func (c *Client) Get(ctx context.Context, id string) (source.RawOrder, error) {
	g := c.spec.GetOrder
	if g == nil {
		return source.RawOrder{}, fmt.Errorf("store %s: the spec %s has no get_order to read one order with", c.store, c.spec.Name)
	}
	vars := map[string]string{"id": id}
	path := strings.ReplaceAll(g.Path, "{{id}}", url.PathEscape(id))
	raw, err := c.call(ctx, g.Method, path, queryOf(g.Query, vars), buildBody(g.Body, vars, nil))
	o, err := source.One(id, raw, err, nil)
	if err != nil || !g.Record.IsSet() {
		return o, err
	}
	rec, found, err := g.Record.Raw(raw)
	if err != nil || !found {
		return source.RawOrder{}, &source.NotFoundError{ID: id}
	}
	return source.RawOrder{ID: id, Body: rec}, nil
}

func queryOf(tmpl map[string]string, vars map[string]string) url.Values {
	q := url.Values{}
	for k, t := range tmpl {
		q.Set(k, expand(t, vars))
	}
	return q
}

var _ source.Orders = (*Client)(nil)
