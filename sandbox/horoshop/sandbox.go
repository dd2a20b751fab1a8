// Package horoshop is a local simulator of a Horoshop shop's API
// (https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/25296927/API):
// shops told apart by admin login, tokens from POST /api/auth/ that expire after 600 s on the sandbox clock,
// the token in every JSON body, the {"status","response"} envelope with its
// statuses, seeded orders and catalogs, orders/get, orders/update,
// orders/get_available_statuses, catalog/export, catalog/import and
// catalog/importResidues with their validation (stock per warehouse when a
// shop keeps warehouse accounting, UseWarehouses), an HTML mode (a shop
// without the API module or behind a maintenance page), fault injection,
// and control methods for tests.
package horoshop

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
)

// Options configure a Sandbox (a store is a shop); TokenTTL 0 is 600 s,
// the documented lifetime.
type Options = kit.Options

// base is kit.Base under an unexported name: embedding it promotes the
// Handler, Clock, Faults, Recorder and RateLimit accessors, not the field.
type base = kit.Base

// Sandbox is any number of simulated Horoshop shops behind one server (a
// real shop has its own domain; here the login tells them apart).
//
// Its Recorder holds every API request. Tokens are taken out of the bodies
// before they are recorded, and auth bodies (the password) are not kept.
type Sandbox struct {
	base   // Handler (API under /api/, control API under /_sandbox/), Clock, Faults, Recorder, RateLimit
	seed   int64
	tokens *kit.Tokens
	html   atomic.Bool

	stores   kit.Stores[*store] // by shop id and by login
	truth                       // Orders and Order, by shop id
	sessions *kit.Sessions      // tokens issued by POST /api/auth/
}

// truth is kit.Truth under an unexported name, promoting Orders and Order.
type truth = kit.Truth[int64, record, wire.Order]

// New builds an empty sandbox; add shops with AddStore.
func New(opts Options) *Sandbox {
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = wire.TokenLifetime
	}
	s := &Sandbox{seed: opts.Seed}
	s.base, s.tokens, s.truth = kit.NewMarket(opts,
		kit.FaultScope{Faultable: kit.Under("/api/"), Paged: isLaterPage}, errorBody,
		&s.stores, func(st *store) *kit.Book[int64, record] { return st.book }, func(r *record) wire.Order { return kit.DeepCopy(r.order) })
	s.sessions = kit.NewSessions(&s.base, opts.TokenTTL, 16)
	kit.SetHandler(&s.base, s.routes())
	return s
}

// HTML makes every API function answer an HTML page with HTTP 200 (on) or
// JSON again (off), as a shop without the API module or behind Cloudflare
// or a maintenance page does (ecomkit-com-ua/horoshop-mcp src/client.ts
// meets the same).
func (s *Sandbox) HTML(on bool) { s.html.Store(on) }

// ExpireTokens ends every token issued so far, as 600 s passing would:
// the next call with one answers UNAUTHORIZED.
func (s *Sandbox) ExpireTokens() { s.sessions.ExpireAll() }

// errorBody renders transport-level failures (401, 429, 5xx) in the envelope.
func errorBody(status int, msg string) []byte {
	st := wire.StatusError
	if status == http.StatusUnauthorized {
		st = wire.StatusUnauthorized
	}
	return envelope(st, wire.Message{Message: msg})
}

func envelope(status string, response any) []byte {
	return kit.MustJSON(struct {
		Status   string `json:"status"`
		Response any    `json:"response"`
	}{status, response})
}

// paramsKey carries a request's JSON body (token removed) in its context.
type paramsKey struct{}

// params returns the body fields liftToken parsed.
func params(r *http.Request) map[string]json.RawMessage {
	p, _ := r.Context().Value(paramsKey{}).(map[string]json.RawMessage)
	return p
}

// isLaterPage marks list calls past their first page: the ones that can
// get a repeated or shifted page.
func isLaterPage(r *http.Request) bool {
	if r.URL.Path != wire.PathOrdersGet && r.URL.Path != wire.PathCatalogExport {
		return false
	}
	var offset int
	_ = json.Unmarshal(params(r)["offset"], &offset)
	return offset > 0
}

// liftToken takes the token out of the JSON body into the bearer header,
// so kit's token registry resolves the shop and the recorder never sees it.
// The parsed body goes into the context.
func liftToken(h http.Handler) http.Handler {
	withParams := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var p map[string]json.RawMessage
		if json.Unmarshal(body, &p) == nil {
			r = r.WithContext(context.WithValue(r.Context(), paramsKey{}, p))
		}
		h.ServeHTTP(w, r)
	})
	return kit.AsBearer(withParams, func(r *http.Request) string { return kit.TakeBodyField(r, "token") })
}

// htmlSwitch answers an HTML page while HTML mode is on.
func (s *Sandbox) htmlSwitch(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.html.Load() {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>Технічні роботи</title></head><body><h1>Сайт тимчасово недоступний</h1></body></html>\n")
	})
}

// checkToken answers a missing token AUTHORIZATION_ERROR and an unknown or
// expired one UNAUTHORIZED, both with HTTP 200 (the two statuses
// ecomkit-com-ua/horoshop-mcp src/client.ts logs in again on).
func (s *Sandbox) checkToken(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := kit.BearerToken(r)
		switch _, ok := s.tokens.Active(token); {
		case token == "":
			kit.WriteRaw(w, http.StatusOK, envelope(wire.StatusAuthorizationError, wire.Message{Message: "Token is required"}))
		case !ok:
			kit.WriteRaw(w, http.StatusOK, envelope(wire.StatusUnauthorized, wire.Message{Message: "Token is invalid or expired"}))
		default:
			h.ServeHTTP(w, r)
		}
	})
}

func (s *Sandbox) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST "+wire.PathOrdersGet, s.handleOrdersGet)
	api.HandleFunc("POST "+wire.PathOrdersUpdate, s.handleOrdersUpdate)
	api.HandleFunc("POST "+wire.PathOrderStatuses, s.handleStatuses)
	api.HandleFunc("POST "+wire.PathCatalogExport, s.handleCatalogExport)
	api.HandleFunc("POST "+wire.PathCatalogImport, s.handleCatalogImport)
	api.HandleFunc("POST "+wire.PathCatalogImportResidues, s.handleImportResidues)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		kit.WriteRaw(w, http.StatusOK, envelope(wire.StatusUndefinedFunction, wire.Message{Message: "Function " + r.URL.Path + " is not defined"}))
	})
	s.Recorder().HideBodies(wire.PathAuth)
	// Outermost first: lift the token, record, HTML mode, faults, auth, rate limit.
	authed := liftToken(s.Recorder().Wrap(s.htmlSwitch(s.Faults().Wrap(s.checkToken(s.tokens.Wrap(errorBody, s.RateLimit().Wrap(api)))))))
	root := http.NewServeMux()
	root.Handle("POST "+wire.PathAuth, s.Recorder().Wrap(s.htmlSwitch(s.Faults().Wrap(http.HandlerFunc(s.handleAuth)))))
	root.Handle("/_sandbox/", s.controlRoutes())
	root.Handle("/", authed)
	return root
}

// login checks credentials and issues a 32-character token, as in the
// wiki's auth example
// (https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/25296931).
func (s *Sandbox) login(login, password string) (string, bool) {
	st, _ := s.stores.Named(login)
	if st == nil || st.password != password {
		return "", false
	}
	return s.sessions.Issue(st.id), true
}

func (s *Sandbox) handleAuth(w http.ResponseWriter, r *http.Request) {
	var req wire.AuthRequest
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		req.Login, req.Password = r.PostFormValue("login"), r.PostFormValue("password")
	} else if json.NewDecoder(r.Body).Decode(&req) != nil {
		kit.WriteRaw(w, http.StatusOK, envelope(wire.StatusError, wire.Message{Message: "Invalid request body"}))
		return
	}
	token, ok := s.login(req.Login, req.Password)
	if !ok {
		kit.WriteRaw(w, http.StatusOK, envelope(wire.StatusError, wire.Message{Message: "Користувача з таким логіном і паролем не існує"}))
		return
	}
	kit.WriteRaw(w, http.StatusOK, envelope(wire.StatusOK, wire.AuthResponse{Token: token}))
}

// ErrUnknownStore is returned by control methods for a shop never added.
var ErrUnknownStore = kit.ErrUnknownStore
