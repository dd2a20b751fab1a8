// Package declarative is a sandbox generated from a marketplace spec
// (extractors/declarative): it serves exactly the API the spec describes —
// its auth, paths, pagination, JSON shapes at the spec's paths and its
// money and time formats — with seeded orders of one seller account. It
// works for any valid spec. Faults, rate limit and the request recorder
// come from sandbox/kit; no token, password or key reaches the recorder.
package declarative

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	spec "github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/sandbox/kit/fake"
)

// Options configure a Sandbox.
type Options struct {
	kit.Options     // TokenTTL unused: a login spec gives its own
	Orders      int // seeded orders (default 30)
	Days        int // spread over the last days (default 10)
	// The account's credentials, as the spec's auth uses them: Token for
	// bearer, header and query; Username and Password for basic and login.
	Token, Username, Password string
}

// Item is one order line as the sandbox holds it.
type Item struct {
	ProductID, ExternalID, SKU, Name string
	Quantity, Price, Total           decimal.Decimal
}

// Order is one order as the sandbox holds it: the truth a test compares
// the warehouse with. Status is the value the API sends.
type Order struct {
	ID                                                           string
	Status                                                       string
	CreatedAt, ModifiedAt                                        time.Time
	BuyerLastName, BuyerFirstName, BuyerMiddleName, BuyerPhone   string
	BuyerEmail, BuyerComment                                     string
	RecipientLastName, RecipientFirstName, RecipientMiddleName   string
	RecipientPhone                                               string
	DontCallBack                                                 bool
	Delivery, DeliveryProvider, DeliveryAddress, TTN             string
	Payment, PaymentStatus                                       string
	Paid                                                         bool
	Amount, FullAmount, DeliveryCost                             decimal.Decimal
	Currency, UTMSource, UTMMedium, UTMCampaign, Channel, Cancel string
	Items                                                        []Item
	// BrokenAmount, when set, is sent as the amount in place of Amount:
	// text the spec's money format cannot read, for tests of rejects.
	BrokenAmount string
}

// account is the one store's id in the kit's token registry.
const account = "account"

// base is kit.Base under an unexported name: embedding it promotes the
// Handler, Clock, Faults, Recorder and RateLimit accessors, not the field.
type base = kit.Base

// Sandbox is one simulated seller account of a spec-described marketplace.
type Sandbox struct {
	base   // Handler (the API and /_sandbox), Clock, Faults, Recorder, RateLimit
	spec   *spec.Spec
	opts   Options
	tokens *kit.Tokens
	truth  kit.Truth[string, Order, Order] // the one account's

	book     *kit.Book[string, Order] // ascending id
	sessions *kit.Sessions            // login specs
}

// New builds the sandbox a spec describes, with seeded orders.
func New(sp *spec.Spec, o Options) *Sandbox {
	if o.Orders == 0 {
		o.Orders = 30
	}
	if o.Days <= 0 {
		o.Days = 10
	}
	s := &Sandbox{spec: sp, opts: o, book: kit.NewBook(kit.BookOptions[string, Order]{
		ID:  func(o *Order) string { return o.ID },
		Own: func(o *Order) { *o = kit.DeepCopy(*o) },
	})}
	var books kit.Stores[*kit.Book[string, Order]]
	books.Add(func(int) (string, *kit.Book[string, Order]) { return account, s.book })
	// The error body and paged rule read the spec, so they need s first.
	s.base, s.tokens, s.truth = kit.NewMarket(o.Options,
		kit.FaultScope{Faultable: kit.OutsideControl, Paged: s.isList}, s.errorBody,
		&books, func(b *kit.Book[string, Order]) *kit.Book[string, Order] { return b }, func(o *Order) Order { return kit.DeepCopy(*o) })
	switch sp.Auth.Type {
	case spec.AuthBearer, spec.AuthHeader, spec.AuthQuery:
		s.tokens.Add(o.Token, account)
	case spec.AuthBasic:
		s.tokens.Add(basicToken(o.Username, o.Password), account)
	}
	var ttl time.Duration
	if l := sp.Auth.Login; l != nil {
		ttl = time.Duration(l.TTL) * time.Second
		s.Recorder().HideBodies(l.Path)
	}
	s.sessions = kit.NewSessions(&s.base, ttl, 0)
	s.seed()
	kit.SetHandler(&s.base, s.routes())
	return s
}

func basicToken(user, pass string) string { return "basic\x00" + user + "\x00" + pass }

// Logins counts successful logins (login specs).
func (s *Sandbox) Logins() int { return s.sessions.Issued() }

// ExpireSessions ends every session issued so far, as if its lifetime had
// passed (login specs).
func (s *Sandbox) ExpireSessions() { s.sessions.ExpireAll() }

// Orders returns copies of every order, ascending by id.
func (s *Sandbox) Orders() []Order { return s.truth.Orders(account) }

// Order returns a copy of one order.
func (s *Sandbox) Order(id string) (Order, bool) { return s.truth.Order(account, id) }

// Statuses are the status values the sandbox uses: the spec's statuses
// keys, or plain names when it translates none.
func (s *Sandbox) Statuses() []string {
	if len(s.spec.Statuses) == 0 {
		return []string{"new", "accepted", "shipped", "delivered", "canceled"}
	}
	keys := make([]string, 0, len(s.spec.Statuses))
	for k := range s.spec.Statuses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// AddOrder creates an order at the clock's now with a new highest id, in
// the first status; mutate (optional) edits it before it is published (the
// id and times are kept). It returns the id.
func (s *Sandbox) AddOrder(mutate func(*Order)) string {
	now := s.now()
	return s.book.AddNew(func(last *Order, _, added int) *Order {
		r := fake.Rand(s.opts.Seed, 0, streamAdded, added)
		o := s.generate(r, nextID(last, r), now, now)
		o.Status = s.Statuses()[0]
		kit.Edit(o, &o.ID, mutate)
		o.CreatedAt, o.ModifiedAt = now, now
		return o
	}).ID
}

// SetStatus moves an order to status (any value) and marks it changed now.
func (s *Sandbox) SetStatus(id, status string) error {
	now := s.now()
	return s.book.Update(id, func(o *Order) error {
		o.Status, o.ModifiedAt = status, now
		return nil
	})
}

// now is the clock truncated to the minute: a spec's time layout may not
// write seconds, and the API must filter on the times it shows.
func (s *Sandbox) now() time.Time { return s.Clock().Now().Truncate(time.Minute) }

func (s *Sandbox) seed() {
	now := s.now()
	span := time.Duration(s.opts.Days) * 24 * time.Hour
	for i := range s.opts.Orders {
		r := fake.Rand(s.opts.Seed, 0, streamOrders, i)
		created, modified := fake.Seeded(r, now, span, i, s.opts.Orders, 3)
		s.book.Add(func(last *Order, _ int) *Order {
			return s.generate(r, nextID(last, r), created.Truncate(time.Minute), modified.Truncate(time.Minute))
		})
	}
}

// Generator streams of fake.Rand.
const (
	streamOrders = iota + 1
	streamAdded
	streamSessions
)

// nextID is a new highest id after last's, with gaps, as real ids have.
func nextID(last *Order, r *rand.Rand) string {
	n := int64(7_300_000)
	if last != nil {
		n, _ = strconv.ParseInt(last.ID, 10, 64)
	}
	return strconv.FormatInt(n+1+r.Int64N(4), 10)
}
