// Package consoletest is a client of the console for tests: it logs in
// through the form as a browser does, sends requests with or without the
// session, and keeps every page it read, to look for secrets in.
package consoletest

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The console's cookies (console.SessionCookie and the login form's
// own); console's tests check they match.
const (
	SessionCookie = "kramar_session"
	LoginCookie   = "kramar_login"
)

// Browser is the header a browser sends: the console answers it 303 to
// the login form where an API client gets 401.
var Browser = http.Header{"Accept": {"text/html,application/xhtml+xml"}}

// Client talks to one console.
type Client struct {
	base string
	http *http.Client
	mu   sync.Mutex
	// bodies are the pages read; ids the session ids handed out.
	bodies, ids []string
}

// New is a client of the console at base ("http://127.0.0.1:9108"), over
// transport (nil: the default). It never follows redirects.
func New(base string, transport http.RoundTripper) *Client {
	return &Client{base: base, http: &http.Client{Transport: transport, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Answer is one response, read whole.
type Answer struct {
	Code    int
	Header  http.Header
	Body    string
	Cookies []*http.Cookie
	TLS     bool
}

// Cookie is the cookie the answer set by that name, or nil.
func (a Answer) Cookie(name string) *http.Cookie {
	for _, c := range a.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Send makes one request: a form (urlencoded) when form is not nil, the
// header's fields, the cookies' names and values.
func (c *Client) Send(t testing.TB, method, path string, form url.Values, header http.Header, cookies ...*http.Cookie) Answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for _, ck := range cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.mu.Lock()
	c.bodies = append(c.bodies, string(b))
	c.mu.Unlock()
	return Answer{Code: resp.StatusCode, Header: resp.Header, Body: string(b), Cookies: resp.Cookies(), TLS: resp.TLS != nil}
}

// CSRFInput finds a form's CSRF token.
var CSRFInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// LoginForm opens the login form: its token and the cookie that must
// come back with it.
func (c *Client) LoginForm(t testing.TB) (string, *http.Cookie) {
	t.Helper()
	a := c.Send(t, "GET", "/login", nil, Browser)
	m := CSRFInput.FindStringSubmatch(a.Body)
	ck := a.Cookie(LoginCookie)
	if a.Code != http.StatusOK || m == nil || ck == nil || ck.Value != m[1] {
		t.Fatalf("login form: %d, token %v, cookie %v\n%s", a.Code, m, ck, a.Body)
	}
	return m[1], ck
}

// TryLogin sends the login form filled in, as a browser.
func (c *Client) TryLogin(t testing.TB, name, password string) Answer {
	t.Helper()
	tok, ck := c.LoginForm(t)
	a := c.Send(t, "POST", "/login", url.Values{"csrf": {tok}, "name": {name}, "password": {password}}, Browser, ck)
	if s := a.Cookie(SessionCookie); s != nil && s.Value != "" {
		c.mu.Lock()
		c.ids = append(c.ids, s.Value)
		c.mu.Unlock()
	}
	return a
}

// Login logs in and returns the session cookie and the session's CSRF
// token (from the logout form of the start page, or of the page the start
// page sends the role to).
func (c *Client) Login(t testing.TB, name, password string) (*http.Cookie, string) {
	t.Helper()
	a := c.TryLogin(t, name, password)
	sess := a.Cookie(SessionCookie)
	if a.Code != http.StatusSeeOther || sess == nil {
		t.Fatalf("login of %s: %d %v\n%s", name, a.Code, a.Header, a.Body)
	}
	home := c.Send(t, "GET", "/", nil, Browser, sess)
	if loc := home.Header.Get("Location"); home.Code == http.StatusSeeOther && strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "/login") {
		home = c.Send(t, "GET", loc, nil, Browser, sess) // the role's own start page
	}
	m := CSRFInput.FindStringSubmatch(home.Body)
	if home.Code != http.StatusOK || m == nil {
		t.Fatalf("start page after the login of %s: %d\n%s", name, home.Code, home.Body)
	}
	return sess, m[1]
}

// AssertNotShown fails when a secret, or a session id the client was
// given, shows on a page it read or in logs.
func (c *Client) AssertNotShown(t testing.TB, logs string, secrets ...string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range append(secrets, c.ids...) {
		if strings.Contains(logs, s) {
			t.Errorf("the log shows a secret %.8s…", s)
		}
		for _, b := range c.bodies {
			if strings.Contains(b, s) {
				t.Errorf("a page shows a secret %.8s…: %.300s", s, b)
			}
		}
	}
}
