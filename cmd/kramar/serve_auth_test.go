package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/console"
	"github.com/kramar/kramar/pipeline/metrics"
	"github.com/kramar/kramar/pipeline/pipelinetest"
	"github.com/kramar/kramar/reports"
)

const (
	webOpsPassword = "ops-SECRET-pass-7c1e"
	webAccPassword = "acc-SECRET-pass-9d2f"
	webScrapeToken = "prom-SECRET-token-5e6f7a8b9c0d"
	webTokenEnv    = "KRAMAR_TEST_METRICS_TOKEN"
)

// withLogins gives the harness's config an ops user olena, an accountant
// petro and a metrics token; it returns the two hashes.
func withLogins(t *testing.T, m *pipelinetest.Multi) []string {
	t.Helper()
	var hashes []string
	for _, pw := range []string{webOpsPassword, webAccPassword} {
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, string(h))
	}
	t.Setenv(webTokenEnv, webScrapeToken)
	m.Cfg.Web = config.Web{SessionTTL: config.Duration{Duration: time.Hour}, MetricsTokenEnv: webTokenEnv, Users: []config.WebUser{
		{Name: "olena", PasswordHash: hashes[0], Role: config.RoleOps},
		{Name: "petro", PasswordHash: hashes[1], Role: config.RoleAccountant},
	}}
	return hashes
}

// webClient talks to a serve like a browser or curl would, cookie by
// cookie, and keeps every body it read.
type webClient struct {
	base   string
	client *http.Client
	mu     sync.Mutex
	bodies []string
	ids    []string // session ids handed out
}

type webAnswer struct {
	code   int
	header http.Header
	body   string
	resp   *http.Response
}

func newWebClient(base string, transport http.RoundTripper) *webClient {
	return &webClient{base: base, client: &http.Client{Transport: transport, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// send makes one request; browser sets Accept: text/html.
func (c *webClient) send(t *testing.T, method, path string, form url.Values, browser bool, h http.Header, cookies ...*http.Cookie) webAnswer {
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
	if browser {
		req.Header.Set("Accept", "text/html")
	}
	for k, v := range h {
		req.Header[k] = v
	}
	for _, ck := range cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.mu.Lock()
	c.bodies = append(c.bodies, string(b))
	c.mu.Unlock()
	return webAnswer{code: resp.StatusCode, header: resp.Header, body: string(b), resp: resp}
}

func (a webAnswer) cookie(name string) *http.Cookie {
	for _, ck := range a.resp.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// logIn goes through the form and returns the session cookie and the
// session's CSRF token.
func (c *webClient) logIn(t *testing.T, name, password string) (*http.Cookie, string) {
	t.Helper()
	form := c.send(t, "GET", "/login", nil, true, nil)
	m := csrfValue.FindStringSubmatch(form.body)
	if form.code != 200 || m == nil {
		t.Fatalf("login form: %d\n%s", form.code, form.body)
	}
	a := c.send(t, "POST", "/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {password}}, true, nil, form.cookie("kramar_login"))
	sess := a.cookie(console.SessionCookie)
	if a.code != http.StatusSeeOther || sess == nil {
		t.Fatalf("login of %s: %d %q", name, a.code, a.body)
	}
	c.ids = append(c.ids, sess.Value)
	home := c.send(t, "GET", "/", nil, true, nil, sess)
	if m = csrfValue.FindStringSubmatch(home.body); home.code != 200 || m == nil {
		t.Fatalf("start page: %d\n%s", home.code, home.body)
	}
	return sess, m[1]
}

// assertNoSecret fails when a password, hash, the metrics token or a
// session id shows in the log or on any page read.
func (c *webClient) assertNoSecret(t *testing.T, logs string, hashes []string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range append(append([]string{webOpsPassword, webAccPassword, webScrapeToken}, hashes...), c.ids...) {
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

// servedPaths are a path of every route serve has, the console's own and
// an unknown one.
func servedPaths(t *testing.T, m *pipelinetest.Multi) []string {
	paths := []string{"/", "/login", "/logout", "/no-such-page", "/reports"}
	for _, r := range (&daemon{o: serveOptions{WH: m.WH}, metrics: metrics.New(nil)}).routes() {
		p := strings.Fields(r.Pattern)[1]
		if strings.HasSuffix(p, "/") {
			p += "orders"
		}
		paths = append(paths, p)
	}
	return paths
}

func TestServeWithUsersClosesEveryEndpointButTheProbes(t *testing.T) {
	m, _, _ := promPair(t)
	hashes := withLogins(t, m)
	d := startServe(t, m)
	c := newWebClient("http://"+d.addr, nil)
	open := map[string]bool{"/healthz": true, "/readyz": true, "/login": true}

	for _, p := range servedPaths(t, m) {
		if open[p] {
			if a := c.send(t, "GET", p, nil, false, nil); a.code != 200 {
				t.Errorf("GET %s is open, yet answered %d %q", p, a.code, a.body)
			}
			continue
		}
		for _, method := range []string{"GET", "POST"} {
			if a := c.send(t, method, p, url.Values{}, false, nil); a.code != http.StatusUnauthorized {
				t.Errorf("%s %s without a session: %d %.200q, want 401", method, p, a.code, a.body)
			}
			a := c.send(t, method, p, url.Values{}, true, nil)
			if loc := a.header.Get("Location"); a.code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("%s %s from a browser without a session: %d to %q, want 303 to /login", method, p, a.code, loc)
			}
		}
	}
	if a := c.send(t, "GET", "/readyz", nil, false, nil); a.body != "ok\n" {
		t.Errorf("/readyz says %q", a.body)
	}

	// Prometheus with its token; a wrong token gets nothing.
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	if a := c.send(t, "GET", "/metrics", nil, false, bearer(webScrapeToken)); a.code != 200 || !strings.Contains(a.body, "# TYPE go_goroutines gauge") {
		t.Errorf("/metrics with the token: %d", a.code)
	}
	if a := c.send(t, "GET", "/metrics", nil, false, bearer(webScrapeToken[:len(webScrapeToken)-1])); a.code != 401 || strings.Contains(a.body, "go_goroutines") {
		t.Errorf("/metrics with a wrong token: %d", a.code)
	}
	if a := c.send(t, "GET", "/reports/orders", nil, false, bearer(webScrapeToken)); a.code != 403 {
		t.Errorf("a workbook with the metrics token: %d, want 403", a.code)
	}

	acc, _ := c.logIn(t, "petro", webAccPassword)
	if a := c.send(t, "GET", "/reports/orders", nil, false, nil, acc); a.code != 200 || a.header.Get("Content-Type") != reports.ContentType {
		t.Errorf("an accountant's workbook: %d %s", a.code, a.header.Get("Content-Type"))
	}
	for _, browser := range []bool{false, true} {
		if a := c.send(t, "GET", "/metrics", nil, browser, nil, acc); a.code != 403 || strings.Contains(a.body, "go_goroutines") {
			t.Errorf("an accountant's /metrics (browser %v): %d, want 403", browser, a.code)
		}
	}
	ops, opsCSRF := c.logIn(t, "olena", webOpsPassword)
	if a := c.send(t, "GET", "/metrics", nil, false, nil, ops); a.code != 200 || !strings.Contains(a.body, "# TYPE go_goroutines gauge") {
		t.Errorf("ops /metrics: %d", a.code)
	}
	if a := c.send(t, "GET", "/", nil, true, nil, ops); !strings.Contains(a.body, "Звіти") || !strings.Contains(a.body, "Метрики") {
		t.Errorf("ops start page:\n%s", a.body)
	}

	// A POST without the session's token is refused; with it, the logout
	// ends the session.
	if a := c.send(t, "POST", "/logout", url.Values{}, true, nil, ops); a.code != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d", a.code)
	}
	if a := c.send(t, "POST", "/logout", url.Values{"csrf": {opsCSRF}}, true, nil, ops); a.code != http.StatusSeeOther {
		t.Errorf("logout: %d", a.code)
	}
	if a := c.send(t, "GET", "/metrics", nil, false, nil, ops); a.code != http.StatusUnauthorized {
		t.Errorf("/metrics with the cookie of an ended session: %d", a.code)
	}
	if a := c.send(t, "GET", "/metrics", nil, true, nil, ops); a.code != http.StatusSeeOther {
		t.Errorf("/metrics in a browser with the cookie of an ended session: %d", a.code)
	}

	// A wrong password and an unknown name: the same answer; the sixth
	// rapid attempt from one address is refused.
	failed := func(name string) webAnswer {
		form := c.send(t, "GET", "/login", nil, true, nil)
		tok := csrfValue.FindStringSubmatch(form.body)[1]
		return c.send(t, "POST", "/login", url.Values{"csrf": {tok}, "name": {name}, "password": {"guess-" + name}}, true, nil, form.cookie("kramar_login"))
	}
	wrong, unknown := failed("olena"), failed("nobody")
	if wrong.code != 401 || unknown.code != 401 || !strings.Contains(wrong.body, "Невірне ім&#39;я або пароль.") ||
		csrfValue.ReplaceAllString(wrong.body, "") != strings.Replace(csrfValue.ReplaceAllString(unknown.body, ""), "nobody", "olena", 1) {
		t.Errorf("a wrong password and an unknown name answer differently: %d %d", wrong.code, unknown.code)
	}
	// Two logins and two failures so far: the fifth attempt is let in, the
	// sixth is not.
	if a := failed("olena"); a.code != 401 {
		t.Fatalf("the fifth attempt: %d", a.code)
	}
	if a := failed("petro"); a.code != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Errorf("the sixth attempt: %d, Retry-After %q", a.code, a.header.Get("Retry-After"))
	}

	logs := d.logs.String()
	if !strings.Contains(logs, "access=\"logins: 1 ops, 1 accountant, metrics bearer token from "+webTokenEnv+"\"") {
		t.Errorf("the start does not say who may log in:\n%s", grep(logs, "serving"))
	}
	if !strings.Contains(logs, "msg=login user=olena role=ops") || !strings.Contains(logs, "msg=\"login failed\" user=\"(an unknown name)\"") {
		t.Errorf("logins are not logged:\n%s", grep(logs, "login"))
	}
	c.assertNoSecret(t, logs, hashes)
}

func TestServeWithoutUsersIsForThisMachineOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0"} {
		err := serve(context.Background(), serveOptions{Config: &config.Config{}, Listen: addr})
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "reachable from other machines, and the config has no web.users") {
			t.Errorf("--listen %s without users: %v, want exit 2", addr, err)
		}
	}
	m, _, _ := promPair(t)
	d := startServe(t, m)
	if !strings.Contains(d.logs.String(), "are open to anyone on this machine, and to nobody else") {
		t.Errorf("the start does not say the endpoints are open:\n%s", d.logs.String())
	}
	if code, _ := d.get(t, "/metrics"); code != 200 {
		t.Errorf("/metrics on loopback without users: %d", code)
	}
	if code, _ := d.get(t, "/"); code != 404 {
		t.Errorf("/ without users: %d (no console without users)", code)
	}
	// With users, every interface is allowed.
	withLogins(t, m)
	if d := startServeOn(t, m, "0.0.0.0:0"); !strings.Contains(d.logs.String(), "access=\"logins:") {
		t.Errorf("serve with users on 0.0.0.0:\n%s", d.logs.String())
	}
}

func TestServeOverTLSMarksTheCookiesSecure(t *testing.T) {
	m, _, _ := promPair(t)
	hashes := withLogins(t, m)
	// httptest's own certificate for 127.0.0.1, as files.
	ts := httptest.NewTLSServer(http.NotFoundHandler())
	cert := ts.TLS.Certificates[0]
	ts.Close()
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m.Cfg.Web.TLS = config.WebTLS{CertFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem")}
	for path, block := range map[string]*pem.Block{m.Cfg.Web.TLS.CertFile: {Type: "CERTIFICATE", Bytes: cert.Certificate[0]}, m.Cfg.Web.TLS.KeyFile: {Type: "PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	d := startServe(t, m)
	c := newWebClient("https://"+d.addr, &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}})

	if a := c.send(t, "GET", "/healthz", nil, false, nil); a.code != 200 || a.resp.TLS == nil {
		t.Fatalf("/healthz over TLS: %d", a.code)
	}
	form := c.send(t, "GET", "/login", nil, true, nil)
	if ck := form.cookie("kramar_login"); ck == nil || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Errorf("login form cookie over TLS: %+v", ck)
	}
	tok := csrfValue.FindStringSubmatch(form.body)[1]
	a := c.send(t, "POST", "/login", url.Values{"csrf": {tok}, "name": {"petro"}, "password": {webAccPassword}}, true, nil, form.cookie("kramar_login"))
	sess := a.cookie(console.SessionCookie)
	if sess == nil || !sess.Secure || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" {
		t.Fatalf("session cookie over TLS: %d %+v", a.code, sess)
	}
	c.ids = append(c.ids, sess.Value)
	if a := c.send(t, "GET", "/reports/orders", nil, false, nil, sess); a.code != 200 {
		t.Errorf("a workbook over TLS: %d", a.code)
	}
	if !strings.Contains(d.logs.String(), "tls=true") {
		t.Errorf("the start does not say TLS:\n%s", grep(d.logs.String(), "serving"))
	}
	c.assertNoSecret(t, d.logs.String(), hashes)
}

// The built binary: a non-loopback --listen without users, and a user
// whose hash is not in the environment, stop serve with exit 2.
func TestServeBinaryRefusesWhatItMayNotServe(t *testing.T) {
	c, _ := shopCLI(t, t.TempDir(), "")
	out, code := c.run("serve", "--listen", "0.0.0.0:0")
	if code != 2 || !strings.Contains(out, "--listen 0.0.0.0:0 is reachable from other machines, and the config has no web.users") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	c, _ = shopCLI(t, t.TempDir(), "web:\n  users:\n    - name: olena\n      password_hash_env: KRAMAR_TEST_NO_SUCH_HASH\n      role: ops\n")
	out, code = c.run("serve", "--listen", "127.0.0.1:0")
	if code != 2 || !strings.Contains(out, "kramar.yaml:10: web.users[0].password_hash_env: environment variable KRAMAR_TEST_NO_SUCH_HASH is not set") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
