package canon

import (
	"errors"
	"strings"
)

// Store is what a transform knows of the store a record came from.
type Store struct {
	// Marketplace is the store's marketplace; a transform run on its own
	// (its tests, kramar inspect) may leave it empty for its own name.
	Marketplace string
	Store       string
	OrderType   string
	OrderSource string
	Mappings    Mappings
	// Options are the store's own keys as its marketplace's connector
	// declares them (a pointer to the connector's options struct, filled by
	// the config); nil when the marketplace has none. Read them with
	// OptionsOf.
	Options any
}

// Mappings translate marketplace vocabulary into the seller's CRM
// vocabulary: three tables keyed by the marketplace's value (see
// transforms/mapping), as kramar.yaml writes them.
type Mappings struct {
	Status   map[string]string `yaml:"status"`
	Delivery map[string]string `yaml:"delivery"`
	Payment  map[string]string `yaml:"payment"`
}

// OptionsOf returns options as a T, whether they hold a T or a *T; the
// zero T when they hold neither (a store that set none of its keys, or a
// transform run without a store).
func OptionsOf[T any](options any) T {
	switch o := options.(type) {
	case T:
		return o
	case *T:
		if o != nil {
			return *o
		}
	}
	var zero T
	return zero
}

// NewOrder starts an order of the store in currency, placed through
// channel; marketplace stands in when the store names none.
func (s Store) NewOrder(marketplace, currency, channel string) Order {
	if s.Marketplace != "" {
		marketplace = s.Marketplace
	}
	return Order{
		Marketplace: marketplace, Store: s.Store, OrderType: s.OrderType, OrderSource: s.OrderSource,
		Currency: currency, Channel: channel,
	}
}

// FieldErr is the *FieldError of one field of a record.
func FieldErr(field, reason string) error { return &FieldError{Field: field, Reason: reason} }

// ErrSkipped is returned by a transform for a record the store does not
// import by design (a Zakupka order that is no longer new): it is neither
// loaded nor rejected. Test with errors.Is.
var ErrSkipped = errors.New("not imported by this store's rules")

// FirstNonEmpty is the first value that is not blank, trimmed; "" when
// every one is.
func FirstNonEmpty(values ...string) string {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// JoinNonEmpty joins the parts that are not blank, each trimmed, with sep.
func JoinNonEmpty(sep string, parts ...string) string {
	kept := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}
