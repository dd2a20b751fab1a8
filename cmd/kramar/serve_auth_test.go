package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/console"
	"github.com/kramar/kramar/pipeline/console/consoletest"
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

// servedPaths are a path of every route serve has, the console's own and
// an unknown one.
func servedPaths(t *testing.T, m *pipelinetest.Multi) []string {
	paths := []string{"/", "/login", "/logout", "/no-such-page", "/reports"}
	for _, r := range (&daemon{o: serveOptions{WH: m.WH}, metrics: metrics.New(nil)}).routes() {
		p := strings.Fields(r.Pattern)[1]
		switch {
		case p == "/assets/":
			p += "style.css"
		case strings.HasSuffix(p, "/"):
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
	c := consoletest.New("http://"+d.addr, nil)
	// Open: the probes, the login form, and the pages' CSS, script and icon.
	open := map[string]bool{"/healthz": true, "/readyz": true, "/login": true, "/assets/style.css": true}

	for _, p := range servedPaths(t, m) {
		if open[p] {
			if a := c.Send(t, "GET", p, nil, nil); a.Code != 200 {
				t.Errorf("GET %s is open, yet answered %d %q", p, a.Code, a.Body)
			}
			continue
		}
		for _, method := range []string{"GET", "POST"} {
			if a := c.Send(t, method, p, url.Values{}, nil); a.Code != http.StatusUnauthorized {
				t.Errorf("%s %s without a session: %d %.200q, want 401", method, p, a.Code, a.Body)
			}
			a := c.Send(t, method, p, url.Values{}, consoletest.Browser)
			if loc := a.Header.Get("Location"); a.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("%s %s from a browser without a session: %d to %q, want 303 to /login", method, p, a.Code, loc)
			}
		}
	}
	if a := c.Send(t, "GET", "/readyz", nil, nil); a.Body != "ok\n" {
		t.Errorf("/readyz says %q", a.Body)
	}

	// Prometheus with its token; a wrong token gets nothing.
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	if a := c.Send(t, "GET", "/metrics", nil, bearer(webScrapeToken)); a.Code != 200 || !strings.Contains(a.Body, "# TYPE go_goroutines gauge") {
		t.Errorf("/metrics with the token: %d", a.Code)
	}
	if a := c.Send(t, "GET", "/metrics", nil, bearer(webScrapeToken[:len(webScrapeToken)-1])); a.Code != 401 || strings.Contains(a.Body, "go_goroutines") {
		t.Errorf("/metrics with a wrong token: %d", a.Code)
	}
	if a := c.Send(t, "GET", "/reports/orders", nil, bearer(webScrapeToken)); a.Code != 403 {
		t.Errorf("a workbook with the metrics token: %d, want 403", a.Code)
	}

	acc, _ := c.Login(t, "petro", webAccPassword)
	if a := c.Send(t, "GET", "/reports/orders", nil, nil, acc); a.Code != 200 || a.Header.Get("Content-Type") != reports.ContentType {
		t.Errorf("an accountant's workbook: %d %s", a.Code, a.Header.Get("Content-Type"))
	}
	for _, h := range []http.Header{nil, consoletest.Browser} {
		if a := c.Send(t, "GET", "/metrics", nil, h, acc); a.Code != 403 || strings.Contains(a.Body, "go_goroutines") {
			t.Errorf("an accountant's /metrics (%v): %d, want 403", h, a.Code)
		}
	}
	ops, opsCSRF := c.Login(t, "olena", webOpsPassword)
	if a := c.Send(t, "GET", "/metrics", nil, nil, ops); a.Code != 200 || !strings.Contains(a.Body, "# TYPE go_goroutines gauge") {
		t.Errorf("ops /metrics: %d", a.Code)
	}
	if a := c.Send(t, "GET", "/", nil, consoletest.Browser, ops); !strings.Contains(a.Body, "Магазини") || !strings.Contains(a.Body, "prom-a") || !strings.Contains(a.Body, "Метрики") {
		t.Errorf("ops start page (the stores):\n%.2000s", a.Body)
	}
	if a := c.Send(t, "GET", "/", nil, consoletest.Browser, acc); a.Code != http.StatusSeeOther || a.Header.Get("Location") != "/reports" {
		t.Errorf("an accountant's start page: %d %s, want 303 to /reports", a.Code, a.Header.Get("Location"))
	}
	for _, p := range []string{"/stores/prom-a", "/actions"} {
		if a := c.Send(t, "GET", p, nil, consoletest.Browser, acc); a.Code != http.StatusForbidden || strings.Contains(a.Body, "prom-a") {
			t.Errorf("an accountant on %s: %d, want 403 and nothing of the store", p, a.Code)
		}
	}
	if a := c.Send(t, "GET", "/reports", nil, consoletest.Browser, acc); a.Code != 200 || !strings.Contains(a.Body, "Звіти") {
		t.Errorf("an accountant's reports page: %d", a.Code)
	}

	// Every page wears the one frame: its stylesheet (no inline style, which
	// the pages' CSP would refuse), its header; the login form without the
	// menu, the others with the user and the logout form.
	framed := map[string]consoletest.Answer{
		"login":          c.Send(t, "GET", "/login", nil, consoletest.Browser),
		"stores":         c.Send(t, "GET", "/", nil, consoletest.Browser, ops),
		"actions":        c.Send(t, "GET", "/actions", nil, consoletest.Browser, ops),
		"reports":        c.Send(t, "GET", "/reports", nil, consoletest.Browser, acc),
		"denied":         c.Send(t, "GET", "/actions", nil, consoletest.Browser, acc),
		"page not found": c.Send(t, "GET", "/no-such-page", nil, consoletest.Browser, ops),
	}
	for name, a := range framed {
		csp := a.Header.Get("Content-Security-Policy")
		if !strings.Contains(a.Body, `<link rel="stylesheet" href="/assets/style.css">`) || !strings.Contains(a.Body, `<header class="top">`) ||
			strings.Contains(a.Body, "<style") || !strings.Contains(csp, "style-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("the %s page is not in the console's frame (CSP %q):\n%.1500s", name, csp, a.Body)
		}
		if menu, user := strings.Contains(a.Body, `href="/reports"`), strings.Contains(a.Body, `action="/logout"`); menu != (name != "login") || user != (name != "login") {
			t.Errorf("the %s page: menu %v, user menu %v", name, menu, user)
		}
	}
	if a := framed["actions"]; !strings.Contains(a.Body, `href="/actions" aria-current="page"`) || !strings.Contains(a.Body, ">olena<") {
		t.Errorf("the actions page does not mark its menu item or name the user:\n%.1500s", a.Body)
	}

	// A POST without the session's token is refused; with it, the logout
	// ends the session.
	if a := c.Send(t, "POST", "/logout", url.Values{}, consoletest.Browser, ops); a.Code != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d", a.Code)
	}
	if a := c.Send(t, "POST", "/logout", url.Values{"csrf": {opsCSRF}}, consoletest.Browser, ops); a.Code != http.StatusSeeOther {
		t.Errorf("logout: %d", a.Code)
	}
	if a := c.Send(t, "GET", "/metrics", nil, nil, ops); a.Code != http.StatusUnauthorized {
		t.Errorf("/metrics with the cookie of an ended session: %d", a.Code)
	}
	if a := c.Send(t, "GET", "/metrics", nil, consoletest.Browser, ops); a.Code != http.StatusSeeOther {
		t.Errorf("/metrics in a browser with the cookie of an ended session: %d", a.Code)
	}

	// A wrong password and an unknown name: the same answer; the sixth
	// rapid attempt from one address is refused.
	failed := func(name string) consoletest.Answer { return c.TryLogin(t, name, "guess-"+name) }
	wrong, unknown := failed("olena"), failed("nobody")
	if wrong.Code != 401 || unknown.Code != 401 || !strings.Contains(wrong.Body, "Невірне ім&#39;я або пароль.") ||
		consoletest.CSRFInput.ReplaceAllString(wrong.Body, "") != strings.Replace(consoletest.CSRFInput.ReplaceAllString(unknown.Body, ""), "nobody", "olena", 1) {
		t.Errorf("a wrong password and an unknown name answer differently: %d %d", wrong.Code, unknown.Code)
	}
	// Two logins and two failures so far: the fifth attempt is let in, the
	// sixth is not.
	if a := failed("olena"); a.Code != 401 {
		t.Fatalf("the fifth attempt: %d", a.Code)
	}
	if a := failed("petro"); a.Code != http.StatusTooManyRequests || a.Header.Get("Retry-After") == "" {
		t.Errorf("the sixth attempt: %d, Retry-After %q", a.Code, a.Header.Get("Retry-After"))
	}

	logs := d.logs.String()
	if !strings.Contains(logs, "access=\"logins: 1 ops, 1 accountant, metrics bearer token from "+webTokenEnv+"\"") {
		t.Errorf("the start does not say who may log in:\n%s", grep(logs, "serving"))
	}
	if !strings.Contains(logs, "msg=login user=olena role=ops") || !strings.Contains(logs, "msg=\"login failed\" user=\"(an unknown name)\"") {
		t.Errorf("logins are not logged:\n%s", grep(logs, "login"))
	}
	c.AssertNotShown(t, logs, append([]string{webOpsPassword, webAccPassword, webScrapeToken}, hashes...)...)
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
	if code, body := d.get(t, "/"); code != 200 || !strings.Contains(body, "Магазини") || strings.Contains(body, `action="/logout"`) {
		t.Errorf("/ without users: %d, want the stores with no user menu (this machine only)", code)
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
	c := consoletest.New("https://"+d.addr, &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}})

	if a := c.Send(t, "GET", "/healthz", nil, nil); a.Code != 200 || !a.TLS {
		t.Fatalf("/healthz over TLS: %d", a.Code)
	}
	if _, ck := c.LoginForm(t); !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Errorf("login form cookie over TLS: %+v", ck)
	}
	a := c.TryLogin(t, "petro", webAccPassword)
	sess := a.Cookie(console.SessionCookie)
	if sess == nil || !sess.Secure || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" {
		t.Fatalf("session cookie over TLS: %d %+v", a.Code, sess)
	}
	if a := c.Send(t, "GET", "/reports/orders", nil, nil, sess); a.Code != 200 {
		t.Errorf("a workbook over TLS: %d", a.Code)
	}
	if !strings.Contains(d.logs.String(), "tls=true") {
		t.Errorf("the start does not say TLS:\n%s", grep(d.logs.String(), "serving"))
	}
	c.AssertNotShown(t, d.logs.String(), append([]string{webOpsPassword, webAccPassword, webScrapeToken}, hashes...)...)
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
