// Package source defines what the pipeline needs from a marketplace's order
// API, whatever the marketplace: the changed orders of a time window, page by
// page, and one order by id. Each marketplace's client implements it.
package source

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/kramar/kramar/extractors/httpx"
	"github.com/kramar/kramar/schema/canon"
)

// RawOrder is one record exactly as the marketplace sent it: an order, or
// (as Record) a catalog offer.
type RawOrder struct {
	ID   string
	Body json.RawMessage
}

// Record is a raw record of any kind.
type Record = RawOrder

// Orders is a marketplace account's order API.
type Orders interface {
	// ModifiedBetween calls page for every order modified in [from, to]
	// (both inclusive, UTC), in pages. An order may be delivered twice
	// (page boundaries); callers de-duplicate by ID.
	ModifiedBetween(ctx context.Context, from, to time.Time, page func([]RawOrder) error) error
	// Get fetches one order; ErrNotFound when the marketplace has none.
	Get(ctx context.Context, id string) (RawOrder, error)
}

// Confirmer is an order source that tells the marketplace the orders it
// handed on are loaded, after which they are not offered again (1C's
// exchange: mode=success). The pipeline confirms only once the rows are in
// the warehouse, so a run that fails before that gets the orders again.
type Confirmer interface {
	Confirm(ctx context.Context) error
}

// Catalog is a marketplace account's catalog API, for clients that have one.
type Catalog interface {
	// Products calls page for every page of the store's whole catalog.
	Products(ctx context.Context, page func([]Record) error) error
}

// Reference is a marketplace account's reference lists (delivery services,
// payment methods, statuses), for clients that have them.
type Reference interface {
	Options(ctx context.Context) ([]canon.Option, error)
}

// Gather reads reference lists one after another into one (Reference);
// the first failure ends it. Options without an id are dropped: nothing can
// be mapped to them.
func Gather(ctx context.Context, lists ...func(context.Context) ([]canon.Option, error)) ([]canon.Option, error) {
	var out []canon.Option
	for _, list := range lists {
		opts, err := list(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range opts {
			if o.ID != "" {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// Each is a reference list that read reads in the marketplace's type and
// option turns into options, for Gather.
func Each[T any](read func(context.Context) ([]T, error), option func(T) canon.Option) func(context.Context) ([]canon.Option, error) {
	return func(ctx context.Context) ([]canon.Option, error) {
		list, err := read(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]canon.Option, len(list))
		for i, v := range list {
			out[i] = option(v)
		}
		return out, nil
	}
}

// Config is what a client needs to reach one store.
type Config struct {
	Store   string
	BaseURL string // empty: the marketplace's production host
	Token   string
	// Username and Password are for marketplaces that log in for a session
	// token (Rozetka's POST /sites). Like Token they never reach logs or errors.
	Username string
	Password string
	PageSize int
	HTTP     httpx.Options
	// Options are the store's own keys as its marketplace's connector
	// declares them (config Capabilities.Options): how it fetches orders,
	// its answer language, its warehouse; nil when it has none.
	Options any
}

// HTTPOptions are c.HTTP for the store: its name, and its base URL
// (production when it sets none) without a trailing slash.
func (c Config) HTTPOptions(production string) httpx.Options {
	o := c.HTTP
	o.Store = c.Store
	o.BaseURL = strings.TrimRight(cmp.Or(c.BaseURL, production), "/")
	return o
}

// Size is the store's page size: def when it sets none, and at most max
// when max is positive.
func (c Config) Size(def, max int) int {
	n := c.PageSize
	if n <= 0 {
		n = def
	}
	if max > 0 {
		n = min(n, max)
	}
	return n
}

// NotFoundError says the marketplace has no such record.
type NotFoundError struct{ ID string }

func (e *NotFoundError) Error() string { return "order " + e.ID + " not found" }

// One is what a client's Get returns for record id read as body: err as
// it is, except an error notFound recognises (nil: an HTTP 404), which
// becomes a *NotFoundError.
func One(id string, body json.RawMessage, err error, notFound func(error) bool) (RawOrder, error) {
	if notFound == nil {
		notFound = func(err error) bool { return httpx.StatusOf(err) == http.StatusNotFound }
	}
	switch {
	case err != nil && notFound(err):
		return RawOrder{}, &NotFoundError{ID: id}
	case err != nil:
		return RawOrder{}, err
	}
	return RawOrder{ID: id, Body: body}, nil
}

// Sampler is implemented by order APIs whose ModifiedBetween changes
// something on the marketplace (the 1C exchange confirms what it read):
// Sample returns up to n of the orders changed in [from, to] and changes
// nothing. kramar probe uses it; other APIs are sampled by reading the
// first pages of ModifiedBetween.
type Sampler interface {
	Sample(ctx context.Context, from, to time.Time, n int) ([]RawOrder, error)
}
