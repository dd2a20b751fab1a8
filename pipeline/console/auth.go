// Package console is who may use the endpoints of `kramar serve`: users
// and their roles, the login form, sessions, CSRF tokens, the limit on
// login attempts and the bearer token of /metrics. Pages plug in as Routes
// that name the roles they admit, and read the logged-in Viewer (with its
// CSRF token) from the request's context.
package console

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"

	"github.com/kramar/kramar/pipeline/console/look"
)

// Role is what a user may see.
type Role string

const (
	// Ops sees and does everything.
	Ops Role = "ops"
	// Accountant sees the reports only.
	Accountant Role = "accountant"
	// Scraper is Prometheus with the metrics bearer token: /metrics only.
	// No user has it.
	Scraper Role = "metrics"
)

// User is one login: a name, a role and the bcrypt hash of the password.
type User struct {
	Name string
	Role Role
	Hash string
}

// Options configure a Console.
type Options struct {
	Users []User
	// SessionTTL is how long a login lasts (from the login on).
	SessionTTL time.Duration
	// MetricsToken, when set, is the bearer token that gives the Scraper
	// role.
	MetricsToken string
	// Secure marks the cookies Secure: set it when serving over TLS.
	Secure bool
	Log    *slog.Logger
	// LoginEvery and LoginBurst limit login attempts per client address
	// and per user name; default 5 a minute, 5 at once.
	LoginEvery rate.Limit
	LoginBurst int
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Cookie names.
const (
	SessionCookie = "kramar_session"
	// loginCookie carries the login form's double-submit token.
	loginCookie = "kramar_login"
)

// CSRFField is the form field (or, for scripts, the header CSRFHeader)
// that carries the session's CSRF token on every POST.
const (
	CSRFField  = "csrf"
	CSRFHeader = "X-CSRF-Token"
)

// Console checks who is asking.
type Console struct {
	users    map[string]User
	dummy    []byte // a hash compared for unknown names, so timing tells names apart no more than passwords
	metrics  string
	secure   bool
	log      *slog.Logger
	now      func() time.Time
	sessions *sessions
	attempts *attempts
}

// New checks the users and builds the console.
func New(o Options) (*Console, error) {
	if len(o.Users) == 0 {
		return nil, errors.New("console: no users")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.LoginEvery == 0 {
		o.LoginEvery = rate.Every(time.Minute / 5)
	}
	if o.LoginBurst == 0 {
		o.LoginBurst = 5
	}
	c := &Console{users: map[string]User{}, metrics: o.MetricsToken, secure: o.Secure, log: o.Log, now: o.Now,
		sessions: newSessions(o.SessionTTL, o.Now), attempts: newAttempts(o.LoginEvery, o.LoginBurst, o.Now)}
	cost := bcrypt.MinCost
	for _, u := range o.Users {
		n, err := bcrypt.Cost([]byte(u.Hash))
		if err != nil {
			return nil, fmt.Errorf("console: user %q: the password hash is not a bcrypt hash", u.Name)
		}
		if u.Role != Ops && u.Role != Accountant {
			return nil, fmt.Errorf("console: user %q: unknown role %q", u.Name, u.Role)
		}
		cost = max(cost, n)
		c.users[u.Name] = u
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte(randomToken()[:32]), cost)
	if err != nil {
		return nil, err
	}
	c.dummy = dummy
	return c, nil
}

// Viewer is who makes a request: a logged-in user or, with the role
// Scraper, Prometheus.
type Viewer struct {
	Name string
	Role Role
	// CSRF is the session's token: every POST form of a page carries it
	// (CSRFField gives the hidden input).
	CSRF string
}

type viewerKey struct{}

// ViewerFrom is the Viewer a Console's handler put into the request's
// context.
func ViewerFrom(ctx context.Context) (Viewer, bool) {
	v, ok := ctx.Value(viewerKey{}).(Viewer)
	return v, ok
}

func withViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// Is tells whether the viewer has one of the roles.
func (v Viewer) Is(roles ...Role) bool { return slices.Contains(roles, v.Role) }

// RoleName is the role in Ukrainian, for pages.
func (v Viewer) RoleName() string {
	switch v.Role {
	case Ops:
		return "оператор"
	case Accountant:
		return "бухгалтер"
	}
	return string(v.Role)
}

// CSRFField is the hidden input that carries the CSRF token in a form.
func (v Viewer) CSRFField() template.HTML {
	return template.HTML(`<input type="hidden" name="` + CSRFField + `" value="` + template.HTMLEscapeString(v.CSRF) + `">`)
}

// Route is one endpoint and who may use it.
type Route struct {
	// Pattern is a ServeMux pattern, like "GET /metrics".
	Pattern string
	Handler http.Handler
	// Open routes need no login (/healthz, /readyz).
	Open bool
	// Roles admitted; none means every user (ops and accountant, not the
	// Scraper).
	Roles []Role
}

// Handler serves the routes and the console's own (the login form, the
// logout, the start page) to those allowed: an open route to anyone;
// another, unknown paths included, only with a session or the metrics
// token (else 401, or 303 to the login form for a browser), a route's
// roles only (else 403), and a POST only with the session's CSRF token
// (else 403).
// A route of the caller's replaces the console's own of the same pattern
// (the start page, once there are pages).
func (c *Console) Handler(routes []Route) http.Handler {
	mux := http.NewServeMux()
	open := map[string]bool{}
	given := map[string]bool{}
	for _, r := range routes {
		given[r.Pattern] = true
	}
	all := routes
	for _, r := range c.routes() {
		if !given[r.Pattern] {
			all = append(all, r)
		}
	}
	for _, r := range all {
		h := r.Handler
		if r.Open {
			open[r.Pattern] = true
		} else {
			h = RequireRole(r.Roles...)(h)
		}
		mux.Handle(r.Pattern, h)
	}
	return secureHeaders(c.guard(mux, open))
}

// Open serves the routes to anyone, as an ops viewer named "local": for a
// serve without users, which listens on a loopback address only. Browsers
// are still kept from sending a POST from another site.
func Open(routes []Route) http.Handler {
	mux := http.NewServeMux()
	for _, r := range routes {
		mux.Handle(r.Pattern, r.Handler)
	}
	local := Viewer{Name: "local", Role: Ops}
	h := http.NewCrossOriginProtection().Handler(mux)
	return secureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(withViewer(r.Context(), local)))
	}))
}

// RequireRole lets through a viewer with one of the roles (none: every
// user); 403 for another viewer, 401 or 303 without one.
func RequireRole(roles ...Role) func(http.Handler) http.Handler {
	if len(roles) == 0 {
		roles = []Role{Ops, Accountant}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, ok := ViewerFrom(r.Context())
			switch {
			case !ok:
				unauthenticated(w, r)
			case !v.Is(roles...):
				forbidden(w, r, v, "Ця сторінка не для ролі «"+v.RoleName()+"».")
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// guard finds who is asking and refuses what they may not do before the
// mux is reached, so an unknown path says nothing either.
func (c *Console) guard(mux *http.ServeMux, open map[string]bool) http.Handler {
	// A second line against cross-site requests: browsers' own headers.
	cross := http.NewCrossOriginProtection()
	return cross.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); open[pattern] {
			mux.ServeHTTP(w, r)
			return
		}
		v, sessionID, ok := c.identify(r)
		if !ok {
			if sessionID != "" {
				c.clearCookie(w, SessionCookie, "/")
			}
			unauthenticated(w, r)
			return
		}
		if sessionID != "" && !safeMethod(r.Method) && !c.csrfOK(r, v.CSRF) {
			forbidden(w, r, v, "Запит без дійсного CSRF-токена відхилено; оновіть сторінку й спробуйте ще раз.")
			return
		}
		mux.ServeHTTP(w, r.WithContext(withViewer(r.Context(), v)))
	}))
}

// identify reads the bearer token or the session cookie. sessionID is the
// cookie's value when one was sent (valid or not).
func (c *Console) identify(r *http.Request) (v Viewer, sessionID string, ok bool) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		tok, found := strings.CutPrefix(auth, "Bearer ")
		if found && c.metrics != "" && equal(strings.TrimSpace(tok), c.metrics) {
			return Viewer{Name: "prometheus", Role: Scraper}, "", true
		}
		return Viewer{}, "", false
	}
	ck, err := r.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return Viewer{}, "", false
	}
	sess, found := c.sessions.get(ck.Value)
	if !found {
		return Viewer{}, ck.Value, false
	}
	return Viewer{Name: sess.user, Role: sess.role, CSRF: sess.csrf}, ck.Value, true
}

func (c *Console) csrfOK(r *http.Request, want string) bool {
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
		got = r.PostFormValue(CSRFField)
	}
	return equal(got, want)
}

// equal compares secrets in constant time; an empty one matches nothing.
func equal(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// wantsHTML tells a browser from an API client (curl, Prometheus).
func wantsHTML(r *http.Request) bool { return strings.Contains(r.Header.Get("Accept"), "text/html") }

// unauthenticated sends a browser to the login form (back here after it)
// and tells an API client 401.
func unauthenticated(w http.ResponseWriter, r *http.Request) {
	if wantsHTML(r) {
		to := "/login"
		if r.Method == http.MethodGet && r.URL.Path != "/" {
			to += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="kramar"`)
	http.Error(w, "authentication required: log in at /login, or send the metrics bearer token", http.StatusUnauthorized)
}

func forbidden(w http.ResponseWriter, r *http.Request, v Viewer, why string) {
	if wantsHTML(r) {
		render(w, http.StatusForbidden, "denied", page{Frame: v.Frame("Доступ заборонено", ""), Viewer: v, Error: why})
		return
	}
	http.Error(w, "forbidden", http.StatusForbidden)
}

// secureHeaders keeps the answers out of frames, sniffing and other
// sites' referrers.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

//go:embed templates/*.html
var templateFiles embed.FS

// templates are the console's own pages, each in the console's frame.
var templates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "home", "denied"} {
		t, err := look.Parse(name, nil, templateFiles, "templates/"+name+".html")
		if err != nil {
			panic(err)
		}
		out[name] = t
	}
	return out
}()

// page is what the console's own templates show.
type page struct {
	look.Frame
	Viewer  Viewer
	Error   string
	Name    string // the name typed, shown again after a failed login
	Next    string
	Reports []link
}

// Frame is the frame of a page the viewer sees: their name and the logout
// form only for a signed-in session (the open console's "local" viewer
// has nothing to log out of), the ops links for ops.
func (v Viewer) Frame(title, nav string) look.Frame {
	f := look.Frame{Title: title, Nav: nav, Ops: v.Is(Ops)}
	if v.CSRF != "" {
		f.User, f.Role, f.CSRF = v.Name, v.RoleName(), v.CSRF
	}
	return f
}

type link struct{ Title, URL string }

func render(w http.ResponseWriter, status int, name string, p page) {
	look.Render(w, status, templates[name], p)
}

// clientAddress is the address the request came from (no port): the
// limit on login attempts counts per address. A reverse proxy in front
// makes them all one.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func retryAfter(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}
