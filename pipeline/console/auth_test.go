package console

import (
	"bytes"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/kramar/kramar/pipeline/console/consoletest"
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
	c       *consoletest.Client
	console *Console
	logs    *logSink
	hashes  []string
	clock   *clock
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
	f.c = consoletest.New(f.srv.URL, f.srv.Client().Transport)
	t.Cleanup(func() { f.assertNoSecrets(t) })
	return f
}

// assertNoSecrets looks for the passwords, hashes and token, and the
// session ids and CSRF tokens, in the log; for all but the CSRF tokens
// (which forms carry) in every page read.
func (f *fixture) assertNoSecrets(t *testing.T) {
	t.Helper()
	logs := f.logs.String()
	f.console.sessions.mu.Lock()
	for _, s := range f.console.sessions.by {
		if strings.Contains(logs, s.csrf) {
			t.Errorf("the log shows a CSRF token")
		}
	}
	f.console.sessions.mu.Unlock()
	f.c.AssertNotShown(t, logs, append([]string{opsPassword, accPassword, metricsSecret}, f.hashes...)...)
}

var html = consoletest.Browser

func TestCookieNamesOfTheTestClient(t *testing.T) {
	if SessionCookie != consoletest.SessionCookie || loginCookie != consoletest.LoginCookie {
		t.Error("consoletest's cookie names are not the console's")
	}
}

func TestEveryRouteButTheOpenOnesNeedsALogin(t *testing.T) {
	f := newFixture(t, false)
	paths := []string{"/", "/metrics", "/reports/orders", "/reports/nope", "/stores/shop/run", "/logout", "/no-such-page", "/healthz/../metrics"}
	for _, p := range paths {
		for _, method := range []string{"GET", "POST"} {
			if a := f.c.Send(t, method, p, url.Values{}, nil); a.Code != http.StatusUnauthorized || !strings.Contains(a.Body, "authentication required") {
				t.Errorf("%s %s without a session, from an API client: %d %q, want 401", method, p, a.Code, a.Body)
			} else if a.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s: 401 without WWW-Authenticate", method, p)
			}
			a := f.c.Send(t, method, p, url.Values{}, html)
			if loc := a.Header.Get("Location"); a.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("%s %s without a session, from a browser: %d to %q, want 303 to /login", method, p, a.Code, loc)
			}
			if strings.Contains(a.Body, " for ") {
				t.Errorf("%s %s gave its content away: %q", method, p, a.Body)
			}
		}
	}
	// A browser comes back where it was going once logged in.
	if a := f.c.Send(t, "GET", "/reports/orders?month=2026-11", nil, html); a.Header.Get("Location") != "/login?next=%2Freports%2Forders%3Fmonth%3D2026-11" {
		t.Errorf("the login does not remember the page: %q", a.Header.Get("Location"))
	}
	// A cookie that is no session is no better than none, and is cleared.
	a := f.c.Send(t, "GET", "/metrics", nil, nil, &http.Cookie{Name: SessionCookie, Value: "forged"})
	if ck := a.Cookie(SessionCookie); a.Code != 401 || ck == nil || ck.MaxAge >= 0 {
		t.Errorf("a forged session cookie: %d, cookie %v", a.Code, ck)
	}
	for _, p := range []string{"/healthz", "/readyz", "/login"} {
		if a := f.c.Send(t, "GET", p, nil, nil); a.Code != 200 {
			t.Errorf("GET %s is open, yet answered %d", p, a.Code)
		}
	}
}

func TestLoginSessionCookieRolesAndLogout(t *testing.T) {
	f := newFixture(t, false)
	form := f.c.Send(t, "GET", "/login", nil, html)
	for _, want := range []string{"<title>Вхід · kramar</title>", ">Ім'я</label>", ">Пароль</label>", ">Увійти</button>", `lang="uk"`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("the login form lacks %s:\n%s", want, form.Body)
		}
	}
	if csp := form.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || form.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("login form headers: %v", form.Header)
	}
	ck := form.Cookie(loginCookie)
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure {
		t.Errorf("login form cookie: %+v", ck)
	}

	a := f.c.TryLogin(t, "olena", opsPassword)
	sess := a.Cookie(SessionCookie)
	if a.Code != http.StatusSeeOther || sess == nil {
		t.Fatalf("login: %d %v", a.Code, a.Cookies)
	}
	if !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" || sess.Secure || sess.MaxAge != 3600 {
		t.Errorf("session cookie: %+v", sess)
	}
	if n := len(sess.Value); n < 43 {
		t.Errorf("session id of %d characters: not 32 random bytes", n)
	}
	if !strings.Contains(f.logs.String(), `"msg":"login","user":"olena","role":"ops"`) {
		t.Errorf("the login is not logged:\n%s", f.logs.String())
	}

	ops, opsCSRF := f.c.Login(t, "olena", opsPassword)
	acc, accCSRF := f.c.Login(t, "petro", accPassword)
	home := f.c.Send(t, "GET", "/", nil, html, ops)
	if !strings.Contains(home.Body, "Звіти") || !strings.Contains(home.Body, `href="/metrics"`) || !strings.Contains(home.Body, "Вийти") {
		t.Errorf("ops start page:\n%s", home.Body)
	}
	home = f.c.Send(t, "GET", "/", nil, html, acc)
	if !strings.Contains(home.Body, "/reports/expenses?month=2026-11") || strings.Contains(home.Body, "/metrics") {
		t.Errorf("accountant start page:\n%s", home.Body)
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
		a := f.c.Send(t, c.method, c.path, nil, h, cks...)
		if a.Code != c.code {
			t.Errorf("%s: %s %s answered %d %q, want %d", c.who, c.method, c.path, a.Code, a.Body, c.code)
		}
		if c.code == 403 && c.accept != "" && !strings.Contains(a.Body, "Доступ заборонено") {
			t.Errorf("403 page for a browser:\n%s", a.Body)
		}
	}

	// Logging out needs the token too; then the old cookie is no session.
	if a := f.c.Send(t, "POST", "/logout", url.Values{}, html, ops); a.Code != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d", a.Code)
	}
	a = f.c.Send(t, "POST", "/logout", url.Values{"csrf": {opsCSRF}}, html, ops)
	if ck := a.Cookie(SessionCookie); a.Code != http.StatusSeeOther || a.Header.Get("Location") != "/login" || ck == nil || ck.MaxAge >= 0 {
		t.Errorf("logout: %d %v %v", a.Code, a.Header, a.Cookies)
	}
	if a := f.c.Send(t, "GET", "/metrics", nil, nil, ops); a.Code != http.StatusUnauthorized {
		t.Errorf("the session after logout: %d", a.Code)
	}
	if a := f.c.Send(t, "GET", "/", nil, html, ops); a.Code != http.StatusSeeOther {
		t.Errorf("the session after logout, in a browser: %d", a.Code)
	}
	if a := f.c.Send(t, "GET", "/reports/orders", nil, nil, acc); a.Code != 200 {
		t.Errorf("another user's session ended with the logout: %d", a.Code)
	}
}

func TestPostWithoutTheSessionsCSRFTokenIsRefused(t *testing.T) {
	f := newFixture(t, false)
	ops, tok := f.c.Login(t, "olena", opsPassword)
	_, other := f.c.Login(t, "olena", opsPassword) // another session's token
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
		if a := f.c.Send(t, "POST", "/stores/shop/run", c.form, c.h, ops); a.Code != c.code {
			t.Errorf("POST with %s: %d %q, want %d", c.what, a.Code, a.Body, c.code)
		}
	}
	// A POST from another site is refused by the browser's own headers too.
	h := http.Header{CSRFHeader: {tok}, "Sec-Fetch-Site": {"cross-site"}}
	if a := f.c.Send(t, "POST", "/stores/shop/run", nil, h, ops); a.Code != 403 {
		t.Errorf("a cross-site POST: %d", a.Code)
	}
	// The login form has its own token, in a cookie and the form.
	tokForm, ck := f.c.LoginForm(t)
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
		if a := f.c.Send(t, "POST", "/login", form, html, c.ck...); a.Code != 403 || a.Cookie(SessionCookie) != nil || !strings.Contains(a.Body, msgExpired) {
			t.Errorf("login with %s: %d, cookies %v", c.what, a.Code, a.Cookies)
		}
	}
}

func TestWrongPasswordAndUnknownNameLookTheSame(t *testing.T) {
	f := newFixture(t, false)
	wrong := f.c.TryLogin(t, "olena", "not-the-password")
	unknown := f.c.TryLogin(t, "mykola", "not-the-password")
	strip := func(s string) string { return consoletest.CSRFInput.ReplaceAllString(s, "") }
	if wrong.Code != 401 || unknown.Code != 401 || !strings.Contains(wrong.Body, template.HTMLEscapeString(msgWrong)) {
		t.Fatalf("failed logins: %d, %d\n%s", wrong.Code, unknown.Code, wrong.Body)
	}
	if a, b := strip(wrong.Body), strings.Replace(strip(unknown.Body), "mykola", "olena", 1); a != b {
		t.Errorf("a wrong password and an unknown name answer differently:\n%s\n---\n%s", a, b)
	}
	if wrong.Cookie(SessionCookie) != nil || unknown.Cookie(SessionCookie) != nil {
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
		if a := f.c.TryLogin(t, "olena", "guess"); a.Code != 401 {
			t.Fatalf("attempt %d: %d", i, a.Code)
		}
	}
	a := f.c.TryLogin(t, "olena", opsPassword)
	if a.Code != http.StatusTooManyRequests || a.Header.Get("Retry-After") != "12" || a.Cookie(SessionCookie) != nil {
		t.Fatalf("6th attempt: %d, Retry-After %q", a.Code, a.Header.Get("Retry-After"))
	}
	if !strings.Contains(a.Body, msgLimited) || !strings.Contains(f.logs.String(), "login attempts limited") {
		t.Errorf("the limit is not said:\n%s", a.Body)
	}
	// A minute on, the address has its attempts back.
	f.clock.advance(time.Minute)
	if a := f.c.TryLogin(t, "olena", opsPassword); a.Code != http.StatusSeeOther {
		t.Errorf("after a minute: %d", a.Code)
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
	ck, _ := f.c.Login(t, "petro", accPassword)
	f.clock.advance(59 * time.Minute)
	if a := f.c.Send(t, "GET", "/reports/orders", nil, nil, ck); a.Code != 200 {
		t.Fatalf("within the TTL: %d", a.Code)
	}
	f.clock.advance(time.Minute)
	if a := f.c.Send(t, "GET", "/reports/orders", nil, nil, ck); a.Code != 401 {
		t.Errorf("after the TTL: %d", a.Code)
	}
	if n := f.console.sessions.count(); n != 0 {
		t.Errorf("%d sessions kept after the only one expired", n)
	}
	// One nobody comes back for is dropped by a later login.
	f.c.Login(t, "petro", accPassword)
	f.clock.advance(2 * time.Hour)
	f.c.Login(t, "petro", accPassword)
	if n := f.console.sessions.count(); n != 1 {
		t.Errorf("%d sessions kept, want the one live", n)
	}
}

func TestCookiesAreSecureUnderTLS(t *testing.T) {
	f := newFixture(t, true)
	if u, _ := url.Parse(f.srv.URL); u.Scheme != "https" {
		t.Fatal("not TLS")
	}
	_, formCookie := f.c.LoginForm(t)
	a := f.c.TryLogin(t, "olena", opsPassword)
	sess := a.Cookie(SessionCookie)
	if sess == nil || !sess.Secure || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode {
		t.Errorf("session cookie under TLS: %+v", sess)
	}
	if !formCookie.Secure {
		t.Errorf("login form cookie under TLS: %+v", formCookie)
	}
}

func TestLoginNeverSendsAnywhereElse(t *testing.T) {
	if got := localPath("/reports/orders?month=2026-11"); got != "/reports/orders?month=2026-11" {
		t.Errorf("a path of this server: to %q", got)
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", ""} {
		if got := localPath(next); got != "/" {
			t.Errorf("next %q: to %q, want /", next, got)
		}
	}
	f := newFixture(t, false)
	tok, ck := f.c.LoginForm(t)
	a := f.c.Send(t, "POST", "/login", url.Values{"csrf": {tok}, "name": {"olena"}, "password": {opsPassword}, "next": {"//evil.example/x"}}, html, ck)
	if a.Code != 303 || a.Header.Get("Location") != "/" {
		t.Errorf("login with next=//evil: %d to %q", a.Code, a.Header.Get("Location"))
	}
}

// Markup in what a user typed comes back escaped.
func TestTheTypedNameIsEscaped(t *testing.T) {
	f := newFixture(t, false)
	a := f.c.TryLogin(t, `<script>alert(1)</script>`, "x")
	if strings.Contains(a.Body, "<script>") || !strings.Contains(a.Body, "&lt;script&gt;") {
		t.Errorf("the name is not escaped:\n%s", a.Body)
	}
}
