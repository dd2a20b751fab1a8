package rozetka

import (
	"errors"
	"net/http"
	"strconv"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/fake"
	"github.com/kramar/kramar/transforms/timeconv"
)

// asError keeps a nil *wire.Error a nil error.
func asError(e *wire.Error) error {
	if e == nil {
		return nil
	}
	return e
}

// OrderJSON returns one order exactly as the API sends it with expand (a
// comma-separated list); nil when there is none.
func (s *Sandbox) OrderJSON(storeID string, id int64, expand string) []byte {
	st, _ := s.stores.Get(storeID)
	if st == nil {
		return nil
	}
	if rec, ok := st.book.Get(id); ok {
		return rec.appendJSON(nil, parseExpand(expand))
	}
	return nil
}

// Goods returns the store's catalog.
func (s *Sandbox) Goods(storeID string) []wire.GoodsItem {
	st, _ := s.stores.Get(storeID)
	if st == nil {
		return nil
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	return append([]wire.GoodsItem(nil), st.goods...)
}

// change applies fn to order id of a store as an update at the clock's now.
func (s *Sandbox) change(storeID string, id int64, fn func(*record) *wire.Error) error {
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return err
	}
	return asError(st.update(id, s.Clock().Now(), fn))
}

// Update applies a PUT /orders/{id} body under the same rules as the API.
func (s *Sandbox) Update(storeID string, id int64, u wire.UpdateOrder) error {
	now := s.Clock().Now()
	return s.change(storeID, id, func(r *record) *wire.Error { return applyUpdate(r, u, now) })
}

// SetStatus moves an order to status under the API's rules (transition
// graph, TTN for 3 and 61); errors are *wire.Error with the API's code.
func (s *Sandbox) SetStatus(storeID string, id int64, status int) error {
	return s.Update(storeID, id, wire.UpdateOrder{Status: status})
}

// SetTTN sets the waybill number without touching the status, as carrier
// integrations do.
func (s *Sandbox) SetTTN(storeID string, id int64, ttn string) error {
	return s.change(storeID, id, func(r *record) *wire.Error {
		r.order.TTN = wire.NullString(ttn)
		return nil
	})
}

// paymentStatusByName are the payment states SetPayment accepts (GET
// /payments/payment-statuses, GERA-OneTeam/Rozetka-API-Seller
// docs/categories/orders.md L3092).
var paymentStatusByName = map[string]paymentStatus{
	payPaid.name: payPaid, payUnpaid.name: payUnpaid, payHold.name: payHold, payBack.name: payBack,
	"cancelled": {1, "cancelled", "Отменен"}, "part-paid": {5, "part-paid", "Частично оплачен"},
}

// SetPayment sets payment.payment_status by name (paid, unpaid, hold,
// returned, cancelled, part-paid); "" clears it.
func (s *Sandbox) SetPayment(storeID string, id int64, name string) error {
	ps, ok := paymentStatusByName[name]
	if !ok && name != "" {
		return errCheckData("unknown payment status " + strconv.Quote(name))
	}
	return s.change(storeID, id, func(r *record) *wire.Error {
		if r.order.Payment == nil {
			r.order.Payment = &wire.Payment{}
		}
		r.order.Payment.PaymentStatus = nil
		if ok {
			now := timeconv.FormatKyiv(s.Clock().Now(), wire.TimeLayout)
			r.order.Payment.PaymentStatus = statusOf(ps, r.order.ID, now, r.order.Payment.PaymentType == "card")
		}
		return nil
	})
}

// AddOrder creates an order created and changed at the clock's now with a
// new highest id; mutate (optional) may edit it before it is published —
// e.g. set Created to a precise Kyiv wall time. The id cannot be changed.
// Returns 0 for an unknown store.
func (s *Sandbox) AddOrder(storeID string, mutate func(*wire.Order)) int64 {
	return s.addOrder(storeID, func(r *record) {
		if mutate != nil {
			mutate(&r.order)
		}
	})
}

// AddMalformed adds an order whose JSON is valid but whose amount is
// "12,,3", so a transform must reject exactly that record. Returns its id.
func (s *Sandbox) AddMalformed(storeID string) int64 {
	return s.addOrder(storeID, func(r *record) { r.order.Amount = "12,,3" })
}

func (s *Sandbox) addOrder(storeID string, mutate func(*record)) int64 {
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return 0
	}
	now := s.Clock().Now()
	st.mu.RLock()
	catalog := st.goods
	st.mu.RUnlock()
	rec := st.book.AddNew(func(last *record, _, added int) *record {
		r := fake.Rand(s.seed, st.index, streamAdded, added)
		id := fake.NextID(r, last, (*record).Key, int64(700_000_000+st.index*10_000_000), 5)
		if len(catalog) == 0 {
			catalog = []wire.GoodsItem{genGoods(r, st.index, 0, now, false)}
		}
		rec := genOrder(r, catalog, id, now, now)
		rec.unixNotes = rec.unixNotes && s.unixNotes
		status := rec.order.Status
		mutate(rec)
		if st, ok := statusByID[rec.order.Status]; ok && rec.order.Status != status {
			rec.order.StatusGroup, rec.order.StatusData = st.StatusGroup, statusData(st)
		}
		rec.order.ID = id
		return rec
	})
	return rec.order.ID
}

// controlRoutes is the HTTP face of the control methods: the kit's
// endpoints (kit.NewControl; the store is ?store=store-1) and Rozetka's own:
//
//	POST /_sandbox/stores             {"username","password","orders","goods"} → {"store":"store-1"}
//	POST /_sandbox/orders/{id}/status?store=  {"status":26,"ttn":"…"} (PUT rules)
//	POST /_sandbox/shift?store=&n=3   arm ShiftDuringPull
func (s *Sandbox) controlRoutes() http.Handler {
	c := kit.NewControl(&s.base, errorBody, controlError)
	kit.HandleLoginStores(c, s.AddStore)
	kit.HandleOrders(c, s.Orders, s.AddOrder)
	kit.HandleJSON(c, "POST /_sandbox/orders/{id}/status", func(r *http.Request, u wire.UpdateOrder) (any, error) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		return map[string]string{"status": "ok"}, s.Update(kit.StoreParam(r), id, u)
	})
	kit.HandleSessions(c, s.sessions)
	kit.HandleJSON(c, "POST /_sandbox/shift", func(r *http.Request, _ struct{}) (any, error) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		return map[string]int{"armed": n}, s.ShiftDuringPull(kit.StoreParam(r), n)
	})
	return c
}

func controlError(w http.ResponseWriter, err error) {
	var e *wire.Error
	switch {
	case errors.As(err, &e):
		fail(w, e)
	case errors.Is(err, kit.ErrBadJSON):
		fail(w, errBadFormat("body"))
	default:
		fail(w, &wire.Error{Message: err.Error(), Code: wire.CodeCheckData})
	}
}
