package config

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Capabilities are what a marketplace lets its stores set. Each connector
// declares its own from its folder (pipeline/connectors/<name>), so adding a
// marketplace never means editing a table here.
type Capabilities struct {
	// Orders: a built-in connector pulls the marketplace's orders.
	Orders bool
	// Login: a store may log in with username and password_env/password_file
	// instead of a token.
	Login bool
	// CredentialsOptional: a store may name no secret at all.
	CredentialsOptional bool
	// NeedsBaseURL: there is no one production host; each store names its own.
	NeedsBaseURL bool
	// Push: the marketplace takes statuses, ТТН and stock back (a pusher).
	Push bool
	// Accept is the auto_accept rule: new orders in Accept.Status move to
	// Accept.To; empty when the marketplace has no such step.
	Accept StatusRule
	// Options makes a fresh options struct of one store (a pointer): its
	// yaml keys are the keys only this marketplace's stores have, read with
	// the same line-numbered errors as every other key into Store.Options.
	// A string field tagged `oneof:"a,b"` takes only those values; options
	// that implement SourceOptions may ask for base_url and a login. Nil:
	// the marketplace has no keys of its own.
	Options func() any
	// Hint tells a store of a marketplace with no connector of its own
	// (Orders false) what else than a spec gets its orders read.
	Hint string
}

// NewOptions makes a fresh T, for Capabilities.Options.
func NewOptions[T any]() any { return new(T) }

// SourceOptions are store options that choose where the store's orders come
// from (a file or an exchange at base_url).
type SourceOptions interface {
	// SourceSet tells whether the options name a source: then base_url is
	// required, and a marketplace with no connector of its own is read by
	// the connector that reads such sources.
	SourceSet() bool
	// LoginReason says why the source needs a login; empty when it does not.
	LoginReason() string
}

var (
	capMu        sync.RWMutex
	capabilities = map[string]Capabilities{}
	// registered keeps the order of registration, for messages.
	registered []string
)

// RegisterMarketplace declares a marketplace's capabilities; a connector
// calls it when it registers.
func RegisterMarketplace(name string, c Capabilities) {
	capMu.Lock()
	defer capMu.Unlock()
	if _, again := capabilities[name]; !again {
		registered = append(registered, name)
	}
	capabilities[name] = c
}

// MarketplaceCapabilities returns what a marketplace's stores may set.
func MarketplaceCapabilities(name string) Capabilities {
	capMu.RLock()
	defer capMu.RUnlock()
	return capabilities[name]
}

// HasExtractor tells whether a built-in connector pulls the marketplace's
// orders (a store with a spec needs none).
func HasExtractor(marketplace string) bool { return MarketplaceCapabilities(marketplace).Orders }

// knownMarketplaces names the marketplaces a store or a mapping may use, in
// the order they registered.
func knownMarketplaces() string {
	capMu.RLock()
	defer capMu.RUnlock()
	return strings.Join(registered, ", ")
}

func isKnownMarketplace(m string) bool {
	capMu.RLock()
	defer capMu.RUnlock()
	_, ok := capabilities[m]
	return ok
}

// optionFields are the yaml keys of a marketplace's options; nil when it
// has none.
func (c Capabilities) optionFields() map[string][]int {
	if c.Options == nil {
		return nil
	}
	return yamlFields(reflect.TypeOf(c.Options()).Elem())
}

// keysOnlyFor maps every marketplace-specific store key to the marketplaces
// that have it; on any other marketplace it is an unknown key.
func keysOnlyFor() map[string]map[string]bool {
	capMu.RLock()
	defer capMu.RUnlock()
	out := map[string]map[string]bool{}
	add := func(key, marketplace string) {
		if out[key] == nil {
			out[key] = map[string]bool{}
		}
		out[key][marketplace] = true
	}
	for _, name := range registered {
		c := capabilities[name]
		if c.Login {
			for _, k := range []string{"username", "password_env", "password_file"} {
				add(k, name)
			}
		}
		for k := range c.optionFields() {
			add(k, name)
		}
	}
	return out
}

// optionsOwner is a fresh options value of a marketplace whose stores have
// key, for reading a key set on a store of another marketplace (it is
// reported as such once read); nil when no marketplace has key.
func optionsOwner(key string) reflect.Value {
	capMu.RLock()
	defer capMu.RUnlock()
	for _, name := range registered {
		c := capabilities[name]
		if _, ok := c.optionFields()[key]; ok {
			return reflect.ValueOf(c.Options()).Elem()
		}
	}
	return reflect.Value{}
}

// allOptionKeys are the keys of every marketplace's options, for "did you
// mean" hints.
func allOptionKeys() []string {
	capMu.RLock()
	defer capMu.RUnlock()
	var out []string
	for _, name := range registered {
		for k := range capabilities[name].optionFields() {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// oneOf reports every string field of the struct v tagged `oneof:"a,b"`
// whose value is set and not one of those.
func oneOf(v reflect.Value, problem func(key, msg string)) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	fields := yamlFields(v.Type())
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		index := fields[key]
		f := v.Type().FieldByIndex(index)
		allowed, ok := f.Tag.Lookup("oneof")
		if !ok || f.Type.Kind() != reflect.String {
			continue
		}
		values := strings.Split(allowed, ",")
		if s := v.FieldByIndex(index).String(); s != "" && !slices.Contains(values, s) {
			problem(key, fmt.Sprintf("unknown %q; one of %s", s, strings.Join(values, ", ")))
		}
	}
}

// SourceSet tells whether the store's options name where its orders come
// from (see SourceOptions).
func (s Store) SourceSet() bool {
	o, ok := s.Options.(SourceOptions)
	return ok && o.SourceSet()
}

// loginReason is why the store's source needs a login; empty when it does not.
func (s Store) loginReason() string {
	if o, ok := s.Options.(SourceOptions); ok {
		return o.LoginReason()
	}
	return ""
}
