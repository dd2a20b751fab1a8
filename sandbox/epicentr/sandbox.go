// Package epicentr is a local simulator of the Epicentr Marketplace
// merchant API (https://merchant-api.epicentrm.com.ua): seller companies told
// apart by Bearer token, seeded orders (about 30% with an alternate
// recipient), the OMS endpoints with cursor paging, status changes under a
// transition graph, cancel reasons, shipment numbers, and the asynchronous
// offers update (POST /v1/offers, results later on the sandbox clock).
// Orders come in the shapes live clients meet: a new order's buyer
// contacts hidden until the seller confirms it, lines with or without sku,
// the place's blocks top-level, inside address or missing (only the ids).
// Faults, recording and rate limits come from sandbox/kit; control methods
// (and /_sandbox HTTP endpoints) serve tests.
//
// The API is served at the root, as production's
// https://merchant-api.epicentrm.com.ua.
package epicentr

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
)

// Options configure a Sandbox.
type Options = kit.Options

// offerDelay is how long after POST /v1/offers, on the sandbox clock, an
// update is applied and its results final.
const offerDelay = 30 * time.Second

// base is kit.Base under an unexported name: embedding it promotes the
// Handler, Clock, Faults, Recorder and RateLimit accessors, not the field.
type base = kit.Base

// Sandbox is one simulated Epicentr with any number of seller companies.
type Sandbox struct {
	base   // Handler (API at the root, control API under /_sandbox), Clock, Faults, Recorder, RateLimit
	seed   int64
	tokens *kit.Tokens

	stores kit.Stores[*store] // by store id
	truth                     // Orders and Order, by store id
}

// truth is kit.Truth under an unexported name, promoting Orders and Order.
type truth = kit.Truth[string, record, wire.Order]

// New builds an empty sandbox; add companies with AddStore.
func New(opts Options) *Sandbox {
	s := &Sandbox{seed: opts.Seed}
	s.base, s.tokens, s.truth = kit.NewMarket(opts,
		kit.FaultScope{Faultable: kit.OutsideControl, Paged: isLaterPage}, errorBody,
		&s.stores, func(st *store) *kit.Book[string, record] { return st.book }, func(r *record) wire.Order { return kit.DeepCopy(r.order) })
	kit.SetHandler(&s.base, s.routes())
	return s
}

// isLaterPage marks the list requests that can get a repeated or shifted
// page: those past the first, which carry a cursor.
func isLaterPage(r *http.Request) bool {
	return r.URL.Path == wire.PathOrders && r.URL.Query().Get("cursor") != ""
}

// errorBody renders failures as Epicentr does: {"message": …}.
func errorBody(_ int, msg string) []byte {
	b, _ := json.Marshal(wire.APIError{Message: msg})
	return b
}

// AddStore registers a seller company reached with token, seeded with
// nOrders orders created over the last SeedSpan and a catalog of offers,
// and returns its store id ("store-1", …). The data depends only on Seed,
// the store's position and the clock's now.
func (s *Sandbox) AddStore(token string, nOrders int) string {
	st := s.stores.Add(func(index int) (string, *store) {
		st := newStore(fmt.Sprintf("store-%d", index+1), index)
		return st.id, st
	})
	s.tokens.Add(token, st.id)
	st.seed(s.seed, nOrders, s.Clock().Now())
	return st.id
}

// AddToken registers another token for a store.
func (s *Sandbox) AddToken(storeID, token string) { s.tokens.Add(token, storeID) }

// Revoke makes token answer 401 from now on; the store's data stays.
func (s *Sandbox) Revoke(token string) { s.tokens.Revoke(token) }

// ErrUnknownStore is returned by control methods for a store never added.
var ErrUnknownStore = kit.ErrUnknownStore
