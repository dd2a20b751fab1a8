// Package pages serves the console's read-only pages, in Ukrainian:
// Магазини (GET /), a store's page (GET /stores/{id}) and Звіти
// (GET /reports). They are rendered on the server with html/template, so
// every value from a marketplace (buyer names, errors, payloads) is
// escaped, in the console's frame (package look). Who may
// see a page is decided in front of this handler (package console); the
// pages only show the signed-in user and the links of their role.
package pages

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/console/look"
)

// Session is what the pages need of the authentication in front of them.
type Session interface {
	// User is the signed-in user of the request and their role (ops,
	// accountant); "" when nobody is signed in.
	User(r *http.Request) (name, role string)
	// CSRF is the request's token for the logout form's hidden csrf field.
	CSRF(r *http.Request) string
}

// RoleOps is the role that sees the pipeline's pages and tools.
const RoleOps = "ops"

// Deps are what the pages read.
type Deps struct {
	Warehouse *clickhouse.Warehouse
	// Config is the config in force, asked on every request (a reload
	// replaces it).
	Config func() *config.Config
	// Clock is the time "today" and the lags are counted from; nil = time.Now.
	Clock func() time.Time
	// Session names the user in the header; nil = no authentication is
	// configured: no user menu, and every link shown.
	Session Session
}

//go:embed templates/*.html
var templateFiles embed.FS

// handler serves the pages of one Deps.
type handler struct {
	Deps
	pages map[string]*template.Template
}

// New returns the pages' handler: GET /, /stores/{id}, /reports and
// /assets/…; any other path is the 404 page.
func New(d Deps) (http.Handler, error) {
	if d.Warehouse == nil || d.Config == nil {
		return nil, errors.New("pages: a warehouse and a config are needed")
	}
	if d.Clock == nil {
		d.Clock = time.Now
	}
	h := &handler{Deps: d, pages: map[string]*template.Template{}}
	for _, name := range []string{"stores", "store", "reports", "error"} {
		t, err := look.Parse(name, funcs, templateFiles, "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("pages: template %s: %w", name, err)
		}
		h.pages[name] = t
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.stores)
	mux.HandleFunc("GET /stores/{id}", h.store)
	mux.HandleFunc("GET /reports", h.reports)
	mux.Handle("GET /assets/", look.Assets())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusNotFound, "Такої сторінки немає.")
	})
	return mux, nil
}

// page is a page's own data in the console's frame.
type page struct {
	look.Frame
	Data any
}

func (h *handler) newPage(r *http.Request, title, nav string, data any) page {
	p := page{Frame: look.Frame{Title: title, Nav: nav, Ops: true, Now: h.Clock().UTC()}, Data: data}
	if h.Session != nil {
		p.User, p.Role = h.Session.User(r)
		p.Ops = p.Role == RoleOps
		if p.User != "" {
			p.CSRF = h.Session.CSRF(r)
		}
	}
	return p
}

func (h *handler) render(w http.ResponseWriter, status int, name string, p page) {
	look.Render(w, status, h.pages[name], p)
}

// fail answers with the error page; a warehouse error is logged, never
// shown (it may name hosts).
func (h *handler) fail(w http.ResponseWriter, r *http.Request, status int, message string) {
	h.render(w, status, "error", h.newPage(r, http.StatusText(status), "", errorPage{Status: status, Message: message}))
}

func (h *handler) failWarehouse(w http.ResponseWriter, r *http.Request, err error) {
	slog.Error("console page: warehouse read failed", "path", r.URL.Path, "err", err)
	h.fail(w, r, http.StatusInternalServerError, "Сховище даних (ClickHouse) не відповіло. Спробуйте ще раз за хвилину; подробиці в журналі сервера.")
}

type errorPage struct {
	Status  int
	Message string
}
