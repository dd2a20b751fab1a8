// Package prom is a local simulator of the Prom.ua public API
// (https://public-api.docs.prom.ua/): several companies told apart by
// bearer token, seeded realistic orders, the orders/options/status/TTN
// endpoints under /api/v1, fault injection, and a control API under
// /_sandbox for tests.
//
// Where the public documentation is unclear, the sandbox is strict: last_id
// is inclusive, filter dates must use the documented layout, and bad list
// parameters answer 400. Where real answers are known it gives them: status_name in
// Russian unless X-LANGUAGE asks for uk, orders in the company's own
// statuses as "custom-<id>", and save_declaration_id's refusals (bad input,
// a waybill the order already has) as HTTP 200 with "status":"error".
package prom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	wire "github.com/kramar/kramar/extractors/prom"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/fake"
)

// APIPath is where the API lives; clients use baseURL + APIPath, as in
// production's https://my.prom.ua/api/v1.
const APIPath = "/api/v1"

// Options configure a Sandbox; the rate limit is per token.
type Options = kit.Options

// base is kit.Base under an unexported name: embedding it promotes the
// Handler, Clock, Faults, Recorder and RateLimit accessors, not the field.
type base = kit.Base

// Sandbox is one simulated Prom with any number of companies (stores).
type Sandbox struct {
	base   // Handler (API under /api/v1, control API under /_sandbox), Clock, Faults, Recorder, RateLimit
	seed   int64
	tokens *kit.Tokens

	stores kit.Stores[*store] // by store id
	truth                     // Orders and Order, by store id

	stallMu   sync.Mutex
	stallNext int // save_declaration_id calls still to stall (StallDeclarations)
}

// truth is kit.Truth under an unexported name, promoting Orders and Order.
type truth = kit.Truth[int64, record, wire.Order]

// ErrUnknownStore is returned by control methods for a token never added.
var ErrUnknownStore = errors.New("unknown store token")

// errorBody renders Prom's {"error": "..."}, the body clients read (e.g.
// dimagord/mcp-prom-ua src/services/PromApiClient.ts).
func errorBody(_ int, msg string) []byte {
	return kit.MustJSON(wire.ErrorBody{Error: msg})
}

// New builds an empty sandbox; add companies with AddStore.
func New(opts Options) *Sandbox {
	s := &Sandbox{seed: opts.Seed}
	s.base, s.tokens, s.truth = kit.NewMarket(opts, kit.FaultScope{Faultable: kit.Under(APIPath + "/"), Paged: isPagedList}, errorBody,
		&s.stores, func(st *store) *kit.Book[int64, record] { return st.book }, func(r *record) wire.Order { return kit.DeepCopy(r.order) })
	kit.SetHandler(&s.base, s.routes())
	return s
}

// isPagedList marks the list requests that can duplicate or shift a page:
// a desc walk that already has a cursor (a first page has nothing to repeat).
func isPagedList(r *http.Request) bool {
	if r.URL.Path != APIPath+"/orders/list" {
		return false
	}
	q := r.URL.Query()
	return q.Get("last_id") != "" && q.Get("sort_dir") != "asc"
}

// Revoke makes token answer 401; the store's data stays for comparisons.
func (s *Sandbox) Revoke(token string) { s.tokens.Revoke(token) }

// seedSpan is how far back seeded orders reach before the clock's now.
const seedSpan = 7 * 24 * time.Hour

// AddStore registers a company for token with nOrders seeded orders and
// returns its store id ("store-1", …), the name used in the recorder and
// by Orders and Order. The data depends only on Seed, the store's position
// and the clock's now.
func (s *Sandbox) AddStore(token string, nOrders int) string {
	st := s.stores.Add(func(index int) (string, *store) {
		st := &store{id: fmt.Sprintf("store-%d", index+1), index: index, catalog: newCatalog(s.seed, index), book: newBook()}
		st.stock, st.byExternal = newStock(s.seed, index, st.catalog)
		return st.id, st
	})
	now := s.Clock().Now()
	baseID := int64(300_000_000 + st.index*50_000_000)
	st.book.Seed(nOrders, func(i int) *record {
		r := fake.Rand(s.seed, st.index, streamOrders, i)
		id := baseID + int64(i)*7 + r.Int64N(7)
		created, modified := fake.Seeded(r, now, seedSpan, i, nOrders, 5)
		return genOrder(r, st.catalog, id, created, modified)
	})
	s.tokens.Add(token, st.id)
	return st.id
}

// StoreID is the store id of a token, revoked or not ("" for a token never
// added).
func (s *Sandbox) StoreID(token string) string {
	id, _ := s.tokens.StoreID(token)
	return id
}

// storeOf finds the store of a token, revoked or not.
func (s *Sandbox) storeOf(token string) (*store, error) {
	id, ok := s.tokens.StoreID(token)
	if !ok {
		return nil, ErrUnknownStore
	}
	return s.stores.Lookup(id)
}

// SetStatus moves an order to status (any known status, the company's own
// "custom-<id>" ones included, no transition rules: this is the seller
// acting in the cabinet) and bumps date_modified.
func (s *Sandbox) SetStatus(token string, id int64, status string) error {
	status = wire.NormalizeStatus(status)
	if _, ok := statusLabel(status); !ok {
		return fmt.Errorf("unknown status %q", status)
	}
	return s.change(token, id, func(r *record) error {
		applyStatus(&r.order, status, "", "")
		return nil
	})
}

// SetPayment sets payment_data.status (paid, unpaid, refunded, paid_out),
// creating Prom-Oplata payment data if the order had none.
func (s *Sandbox) SetPayment(token string, id int64, paymentStatus string) error {
	switch paymentStatus {
	case "paid", "unpaid", "refunded", "paid_out":
	default:
		return fmt.Errorf("unknown payment status %q", paymentStatus)
	}
	now := s.Clock().Now()
	return s.change(token, id, func(r *record) error {
		if r.order.PaymentData == nil {
			r.order.PaymentData = &wire.PaymentData{Type: "evopay"}
		}
		r.order.PaymentData.Status = paymentStatus
		r.order.PaymentData.StatusModified = r.formatTime(now)
		return nil
	})
}

// SetTTN fills delivery_provider_data.declaration_number, as
// /delivery/save_declaration_id does.
func (s *Sandbox) SetTTN(token string, id int64, ttn string) error {
	return s.change(token, id, func(r *record) error {
		applyTTN(&r.order, ttn, "")
		return nil
	})
}

// stallWait bounds how long a stalled call waits for its client to give up.
const stallWait = 30 * time.Second

// StallDeclarations makes the next n save_declaration_id calls (valid ones,
// of any store) stall: no answer until the client gives up, and the waybill
// lands only just before that store's next write (set_status or
// save_declaration_id) is handled. It is a request stuck in Prom's queue:
// the client saw no answer, read the order (no waybill yet), sent again, and
// the stuck request is applied first, so the retry meets an order that
// already has the waybill.
func (s *Sandbox) StallDeclarations(n int) {
	s.stallMu.Lock()
	defer s.stallMu.Unlock()
	s.stallNext = max(n, 0)
}

// stall queues req on st when a stall is due.
func (s *Sandbox) stall(st *store, req wire.SaveDeclarationRequest) bool {
	s.stallMu.Lock()
	defer s.stallMu.Unlock()
	if s.stallNext == 0 {
		return false
	}
	s.stallNext--
	st.stalled = append(st.stalled, req)
	return true
}

// flushStalled applies st's stalled waybills, oldest first.
func (s *Sandbox) flushStalled(st *store, now time.Time) {
	s.stallMu.Lock()
	queued := st.stalled
	st.stalled = nil
	s.stallMu.Unlock()
	for _, req := range queued {
		_ = st.update(req.OrderID, now, func(rec *record) error {
			applyTTN(&rec.order, req.DeclarationID, req.DeliveryType)
			return nil
		})
	}
}

func (s *Sandbox) change(token string, id int64, fn func(*record) error) error {
	st, err := s.storeOf(token)
	if err != nil {
		return err
	}
	return st.update(id, s.Clock().Now(), fn)
}

// AddOrder creates an order at the clock's now with a new highest id;
// mutate (optional) may edit it before it is published. The id cannot be
// changed; dates set by mutate are honoured. Returns 0 for an unknown token.
func (s *Sandbox) AddOrder(token string, mutate func(*wire.Order)) int64 {
	st, err := s.storeOf(token)
	if err != nil {
		return 0
	}
	return s.addOrder(st, func(r *record, _ int) {
		if mutate == nil {
			return
		}
		status, name := r.order.Status, r.order.StatusName
		mutate(&r.order)
		if r.order.Status != status && r.order.StatusName == name {
			r.order.StatusName, _ = statusLabel(r.order.Status)
		}
		if t, ok := parseOrderTime(r.order.DateCreated); ok {
			r.created = t.Unix()
		}
		if t, ok := parseOrderTime(r.order.DateModified); ok {
			r.modified = t.Unix()
		}
	})
}

// AddMalformed adds an order whose JSON is valid but one field is broken,
// alternating between price "12,3,4 грн" and products[0].quantity "abc", so
// a client must reject exactly that record. Returns its id.
func (s *Sandbox) AddMalformed(token string) int64 {
	st, err := s.storeOf(token)
	if err != nil {
		return 0
	}
	return s.addOrder(st, func(r *record, added int) {
		if added%2 == 1 {
			r.order.Price = "12,3,4 грн"
			return
		}
		r.badQty = true
		r.order.Products[0].Quantity = "abc"
	})
}

func (s *Sandbox) addOrder(st *store, mutate func(rec *record, added int)) int64 {
	now := s.Clock().Now()
	rec := st.book.AddNew(func(last *record, _, added int) *record {
		r := fake.Rand(s.seed, st.index, streamAdded, added)
		id := fake.NextID(r, last, (*record).Key, int64(300_000_000+st.index*50_000_000), 7)
		rec := genOrder(r, st.catalog, id, now, now)
		mutate(rec, added)
		rec.order.ID = id
		return rec
	})
	return rec.order.ID
}

// ListenAndServe serves s on addr (127.0.0.1, port 0 = any free port) until
// ctx ends, and returns the base URL; clients use baseURL + APIPath.
func ListenAndServe(ctx context.Context, addr string, s *Sandbox) (string, error) {
	return kit.ServeUntil(ctx, addr, s.Handler())
}
