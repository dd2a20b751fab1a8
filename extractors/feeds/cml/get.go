package cml

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/extractors/source"
)

// getter performs the plain GETs of an orders file or of the exchange
// through the shared httpx client (retries, Retry-After, rate limit,
// errors that name the store and the path, never the query or a secret).
// httpx decodes JSON; the raw body is caught in CheckBody instead, which
// is also where an unparsable file (usually a body cut short) is made a
// retryable bad_body failure. Calls are serialised: the body slot is one.
type getter struct {
	http  *httpx.Client
	path  string
	query url.Values // the configured URL's own query (Zakupka's link carries its key)
	err   error      // a base URL that cannot be used

	mu     sync.Mutex
	check  func([]byte) error
	body   []byte
	cookie string // "name=value" of the exchange session
}

func newGetter(c source.Config) *getter {
	g := &getter{query: url.Values{}}
	o := c.HTTP
	o.Store = c.Store
	u, err := url.Parse(strings.TrimSpace(c.BaseURL))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		g.err = fmt.Errorf("store %s: base URL is not an absolute http(s) URL", c.Store)
		u = &url.URL{}
	}
	o.BaseURL = u.Scheme + "://" + u.Host
	g.path, g.query = u.Path, u.Query()
	if c.Token != "" {
		g.query.Set("key", c.Token)
	}
	user, pass := c.Username, c.Password
	o.Authorize = func(r *http.Request) {
		r.Header.Set("Accept", "application/xml, text/xml, text/plain, */*")
		if user != "" || pass != "" {
			r.SetBasicAuth(user, pass)
		}
		if g.cookie != "" {
			r.Header.Set("Cookie", g.cookie)
		}
	}
	o.CheckBody = func(_ int, body []byte) error {
		g.body = body
		if g.check != nil {
			return g.check(body)
		}
		return nil
	}
	g.http = httpx.New(o)
	return g
}

// get GETs the configured URL with its own query plus extra, and returns
// the body once check (optional) accepts it.
func (g *getter) get(ctx context.Context, extra map[string]string, check func([]byte) error) ([]byte, error) {
	if g.err != nil {
		return nil, g.err
	}
	q := url.Values{}
	for k, v := range g.query {
		q[k] = v
	}
	for k, v := range extra {
		q.Set(k, v)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.check, g.body = check, nil
	err := g.http.Do(ctx, http.MethodGet, g.path, q, nil, nil)
	body := g.body
	g.check, g.body = nil, nil
	return body, err
}

// info GETs a CML file and parses it.
func (g *getter) info(ctx context.Context, extra map[string]string) (*Info, error) {
	var info *Info
	_, err := g.get(ctx, extra, func(body []byte) error {
		var err error
		if info, err = Parse(body); err != nil {
			return &httpx.Error{Kind: httpx.KindBadBody, Status: http.StatusOK, Msg: err.Error(), Err: err}
		}
		return nil
	})
	return info, err
}

// setCookie sets the session cookie sent with every later call.
func (g *getter) setCookie(c string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cookie = c
}
