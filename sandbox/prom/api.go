package prom

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/sandbox/kit"
)

// List limits. The real API documents no maximum; the sandbox
// silently caps at maxLimit, so a client asking for more must still page on.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

func (s *Sandbox) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET "+APIPath+"/orders/list", s.handleList)
	api.HandleFunc("GET "+APIPath+"/orders/{id}", s.handleOrder)
	api.HandleFunc("GET "+APIPath+"/payment_options/list", handleOptions("payment_options", paymentOptions))
	api.HandleFunc("GET "+APIPath+"/delivery_options/list", handleOptions("delivery_options", deliveryOptions))
	api.HandleFunc("GET "+APIPath+"/order_status_options/list", handleStatusOptions)
	api.HandleFunc("POST "+APIPath+"/orders/set_status", s.handleSetStatus)
	api.HandleFunc("POST "+APIPath+"/delivery/save_declaration_id", s.handleSaveDeclaration)
	api.HandleFunc("POST "+APIPath+"/products/edit_by_external_id", s.handleEditByExternalID)
	api.HandleFunc(APIPath+"/", func(w http.ResponseWriter, r *http.Request) {
		kit.WriteError(w, errorBody, http.StatusNotFound, "Not found")
	})
	chain := kit.Guard(&s.base, errorBody, api)

	root := http.NewServeMux()
	root.Handle(APIPath+"/", chain)
	root.Handle("/_sandbox/", s.controlRoutes())
	return root
}

func badParam(w http.ResponseWriter, name, value string) {
	kit.WriteError(w, errorBody, http.StatusBadRequest, fmt.Sprintf("Invalid value of parameter %s: %q", name, value))
}

// parseListQuery reads /orders/list parameters; the second result names a bad one.
func parseListQuery(r *http.Request) (listQuery, string, string) {
	q := newListQuery()
	v := r.URL.Query()
	if st := v.Get("status"); st != "" {
		q.status = wire.NormalizeStatus(st)
		if _, ok := statusLabel(q.status); !ok {
			return q, "status", st
		}
	}
	// Bounds are UTC seconds and inclusive on both sides; the order's time is
	// truncated to the second before comparing.
	for _, b := range []struct {
		name string
		dst  *int64
	}{{"date_from", &q.createdFrom}, {"date_to", &q.createdTo}, {"last_modified_from", &q.modFrom}, {"last_modified_to", &q.modTo}} {
		raw := v.Get(b.name)
		if raw == "" {
			continue
		}
		t, err := time.ParseInLocation(wire.TimeLayout, raw, time.UTC)
		if err != nil {
			return q, b.name, raw
		}
		*b.dst = t.Unix()
	}
	if raw := v.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n <= 0 {
			return q, "limit", raw
		}
		q.limit = min(n, maxLimit)
	}
	if raw := v.Get("last_id"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n <= 0 {
			return q, "last_id", raw
		}
		q.lastID = n
	}
	switch raw := v.Get("sort_dir"); raw {
	case "", "desc":
	case "asc":
		q.asc = true
	default:
		return q, "sort_dir", raw
	}
	return q, "", ""
}

func (s *Sandbox) handleList(w http.ResponseWriter, r *http.Request) {
	q, bad, val := parseListQuery(r)
	if bad != "" {
		badParam(w, bad, val)
		return
	}
	var pf pageFault
	switch kit.FaultFrom(r.Context()) {
	case kit.DuplicatePage:
		pf.duplicate = true
	case kit.ShiftPage:
		pf.shift = kit.ShiftFrom(r.Context())
	}
	writeList(w, s.stores.Of(r).page(q, pf), requestLanguage(r))
}

// writeList streams {"orders":[...]} from cached order JSON, status names
// in lang ("" = as cached).
func writeList(w http.ResponseWriter, orders []*record, lang string) {
	const head, tail = `{"orders":[`, `]}`
	size := len(head) + len(tail) + max(len(orders)-1, 0)
	for _, o := range orders {
		h, l, t := o.localized(lang)
		size += len(h) + len(l) + len(t)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(size))
	w.WriteHeader(http.StatusOK)
	// One large buffer means a few big socket writes per page instead of
	// one per order.
	bw := bufio.NewWriterSize(w, min(size, 256<<10))
	_, _ = bw.WriteString(head)
	for i, o := range orders {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		h, l, t := o.localized(lang)
		_, _ = bw.Write(h)
		_, _ = bw.Write(l)
		_, _ = bw.Write(t)
	}
	_, _ = bw.WriteString(tail)
	_ = bw.Flush()
}

func (s *Sandbox) handleOrder(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		kit.WriteError(w, errorBody, http.StatusNotFound, errNotFound.Error())
		return
	}
	rec, ok := s.stores.Of(r).book.Get(id)
	if !ok {
		kit.WriteError(w, errorBody, http.StatusNotFound, errNotFound.Error())
		return
	}
	writeOrderEnvelope(w, rec, requestLanguage(r))
}

// writeOrderEnvelope sends the same bytes as the list, wrapped as wire.OrderEnvelope.
func writeOrderEnvelope(w http.ResponseWriter, rec *record, lang string) {
	h, l, t := rec.localized(lang)
	body := make([]byte, 0, len(h)+len(l)+len(t)+10)
	body = append(append(append(append(append(body, `{"order":`...), h...), l...), t...), '}')
	kit.WriteRaw(w, http.StatusOK, body)
}

func handleOptions(key string, specs []optionSpec) http.HandlerFunc {
	opts := make([]wire.Option, len(specs))
	for i, o := range specs {
		opts[i] = wire.Option{ID: o.id, Name: o.name, ShippingService: o.service}
	}
	body := kit.MustJSON(map[string][]wire.Option{key: opts})
	return func(w http.ResponseWriter, r *http.Request) { kit.WriteRaw(w, http.StatusOK, body) }
}

// statusOption is one entry of /order_status_options/list as the sandbox
// writes it: {name, title} as two integrations read it, plus the id a
// custom status is set by (custom_status_id).
type statusOption struct {
	ID    int64  `json:"id,omitempty"`
	Name  string `json:"name"`
	Title string `json:"title"`
}

// baseStatuses are the statuses the list names besides the custom ones,
// in the Swagger enum's order.
var baseStatuses = []string{"pending", "received", "delivered", "canceled", "draft", "paid"}

// handleStatusOptions lists the base statuses, named in the answer
// language, and the company's own ones.
func handleStatusOptions(w http.ResponseWriter, r *http.Request) {
	lang := requestLanguage(r)
	opts := make([]statusOption, 0, len(baseStatuses)+len(customStatuses))
	for _, st := range baseStatuses {
		title := statusNames[st]
		if name, ok := localName(st, lang); ok {
			title = name
		}
		opts = append(opts, statusOption{Name: st, Title: title})
	}
	for _, c := range customStatuses {
		opts = append(opts, statusOption{ID: c.id, Name: wire.CustomStatus(strconv.FormatInt(c.id, 10)), Title: c.label})
	}
	kit.WriteJSON(w, http.StatusOK, map[string][]statusOption{"order_status_options": opts})
}

// settable are the statuses a seller may send: the official set (in
// evo-company/company-api-example php/api_php_example.php) and the newer
// loan statuses.
var settable = map[string]bool{
	"pending": true, "received": true, "delivered": true, "canceled": true, "paid": true, "draft": true,
	"waiting_loan_approval": true, "loan_rejected": true, "loan_approved": true,
}

// transitions is the simulator's graph (inferred: Prom publishes none):
// forward through pending→received→delivered, cancel from any non-final state, paid as a
// status, draft only from the cabinet. delivered and canceled are final.
var transitions = map[string]map[string]bool{
	"draft":                 {"pending": true, "received": true, "canceled": true},
	"pending":               {"received": true, "paid": true, "canceled": true, "waiting_loan_approval": true},
	"received":              {"delivered": true, "paid": true, "canceled": true},
	"paid":                  {"received": true, "delivered": true, "canceled": true},
	"waiting_loan_approval": {"loan_approved": true, "loan_rejected": true, "canceled": true},
	"loan_approved":         {"received": true, "paid": true, "delivered": true, "canceled": true},
	"loan_rejected":         {"canceled": true},
}

// fromCustom is where an order in one of the company's own statuses may
// go: on with the order's processing, or back to received (inferred: Prom
// publishes no graph).
var fromCustom = map[string]bool{"received": true, "delivered": true, "paid": true, "canceled": true}

// canMove tells whether an order in status from may be set to status to by
// the API; a custom status can be set from any status that is not final.
func canMove(from, to string) bool {
	_, fromCustomStatus := wire.CustomStatusID(from)
	_, toCustomStatus := wire.CustomStatusID(to)
	switch {
	case from == to:
		return true
	case toCustomStatus:
		return from != "delivered" && from != "canceled"
	case fromCustomStatus:
		return fromCustom[to]
	}
	return transitions[from][to]
}

// validateSetStatus applies set_status's request rules (reason only with
// canceled, a text for three reasons, as in
// evo-company/company-api-example php/api_php_example.php); an error is a 400.
func validateSetStatus(req *wire.SetStatusRequest) error {
	if len(req.IDs) == 0 {
		return fmt.Errorf("ids must not be empty")
	}
	req.Status = wire.NormalizeStatus(req.Status)
	if req.CustomStatusID != 0 {
		if req.Status != "" {
			return fmt.Errorf("send either status or custom_status_id")
		}
		return nil
	}
	if !settable[req.Status] {
		return fmt.Errorf("invalid status %q", req.Status)
	}
	if req.Status != "canceled" {
		if req.CancellationReason != "" {
			return fmt.Errorf("cancellation_reason is only allowed with status canceled")
		}
		return nil
	}
	if _, ok := cancellationReasons[req.CancellationReason]; !ok {
		return fmt.Errorf("invalid cancellation_reason %q", req.CancellationReason)
	}
	if wire.CancellationReasons[req.CancellationReason] && strings.TrimSpace(req.CancellationText) == "" {
		return fmt.Errorf("cancellation_text is required for reason %s", req.CancellationReason)
	}
	return nil
}

func (s *Sandbox) handleSetStatus(w http.ResponseWriter, r *http.Request) {
	var req wire.SetStatusRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		kit.WriteError(w, errorBody, http.StatusBadRequest, "Invalid JSON body")
		return
	}
	if err := validateSetStatus(&req); err != nil {
		kit.WriteError(w, errorBody, http.StatusBadRequest, err.Error())
		return
	}
	st := s.stores.Of(r)
	now := s.Clock().Now()
	s.flushStalled(st, now)
	// An id that cannot change stays unprocessed, and Prom still answers
	// 200; errors says why, by id.
	resp := wire.SetStatusResponse{ProcessedIDs: []int64{}, NotProcessedIDs: []int64{}, Errors: map[string]wire.Message{}}
	for _, id := range req.IDs {
		err := st.update(id, now, func(rec *record) error {
			target := req.Status
			if req.CustomStatusID != 0 {
				// Orders then carry the custom status itself (custom-<id>), as
				// real orders do, with the company's label as status_name.
				target = wire.CustomStatus(strconv.FormatInt(req.CustomStatusID, 10))
				if _, ok := statusLabel(target); !ok {
					return fmt.Errorf("unknown custom_status_id %d", req.CustomStatusID)
				}
			}
			if !canMove(rec.order.Status, target) {
				return fmt.Errorf("status %s cannot change to %s", rec.order.Status, target)
			}
			applyStatus(&rec.order, target, req.CancellationReason, req.CancellationText)
			return nil
		})
		if err != nil {
			resp.NotProcessedIDs = append(resp.NotProcessedIDs, id)
			resp.Errors[strconv.FormatInt(id, 10)] = wire.Message(err.Error())
			continue
		}
		resp.ProcessedIDs = append(resp.ProcessedIDs, id)
	}
	kit.WriteJSON(w, http.StatusOK, resp)
}

// applyStatus sets status, its label and the cancellation block.
func applyStatus(o *wire.Order, status, reason, text string) {
	o.Status = status
	o.StatusName, _ = statusLabel(status)
	if status != "canceled" {
		o.Cancellation = nil
		return
	}
	title := cancellationReasons[reason]
	if text != "" {
		title = text
	}
	if title == "" {
		title = cancellationReasons["another"]
	}
	o.Cancellation = &wire.Cancellation{Title: title, Initiator: "seller"}
}

// validDeliveryType: the carriers of wire.DeliveryTypes, and mist_express,
// which some clients also send.
func validDeliveryType(t string) bool {
	return slices.Contains(wire.DeliveryTypes, t) || t == "mist_express"
}

func validTTN(s string) bool {
	if len(s) < 8 || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// Answers of save_declaration_id. A repeat with the waybill the order
// already has is refused in these words (live-verified by the integration
// with attach_prom_declaration_id); input errors also come as HTTP 200 with
// "status":"error" (same source), not as 4xx.
const msgDeclarationAlreadyAdded = "Этот ЭН уже добавлен к данному заказу"

func declarationError(w http.ResponseWriter, msg string) {
	kit.WriteJSON(w, http.StatusOK, wire.StatusResponse{Status: "error", ErrorBody: wire.ErrorBody{Message: msg}})
}

func (s *Sandbox) handleSaveDeclaration(w http.ResponseWriter, r *http.Request) {
	var req wire.SaveDeclarationRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		kit.WriteError(w, errorBody, http.StatusBadRequest, "Invalid JSON body")
		return
	}
	switch {
	case req.OrderID <= 0:
		declarationError(w, "order_id is required")
		return
	case !validTTN(req.DeclarationID):
		declarationError(w, fmt.Sprintf("invalid declaration_id %q", req.DeclarationID))
		return
	case !validDeliveryType(req.DeliveryType):
		declarationError(w, fmt.Sprintf("invalid delivery_type %q", req.DeliveryType))
		return
	}
	st := s.stores.Of(r)
	now := s.Clock().Now()
	s.flushStalled(st, now)
	if s.stall(st, req) {
		// The request is queued behind Prom's and gets no answer before
		// the client gives up; it takes effect just before the store's
		// next write (see StallDeclarations).
		select {
		case <-r.Context().Done():
		case <-time.After(stallWait):
			kit.WriteError(w, errorBody, http.StatusGatewayTimeout, "Gateway Timeout")
		}
		return
	}
	already := false
	err := st.update(req.OrderID, now, func(rec *record) error {
		if p := rec.order.DeliveryProviderData; p != nil && p.DeclarationNumber == req.DeclarationID {
			already = true
			return errAlreadyAdded
		}
		applyTTN(&rec.order, req.DeclarationID, req.DeliveryType)
		return nil
	})
	switch {
	case already:
		declarationError(w, msgDeclarationAlreadyAdded)
	case err != nil:
		kit.WriteError(w, errorBody, http.StatusNotFound, err.Error())
	default:
		kit.WriteJSON(w, http.StatusOK, wire.StatusResponse{Status: "success"})
	}
}

// errAlreadyAdded leaves an order untouched when it has the waybill already.
var errAlreadyAdded = errors.New(msgDeclarationAlreadyAdded)

// applyTTN fills declaration_number, creating provider data when the order
// had none (provider from the request, else the delivery option, else Nova Poshta).
func applyTTN(o *wire.Order, ttn, provider string) {
	if o.DeliveryProviderData == nil {
		if provider == "" && o.DeliveryOption != nil {
			provider = o.DeliveryOption.ShippingService
		}
		if provider == "" {
			provider = "nova_poshta"
		}
		o.DeliveryProviderData = &wire.DeliveryProvider{Provider: provider}
	}
	o.DeliveryProviderData.DeclarationNumber = ttn
}
