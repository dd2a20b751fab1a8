// Package connectors is the registry of marketplaces: each entry joins a
// marketplace's client (extractors/<name>) with its transform
// (transforms/<name>). Adding a marketplace adds one Register call.
package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/extractors/source"
	"github.com/kramar/kramar/loaders/marketplace"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/schema/canon"
)

// ErrSkipped is returned by a Transform for a record the store does not
// import by design (a Zakupka order that is no longer new): it is neither
// loaded nor rejected.
var ErrSkipped = canon.ErrSkipped

// Connector is one marketplace's order pipeline parts.
type Connector struct {
	Marketplace string
	// DisplayName is how people (accountants, reports) know the
	// marketplace; empty: by Marketplace.
	DisplayName string
	// Open makes the API client of one store. Every client serves orders;
	// one that also implements source.Catalog or source.Reference serves the
	// catalog and reference jobs.
	Open func(source.Config) source.Orders
	// Transform turns one raw order into the canonical order. A bad field is
	// reported as *canon.FieldError.
	Transform func(raw json.RawMessage, store canon.Store) (canon.Order, error)
	// TransformProduct turns one raw catalog offer into a product; nil when
	// the marketplace has no catalog API.
	TransformProduct func(raw json.RawMessage, store canon.Store) (canon.Product, error)
	// RecordID reads the record's id even from a malformed record, for rejects.
	RecordID func(raw json.RawMessage) string
	// Capabilities tell the config what this marketplace's stores may set
	// (Orders is implied), their own keys included (Options: the options
	// reach Transform as canon.Store.Options, and Open and Pusher as
	// source.Config.Options).
	Capabilities config.Capabilities
	// TransformVersion changes whenever Transform's output for the same input
	// changes; it is part of every order's content hash, so the next pulls
	// rewrite the orders they re-read instead of calling them unchanged.
	TransformVersion string
	// Records splits a saved API payload (a single order, its envelope or a
	// list page) into raw orders, for `kramar inspect`.
	Records func(payload []byte) ([]json.RawMessage, error)
	// Wire is the wire model of one order as Transform reads it (a zero
	// wire struct, or a *drift.Model built by hand), and OrdersEndpoint the
	// API call orders come from: every order loaded is checked against it
	// and what differs goes to payload_drift. Nil: not checked.
	Wire           any
	OrdersEndpoint string
	// ProductWire and ProductsEndpoint are the same for catalog offers
	// (kramar probe checks them).
	ProductWire      any
	ProductsEndpoint string
	// Platforms are marketplaces with no connector of their own whose
	// stores this connector reads, under their own name, once a store's
	// options name a source (config.SourceOptions); PlatformHint tells a
	// store of one what to set for that.
	Platforms    []string
	PlatformHint string
	// Pusher opens the way back to one store (order statuses, ТТН, and
	// stock when it also implements marketplace.StockPusher); nil when the
	// marketplace takes nothing back. Its writes go out with
	// httpx.NotRepeatable; pipeline/push re-checks and retries them.
	Pusher func(source.Config) marketplace.Pusher
}

var (
	mu       sync.RWMutex
	registry = map[string]Connector{}
	// readBy maps a platform to the connector that reads its stores.
	readBy = map[string]string{}
)

// Register adds a connector; registering a name twice is a programming error.
func Register(c Connector) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[c.Marketplace]; dup {
		panic(fmt.Sprintf("connector %q registered twice", c.Marketplace))
	}
	registry[c.Marketplace] = c
	caps := c.Capabilities
	caps.Orders = true
	caps.Push = c.Pusher != nil
	config.RegisterMarketplace(c.Marketplace, caps)
	for _, p := range c.Platforms {
		readBy[p] = c.Marketplace
		config.RegisterMarketplace(p, config.Capabilities{Options: caps.Options, Hint: c.PlatformHint})
	}
}

// specLoader builds a connector from a YAML description of a marketplace's
// API; the declarative connector package installs it.
var specLoader func(path, marketplace string) (Connector, error)

// RegisterSpecLoader installs the declarative connector.
func RegisterSpecLoader(load func(path, marketplace string) (Connector, error)) {
	mu.Lock()
	defer mu.Unlock()
	specLoader = load
}

// FromSpec builds the connector a spec file describes, named marketplace.
func FromSpec(path, marketplace string) (Connector, error) {
	mu.RLock()
	load := specLoader
	mu.RUnlock()
	if load == nil {
		return Connector{}, fmt.Errorf("no declarative connector registered")
	}
	return load(path, marketplace)
}

// Lookup returns the connector of a marketplace.
func Lookup(marketplace string) (Connector, bool) {
	mu.RLock()
	defer mu.RUnlock()
	c, ok := registry[marketplace]
	return c, ok
}

// Names lists the registered marketplaces.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	return slices.Sorted(maps.Keys(registry))
}

// OrderModel is the drift model of the connector's orders; nil when it has none.
func (c Connector) OrderModel() *drift.Model { return modelOf(c.Wire) }

// ProductModel is the drift model of the connector's catalog offers; nil
// when it has none.
func (c Connector) ProductModel() *drift.Model { return modelOf(c.ProductWire) }

func modelOf(wire any) *drift.Model {
	switch w := wire.(type) {
	case nil:
		return nil
	case *drift.Model:
		return w
	default:
		return drift.ModelOf(w)
	}
}

// ForStore is the connector that reads the store's orders: its
// marketplace's own or, for a platform, the one that reads its stores
// once their options name a source (under the platform's name).
func ForStore(st config.Store) (Connector, bool) {
	mu.RLock()
	defer mu.RUnlock()
	if c, ok := registry[st.Marketplace]; ok {
		return c, true
	}
	if reader, ok := readBy[st.Marketplace]; ok && st.SourceSet() {
		c := registry[reader]
		c.Marketplace = st.Marketplace
		return c, true
	}
	return Connector{}, false
}

// DisplayName is how people know the marketplace: its connector's
// DisplayName, else the marketplace's own name.
func DisplayName(marketplace string) string {
	if c, ok := Lookup(marketplace); ok && c.DisplayName != "" {
		return c.DisplayName
	}
	return marketplace
}

// Opens is the Open of a client constructor.
func Opens[C source.Orders](open func(source.Config) C) func(source.Config) source.Orders {
	return func(c source.Config) source.Orders { return open(c) }
}

// Pushes is the Pusher of a pusher constructor.
func Pushes[P marketplace.Pusher](open func(source.Config) P) func(source.Config) marketplace.Pusher {
	return func(c source.Config) marketplace.Pusher { return open(c) }
}

// Store is what the transforms know of a configured store.
func Store(cfg *config.Config, st config.Store) canon.Store {
	return canon.Store{
		Marketplace: st.Marketplace, Store: st.ID, OrderType: st.OrderType, OrderSource: st.OrderSource,
		Mappings: cfg.MappingsFor(st), Options: st.Options,
	}
}

// NotInStore is err as a pusher returns it: the marketplace's "no such
// order" (a *source.NotFoundError) becomes a refusal, since sending again
// cannot help; any other error stays as it is.
func NotInStore(err error, orderID string) error {
	var nf *source.NotFoundError
	if errors.As(err, &nf) {
		return marketplace.Reject("order %s is not in the store", orderID)
	}
	return err
}

// ReadOrder reads one order for a pusher's State: get fetches it (a "no
// such order" becomes a refusal, see NotInStore) and decode reads its
// answer into a W (json.Unmarshal, or decode.Into for a lenient read).
func ReadOrder[W any](ctx context.Context, get func(context.Context, string) (source.RawOrder, error),
	decode func([]byte, any) error, orderID string) (W, error) {
	var w W
	raw, err := get(ctx, orderID)
	if err != nil {
		return w, NotInStore(err, orderID)
	}
	if err := decode(raw.Body, &w); err != nil {
		return w, fmt.Errorf("order %s: unreadable answer: %w", orderID, err)
	}
	return w, nil
}
