package rozetka

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/transforms/timeconv"
)

// Page sizes. Orders and the reference searches answer 20 a page, as the
// apidoc examples show (perPage 20 in GERA-OneTeam/Rozetka-API-Seller
// docs/categories/orders.md L1615); no page-size parameter is documented
// for them. Goods take pageSize: default 100 (the apidoc example), at most
// 1000, and 0 means everything on one page, as other searches document it
// (deliverymanagement.md L52).
const (
	perPage         = 20
	goodsPerPage    = 100
	goodsMaxPerPage = 1000
)

func (s *Sandbox) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /orders/search", s.handleSearch)
	api.HandleFunc("GET /orders/{id}", s.handleOrder)
	api.HandleFunc("PUT /orders/{id}", s.handleUpdate)
	api.HandleFunc("POST /orders/approve-ff-order/{id}", s.handleApproveFF)
	api.HandleFunc("GET /order-statuses/search", serveList("orderStatus", statusTable))
	api.HandleFunc("GET /status-availables/search", serveList("statusAvailables", statusEdges))
	api.HandleFunc("GET /delivery-services/search", serveList("deliveryServices", deliveryServiceList()))
	api.HandleFunc("GET /market-payment-methods/list", servePaymentMethods)
	api.HandleFunc("GET /goods/all", s.handleGoods)
	api.HandleFunc("PUT /items/mass-update", s.handleMassUpdate)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		kit.WriteError(w, errorBody, http.StatusNotFound, "not found")
	})
	s.Recorder().HideBodies("/sites")
	authed := kit.Guard(&s.base, errorBody, api)
	root := http.NewServeMux()
	root.Handle("POST /sites", s.Recorder().Wrap(s.Faults().Wrap(http.HandlerFunc(s.handleLogin))))
	root.Handle("/_sandbox/", s.controlRoutes())
	root.Handle("/", authed)
	return root
}

// fail sends {"success":false,"errors":e} with HTTP 200, as Rozetka does
// for business errors.
func fail(w http.ResponseWriter, e *wire.Error) {
	kit.WriteRaw(w, http.StatusOK, kit.MustJSON(wire.Envelope{Success: false, Errors: e}))
}

func errEntityNotFound() *wire.Error {
	return &wire.Error{Message: "entity_not_found", Code: wire.CodeNotFound}
}

func errRequired(field string) *wire.Error {
	return &wire.Error{Message: "required_parameter", Code: wire.CodeRequiredParameter, Details: kit.MustJSON(field)}
}

func errBadFormat(field string) *wire.Error {
	return &wire.Error{Message: "incorrect_data_format", Code: 1002, Details: kit.MustJSON(field)}
}

func errCheckData(description string) *wire.Error {
	return &wire.Error{Message: "check_correctness_of_data", Code: wire.CodeCheckData, Description: description}
}

// succeed wraps already-encoded content in the success envelope.
func succeed(w http.ResponseWriter, content []byte) {
	body := make([]byte, 0, len(content)+32)
	body = append(body, `{"success":true,"content":`...)
	body = append(body, content...)
	kit.WriteRaw(w, http.StatusOK, append(body, '}'))
}

// decodeBase64 reads the login password; anything that is not Base64
// yields "" and so never matches: a plain password gets 1004.
func decodeBase64(s string) string {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return "\x00invalid"
	}
	return string(b)
}

func (s *Sandbox) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req wire.LoginRequest
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		req.Username, req.Password = r.PostFormValue("username"), r.PostFormValue("password")
	} else if json.NewDecoder(r.Body).Decode(&req) != nil {
		fail(w, errBadFormat("body"))
		return
	}
	st, token, e := s.login(req.Username, req.Password)
	if e != nil {
		fail(w, e)
		return
	}
	succeed(w, kit.MustJSON(wire.Login{
		ID: int64(90_000 + st.index), AccessToken: token,
		Permissions: []string{"order_edit", "correspondence"}, Roles: []string{"default_owner"},
		Seller: &wire.Seller{FIO: "Власник " + st.username, Email: st.username + "@example.com"},
		Market: &st.market, Lang: "uk",
	}))
}

// searchQuery is a parsed /orders/search.
type searchQuery struct {
	createdFrom, createdTo int64
	changedFrom, changedTo int64
	status                 int
	types                  int
	fulfillment            int // -1 any, 0 no, 1 yes
	id                     int64
	page                   int
	desc                   bool
	expand                 expandSet
}

// delivering are the statuses of types=5 (on the way or waiting for the buyer).
var delivering = map[int]bool{3: true, 4: true, 5: true, 57: true, 58: true, 59: true, 60: true, 61: true, 62: true, 63: true,
	64: true, 65: true, 66: true, 67: true, 69: true, 73: true, 76: true, 78: true}

func (q *searchQuery) match(r *record) bool {
	o := &r.order
	if r.created < q.createdFrom || r.created > q.createdTo || r.changed < q.changedFrom || r.changed > q.changedTo {
		return false
	}
	if (q.status != 0 && o.Status != q.status) || (q.id != 0 && o.ID != q.id) {
		return false
	}
	if q.fulfillment >= 0 && bool(o.IsFulfillment) != (q.fulfillment == 1) {
		return false
	}
	switch q.types {
	case 2:
		return o.StatusGroup == 1
	case 3:
		return o.StatusGroup == 2
	case 4:
		return o.Status == stNew || o.Status == 52
	case 5:
		return delivering[o.Status]
	case 6:
		return o.StatusGroup == 3
	}
	return true
}

// parseDate reads a filter date, "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" in
// Kyiv local time; a bare date as an upper bound means the whole day.
func parseDate(v string, upper bool) (int64, bool) {
	if t, ok := wallSeconds(v); ok {
		return t, true
	}
	t, err := time.ParseInLocation("2006-01-02", v, time.UTC)
	if err != nil {
		return 0, false
	}
	if upper {
		t = t.Add(24*time.Hour - time.Second)
	}
	return t.Unix(), true
}

// parseSearch reads the filters; the string names a bad parameter.
func parseSearch(r *http.Request) (searchQuery, string) {
	v := r.URL.Query()
	q := searchQuery{createdFrom: minInt, createdTo: maxInt, changedFrom: minInt, changedTo: maxInt, fulfillment: -1, page: 1}
	for _, d := range []struct {
		name  string
		dst   *int64
		upper bool
	}{{"created_from", &q.createdFrom, false}, {"created_to", &q.createdTo, true}, {"changed_from", &q.changedFrom, false}, {"changed_to", &q.changedTo, true}} {
		if raw := v.Get(d.name); raw != "" {
			t, ok := parseDate(raw, d.upper)
			if !ok {
				return q, d.name
			}
			*d.dst = t
		}
	}
	for _, n := range []struct {
		name     string
		dst      *int
		min, max int
	}{{"status", &q.status, 1, 1000}, {"types", &q.types, 1, 6}, {"is_fulfillment", &q.fulfillment, 0, 1}, {"page", &q.page, 1, 1 << 30}} {
		if raw := v.Get(n.name); raw != "" {
			x, err := strconv.Atoi(raw)
			if err != nil || x < n.min || x > n.max {
				return q, n.name
			}
			*n.dst = x
		}
	}
	if raw := v.Get("id"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return q, "id"
		}
		q.id = id
	}
	switch sortBy := strings.TrimPrefix(v.Get("sort"), "+"); sortBy {
	case "", "id", "asc":
	case "-id", "desc":
		q.desc = true
	default:
		return q, "sort"
	}
	q.expand = parseExpand(v.Get("expand"))
	return q, ""
}

const (
	minInt = -1 << 62
	maxInt = 1 << 62
)

func (s *Sandbox) handleSearch(w http.ResponseWriter, r *http.Request) {
	q, bad := parseSearch(r)
	if bad != "" {
		// Without Accept-Validate-Exception bad filters give an empty list
		// (orders.md L1460).
		if r.Header.Get("Accept-Validate-Exception") == "1" {
			fail(w, errBadFormat(bad))
			return
		}
		writeSearch(w, nil, wire.Meta{CurrentPage: q.page, PerPage: perPage}, q.expand)
		return
	}
	st := s.stores.Of(r)
	matched := st.book.Filter(q.match)
	if q.desc {
		sort.Slice(matched, func(i, j int) bool { return matched[i].order.ID > matched[j].order.ID })
	}
	page, extra := q.page, 0
	switch kit.FaultFrom(r.Context()) {
	case kit.DuplicatePage: // the previous page again, as a stale cache would answer
		page = max(page-1, 1)
	case kit.ShiftPage: // a few earlier orders first, then the whole page: overlap, never a gap
		extra = kit.ShiftFrom(r.Context())
	}
	start := min((page-1)*perPage, len(matched))
	end := min(start+perPage, len(matched))
	served := matched[max(start-extra, 0):end]
	meta := wire.Meta{TotalCount: len(matched), PageCount: (len(matched) + perPage - 1) / perPage, CurrentPage: page, PerPage: perPage}
	writeSearch(w, served, meta, q.expand)
	if q.page == 1 {
		s.shiftAfterFirstPage(st, matched[start:end])
	}
}

// shiftAfterFirstPage carries out an armed ShiftDuringPull.
func (s *Sandbox) shiftAfterFirstPage(st *store, page []*record) {
	st.mu.Lock()
	n := min(st.shiftArm, len(page))
	st.shiftArm = 0
	st.mu.Unlock()
	now := s.Clock().Now()
	for _, rec := range page[:n] {
		st.update(rec.order.ID, now, func(*record) *wire.Error { return nil })
	}
}

func writeSearch(w http.ResponseWriter, recs []*record, meta wire.Meta, e expandSet) {
	buf := make([]byte, 0, 4096*max(len(recs), 1))
	buf = append(buf, `{"success":true,"content":{"orders":[`...)
	for i, rec := range recs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = rec.appendJSON(buf, e)
	}
	buf = append(buf, `],"_meta":`...)
	buf = append(buf, kit.MustJSON(meta)...)
	kit.WriteRaw(w, http.StatusOK, append(buf, "}}"...))
}

// orderOfRequest resolves {id} to a record, answering 1019 itself when none.
func (s *Sandbox) orderOfRequest(w http.ResponseWriter, r *http.Request) (*store, int64, bool) {
	st := s.stores.Of(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if _, found := st.book.Get(id); err == nil && found {
		return st, id, true
	}
	fail(w, errEntityNotFound())
	return nil, 0, false
}

// writeOrder answers one order with the request's expand.
func writeOrder(w http.ResponseWriter, r *http.Request, st *store, id int64) {
	rec, _ := st.book.Get(id)
	succeed(w, rec.appendJSON(nil, parseExpand(r.URL.Query().Get("expand"))))
}

func (s *Sandbox) handleOrder(w http.ResponseWriter, r *http.Request) {
	if st, id, ok := s.orderOfRequest(w, r); ok {
		writeOrder(w, r, st, id)
	}
}

func (s *Sandbox) handleUpdate(w http.ResponseWriter, r *http.Request) {
	st, id, ok := s.orderOfRequest(w, r)
	if !ok {
		return
	}
	var u wire.UpdateOrder
	if json.NewDecoder(r.Body).Decode(&u) != nil {
		fail(w, errBadFormat("body"))
		return
	}
	now := s.Clock().Now()
	if e := st.update(id, now, func(rec *record) *wire.Error { return applyUpdate(rec, u, now) }); e != nil {
		fail(w, e)
		return
	}
	writeOrder(w, r, st, id)
}

// applyUpdate enforces PUT /orders/{id}'s rules (orders.md L3934-3937) on a
// copy of an order:
//   - status is required (1001 required_parameter);
//   - ttn is required with 3 and 61 (1001) — in the body, as the apidoc
//     puts it, even when the order already carries one;
//   - the requested status must be the current one or an edge of the
//     transition graph from it. The real code of a refused transition is
//     not documented; 1005 check_correctness_of_data and 1010
//     access_denied (aboutapi.md) are the likely ones, and 1010 reads as a
//     missing permission, so the sandbox answers 1005;
//   - a ttn with 2 lands the order in 61 (the requested 2 is what the
//     graph is asked about);
//   - the ttn sent is stored on the order.
func applyUpdate(rec *record, u wire.UpdateOrder, now time.Time) *wire.Error {
	o := &rec.order
	if u.Status == 0 {
		return errRequired("status")
	}
	if _, ok := statusByID[u.Status]; !ok {
		return errCheckData(fmt.Sprintf("Невідомий статус %d", u.Status))
	}
	ttn := strings.TrimSpace(u.TTN)
	if (u.Status == stShipped || u.Status == stHandover) && ttn == "" {
		return errRequired("ttn")
	}
	if u.Status == stRepeat && u.DuplicateOrderID == 0 {
		return errRequired("duplicate_order_id")
	}
	if u.Status != o.Status && !allowed(o.Status, u.Status, 0) {
		return errCheckData(fmt.Sprintf("Перехід зі статусу %d у статус %d недоступний", o.Status, u.Status))
	}
	to := u.Status
	if to == stPacking && ttn != "" {
		to = stHandover // a TTN with 2 lands in 61 (orders.md L3936)
	}
	st := statusByID[to]
	o.Status, o.StatusGroup, o.StatusData = to, st.StatusGroup, statusData(st)
	if ttn != "" {
		o.TTN = wire.NullString(ttn)
	}
	if c := strings.TrimSpace(u.SellerComment); c != "" {
		o.SellerComment = append(o.SellerComment, wire.SellerNote{Comment: c, Created: timeconv.FormatKyiv(now, wire.TimeLayout), SellerID: 12345, SellerFIO: "Менеджер магазину"})
	}
	if to != stNew && to != stManager {
		o.FFCanApprove = false
	}
	return nil
}

func (s *Sandbox) handleApproveFF(w http.ResponseWriter, r *http.Request) {
	st, id, ok := s.orderOfRequest(w, r)
	if !ok {
		return
	}
	e := st.update(id, s.Clock().Now(), func(rec *record) *wire.Error {
		if !rec.order.IsFulfillment || !rec.order.FFCanApprove {
			return errCheckData("Замовлення не можна підтвердити")
		}
		rec.order.FFCanApprove = false
		return nil
	})
	if e != nil {
		fail(w, e)
		return
	}
	writeOrder(w, r, st, id)
}

// serveList pages a fixed reference list, 20 a page, under key.
func serveList[T any](key string, entries []T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil || page < 1 {
			page = 1
		}
		start := min((page-1)*perPage, len(entries))
		end := min(start+perPage, len(entries))
		meta := wire.Meta{TotalCount: len(entries), PageCount: (len(entries) + perPage - 1) / perPage, CurrentPage: page, PerPage: perPage}
		succeed(w, kit.MustJSON(map[string]any{key: entries[start:end], "_meta": meta}))
	}
}

func deliveryServiceList() []wire.DeliveryService {
	out := make([]wire.DeliveryService, len(deliveryServices))
	for i, d := range deliveryServices {
		out[i] = wire.DeliveryService{ID: d.id, Name: d.name, Status: 1, Type: 0, MdmID: wire.NullString(d.mdm), CanUse: true, IsDefault: i == 0}
	}
	return out
}

// servePaymentMethods is GET /market-payment-methods/list: the list whole,
// under payment_methods, without _meta (marketpaymentmethods.md L129-227).
func servePaymentMethods(w http.ResponseWriter, r *http.Request) {
	succeed(w, kit.MustJSON(map[string]any{"payment_methods": paymentMethodList()}))
}

// paymentMethodJSON is a MarketPaymentMethod as the list sends it:
// description and legal_person may be null.
type paymentMethodJSON struct {
	wire.PaymentMethod
	Description *string `json:"description"`
}

func paymentMethodList() []paymentMethodJSON {
	out := make([]paymentMethodJSON, len(paymentMethods))
	for i, p := range paymentMethods {
		m := wire.PaymentMethod{ID: p.id, Name: p.name, Status: 1, HasActiveDC: true, IsAutoHold: p.typ == "card"}
		if p.legalPerson != "" {
			m.LegalPerson = &wire.LegalPerson{ID: int64(i + 1), FullName: p.legalPerson, Status: "activated", StatusTitle: "Активний"}
			m.MustHasKeys, m.HasKeys = true, true
		}
		out[i].PaymentMethod = m
		if p.description != "" {
			d := p.description
			out[i].Description = &d
		}
	}
	return out
}

func (s *Sandbox) handleGoods(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	page, size := 1, goodsPerPage
	if p, err := strconv.Atoi(v.Get("page")); err == nil && p > 0 {
		page = p
	}
	if raw := v.Get("pageSize"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			fail(w, errBadFormat("pageSize"))
			return
		}
		size = min(n, goodsMaxPerPage)
	}
	st := s.stores.Of(r)
	st.mu.RLock()
	all := st.goodsJSON
	if raw := v.Get("rz_item_id"); raw != "" {
		// One item by its id (apiitems.md L178); none when the store has not got it.
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			st.mu.RUnlock()
			fail(w, errBadFormat("rz_item_id"))
			return
		}
		all = nil
		if i, ok := st.goodsAt[id]; ok {
			all = st.goodsJSON[i : i+1]
		}
	}
	st.mu.RUnlock()
	if size == 0 {
		size = max(len(all), 1)
	}
	start := min((page-1)*size, len(all))
	end := min(start+size, len(all))
	pages := (len(all) + size - 1) / size
	buf := make([]byte, 0, 1024*(end-start+1))
	buf = append(buf, `{"success":true,"content":{"count":`...)
	buf = strconv.AppendInt(buf, int64(len(all)), 10)
	buf = append(buf, `,"items":[`...)
	for i, g := range all[start:end] {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, g...)
	}
	buf = append(buf, `],"_meta":`...)
	buf = append(buf, kit.MustJSON(wire.Meta{TotalCount: len(all), PageCount: pages, CurrentPage: page, PerPage: size})...)
	kit.WriteRaw(w, http.StatusOK, append(buf, "}}"...))
}
