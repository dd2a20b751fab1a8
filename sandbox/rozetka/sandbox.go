// Package rozetka is a local simulator of the Rozetka Seller API
// (as the apidoc mirror GERA-OneTeam/Rozetka-API-Seller describes it):
// seller accounts told apart by login, session tokens from POST /sites
// that expire on the sandbox clock, seeded orders and goods, the
// order/reference/goods endpoints with Rozetka's envelope and quirks,
// fault injection, a "shift during pull" mode, and control methods (and
// /_sandbox HTTP endpoints) for tests.
//
// The API is served at the root, as production's https://api-seller.rozetka.com.ua.
package rozetka

import (
	"fmt"
	"net/http"
	"time"

	wire "github.com/kramar/kramar/extractors/rozetka"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/fake"
)

// Options configure a Sandbox; TokenTTL 0 is 24h (the apidoc gives none).
type Options = kit.Options

// base is kit.Base under an unexported name: embedding it promotes the
// Handler, Clock, Faults, Recorder and RateLimit accessors, not the field.
type base = kit.Base

// Sandbox is one simulated Rozetka with any number of seller accounts.
//
// Its Recorder holds every API request (never a token; POST /sites bodies
// hold the Base64 password, so the recorder drops them, see routes).
type Sandbox struct {
	base      // Handler (API at the root, control API under /_sandbox), Clock, Faults, Recorder, RateLimit
	seed      int64
	unixNotes bool
	tokens    *kit.Tokens

	stores   kit.Stores[*store] // by store id and by username
	truth                       // Orders and Order, by store id
	sessions *kit.Sessions      // tokens issued by POST /sites
}

// truth is kit.Truth under an unexported name, promoting Orders and Order.
type truth = kit.Truth[int64, record, wire.Order]

// New builds an empty sandbox; add accounts with AddStore.
func New(opts Options) *Sandbox {
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 24 * time.Hour
	}
	s := &Sandbox{seed: opts.Seed}
	s.base, s.tokens, s.truth = kit.NewMarket(opts,
		kit.FaultScope{Faultable: kit.OutsideControl, Paged: isPagedSearch}, errorBody,
		&s.stores, func(st *store) *kit.Book[int64, record] { return st.book }, func(r *record) wire.Order { return kit.DeepCopy(r.order) })
	s.sessions = kit.NewSessions(&s.base, opts.TokenTTL, 20)
	kit.SetHandler(&s.base, s.routes())
	return s
}

// UnixNoteTimes makes about a third of the seller comments of stores added
// from now on go out with created as Unix seconds, as the field's
// description has it (apidoc mirror docs/categories/orders.md L666); off,
// the default, they all carry the date strings of the examples (L798), the
// shape the wire model expects. Call it before AddStore.
func (s *Sandbox) UnixNoteTimes(on bool) { s.unixNotes = on }

// isPagedSearch marks the requests that can get a repeated or shifted
// page: order searches past page 1.
func isPagedSearch(r *http.Request) bool {
	if r.URL.Path != "/orders/search" {
		return false
	}
	p := r.URL.Query().Get("page")
	return p != "" && p != "1" && p != "0"
}

// errorBody renders transport-level failures in Rozetka's envelope: 401 is
// an expired session (6001 session_expired), 5xx a server error.
func errorBody(status int, msg string) []byte {
	e := &wire.Error{Message: "server_error", Code: wire.CodeServerError, Description: msg}
	switch {
	case status == http.StatusUnauthorized:
		e = &wire.Error{Message: "session_expired", Code: wire.CodeSessionExpired}
	case status == http.StatusTooManyRequests:
		e = &wire.Error{Message: "too_many_requests", Code: http.StatusTooManyRequests, Description: msg}
	case status == http.StatusNotFound:
		e = &wire.Error{Message: "not_found", Code: wire.CodeHTTPNotFound}
	}
	return kit.MustJSON(wire.Envelope{Success: false, Errors: e})
}

// seedSpan is how far back seeded orders reach before the clock's now.
const seedSpan = 7 * 24 * time.Hour

// AddStore registers a seller account that logs in as username/password,
// with nOrders seeded orders over the last 7 days and nGoods catalog items,
// and returns its store id ("store-1", …). The data depends only on Seed,
// the store's position and the clock's now.
func (s *Sandbox) AddStore(username, password string, nOrders, nGoods int) string {
	st := s.stores.Add(func(index int) (string, *store) {
		st := &store{
			id: fmt.Sprintf("store-%d", index+1), index: index, username: username, password: password, book: newBook(),
			market: wire.Market{ID: int64(10_000 + index), Title: "Магазин " + username, BusinessModel: "b2c", Status: 1, FulfillmentAvailable: true},
		}
		return st.id, st
	})
	index := st.index
	s.stores.Name(username, st)

	now := s.Clock().Now()
	st.goods = make([]wire.GoodsItem, nGoods)
	st.goodsJSON = make([][]byte, nGoods)
	feedFrom := nGoods - nGoods/10 // the last tenth comes from the price-list feed
	kit.Parallel(nGoods, func(i int) {
		st.goods[i] = genGoods(fake.Rand(s.seed, index, streamGoods, i), index, i, now, i >= feedFrom)
		st.goodsJSON[i] = kit.MustJSON(st.goods[i])
	})
	st.goodsAt = make(map[int64]int, nGoods)
	st.feedStock = map[int64]int{}
	for i, g := range st.goods {
		st.goodsAt[g.RzItemID] = i
		if g.StockByFeed() {
			st.feedStock[g.RzItemID] = g.StockQuantity
		}
	}
	catalog := st.goods
	if len(catalog) == 0 {
		catalog = make([]wire.GoodsItem, 50)
		for i := range catalog {
			catalog[i] = genGoods(fake.Rand(s.seed, index, streamGoods, i), index, i, now, false)
		}
	}
	baseID := int64(700_000_000 + index*10_000_000)
	st.book.Seed(nOrders, func(i int) *record {
		r := fake.Rand(s.seed, index, streamOrders, i)
		id := baseID + int64(i)*5 + r.Int64N(5)
		created, changed := fake.Seeded(r, now, seedSpan, i, nOrders, 4)
		rec := genOrder(r, catalog, id, created.Truncate(time.Second), changed.Truncate(time.Second))
		rec.unixNotes = rec.unixNotes && s.unixNotes
		return rec
	})
	if len(st.goods) == 0 {
		st.goods = nil
	}
	return st.id
}

// AddToken registers a static API token for a store (the cabinet's
// "Генерувати API токен", https://sellerhelp.rozetka.com.ua/st/ua/api-start);
// it never expires.
func (s *Sandbox) AddToken(storeID, token string) { s.tokens.Add(token, storeID) }

// Revoke makes token answer 401 from now on.
func (s *Sandbox) Revoke(token string) { s.tokens.Revoke(token) }

// ExpireTokens ends every session issued so far, as if TokenTTL had passed:
// the next call with one answers HTTP 401, code 6001.
func (s *Sandbox) ExpireTokens() { s.sessions.ExpireAll() }

// ShiftDuringPull arms the store: right after the next first page of an
// order search is served, n orders of that page change (their `changed`
// moves to the clock's now, as tracking updates do), so they leave a window
// that ends before now and every later page slides back by n. One shot.
func (s *Sandbox) ShiftDuringPull(storeID string, n int) error {
	st, err := s.stores.Lookup(storeID)
	if err != nil {
		return err
	}
	st.mu.Lock()
	st.shiftArm = n
	st.mu.Unlock()
	return nil
}

// login checks credentials and issues a session token.
func (s *Sandbox) login(username, password64 string) (*store, string, *wire.Error) {
	st, _ := s.stores.Named(username)
	if st == nil || decodeBase64(password64) != st.password {
		return nil, "", &wire.Error{Message: "incorrect_username_password", Code: wire.CodeBadCredentials, Description: "Неправильний логін або пароль"}
	}
	return st, s.sessions.Issue(st.id), nil
}

// ErrUnknownStore is returned by control methods for a store never added.
var ErrUnknownStore = kit.ErrUnknownStore
