package console

import (
	"bytes"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

const (
	opsPassword   = "ops-SECRET-password-1"
	accPassword   = "acc-SECRET-password-2"
	metricsSecret = "metrics-SECRET-token-0123456789"
)

func hashOf(t *testing.T, password string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// logSink is a log the server's goroutines share.
type logSink struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *logSink) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// fixture is a console with an ops and an accountant user over a few
// routes like serve's, on a test server.
type fixture struct {
	srv     *httptest.Server
	console *Console
	logs    *logSink
	hashes  []string
	clock   *clock
	// bodies are every page the tests read, to look for secrets in.
	mu     sync.Mutex
	bodies []string
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testRoutes stand for serve's: open probes, metrics, reports, an ops
// action.
func testRoutes() []Route {
	text := func(s string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, _ := ViewerFrom(r.Context())
			_, _ = io.WriteString(w, s+" for "+v.Name+"\n")
		})
	}
	return []Route{
		{Pattern: "GET /healthz", Handler: text("ok"), Open: true},
		{Pattern: "GET /readyz", Handler: text("ready"), Open: true},
		{Pattern: "GET /metrics", Handler: text("metrics"), Roles: []Role{Ops, Scraper}},
		{Pattern: "GET /reports/{name}", Handler: text("workbook"), Roles: []Role{Ops, Accountant}},
		{Pattern: "POST /stores/{id}/run", Handler: text("started"), Roles: []Role{Ops}},
	}
}

func newFixture(t *testing.T, secure bool) *fixture {
	t.Helper()
	f := &fixture{logs: &logSink{}, clock: &clock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}}
	f.hashes = []string{hashOf(t, opsPassword), hashOf(t, accPassword)}
	c, err := New(Options{
		Users:      []User{{Name: "olena", Role: Ops, Hash: f.hashes[0]}, {Name: "petro", Role: Accountant, Hash: f.hashes[1]}},
		SessionTTL: time.Hour, MetricsToken: metricsSecret, Secure: secure, Now: f.clock.now,
		Log: slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.console = c
	if secure {
		f.srv = httptest.NewTLSServer(c.Handler(testRoutes()))
	} else {
		f.srv = httptest.NewServer(c.Handler(testRoutes()))
	}
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { f.assertNoSecrets(t) })
	return f
}

// answer is one response, read whole.
type answer struct {
	code    int
	header  http.Header
	body    string
	cookies []*http.Cookie
}

// do sends one request with the given cookies, never following redirects.
func (f *fixture) do(t *testing.T, method, path string, form url.Values, header http.Header, cookies ...*http.Cookie) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	client := f.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, string(b))
	f.mu.Unlock()
	return answer{code: resp.StatusCode, header: resp.Header, body: string(b), cookies: resp.Cookies()}
}

var html = http.Header{"Accept": {"text/html,application/xhtml+xml"}}

func cookieNamed(cs []*http.Cookie, name string) *http.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// loginForm opens the form: its token and the cookie that must come back
// with it.
func (f *fixture) loginForm(t *testing.T) (string, *http.Cookie) {
	t.Helper()
	a := f.do(t, "GET", "/login", nil, html)
	m := csrfInput.FindStringSubmatch(a.body)
	ck := cookieNamed(a.cookies, loginCookie)
	if a.code != 200 || m == nil || ck == nil || ck.Value != m[1] {
		t.Fatalf("login form: %d, token %v, cookie %v\n%s", a.code, m, ck, a.body)
	}
	return m[1], ck
}

func (f *fixture) tryLogin(t *testing.T, name, password string) answer {
	t.Helper()
	tok, ck := f.loginForm(t)
	return f.do(t, "POST", "/login", url.Values{"csrf": {tok}, "name": {name}, "password": {password}}, html, ck)
}

// login logs in and returns the session cookie and the session's CSRF
// token (from the start page's logout form).
func (f *fixture) login(t *testing.T, name, password string) (*http.Cookie, string) {
	t.Helper()
	a := f.tryLogin(t, name, password)
	ck := cookieNamed(a.cookies, SessionCookie)
	if a.code != http.StatusSeeOther || a.header.Get("Location") != "/" || ck == nil {
		t.Fatalf("login of %s: %d %v\n%s", name, a.code, a.header, a.body)
	}
	home := f.do(t, "GET", "/", nil, html, ck)
	m := csrfInput.FindStringSubmatch(home.body)
	if home.code != 200 || m == nil {
		t.Fatalf("start page after login: %d\n%s", home.code, home.body)
	}
	return ck, m[1]
}

// assertNoSecrets looks for the passwords, hashes, token and session ids
// in every page read and in the log.
func (f *fixture) assertNoSecrets(t *testing.T) {
	t.Helper()
	secrets := append(append([]string{opsPassword, accPassword, metricsSecret}, f.hashes...), sessionIDs...)
	var csrf []string // on pages by design, never in the log
	f.console.sessions.mu.Lock()
	for _, s := range f.console.sessions.by {
		csrf = append(csrf, s.csrf)
	}
	f.console.sessions.mu.Unlock()
	logs := f.logs.String()
	for _, s := range append(secrets, csrf...) {
		if strings.Contains(logs, s) {
			t.Errorf("the log shows a secret %.6s…:\n%s", s, logs)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range secrets {
		for _, b := range f.bodies {
			if strings.Contains(b, s) {
				t.Errorf("a page shows a secret %.6s…:\n%s", s, b)
			}
		}
	}
}

// sessionIDs are the ids handed out in the tests of this package.
var sessionIDs []string

func TestEveryRouteButTheOpenOnesNeedsALogin(t *testing.T) {
	f := newFixture(t, false)
	paths := []string{"/", "/metrics", "/reports/orders", "/reports/nope", "/stores/shop/run", "/logout", "/no-such-page", "/healthz/../metrics"}
	for _, p := range paths {
		for _, method := range []string{"GET", "POST"} {
			if a := f.do(t, method, p, url.Values{}, nil); a.code != http.StatusUnauthorized || !strings.Contains(a.body, "authentication required") {
				t.Errorf("%s %s without a session, from an API client: %d %q, want 401", method, p, a.code, a.body)
			} else if a.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s: 401 without WWW-Authenticate", method, p)
			}
			a := f.do(t, method, p, url.Values{}, html)
			if loc := a.header.Get("Location"); a.code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("%s %s without a session, from a browser: %d to %q, want 303 to /login", method, p, a.code, loc)
			}
			if strings.Contains(a.body, " for ") {
				t.Errorf("%s %s gave its content away: %q", method, p, a.body)
			}
		}
	}
	// A browser comes back where it was going once logged in.
	if a := f.do(t, "GET", "/reports/orders?month=2026-11", nil, html); a.header.Get("Location") != "/login?next=%2Freports%2Forders%3Fmonth%3D2026-11" {
		t.Errorf("the login does not remember the page: %q", a.header.Get("Location"))
	}
	// A cookie that is no session is no better than none, and is cleared.
	a := f.do(t, "GET", "/metrics", nil, nil, &http.Cookie{Name: SessionCookie, Value: "forged"})
	if ck := cookieNamed(a.cookies, SessionCookie); a.code != 401 || ck == nil || ck.MaxAge >= 0 {
		t.Errorf("a forged session cookie: %d, cookie %v", a.code, ck)
	}
	for _, p := range []string{"/healthz", "/readyz", "/login"} {
		if a := f.do(t, "GET", p, nil, nil); a.code != 200 {
			t.Errorf("GET %s is open, yet answered %d", p, a.code)
		}
	}
}

func TestLoginSessionCookieRolesAndLogout(t *testing.T) {
	f := newFixture(t, false)
	form := f.do(t, "GET", "/login", nil, html)
	for _, want := range []string{"<title>Вхід · kramar</title>", ">Ім'я</label>", ">Пароль</label>", ">Увійти</button>", `lang="uk"`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("the login form lacks %s:\n%s", want, form.body)
		}
	}
	if csp := form.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || form.header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("login form headers: %v", form.header)
	}
	ck := cookieNamed(form.cookies, loginCookie)
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure {
		t.Errorf("login form cookie: %+v", ck)
	}

	a := f.tryLogin(t, "olena", opsPassword)
	sess := cookieNamed(a.cookies, SessionCookie)
	if a.code != http.StatusSeeOther || sess == nil {
		t.Fatalf("login: %d %v", a.code, a.cookies)
	}
	sessionIDs = append(sessionIDs, sess.Value)
	if !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" || sess.Secure || sess.MaxAge != 3600 {
		t.Errorf("session cookie: %+v", sess)
	}
	if n := len(sess.Value); n < 43 {
		t.Errorf("session id of %d characters: not 32 random bytes", n)
	}
	if !strings.Contains(f.logs.String(), `"msg":"login","user":"olena","role":"ops"`) {
		t.Errorf("the login is not logged:\n%s", f.logs.String())
	}

	ops, opsCSRF := f.login(t, "olena", opsPassword)
	acc, accCSRF := f.login(t, "petro", accPassword)
	sessionIDs = append(sessionIDs, ops.Value, acc.Value)
	home := f.do(t, "GET", "/", nil, html, ops)
	if !strings.Contains(home.body, "Звіти") || !strings.Contains(home.body, `href="/metrics"`) || !strings.Contains(home.body, "Вийти") {
		t.Errorf("ops start page:\n%s", home.body)
	}
	home = f.do(t, "GET", "/", nil, html, acc)
	if !strings.Contains(home.body, "/reports/expenses?month=2026-11") || strings.Contains(home.body, "/metrics") {
		t.Errorf("accountant start page:\n%s", home.body)
	}

	for _, c := range []struct {
		who            string
		ck             *http.Cookie
		csrf           string
		method, path   string
		code           int
		bearer, accept string
	}{
		{"ops", ops, "", "GET", "/metrics", 200, "", ""},
		{"ops", ops, "", "GET", "/reports/orders", 200, "", ""},
		{"ops", ops, opsCSRF, "POST", "/stores/shop/run", 200, "", ""},
		{"ops", ops, "", "GET", "/no-such-page", 404, "", ""},
		{"accountant", acc, "", "GET", "/reports/orders", 200, "", ""},
		{"accountant", acc, "", "GET", "/metrics", 403, "", ""},
		{"accountant", acc, "", "GET", "/metrics", 403, "", "text/html"},
		{"accountant", acc, accCSRF, "POST", "/stores/shop/run", 403, "", ""},
		{"prometheus", nil, "", "GET", "/metrics", 200, metricsSecret, ""},
		{"prometheus", nil, "", "GET", "/reports/orders", 403, metricsSecret, ""},
		{"prometheus", nil, "", "GET", "/", 403, metricsSecret, ""},
		{"a wrong token", nil, "", "GET", "/metrics", 401, metricsSecret + "x", ""},
		{"a wrong token with a session", ops, "", "GET", "/metrics", 401, "nope", ""},
	} {
		h := http.Header{}
		if c.csrf != "" {
			h.Set(CSRFHeader, c.csrf)
		}
		if c.bearer != "" {
			h.Set("Authorization", "Bearer "+c.bearer)
		}
		if c.accept != "" {
			h.Set("Accept", c.accept)
		}
		var cks []*http.Cookie
		if c.ck != nil {
			cks = append(cks, c.ck)
		}
		a := f.do(t, c.method, c.path, nil, h, cks...)
		if a.code != c.code {
			t.Errorf("%s: %s %s answered %d %q, want %d", c.who, c.method, c.path, a.code, a.body, c.code)
		}
		if c.code == 403 && c.accept != "" && !strings.Contains(a.body, "Доступ заборонено") {
			t.Errorf("403 page for a browser:\n%s", a.body)
		}
	}

	// Logging out needs the token too; then the old cookie is no session.
	if a := f.do(t, "POST", "/logout", url.Values{}, html, ops); a.code != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d", a.code)
	}
	a = f.do(t, "POST", "/logout", url.Values{"csrf": {opsCSRF}}, html, ops)
	if ck := cookieNamed(a.cookies, SessionCookie); a.code != http.StatusSeeOther || a.header.Get("Location") != "/login" || ck == nil || ck.MaxAge >= 0 {
		t.Errorf("logout: %d %v %v", a.code, a.header, a.cookies)
	}
	if a := f.do(t, "GET", "/metrics", nil, nil, ops); a.code != http.StatusUnauthorized {
		t.Errorf("the session after logout: %d", a.code)
	}
	if a := f.do(t, "GET", "/", nil, html, ops); a.code != http.StatusSeeOther {
		t.Errorf("the session after logout, in a browser: %d", a.code)
	}
	if a := f.do(t, "GET", "/reports/orders", nil, nil, acc); a.code != 200 {
		t.Errorf("another user's session ended with the logout: %d", a.code)
	}
}

func TestPostWithoutTheSessionsCSRFTokenIsRefused(t *testing.T) {
	f := newFixture(t, false)
	ops, tok := f.login(t, "olena", opsPassword)
	sessionIDs = append(sessionIDs, ops.Value)
	_, other := f.login(t, "olena", opsPassword) // another session's token
	for _, c := range []struct {
		what string
		form url.Values
		h    http.Header
		code int
	}{
		{"no token", url.Values{}, nil, 403},
		{"an empty token", url.Values{"csrf": {""}}, nil, 403},
		{"another session's token", url.Values{"csrf": {other}}, nil, 403},
		{"the token, cut short", url.Values{"csrf": {tok[:20]}}, nil, 403},
		{"the token in the form", url.Values{"csrf": {tok}}, nil, 200},
		{"the token in the header", nil, http.Header{CSRFHeader: {tok}}, 200},
	} {
		if a := f.do(t, "POST", "/stores/shop/run", c.form, c.h, ops); a.code != c.code {
			t.Errorf("POST with %s: %d %q, want %d", c.what, a.code, a.body, c.code)
		}
	}
	// A POST from another site is refused by the browser's own headers too.
	h := http.Header{CSRFHeader: {tok}, "Sec-Fetch-Site": {"cross-site"}}
	if a := f.do(t, "POST", "/stores/shop/run", nil, h, ops); a.code != 403 {
		t.Errorf("a cross-site POST: %d", a.code)
	}
	// The login form has its own token, in a cookie and the form.
	tokForm, ck := f.loginForm(t)
	creds := url.Values{"name": {"olena"}, "password": {opsPassword}}
	for _, c := range []struct {
		what string
		csrf string
		ck   []*http.Cookie
	}{
		{"no cookie", tokForm, nil},
		{"no field", "", []*http.Cookie{ck}},
		{"a field that is not the cookie", tokForm + "x", []*http.Cookie{ck}},
	} {
		form := url.Values{"name": creds["name"], "password": creds["password"], "csrf": {c.csrf}}
		if a := f.do(t, "POST", "/login", form, html, c.ck...); a.code != 403 || cookieNamed(a.cookies, SessionCookie) != nil || !strings.Contains(a.body, msgExpired) {
			t.Errorf("login with %s: %d, cookies %v", c.what, a.code, a.cookies)
		}
	}
}

func TestWrongPasswordAndUnknownNameLookTheSame(t *testing.T) {
	f := newFixture(t, false)
	wrong := f.tryLogin(t, "olena", "not-the-password")
	unknown := f.tryLogin(t, "mykola", "not-the-password")
	strip := func(s string) string { return csrfInput.ReplaceAllString(s, "") }
	if wrong.code != 401 || unknown.code != 401 || !strings.Contains(wrong.body, template.HTMLEscapeString(msgWrong)) {
		t.Fatalf("failed logins: %d, %d\n%s", wrong.code, unknown.code, wrong.body)
	}
	if a, b := strip(wrong.body), strings.Replace(strip(unknown.body), "mykola", "olena", 1); a != b {
		t.Errorf("a wrong password and an unknown name answer differently:\n%s\n---\n%s", a, b)
	}
	if cookieNamed(wrong.cookies, SessionCookie) != nil || cookieNamed(unknown.cookies, SessionCookie) != nil {
		t.Error("a failed login got a session")
	}
	logs := f.logs.String()
	if !strings.Contains(logs, `"msg":"login failed","user":"olena"`) || !strings.Contains(logs, `"user":"(an unknown name)"`) || strings.Contains(logs, "mykola") {
		t.Errorf("failed logins logged as:\n%s", logs)
	}
	// An unknown name costs a bcrypt comparison as well: the dummy hash is
	// as costly as the users' own.
	if got, _ := bcrypt.Cost(f.console.dummy); got != bcrypt.MinCost {
		t.Errorf("the dummy hash costs %d, the users' %d", got, bcrypt.MinCost)
	}
}

func TestTheSixthRapidLoginAttemptIsRefused(t *testing.T) {
	f := newFixture(t, false)
	for i := 1; i <= 5; i++ {
		if a := f.tryLogin(t, "olena", "guess"); a.code != 401 {
			t.Fatalf("attempt %d: %d", i, a.code)
		}
	}
	a := f.tryLogin(t, "olena", opsPassword)
	if a.code != http.StatusTooManyRequests || a.header.Get("Retry-After") != "12" || cookieNamed(a.cookies, SessionCookie) != nil {
		t.Fatalf("6th attempt: %d, Retry-After %q", a.code, a.header.Get("Retry-After"))
	}
	if !strings.Contains(a.body, msgLimited) || !strings.Contains(f.logs.String(), "login attempts limited") {
		t.Errorf("the limit is not said:\n%s", a.body)
	}
	// A minute on, the address has its attempts back.
	f.clock.advance(time.Minute)
	if a := f.tryLogin(t, "olena", opsPassword); a.code != http.StatusSeeOther {
		t.Errorf("after a minute: %d", a.code)
	}
}

// The attempts count per name too: guessing one user's password from many
// addresses is limited as well.
func TestLoginAttemptsAreLimitedPerNameAcrossAddresses(t *testing.T) {
	f := newFixture(t, false)
	h := f.console.Handler(nil)
	attempt := func(addr, name string) int {
		form := url.Values{"csrf": {"t"}, "name": {name}, "password": {"guess"}}
		req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: loginCookie, Value: "t"})
		req.RemoteAddr = addr + ":40000"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := range 5 {
		if code := attempt("10.0.0."+string(rune('1'+i)), "Olena"); code != 401 {
			t.Fatalf("attempt %d: %d", i+1, code)
		}
	}
	if code := attempt("10.0.0.9", "olena"); code != 429 {
		t.Errorf("6th attempt at one name from a 6th address: %d, want 429", code)
	}
	if code := attempt("10.0.0.9", "petro"); code != 401 {
		t.Errorf("another name from that address: %d, want 401 (its attempt was not spent)", code)
	}
}

func TestSessionsExpireAndAreDropped(t *testing.T) {
	f := newFixture(t, false)
	ck, _ := f.login(t, "petro", accPassword)
	sessionIDs = append(sessionIDs, ck.Value)
	f.clock.advance(59 * time.Minute)
	if a := f.do(t, "GET", "/reports/orders", nil, nil, ck); a.code != 200 {
		t.Fatalf("within the TTL: %d", a.code)
	}
	f.clock.advance(time.Minute)
	if a := f.do(t, "GET", "/reports/orders", nil, nil, ck); a.code != 401 {
		t.Errorf("after the TTL: %d", a.code)
	}
	if n := f.console.sessions.count(); n != 0 {
		t.Errorf("%d sessions kept after the only one expired", n)
	}
	// One nobody comes back for is dropped by a later login.
	f.login(t, "petro", accPassword)
	f.clock.advance(2 * time.Hour)
	f.login(t, "petro", accPassword)
	if n := f.console.sessions.count(); n != 1 {
		t.Errorf("%d sessions kept, want the one live", n)
	}
}

func TestCookiesAreSecureUnderTLS(t *testing.T) {
	f := newFixture(t, true)
	if u, _ := url.Parse(f.srv.URL); u.Scheme != "https" {
		t.Fatal("not TLS")
	}
	_, formCookie := f.loginForm(t)
	a := f.tryLogin(t, "olena", opsPassword)
	sess := cookieNamed(a.cookies, SessionCookie)
	if sess == nil || !sess.Secure || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode {
		t.Errorf("session cookie under TLS: %+v", sess)
	}
	sessionIDs = append(sessionIDs, sess.Value)
	if !formCookie.Secure {
		t.Errorf("login form cookie under TLS: %+v", formCookie)
	}
}

func TestLoginNeverSendsAnywhereElse(t *testing.T) {
	for next, want := range map[string]string{
		"/reports/orders?month=2026-11": "/reports/orders?month=2026-11",
		"//evil.example/":               "/",
		"https://evil.example/":         "/",
		"/\\evil.example":               "/",
		"":                              "/",
	} {
		if got := localPath(next); got != want {
			t.Errorf("next %q: to %q, want %q", next, got, want)
		}
	}
	f := newFixture(t, false)
	tok, ck := f.loginForm(t)
	a := f.do(t, "POST", "/login", url.Values{"csrf": {tok}, "name": {"olena"}, "password": {opsPassword}, "next": {"//evil.example/x"}}, html, ck)
	if a.code != 303 || a.header.Get("Location") != "/" {
		t.Errorf("login with next=//evil: %d to %q", a.code, a.header.Get("Location"))
	}
	sessionIDs = append(sessionIDs, cookieNamed(a.cookies, SessionCookie).Value)
}

// Markup in what a user typed comes back escaped.
func TestTheTypedNameIsEscaped(t *testing.T) {
	f := newFixture(t, false)
	a := f.tryLogin(t, `<script>alert(1)</script>`, "x")
	if strings.Contains(a.body, "<script>") || !strings.Contains(a.body, "&lt;script&gt;") {
		t.Errorf("the name is not escaped:\n%s", a.body)
	}
}
