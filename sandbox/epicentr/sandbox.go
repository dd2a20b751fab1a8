// Package epicentr is a local simulator of the Epicentr Marketplace
// merchant API (horoshop-epicentr-feeds-others.md §2): seller companies told
// apart by Bearer token, seeded orders (about 30% with an alternate
// recipient), the OMS endpoints with cursor paging, status changes under a
// transition graph, cancel reasons, shipment numbers, and the asynchronous
// offers update (POST /v1/offers, results later on the sandbox clock).
// Faults, recording and rate limits come from sandbox/kit; control methods
// (and /_sandbox HTTP endpoints) serve tests.
//
// The API is served at the root, as production's
// https://merchant-api.epicentrm.com.ua.
package epicentr

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	wire "github.com/kramar/kramar/extractors/epicentr"
	"github.com/kramar/kramar/sandbox/kit"
)

// Options configure a Sandbox.
type Options struct {
	Clock         *kit.Clock      // nil = real time
	Seed          int64           // makes generated data reproducible
	Faults        kit.FaultConfig // Faults.Seed 0 = use Seed
	RatePerSecond float64         // per store; 0 = unlimited
	// OfferDelay is how long after POST /v1/offers, on Clock, the update is
	// applied and its results final; 0 = 30s.
	OfferDelay time.Duration
}

// Sandbox is one simulated Epicentr with any number of seller companies.
type Sandbox struct {
	clock      *kit.Clock
	seed       int64
	offerDelay time.Duration
	tokens     *kit.Tokens
	faults     *kit.Faults
	rec        *kit.Recorder
	limit      *kit.RateLimit
	handler    http.Handler

	mu     sync.RWMutex
	stores map[string]*store // by store id
}

// New builds an empty sandbox; add companies with AddStore.
func New(opts Options) *Sandbox {
	if opts.Clock == nil {
		opts.Clock = kit.RealClock()
	}
	if opts.Faults.Seed == 0 {
		opts.Faults.Seed = opts.Seed
	}
	if opts.OfferDelay <= 0 {
		opts.OfferDelay = 30 * time.Second
	}
	s := &Sandbox{
		clock:      opts.Clock,
		seed:       opts.Seed,
		offerDelay: opts.OfferDelay,
		tokens:     kit.NewTokens(),
		rec:        kit.NewRecorder(opts.Clock),
		limit:      kit.NewRateLimit(opts.RatePerSecond, errorBody),
		stores:     map[string]*store{},
	}
	s.faults = kit.NewFaults(opts.Faults, kit.FaultScope{
		Faultable: func(r *http.Request) bool { return !strings.HasPrefix(r.URL.Path, "/_sandbox/") },
		Paged:     isLaterPage,
		ErrorBody: errorBody,
	})
	s.handler = s.routes()
	return s
}

// isLaterPage marks the list requests that can get a repeated or shifted
// page: those past the first, which carry a cursor.
func isLaterPage(r *http.Request) bool {
	return r.URL.Path == wire.PathOrders && r.URL.Query().Get("cursor") != ""
}

// errorBody renders failures as Epicentr does: {"message": …} (§2.2).
func errorBody(_ int, msg string) []byte {
	b, _ := json.Marshal(wire.APIError{Message: msg})
	return b
}

// Handler serves the API at the root and the control API under /_sandbox.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// Clock is the sandbox's time source.
func (s *Sandbox) Clock() *kit.Clock { return s.clock }

// Faults changes fault injection at runtime.
func (s *Sandbox) Faults() *kit.Faults { return s.faults }

// Recorder holds every API request (never a token).
func (s *Sandbox) Recorder() *kit.Recorder { return s.rec }

// RateLimit changes the per-store limit at runtime.
func (s *Sandbox) RateLimit() *kit.RateLimit { return s.limit }

// AddStore registers a seller company reached with token, seeded with
// nOrders orders created over the last SeedSpan and a catalog of offers,
// and returns its store id ("store-1", …). The data depends only on Seed,
// the store's position and the clock's now.
func (s *Sandbox) AddStore(token string, nOrders int) string {
	s.mu.Lock()
	index := len(s.stores)
	st := newStore(fmt.Sprintf("store-%d", index+1), index)
	s.stores[st.id] = st
	s.mu.Unlock()
	s.tokens.Add(token, st.id)
	st.seed(s.seed, nOrders, s.clock.Now())
	return st.id
}

// AddToken registers another token for a store.
func (s *Sandbox) AddToken(storeID, token string) { s.tokens.Add(token, storeID) }

// Revoke makes token answer 401 from now on; the store's data stays.
func (s *Sandbox) Revoke(token string) { s.tokens.Revoke(token) }

// ErrUnknownStore is returned by control methods for a store never added.
var ErrUnknownStore = fmt.Errorf("unknown store")

func (s *Sandbox) storeByID(id string) (*store, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if st := s.stores[id]; st != nil {
		return st, nil
	}
	return nil, ErrUnknownStore
}

func (s *Sandbox) storeOf(r *http.Request) *store {
	st, _ := s.storeByID(kit.StoreFrom(r.Context()))
	return st
}

// ListenAndServe serves s on addr (127.0.0.1, port 0 = any free port) until
// ctx ends, and returns the base URL.
func ListenAndServe(ctx context.Context, addr string, s *Sandbox) (string, error) {
	return kit.ServeUntil(ctx, addr, s.Handler())
}
