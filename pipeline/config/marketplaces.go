package config

import (
	"maps"
	"slices"
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
	// CML: orders may come as CommerceML (protocol, all_statuses).
	CML bool
	// Push: the marketplace takes statuses, ТТН and stock back (a pusher).
	Push bool
	// Accept is the auto_accept rule: new orders in Accept.Status move to
	// Accept.To; empty when the marketplace has no such step.
	Accept StatusRule
	// Keys are the store keys only this marketplace's stores have.
	Keys []string
}

var (
	capMu        sync.RWMutex
	capabilities = map[string]Capabilities{}
)

// RegisterMarketplace declares a marketplace's capabilities; a connector
// calls it when it registers.
func RegisterMarketplace(name string, c Capabilities) {
	capMu.Lock()
	defer capMu.Unlock()
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
	for _, name := range slices.Sorted(maps.Keys(capabilities)) {
		c := capabilities[name]
		if c.Login {
			for _, k := range []string{"username", "password_env", "password_file"} {
				add(k, name)
			}
		}
		if c.CML {
			add("protocol", name)
			add("all_statuses", name)
		}
		for _, k := range c.Keys {
			add(k, name)
		}
	}
	return out
}
