package horoshop

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	wire "github.com/kramar/kramar/extractors/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
)

// Messages of refusals.
const (
	msgNotFound  = "Order not found"
	msgCancelled = "Order is cancelled and can not be edited"
	msgBadStatus = "status is not defined or defined incorrectly"
)

func answer(w http.ResponseWriter, status string, response any) {
	kit.WriteRaw(w, http.StatusOK, envelope(status, response))
}

func fail(w http.ResponseWriter, msg string) {
	answer(w, wire.StatusError, wire.Message{Message: msg})
}

// decodeParam reads one body parameter into v; absent is fine.
func decodeParam(r *http.Request, name string, v any) bool {
	raw, ok := params(r)[name]
	return !ok || json.Unmarshal(raw, v) == nil
}

// requiredList reads body parameter name, which the write endpoints need as
// a non-empty array; otherwise it answers the shop's error and reports false.
func requiredList[T any](w http.ResponseWriter, r *http.Request, name string) ([]T, bool) {
	var list []T
	if !decodeParam(r, name, &list) || len(list) == 0 {
		fail(w, "Parameter "+name+" is required and must be a non-empty array")
		return nil, false
	}
	return list, true
}

// parseFilterDate reads from/to in the four forms the wiki's orders/get
// page documents
// (https://horoshop.atlassian.net/wiki/pages/viewpage.action?pageId=3822321668);
// a bare date as `to` means the whole day.
func parseFilterDate(s string, upper bool) (int64, bool) {
	for _, layout := range []string{wire.TimeLayout, "02.01.2006 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.Unix(), true
		}
	}
	for _, layout := range []string{"2006-01-02", "02.01.2006"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			if upper {
				t = t.Add(24*time.Hour - time.Second)
			}
			return t.Unix(), true
		}
	}
	return 0, false
}

// pageWindow cuts [offset, offset+limit) out of n records, honouring the
// page faults: a duplicate page is the previous page again, a shifted one
// starts a few records early. Offset without limit is ignored (the
// orders/get page: offset works only together with limit).
func pageWindow(r *http.Request, n, offset, limit int) (start, end int) {
	if limit <= 0 {
		return 0, n
	}
	switch kit.FaultFrom(r.Context()) {
	case kit.DuplicatePage:
		offset = max(offset-limit, 0)
	case kit.ShiftPage:
		start = kit.ShiftFrom(r.Context())
	}
	end = min(offset+limit, n)
	return min(max(offset-start, 0), end), end
}

func (s *Sandbox) handleOrdersGet(w http.ResponseWriter, r *http.Request) {
	var (
		from, to      string
		ids           []int64
		statuses      wire.IntList
		additional    wire.Flag
		offset, limit int
		fromAt, toAt  = int64(-1 << 62), int64(1 << 62)
	)
	for _, p := range []struct {
		name string
		v    any
	}{{"from", &from}, {"to", &to}, {"ids", &ids}, {"status", &statuses}, {"additionalData", &additional}, {"offset", &offset}, {"limit", &limit}} {
		if !decodeParam(r, p.name, p.v) {
			fail(w, "Parameter "+p.name+" is incorrect")
			return
		}
	}
	for _, d := range []struct {
		name, v string
		at      *int64
	}{{"from", from, &fromAt}, {"to", to, &toAt}} {
		if d.v == "" {
			continue
		}
		t, ok := parseFilterDate(d.v, d.name == "to")
		if !ok {
			fail(w, "Parameter "+d.name+" has an incorrect date format")
			return
		}
		*d.at = t
	}
	if offset < 0 || limit < 0 {
		fail(w, "Parameters offset and limit must not be negative")
		return
	}
	st := s.stores.Of(r)
	matched := st.book.Filter(func(rec *record) bool {
		return rec.created >= fromAt && rec.created <= toAt &&
			(len(ids) == 0 || slices.Contains(ids, rec.order.OrderID)) && (len(statuses) == 0 || slices.Contains(statuses, rec.order.StatStatus))
	})
	start, end := pageWindow(r, len(matched), offset, limit)
	if start >= end {
		answer(w, wire.StatusEmpty, []any{}) // PHP's empty array, not an object
		return
	}
	buf := append(make([]byte, 0, 2048*(end-start)), `{"status":"OK","response":{"orders":[`...)
	for i, rec := range matched[start:end] {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, encodeOrder(rec.order, bool(additional))...)
	}
	kit.WriteRaw(w, http.StatusOK, append(buf, "]}}"...))
}

// updateEntry is one element of orders/update's orders[]; pointers tell
// an absent key from a zero.
type updateEntry struct {
	OrderID      int64        `json:"order_id"`
	Status       *int         `json:"status"`
	Paid         *json.Number `json:"paid"`
	Payed        *json.Number `json:"payed"`
	TrackingCode *string      `json:"tracking_code"`
}

func (s *Sandbox) handleOrdersUpdate(w http.ResponseWriter, r *http.Request) {
	entries, read := requiredList[updateEntry](w, r, "orders")
	if !read {
		return
	}
	st := s.stores.Of(r)
	logs := make([]wire.UpdateLog, len(entries))
	ok := 0
	for i, e := range entries {
		msg := s.applyUpdate(st, e)
		logs[i] = wire.UpdateLog{OrderID: e.OrderID, Status: wire.StatusOK, LogMessage: wire.LogMessage{Message: "UPDATED"}}
		if msg != "" {
			logs[i].Status, logs[i].Message = wire.StatusError, msg
		} else {
			ok++
		}
	}
	status := wire.StatusOK
	if ok < len(entries) {
		status = wire.StatusWarning
	}
	answer(w, status, wire.UpdateResponse{Log: logs})
}

// applyUpdate enforces orders/update's rules (wiki "Updating Orders",
// https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183321) and
// returns a refusal message, or "" when the order changed.
func (s *Sandbox) applyUpdate(st *store, e updateEntry) string {
	if e.OrderID <= 0 {
		return "order_id is not defined"
	}
	paid, msg := paidFlag(e.Paid, e.Payed)
	if msg != "" {
		return msg
	}
	if e.Status == nil && paid == nil && e.TrackingCode == nil {
		return "Nothing to update"
	}
	st.mu.RLock()
	_, known := st.statuses[derefInt(e.Status)]
	st.mu.RUnlock()
	if e.Status != nil && !known {
		return msgBadStatus
	}
	return st.update(e.OrderID, func(o *wire.Order) string {
		if o.StatStatus == stCancelled {
			return msgCancelled // a cancelled order's editor is locked for good
		}
		// Status 4 here only sets the status: the ordered goods stay
		// deducted; only the admin's cancel with return_quantity=1 gives
		// them back (measured, IgorShutko/horoshop-mcp
		// docs/tools/orders-public-api.md; CancelInAdmin).
		if e.Status != nil {
			o.StatStatus = *e.Status
		}
		if paid != nil {
			o.Payed = wire.Flag(*paid)
		}
		// tracking_code is the UkrPoshta code shown in the buyer's profile
		// (wiki "Updating Orders",
		// https://horoshop.atlassian.net/wiki/spaces/DOCS/pages/3693183321).
		// It does not become delivery_data.tnNumber, which only Horoshop's
		// own Nova Poshta integration fills, and orders/get does not return it.
		if e.TrackingCode != nil {
			st.mu.Lock()
			st.tracking[o.OrderID] = strings.TrimSpace(*e.TrackingCode)
			st.mu.Unlock()
		}
		return ""
	})
}

// paidFlag reads paid or payed (both are accepted: the "Updating Orders"
// page says paid, ecomkit-com-ua/horoshop-mcp src/tools/orders.ts sends
// payed): 0 or 1, and the same value when both are sent.
func paidFlag(paid, payed *json.Number) (*bool, string) {
	var out *bool
	for _, n := range []*json.Number{paid, payed} {
		if n == nil {
			continue
		}
		var v bool
		switch n.String() {
		case "1":
			v = true
		case "0":
		default:
			return nil, "paid must be 0 or 1"
		}
		if out != nil && *out != v {
			return nil, "paid and payed differ"
		}
		out = &v
	}
	return out, ""
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// setTTN writes a waybill into delivery_data, creating the block if needed.
func setTTN(o *wire.Order, ttn string) {
	if o.DeliveryData == nil {
		o.DeliveryData = &wire.DeliveryData{}
	}
	if ttn == "" {
		o.DeliveryData.TNNumber = nil
		return
	}
	t := wire.Text(ttn)
	o.DeliveryData.TNNumber = &t
}

func (s *Sandbox) handleStatuses(w http.ResponseWriter, r *http.Request) {
	st := s.stores.Of(r)
	st.mu.RLock()
	list := wire.StatusList{Statuses: make(map[string]wire.OrderStatus, len(st.statuses))}
	for id, v := range st.statuses {
		list.Statuses[strconv.Itoa(id)] = v
	}
	st.mu.RUnlock()
	answer(w, wire.StatusOK, list)
}

func (s *Sandbox) handleCatalogExport(w http.ResponseWriter, r *http.Request) {
	var (
		expr          *wire.CatalogExpr
		offset, limit = 0, wire.CatalogPageMax
	)
	if !decodeParam(r, "expr", &expr) {
		answer(w, wire.StatusException, wire.Message{Message: "Parameter expr is incorrect"})
		return
	}
	if !decodeParam(r, "offset", &offset) || !decodeParam(r, "limit", &limit) || offset < 0 || limit < 0 {
		answer(w, wire.StatusException, wire.Message{Message: "Parameters offset and limit must be non-negative integers"})
		return
	}
	// More is silently cut to 500, and limit 0 returns nothing, not
	// everything (measured, IgorShutko/horoshop-mcp
	// docs/tools/catalog-public-api.md).
	limit = min(limit, wire.CatalogPageMax)
	st := s.stores.Of(r)
	st.mu.RLock()
	var matched []wire.CatalogProduct
	for _, p := range st.products {
		if expr != nil && !exprMatches(expr, p) {
			continue
		}
		matched = append(matched, p)
	}
	st.mu.RUnlock()
	out := []wire.CatalogProduct{}
	if limit > 0 {
		start, end := pageWindow(r, len(matched), offset, limit)
		if start < end {
			out = matched[start:end]
		}
	}
	var included []string
	if !decodeParam(r, "includedParams", &included) {
		answer(w, wire.StatusException, wire.Message{Message: "Parameter includedParams is incorrect"})
		return
	}
	if len(included) == 0 {
		answer(w, wire.StatusOK, map[string]any{"products": out})
		return
	}
	answer(w, wire.StatusOK, map[string]any{"products": onlyFields(out, included)})
}

// onlyFields keeps the asked fields of each product, and article,
// parent_article and parent, which the shop returns whatever is asked;
// unknown names are ignored (IgorShutko/horoshop-mcp
// docs/tools/catalog-public-api.md).
func onlyFields(products []wire.CatalogProduct, fields []string) []map[string]json.RawMessage {
	keep := map[string]bool{"article": true, "parent_article": true, "parent": true}
	for _, f := range fields {
		keep[f] = true
	}
	out := make([]map[string]json.RawMessage, len(products))
	for i, p := range products {
		var m map[string]json.RawMessage
		_ = json.Unmarshal(kit.MustJSON(p), &m)
		for k := range m {
			if !keep[k] {
				delete(m, k)
			}
		}
		out[i] = m
	}
	return out
}

// exprMatches applies catalog/export's filter: article (one or several)
// and display_in_showcase.
func exprMatches(e *wire.CatalogExpr, p wire.CatalogProduct) bool {
	if len(e.Article) > 0 {
		found := false
		for _, a := range e.Article {
			found = found || a == p.Article
		}
		if !found {
			return false
		}
	}
	return e.DisplayInShowcase == nil || (*e.DisplayInShowcase == 1) == bool(p.DisplayInShowcase)
}
