// Package declarative is a sandbox generated from a marketplace spec
// (extractors/declarative): it serves exactly the API the spec describes —
// its auth, paths, pagination, JSON shapes at the spec's paths and its
// money and time formats — with seeded orders of one seller account. It
// works for any valid spec. Faults, rate limit and the request recorder
// come from sandbox/kit; no token, password or key reaches the recorder.
package declarative

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	spec "github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/sandbox/kit"
)

// Options configure a Sandbox.
type Options struct {
	Clock         *kit.Clock      // nil = real time
	Seed          int64           // makes the orders reproducible
	Faults        kit.FaultConfig // Faults.Seed 0 = use Seed
	RatePerSecond float64         // 0 = unlimited
	Orders        int             // seeded orders (default 30)
	Days          int             // spread over the last days (default 10)
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

	mu       sync.RWMutex
	orders   []*Order // ascending id
	added    int
	logins   int
	sessions int
}

// New builds the sandbox a spec describes, with seeded orders.
func New(sp *spec.Spec, o Options) *Sandbox {
	if o.Orders == 0 {
		o.Orders = 30
	}
	if o.Days <= 0 {
		o.Days = 10
	}
	s := &Sandbox{spec: sp, opts: o}
	// The error body and paged rule read the spec, so they need s first.
	s.base = kit.NewBase(kit.BaseOptions{
		Clock: o.Clock, Seed: o.Seed, Faults: o.Faults, RatePerSecond: o.RatePerSecond,
		FaultScope: kit.FaultScope{
			Faultable: kit.OutsideControl,
			Paged:     s.isList,
		},
		ErrorBody: s.errorBody,
	})
	s.tokens = kit.BaseTokens(&s.base)
	switch sp.Auth.Type {
	case spec.AuthBearer, spec.AuthHeader, spec.AuthQuery:
		s.tokens.Add(o.Token, account)
	case spec.AuthBasic:
		s.tokens.Add(basicToken(o.Username, o.Password), account)
	}
	if sp.Auth.Login != nil {
		s.Recorder().HideBodies(sp.Auth.Login.Path)
	}
	s.seed()
	kit.SetHandler(&s.base, s.routes())
	return s
}

func basicToken(user, pass string) string { return "basic\x00" + user + "\x00" + pass }

// Spec is the spec the sandbox serves.
func (s *Sandbox) Spec() *spec.Spec { return s.spec }

// Logins counts successful logins (login specs).
func (s *Sandbox) Logins() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.logins
}

// Orders returns copies of every order, ascending by id.
func (s *Sandbox) Orders() []Order {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Order, len(s.orders))
	for i, o := range s.orders {
		out[i] = clone(o)
	}
	return out
}

// Order returns a copy of one order.
func (s *Sandbox) Order(id string) (Order, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if o := s.find(id); o != nil {
		return clone(o), true
	}
	return Order{}, false
}

func clone(o *Order) Order {
	c := *o
	c.Items = slices.Clone(o.Items)
	return c
}

func (s *Sandbox) find(id string) *Order {
	for _, o := range s.orders {
		if o.ID == id {
			return o
		}
	}
	return nil
}

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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.added++
	r := newRand(s.opts.Seed, 2, s.added)
	o := s.generate(r, s.nextID(r), now, now)
	o.Status = s.Statuses()[0]
	if mutate != nil {
		id := o.ID
		mutate(o)
		o.ID, o.CreatedAt, o.ModifiedAt = id, now, now
	}
	s.orders = append(s.orders, o)
	return o.ID
}

// SetStatus moves an order to status (any value) and marks it changed now.
func (s *Sandbox) SetStatus(id, status string) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.find(id)
	if o == nil {
		return fmt.Errorf("order %s not found", id)
	}
	o.Status, o.ModifiedAt = status, now
	return nil
}

// now is the clock truncated to the minute: a spec's time layout may not
// write seconds, and the API must filter on the times it shows.
func (s *Sandbox) now() time.Time { return s.Clock().Now().Truncate(time.Minute) }

func (s *Sandbox) seed() {
	now := s.now()
	span := time.Duration(s.opts.Days) * 24 * time.Hour
	step := span / time.Duration(s.opts.Orders)
	for i := range s.opts.Orders {
		r := newRand(s.opts.Seed, 1, i)
		created := now.Add(-span + time.Duration(i)*step + time.Duration(r.Int64N(int64(step)))).Truncate(time.Minute)
		modified := created
		if room := now.Sub(created); r.IntN(3) > 0 && room > time.Minute {
			modified = created.Add(time.Duration(r.Int64N(int64(min(room, 48*time.Hour))))).Truncate(time.Minute)
		}
		s.orders = append(s.orders, s.generate(r, s.nextID(r), created, modified))
	}
}

// nextID is a new highest id with gaps, as real ids have.
func (s *Sandbox) nextID(r *rand.Rand) string {
	last := int64(7_300_000)
	if n := len(s.orders); n > 0 {
		last, _ = strconv.ParseInt(s.orders[n-1].ID, 10, 64)
	}
	return strconv.FormatInt(last+1+r.Int64N(4), 10)
}

func newRand(seed int64, stream, item int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed)^uint64(stream)<<40, uint64(item)))
}

// ListenAndServe serves s on addr until ctx ends and returns the base URL.
func ListenAndServe(ctx context.Context, addr string, s *Sandbox) (string, error) {
	return kit.ServeUntil(ctx, addr, s.Handler())
}
