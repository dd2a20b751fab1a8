package declarative

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	spec "github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/fake"
)

func isControl(r *http.Request) bool { return !kit.OutsideControl(r) }

// routes: the credential is moved into a bearer header (and out of the URL
// and body) before anything records the request; then record, inject
// faults, log in or authenticate, rate-limit, answer.
func (s *Sandbox) routes() http.Handler {
	ctl := http.NewServeMux()
	kit.MountControl(ctl, s.Faults(), s.Recorder(), s.Clock(), s.errorBody)
	var authed http.Handler = s.RateLimit().Wrap(http.HandlerFunc(s.serveAPI))
	if s.spec.Auth.Type != spec.AuthNone {
		authed = s.tokens.Wrap(s.errorBody, authed)
	}
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l := s.spec.Auth.Login; l != nil && r.Method == http.MethodPost && r.URL.Path == l.Path {
			s.handleLogin(w, r)
			return
		}
		authed.ServeHTTP(w, r)
	})
	chain := kit.AsBearer(s.Recorder().Wrap(s.Faults().Wrap(inner)), s.credential)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isControl(r) {
			ctl.ServeHTTP(w, r)
			return
		}
		chain.ServeHTTP(w, r)
	})
}

// credential takes the credential out of where the spec puts it.
func (s *Sandbox) credential(r *http.Request) string {
	a := s.spec.Auth
	where, name, prefix := a.Type, a.Name, a.Prefix
	if l := a.Login; l != nil {
		where, name, prefix = l.Send, l.Name, l.Prefix
	}
	switch where {
	case spec.AuthBearer: // also spec.SendBearer
		return kit.BearerToken(r)
	case spec.AuthHeader:
		token := strings.TrimPrefix(r.Header.Get(name), prefix)
		r.Header.Del(name)
		return token
	case spec.AuthQuery:
		return kit.TakeQuery(r, name)
	case spec.AuthBasic:
		if user, pass, ok := r.BasicAuth(); ok {
			return basicToken(user, pass)
		}
	case spec.SendBody:
		return kit.TakeBodyField(r, name)
	}
	return ""
}

// params reads request parameters: the query, and for a POST the JSON body
// (keys are JSON paths) first.
func params(r *http.Request) func(name string) (string, bool) {
	var doc any
	if r.Method == http.MethodPost && r.Body != nil {
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw)) // others read it too
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		_ = dec.Decode(&doc)
	}
	q := r.URL.Query()
	return func(name string) (string, bool) {
		if doc != nil {
			if p, err := spec.ParsePath(name); err == nil {
				if v, ok := p.Get(doc); ok {
					return fmt.Sprint(v), true
				}
			}
		}
		if q.Has(name) {
			return q.Get(name), true
		}
		return "", false
	}
}

func (s *Sandbox) serveAPI(w http.ResponseWriter, r *http.Request) {
	get := params(r)
	if id, ok := s.matchGet(r, get); ok {
		s.handleGet(w, id)
		return
	}
	if req := s.spec.Orders.Request; r.Method == req.Method && r.URL.Path == req.Path {
		s.handleList(w, r, get)
		return
	}
	kit.WriteError(w, s.errorBody, http.StatusNotFound, "no such endpoint")
}

func (s *Sandbox) isList(r *http.Request) bool {
	req := s.spec.Orders.Request
	return r.Method == req.Method && r.URL.Path == req.Path && !s.getByParam(r)
}

// getByParam: a get_order that shares the list's path is told apart by its id.
func (s *Sandbox) getByParam(r *http.Request) bool {
	g := s.spec.GetOrder
	if g == nil || g.Path != s.spec.Orders.Request.Path || r.Method != g.Method {
		return false
	}
	_, ok := s.matchGet(r, params(r))
	return ok
}

// matchGet recognises the get_order call and reads the id from it.
func (s *Sandbox) matchGet(r *http.Request, get func(string) (string, bool)) (string, bool) {
	g := s.spec.GetOrder
	if g == nil || r.Method != g.Method {
		return "", false
	}
	if before, after, ok := strings.Cut(g.Path, "{{id}}"); ok {
		p := r.URL.Path
		if !strings.HasPrefix(p, before) || !strings.HasSuffix(p, after) || len(p) <= len(before)+len(after) {
			return "", false
		}
		id, err := url.PathUnescape(p[len(before) : len(p)-len(after)])
		return id, err == nil && !strings.Contains(id, "/")
	}
	if r.URL.Path != g.Path {
		return "", false
	}
	for _, m := range []map[string]string{g.Body, g.Query} {
		for name, tmpl := range m {
			if spec.PlaceholderOf(tmpl) != "id" {
				continue
			}
			if v, ok := get(name); ok {
				return spec.TemplateValue(tmpl, v)
			}
		}
	}
	return "", false
}

func (s *Sandbox) handleGet(w http.ResponseWriter, id string) {
	o, ok := s.book.Get(id)
	if !ok {
		kit.WriteError(w, s.errorBody, http.StatusNotFound, "order "+id+" not found")
		return
	}
	rendered := s.render(o)
	var doc any = rendered
	if rec := s.spec.GetOrder.Record; rec.IsSet() && !rec.IsRoot() {
		doc = s.withOKCode(rec.Set(map[string]any{}, rendered))
	}
	kit.WriteJSON(w, http.StatusOK, doc)
}

// window reads {{from}} and {{to}} back from the request; an absent bound
// is open.
func (s *Sandbox) window(r *http.Request, get func(string) (string, bool)) (from, to time.Time, bad string) {
	req := s.spec.Orders.Request
	to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, m := range []map[string]string{req.Query, req.Body} {
		for name, tmpl := range m {
			ph := spec.PlaceholderOf(tmpl)
			if ph != "from" && ph != "to" {
				continue
			}
			v, ok := get(name)
			if !ok {
				continue
			}
			val, ok := spec.TemplateValue(tmpl, v)
			if !ok {
				return from, to, name
			}
			t, err := req.Time.Parse(val)
			if err != nil {
				return from, to, name
			}
			if ph == "from" {
				from = t
			} else {
				to = t
			}
		}
	}
	return from, to, ""
}

func (s *Sandbox) handleList(w http.ResponseWriter, r *http.Request, get func(string) (string, bool)) {
	p := s.spec.Orders.Pagination
	from, to, bad := s.window(r, get)
	if bad != "" {
		kit.WriteError(w, s.errorBody, http.StatusBadRequest, "bad value of "+bad)
		return
	}
	size := p.Size
	if v, ok := get(p.SizeParam); ok && p.SizeParam != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			kit.WriteError(w, s.errorBody, http.StatusBadRequest, "bad value of "+p.SizeParam)
			return
		}
		size = n
	}
	if size <= 0 {
		size = 20
	}
	if p.MaxSize > 0 {
		size = min(size, p.MaxSize)
	}

	matched := s.book.Filter(func(o *Order) bool { return !o.ModifiedAt.Before(from) && !o.ModifiedAt.After(to) })
	idx, ok := s.position(p, get, matched, size)
	if p.Type == spec.PageNone {
		size = max(len(matched), 1)
	}
	if !ok {
		kit.WriteError(w, s.errorBody, http.StatusBadRequest, "bad value of "+p.Param)
		return
	}
	extra := 0
	switch kit.FaultFrom(r.Context()) {
	case kit.DuplicatePage: // the previous page again, as a stale cache answers
		idx = max(idx-size, 0)
	case kit.ShiftPage: // a few earlier orders first, then the whole page: overlap, never a gap
		extra = kit.ShiftFrom(r.Context())
	}
	idx = min(idx, len(matched))
	end := min(idx+size, len(matched))
	served := matched[max(idx-extra, 0):end]
	records := make([]any, len(served))
	for i, o := range served {
		records[i] = s.render(o)
	}

	if s.spec.Orders.Records.IsRoot() {
		kit.WriteJSON(w, http.StatusOK, records)
		return
	}
	var doc any = s.spec.Orders.Records.Set(map[string]any{}, records)
	if p.Total.IsSet() {
		doc = p.Total.Set(doc, len(matched))
	}
	if p.TotalPages.IsSet() {
		doc = p.TotalPages.Set(doc, (len(matched)+size-1)/size)
	}
	if p.HasMore.IsSet() {
		doc = p.HasMore.Set(doc, end < len(matched))
	}
	if p.Next.IsSet() {
		var next any
		if end < len(matched) {
			next = encodeCursor(end)
		}
		doc = p.Next.Set(doc, next)
	}
	kit.WriteJSON(w, http.StatusOK, s.withOKCode(doc))
}

// position is the index of the first order the request asks for.
func (s *Sandbox) position(p spec.Pagination, get func(string) (string, bool), matched []*Order, size int) (int, bool) {
	v, given := get(p.Param)
	switch p.Type {
	case spec.PageNumber, spec.PageOffset:
		start := 0
		if p.Type == spec.PageNumber {
			start = 1
		}
		if p.Start != nil {
			start = *p.Start
		}
		n := start
		if given {
			var err error
			if n, err = strconv.Atoi(v); err != nil || n < start {
				return 0, false
			}
		}
		if p.Type == spec.PageNumber {
			return (n - start) * size, true
		}
		return n - start, true
	case spec.PageCursor:
		if !given {
			return 0, true
		}
		return decodeCursor(v)
	case spec.PageLastID:
		if !given {
			return 0, true
		}
		last, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, false
		}
		for i, o := range matched {
			if id, _ := strconv.ParseInt(o.ID, 10, 64); id > last {
				return i, true
			}
		}
		return len(matched), true
	}
	return 0, true
}

// Cursors are opaque to the client, as real ones are.
func encodeCursor(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("pos:" + strconv.Itoa(n)))
}

func decodeCursor(c string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "pos:") {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "pos:"))
	return n, err == nil && n >= 0
}

func (s *Sandbox) handleLogin(w http.ResponseWriter, r *http.Request) {
	l := s.spec.Auth.Login
	get := params(r)
	given := map[string]string{}
	for name, tmpl := range l.Body {
		if ph := spec.PlaceholderOf(tmpl); ph != "" {
			v, _ := get(name)
			given[ph], _ = spec.TemplateValue(tmpl, v)
		}
	}
	if given["username"] != s.opts.Username || given["password"] != s.opts.Password {
		kit.WriteError(w, s.errorBody, http.StatusUnauthorized, "invalid username or password")
		return
	}
	token := s.sessions.IssueAs(account, func(n int) string {
		return fmt.Sprintf("sess-%d-%016x", n, fake.Rand(s.opts.Seed, 0, streamSessions, n).Uint64())
	})
	var doc any = l.Token.Set(map[string]any{}, token)
	if l.ExpiresIn.IsSet() {
		doc = l.ExpiresIn.Set(doc, l.TTL)
	}
	kit.WriteJSON(w, http.StatusOK, s.withOKCode(doc))
}

// withOKCode adds the success code to an answer when the spec lists one.
func (s *Sandbox) withOKCode(doc any) any {
	e := s.spec.Errors
	if e.Code.IsSet() && len(e.OKCodes) > 0 {
		return e.Code.Set(doc, e.OKCodes[0])
	}
	return doc
}

// errorBody is the spec's error shape: the message at errors.message (or
// "error"), the status — or, for auth, the first auth code — at errors.code.
func (s *Sandbox) errorBody(status int, msg string) []byte {
	e := s.spec.Errors
	var doc any = map[string]any{}
	if e.Message.IsSet() && !e.Message.IsRoot() {
		doc = e.Message.Set(doc, msg)
	} else {
		doc = map[string]any{"error": msg}
	}
	if e.Code.IsSet() && !e.Code.IsRoot() {
		code := strconv.Itoa(status)
		if status == http.StatusUnauthorized && len(e.AuthCodes) > 0 {
			code = e.AuthCodes[0]
		}
		doc = e.Code.Set(doc, code)
	}
	b, _ := json.Marshal(doc)
	return b
}
