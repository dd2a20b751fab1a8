// Package look is the console's frame: the layout every page is shown in
// (the head, the header with the menu and the signed-in user, the footer)
// with its stylesheet, icon and refresh script, so the login form, the
// store pages and the actions page are one product to the people using
// them. A page supplies a template named "content".
package look

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"
)

//go:embed layout.html
var layoutFile embed.FS

//go:embed assets
var assetFiles embed.FS

// Frame is what the layout shows around a page's own data; a page's data
// embeds it, so the layout reads .Title, .User and the rest.
type Frame struct {
	Title string
	Nav   string // the menu item of the page: stores, reports, actions
	// User and Role name the signed-in user; CSRF goes into the logout
	// form (and, on the login page, into the login form).
	User, Role, CSRF string
	// Ops shows the ops-only links.
	Ops bool
	// Bare hides the menu: the login page, before anyone is known.
	Bare bool
	// Refresh makes the page reload its content every 30 s by script;
	// Reload, when above 0, reloads the whole page every so many seconds.
	Refresh bool
	Reload  int
	// Now is when the data was read, shown in the footer; zero shows none.
	Now time.Time
}

// TimeLayout is how the console shows times; every time is UTC, as in
// the warehouse.
const TimeLayout = "2006-01-02 15:04"

// When is a time as the console shows it, "—" for none.
func When(t time.Time) string {
	if t.IsZero() || t.Unix() <= 0 {
		return "—"
	}
	return t.UTC().Format(TimeLayout)
}

// Parse makes one page's template set: the layout, funcs (When is always
// there as "when"), and the files of fsys matching patterns, one of
// which defines "content".
func Parse(name string, funcs template.FuncMap, fsys fs.FS, patterns ...string) (*template.Template, error) {
	t := template.New(name).Funcs(template.FuncMap{"when": When}).Funcs(funcs)
	t, err := t.ParseFS(layoutFile, "layout.html")
	if err != nil {
		return nil, err
	}
	if len(patterns) == 0 {
		return t, nil
	}
	return t.ParseFS(fsys, patterns...)
}

// MustParseText is Parse of a page written in Go source.
func MustParseText(name, content string) *template.Template {
	t, err := Parse(name, nil, nil)
	if err == nil {
		t, err = t.Parse(content)
	}
	if err != nil {
		panic(err)
	}
	return t
}

// Render writes the page whole or, when the template fails, a plain error:
// it is built in memory first, so a failure never leaves half a page.
func Render(w http.ResponseWriter, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		slog.Error("console page failed", "page", t.Name(), "err", err)
		http.Error(w, "the page failed; see the server log", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	// Pages hold buyers' data: not to be kept by the browser or a proxy.
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	// Only the embedded CSS and script run: an injected <script> would not,
	// even if escaping ever missed one.
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Assets serves the stylesheet, icon and script under /assets/; they are
// the same for everyone, so anyone may have them, and browsers keep them
// an hour.
func Assets() http.Handler {
	sub, err := fs.Sub(assetFiles, "assets")
	if err != nil {
		panic(err)
	}
	files := http.FileServerFS(sub)
	return http.StripPrefix("/assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))
}
