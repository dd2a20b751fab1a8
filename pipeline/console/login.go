package console

import (
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/kramar/kramar/pipeline/console/look"
)

// Messages of the login form. A wrong password and an unknown name get
// the same one.
const (
	msgWrong   = "Невірне ім'я або пароль."
	msgExpired = "Форма застаріла; спробуйте ще раз."
	msgLimited = "Забагато спроб входу; зачекайте й спробуйте знову."
)

// routes are the console's own: the login form, the logout, the start page.
func (c *Console) routes() []Route {
	return []Route{
		{Pattern: "GET /login", Handler: http.HandlerFunc(c.loginForm), Open: true},
		{Pattern: "POST /login", Handler: http.HandlerFunc(c.login), Open: true},
		{Pattern: "POST /logout", Handler: http.HandlerFunc(c.logout)},
		{Pattern: "GET /{$}", Handler: http.HandlerFunc(c.home)},
	}
}

func (c *Console) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := c.identify(r); ok {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	c.showLogin(w, http.StatusOK, "", "", r.URL.Query().Get("next"))
}

// showLogin renders the form with a fresh double-submit token: in its
// hidden field and in a cookie only /login gets back.
func (c *Console) showLogin(w http.ResponseWriter, status int, msg, name, next string) {
	tok := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/login", MaxAge: 3600,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteStrictMode})
	render(w, status, "login", page{Frame: look.Frame{Title: "Вхід", Bare: true, CSRF: tok}, Error: msg, Name: name, Next: localPath(next)})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	name, password, next := r.PostForm.Get("name"), r.PostForm.Get("password"), r.PostForm.Get("next")
	ck, err := r.Cookie(loginCookie)
	if err != nil || !equal(r.PostForm.Get(CSRFField), ck.Value) {
		c.showLogin(w, http.StatusForbidden, msgExpired, name, next)
		return
	}
	addr := clientAddress(r)
	if wait := c.attempts.take("address "+addr, "name "+nameKey(name)); wait > 0 {
		c.log.Warn("login attempts limited", "client", addr, "retry_after", wait.Round(time.Second).String())
		w.Header().Set("Retry-After", retryAfter(wait))
		c.showLogin(w, http.StatusTooManyRequests, msgLimited, name, next)
		return
	}
	u, known := c.users[name]
	hash := c.dummy
	if known {
		hash = []byte(u.Hash)
	}
	// Compared whether the name is known or not: the answer takes as long.
	match := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	if !known || !match {
		who := "(an unknown name)" // what was typed may be a password
		if known {
			who = name
		}
		c.log.Warn("login failed", "user", who, "client", addr)
		c.showLogin(w, http.StatusUnauthorized, msgWrong, name, next)
		return
	}
	if old, err := r.Cookie(SessionCookie); err == nil {
		c.sessions.end(old.Value)
	}
	id, _ := c.sessions.create(u.Name, u.Role)
	c.setSession(w, id)
	c.clearCookie(w, loginCookie, "/login")
	c.log.Info("login", "user", u.Name, "role", string(u.Role), "client", addr)
	http.Redirect(w, r, localPath(next), http.StatusSeeOther)
}

// logout ends the session (the guard has checked its CSRF token).
func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(SessionCookie); err == nil {
		c.sessions.end(ck.Value)
	}
	c.clearCookie(w, SessionCookie, "/")
	if v, ok := ViewerFrom(r.Context()); ok {
		c.log.Info("logout", "user", v.Name)
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// home is the start page: what the viewer's role may open. A placeholder
// until the console's pages come.
func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	v, _ := ViewerFrom(r.Context())
	month := c.now().Format("2006-01")
	p := page{Frame: v.Frame("Консоль", ""), Viewer: v, Reports: []link{
		{"Витрати за " + month, "/reports/expenses?month=" + month},
		{"Замовлення за " + month, "/reports/orders?month=" + month},
		{"Роялті за " + month, "/reports/royalties?month=" + month},
	}}
	render(w, http.StatusOK, "home", p)
}

func (c *Console) setSession(w http.ResponseWriter, id string) {
	// The browser may forget it sooner (its own session); the server
	// forgets it after the TTL at the latest.
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", MaxAge: int(c.sessions.ttl / time.Second),
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteStrictMode})
}

func (c *Console) clearCookie(w http.ResponseWriter, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteStrictMode})
}

// localPath is next if it is a path of this server, else "/": the login
// never sends anyone to another site.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	return next
}

// nameKey is the user name the attempts are counted under (bounded, so a
// long name costs no memory).
func nameKey(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}
