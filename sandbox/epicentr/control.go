package epicentr

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
)

// Orders returns the store's orders (copies, oldest first): the truth to
// compare a pipeline's output with. Nil for an unknown store.
func (s *Sandbox) Orders(storeID string) []wire.Order {
	st, err := s.storeByID(storeID)
	if err != nil {
		return nil
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := make([]wire.Order, len(st.recs))
	for i, r := range st.recs {
		out[i] = cloneOrder(r.order)
	}
	return out
}

// Order returns one order of the store.
func (s *Sandbox) Order(storeID, id string) (wire.Order, bool) {
	rec := s.record(storeID, id)
	if rec == nil {
		return wire.Order{}, false
	}
	return cloneOrder(rec.order), true
}

// OrderJSON returns one order exactly as the details call sends it; nil
// when none.
func (s *Sandbox) OrderJSON(storeID, id string) []byte {
	if rec := s.record(storeID, id); rec != nil {
		return append([]byte(nil), rec.detail...)
	}
	return nil
}

// ListJSON returns one order exactly as the order list sends it; nil when
// none.
func (s *Sandbox) ListJSON(storeID, id string) []byte {
	if rec := s.record(storeID, id); rec != nil {
		return append([]byte(nil), rec.json...)
	}
	return nil
}

// CancelReason returns the reason given when the seller cancelled order id.
func (s *Sandbox) CancelReason(storeID, id string) (wire.CancelRequest, bool) {
	if rec := s.record(storeID, id); rec != nil && rec.cancel != nil {
		return *rec.cancel, true
	}
	return wire.CancelRequest{}, false
}

func (s *Sandbox) record(storeID, id string) *record {
	st, err := s.storeByID(storeID)
	if err != nil {
		return nil
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.byID[id]
}

// Offer is a catalog entry as the sandbox holds it.
type Offer struct {
	SKU          string
	OfferID      string
	ProductID    string // the product card
	Title        string
	Category     string
	FromFeed     bool  // the card was made from the seller's feed: lines carry its article as productExternalId
	Price        int64 // kopecks
	Availability string
}

// Offers returns the store's catalog by sku, with every offer update due
// by the clock's now applied.
func (s *Sandbox) Offers(storeID string) []Offer {
	st, err := s.storeByID(storeID)
	if err != nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.settle(s.Clock().Now())
	out := make([]Offer, 0, len(st.skus))
	for _, sku := range st.skus {
		out = append(out, *st.offers[sku])
	}
	return out
}

// change applies fn to order id of a store.
func (s *Sandbox) change(storeID, id string, fn func(*record) *apiError) error {
	st, err := s.storeByID(storeID)
	if err != nil {
		return err
	}
	if e := st.update(id, fn); e != nil {
		return e
	}
	return nil
}

// SetStatus moves an order as the marketplace would: the seller's moves
// and those of carriers, buyers and Epicentr (sent → delivered →
// completed …), under the same rules as the API (a parcel needs its
// shipment number to be sent).
func (s *Sandbox) SetStatus(storeID, id, code string) error {
	return s.change(storeID, id, func(r *record) *apiError { return move(r, code, nil, false) })
}

// Cancel cancels an order as the seller does through the API, with reason.
func (s *Sandbox) Cancel(storeID, id, reasonCode string) error {
	req := &wire.CancelRequest{ReasonCode: reasonCode, TranslationKey: wire.TranslationKey(reasonCode)}
	return s.change(storeID, id, func(r *record) *apiError { return move(r, wire.StatusCanceled, req, true) })
}

// SetShipmentNumber sets the waybill under the API's rules.
func (s *Sandbox) SetShipmentNumber(storeID, id, number string) error {
	return s.change(storeID, id, func(r *record) *apiError { return setNumber(r, number) })
}

// Update edits order id freely (tests: damaged fields, odd values); the id
// cannot change.
func (s *Sandbox) Update(storeID, id string, mutate func(*wire.Order)) error {
	return s.change(storeID, id, func(r *record) *apiError {
		mutate(&r.order)
		return nil
	})
}

// AddOrder creates an order at the clock's now with the next public
// number; mutate (optional) may edit it before it is published. Returns
// its id, "" for an unknown store.
func (s *Sandbox) AddOrder(storeID string, mutate func(*wire.Order)) string {
	st, err := s.storeByID(storeID)
	if err != nil {
		return ""
	}
	now := s.Clock().Now()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.added++
	r := rng(s.seed, st.index, streamAdded, st.added)
	rec := st.genOrder(r, st.number(len(st.byID)), now.Truncate(1e9))
	id := rec.order.ID
	if mutate != nil {
		mutate(&rec.order)
	}
	rec.order.ID = id
	rec.encode()
	st.insert(rec)
	return id
}

// controlRoutes is the HTTP face of the control methods, for tests in other
// processes and for people; no faults, no recording, no auth. The store is
// ?store=store-1.
//
//	POST /_sandbox/stores                  {"token","orders"} → {"store":"store-1"}
//	GET  /_sandbox/orders?store=           → {"orders":[…]} (the truth, oldest first)
//	POST /_sandbox/orders?store=           → {"id":…} (a new order at now)
//	POST /_sandbox/orders/{id}/status?store=  {"status":"sent"} (SetStatus rules)
//	GET  /_sandbox/offers?store=           → {"offers":[…]}
//	and kit.MountControl's faults, requests and clock endpoints.
func (s *Sandbox) controlRoutes() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("POST /_sandbox/stores", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Token  string
			Orders int
		}
		if decode(w, r, &req) {
			kit.WriteJSON(w, http.StatusOK, map[string]string{"store": s.AddStore(req.Token, req.Orders)})
		}
	})
	m.HandleFunc("GET /_sandbox/orders", func(w http.ResponseWriter, r *http.Request) {
		kit.WriteJSON(w, http.StatusOK, map[string][]wire.Order{"orders": s.Orders(r.URL.Query().Get("store"))})
	})
	m.HandleFunc("POST /_sandbox/orders", func(w http.ResponseWriter, r *http.Request) {
		kit.WriteJSON(w, http.StatusOK, map[string]string{"id": s.AddOrder(r.URL.Query().Get("store"), nil)})
	})
	m.HandleFunc("POST /_sandbox/orders/{id}/status", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Status string }
		if !decode(w, r, &req) {
			return
		}
		if err := s.SetStatus(r.URL.Query().Get("store"), r.PathValue("id"), req.Status); err != nil {
			controlError(w, err)
			return
		}
		kit.WriteJSON(w, http.StatusOK, map[string]string{"status": req.Status})
	})
	m.HandleFunc("GET /_sandbox/offers", func(w http.ResponseWriter, r *http.Request) {
		offers := s.Offers(r.URL.Query().Get("store"))
		sort.Slice(offers, func(i, j int) bool { return offers[i].SKU < offers[j].SKU })
		kit.WriteJSON(w, http.StatusOK, map[string][]Offer{"offers": offers})
	})
	kit.MountControl(m, s.Faults(), s.Recorder(), s.Clock(), errorBody)
	return m
}

func controlError(w http.ResponseWriter, err error) {
	var e *apiError
	if errors.As(err, &e) {
		fail(w, e)
		return
	}
	fail(w, refuse(http.StatusNotFound, err.Error()))
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		fail(w, invalid("body", "validation.json"))
		return false
	}
	return true
}
