package epicentr

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
)

// defaultLimit is the page size when the request names none.
const defaultLimit = 20

func (s *Sandbox) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET "+wire.PathOrders, s.handleList)
	api.HandleFunc("GET "+wire.PathOrderDetails+"{id}", s.handleOrder)
	api.HandleFunc("GET /v2/oms/orders/{id}/allowed-statuses", s.handleAllowed)
	api.HandleFunc("POST /v2/oms/orders/{id}/change-status/to/{code}", s.handleChangeStatus)
	api.HandleFunc("PATCH /v1/oms/orders/{id}/shipment-number", s.handleShipmentNumber)
	api.HandleFunc("GET "+wire.PathCancelReasons, func(w http.ResponseWriter, r *http.Request) {
		kit.WriteJSON(w, http.StatusOK, wire.CancelReasonList{Items: cancelReasons})
	})
	api.HandleFunc("POST "+wire.PathOffers, s.handleOffers)
	api.HandleFunc("GET "+wire.PathOfferResults+"{requestId}", s.handleOfferResults)
	// Outermost first: record, inject faults, authenticate, rate-limit.
	authed := s.Faults().Wrap(s.tokens.Wrap(errorBody, s.RateLimit().Wrap(api)))
	root := http.NewServeMux()
	root.Handle("/_sandbox/", s.controlRoutes())
	root.Handle("/", s.Recorder().Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// An unknown path is answered before auth, as the gateway does.
		if _, pattern := api.Handler(r); pattern == "" {
			kit.WriteError(w, errorBody, http.StatusNotFound, wire.NoRoute)
			return
		}
		authed.ServeHTTP(w, r)
	})))
	return root
}

// fail sends a refusal.
func fail(w http.ResponseWriter, e *apiError) {
	kit.WriteJSON(w, e.status, e.body)
}

// listQuery is a parsed GET /v3/oms/orders.
type listQuery struct {
	limit    int
	sort     string
	statuses []string
	number   string
	sig      string
	cur      *cursor
}

func parseList(r *http.Request) (listQuery, *apiError) {
	v := r.URL.Query()
	q := listQuery{limit: defaultLimit, sort: wire.SortNewestFirst, statuses: v["filter[statusCode][]"], number: v.Get("filter[number]")}
	if raw := v.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > wire.MaxPageSize {
			return q, invalid("limit", "validation.range")
		}
		q.limit = n
	}
	if sorts := v["sort[]"]; len(sorts) > 0 {
		if len(sorts) > 1 || sorts[0] != "createdAt" && sorts[0] != "-createdAt" {
			return q, invalid("sort", "validation.choice")
		}
		q.sort = sorts[0]
	}
	for _, st := range q.statuses {
		if !knownStatuses[st] {
			return q, invalid("filter.statusCode", "validation.choice")
		}
	}
	q.sig = querySignature(q.sort, q.statuses, q.number)
	if raw := v.Get("cursor"); raw != "" {
		c, ok := decodeCursor(raw)
		if !ok || c.sort != q.sort || c.query != q.sig {
			return q, refuse(http.StatusBadRequest, "Invalid cursor")
		}
		q.cur = &c
	}
	return q, nil
}

func (q *listQuery) match(rec *record) bool {
	o := &rec.order
	return (len(q.statuses) == 0 || slices.Contains(q.statuses, o.StatusCode)) && (q.number == "" || string(o.Number) == q.number)
}

// handleList pages the filtered orders by keyset cursor. Page faults are
// the cursor forms of the kit's: DuplicatePage answers the page before the
// cursor (as a stale cache would), labelled with that page's own cursor in
// `current`; ShiftPage starts a few orders before the cursor and pages on
// from the end of what it sent — an overlap, never a gap.
func (s *Sandbox) handleList(w http.ResponseWriter, r *http.Request) {
	q, e := parseList(r)
	if e != nil {
		fail(w, e)
		return
	}
	st := s.stores.Of(r)
	matched := st.book.Filter(q.match) // published records never change: the slice stays valid
	v := view{recs: matched, desc: q.sort == wire.SortNewestFirst}
	if v.desc {
		slices.Reverse(v.recs)
	}
	n := len(v.recs)
	start, end := 0, min(q.limit, n)
	var current wire.Cursor
	if c := q.cur; c != nil {
		current = c.encode()
		if c.back {
			end = v.upTo(c.at)
			start = max(end-q.limit, 0)
		} else {
			start = v.after(c.at)
			end = min(start+q.limit, n)
		}
	}
	at := func(i int, back bool) wire.Cursor {
		return cursor{sort: q.sort, back: back, query: q.sig, at: v.recs[i].key()}.encode()
	}
	switch kit.FaultFrom(r.Context()) {
	case kit.DuplicatePage:
		end, start = start, max(start-q.limit, 0)
		current = ""
		if start > 0 {
			current = at(start-1, false)
		}
	case kit.ShiftPage:
		start = max(start-kit.ShiftFrom(r.Context()), 0)
	}
	list := struct {
		Current wire.Cursor `json:"current"`
		Next    wire.Cursor `json:"next"`
		Prev    wire.Cursor `json:"prev"`
		Last    wire.Cursor `json:"last"`
		Limit   int         `json:"limit"`
	}{Current: current, Limit: q.limit}
	if end < n && end > start {
		list.Next = at(end-1, false)
	}
	if start > 0 && start < n {
		list.Prev = at(start, true)
	}
	if n > q.limit {
		list.Last = at(n-q.limit-1, false)
	}
	buf := make([]byte, 0, 2048*(end-start+1))
	buf = append(buf, `{"items":[`...)
	for i, rec := range v.recs[start:end] {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, rec.json...)
	}
	tail, _ := json.Marshal(list) // cursors and an int: cannot fail
	buf = append(buf, "],"...)
	buf = append(buf, tail[1:]...)
	kit.WriteRaw(w, http.StatusOK, buf)
}

// recordOf finds {id} of the request's store, answering 404 itself.
func (s *Sandbox) recordOf(w http.ResponseWriter, r *http.Request) (*store, *record) {
	st := s.stores.Of(r)
	rec, _ := st.book.Get(r.PathValue("id"))
	if rec == nil {
		fail(w, notFound())
		return nil, nil
	}
	return st, rec
}

func (s *Sandbox) handleOrder(w http.ResponseWriter, r *http.Request) {
	if _, rec := s.recordOf(w, r); rec != nil {
		kit.WriteRaw(w, http.StatusOK, rec.detail)
	}
}

func (s *Sandbox) handleAllowed(w http.ResponseWriter, r *http.Request) {
	if _, rec := s.recordOf(w, r); rec != nil {
		kit.WriteJSON(w, http.StatusOK, statusList(allowed(&rec.order)))
	}
}

func statusList(codes []string) wire.StatusList {
	out := wire.StatusList{Items: make([]wire.StatusRef, len(codes))}
	for i, c := range codes {
		out.Items[i].Code = c
	}
	return out
}

// readBody decodes an optional JSON body into v; ok=false when it answered.
func readBody(w http.ResponseWriter, r *http.Request, v any) (present, ok bool) {
	b, err := io.ReadAll(r.Body)
	if err != nil || len(b) == 0 {
		return false, err == nil
	}
	if json.Unmarshal(b, v) != nil {
		fail(w, invalid("body", "validation.json"))
		return true, false
	}
	return true, true
}

func (s *Sandbox) handleChangeStatus(w http.ResponseWriter, r *http.Request) {
	st, rec := s.recordOf(w, r)
	if rec == nil {
		return
	}
	var cancel wire.CancelRequest
	present, ok := readBody(w, r, &cancel)
	if !ok {
		return
	}
	reason := &cancel
	if !present {
		reason = nil
	}
	to := r.PathValue("code")
	if e := st.update(rec.order.ID, func(next *record) *apiError { return move(next, to, reason, true) }); e != nil {
		fail(w, e)
		return
	}
	kit.WriteRaw(w, http.StatusOK, []byte("{}"))
}

func (s *Sandbox) handleShipmentNumber(w http.ResponseWriter, r *http.Request) {
	st, rec := s.recordOf(w, r)
	if rec == nil {
		return
	}
	var body wire.ShipmentNumber
	if _, ok := readBody(w, r, &body); !ok {
		return
	}
	if e := st.update(rec.order.ID, func(next *record) *apiError { return setNumber(next, body.Number) }); e != nil {
		fail(w, e)
		return
	}
	kit.WriteRaw(w, http.StatusOK, []byte("{}"))
}
