package kit

import (
	"cmp"
	"net/http"
	"time"
)

// Options are what a sandbox's user sets on every sandbox; a sandbox with
// no settings of its own takes them as its Options.
type Options struct {
	Clock         *Clock      // nil = real time
	Seed          int64       // makes generated data reproducible
	Faults        FaultConfig // Faults.Seed 0 = use Seed
	RatePerSecond float64     // per store; 0 = unlimited
	// TokenTTL is a session's lifetime on Clock, for marketplaces that log
	// in; 0 = the marketplace's own.
	TokenTTL time.Duration
}

// BaseOptions are the settings every sandbox shares: its user's, and the
// marketplace's fault scope and error body.
type BaseOptions struct {
	Options
	FaultScope FaultScope // ErrorBody nil = ErrorBody below
	ErrorBody  ErrorBody  // the marketplace's error body, for rate-limit and fault answers
}

// Base is the part every marketplace sandbox holds: its clock, token
// registry, fault injector, recorder, rate limit and handler. A sandbox
// embeds it, so its Handler, Clock, Faults, Recorder and RateLimit methods
// come from here.
type Base struct {
	clock   *Clock
	tokens  *Tokens
	faults  *Faults
	rec     *Recorder
	limit   *RateLimit
	handler http.Handler
}

// NewBase fills the defaults of o and builds the shared pieces. Tokens
// expire on the sandbox clock. The handler is mounted later with
// SetHandler, once the sandbox's routes can be built from the Base.
func NewBase(o BaseOptions) Base {
	if o.Clock == nil {
		o.Clock = RealClock()
	}
	if o.Faults.Seed == 0 {
		o.Faults.Seed = o.Seed
	}
	if o.FaultScope.ErrorBody == nil {
		o.FaultScope.ErrorBody = o.ErrorBody
	}
	tokens := NewTokens()
	tokens.SetClock(o.Clock.Now)
	return Base{
		clock:  o.Clock,
		tokens: tokens,
		faults: NewFaults(o.Faults, o.FaultScope),
		rec:    NewRecorder(o.Clock),
		limit:  NewRateLimit(o.RatePerSecond, o.ErrorBody),
	}
}

// NewMarket builds the Base of a sandbox of many stores (o, the scope of
// its faults and its error body), hands back its token registry, and the
// truth over the stores: each one's book as book finds it, a record shown
// as view shows it.
func NewMarket[ST any, K cmp.Ordered, R, W any](o Options, scope FaultScope, body ErrorBody,
	stores *Stores[ST], book func(ST) *Book[K, R], view func(*R) W) (Base, *Tokens, Truth[K, R, W]) {
	b := NewBase(BaseOptions{Options: o, FaultScope: scope, ErrorBody: body})
	return b, b.tokens, NewTruth(stores, book, view)
}

// BaseTokens, SetHandler and Guard are functions, not methods, so that embedding
// Base adds only the five accessors below to a sandbox's exported API.

// BaseTokens is b's token registry.
func BaseTokens(b *Base) *Tokens { return b.tokens }

// SetHandler mounts h as what b's Handler serves.
func SetHandler(b *Base, h http.Handler) { b.handler = h }

// Guard wraps a sandbox's API in the kit's layers, outermost first: record,
// inject faults, authenticate the bearer token (render is the 401 body),
// rate-limit per store.
func Guard(b *Base, render ErrorBody, api http.Handler) http.Handler {
	return b.rec.Wrap(b.faults.Wrap(b.tokens.Wrap(render, b.limit.Wrap(api))))
}

// Handler serves the sandbox's API and its control API.
func (b *Base) Handler() http.Handler { return b.handler }

// Clock is the sandbox's time source.
func (b *Base) Clock() *Clock { return b.clock }

// Faults changes fault injection at runtime.
func (b *Base) Faults() *Faults { return b.faults }

// Recorder holds every API request (never a secret).
func (b *Base) Recorder() *Recorder { return b.rec }

// RateLimit changes the per-store limit at runtime.
func (b *Base) RateLimit() *RateLimit { return b.limit }
