package epicentr

import (
	"errors"
	"net/http"
	"sort"
	"time"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/fake"
)

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
	st, _ := s.stores.Get(storeID)
	if st == nil {
		return nil
	}
	rec, _ := st.book.Get(id)
	return rec
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
	st, err := s.stores.Lookup(storeID)
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
	st, err := s.stores.Lookup(storeID)
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
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return ""
	}
	now := s.Clock().Now().Truncate(time.Second)
	st.mu.RLock() // the offers the order buys
	defer st.mu.RUnlock()
	rec := st.book.AddNew(func(_ *record, n, added int) *record {
		rec := st.genOrder(fake.Rand(s.seed, st.index, streamAdded, added), st.number(n), now)
		kit.Edit(&rec.order, &rec.order.ID, mutate)
		return rec
	})
	return rec.order.ID
}

// controlRoutes is the HTTP face of the control methods: the kit's
// endpoints (kit.NewControl; the store is ?store=store-1) and Epicentr's own:
//
//	POST /_sandbox/stores                  {"token","orders"} → {"store":"store-1"}
//	POST /_sandbox/orders/{id}/status?store=  {"status":"sent"} (SetStatus rules)
//	GET  /_sandbox/offers?store=           → {"offers":[…]}
func (s *Sandbox) controlRoutes() http.Handler {
	c := kit.NewControl(&s.base, errorBody, controlError)
	kit.HandleStores(c, func(req struct {
		Token  string
		Orders int
	}) (string, error) {
		return s.AddStore(req.Token, req.Orders), nil
	})
	kit.HandleOrders(c, s.Orders, s.AddOrder)
	kit.HandleJSON(c, "POST /_sandbox/orders/{id}/status", func(r *http.Request, req struct{ Status string }) (any, error) {
		return map[string]string{"status": req.Status}, s.SetStatus(kit.StoreParam(r), r.PathValue("id"), req.Status)
	})
	kit.HandleJSON(c, "GET /_sandbox/offers", func(r *http.Request, _ struct{}) (any, error) {
		offers := s.Offers(kit.StoreParam(r))
		sort.Slice(offers, func(i, j int) bool { return offers[i].SKU < offers[j].SKU })
		return map[string][]Offer{"offers": offers}, nil
	})
	return c
}

func controlError(w http.ResponseWriter, err error) {
	var e *apiError
	switch {
	case errors.As(err, &e):
		fail(w, e)
	case errors.Is(err, kit.ErrBadJSON):
		fail(w, invalid("body", "validation.json"))
	default:
		fail(w, refuse(http.StatusNotFound, err.Error()))
	}
}
