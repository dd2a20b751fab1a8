package kit

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Simulator is one marketplace's sandbox as `kramar sandbox` serves it: each
// sandbox package registers its own, so the command names no marketplace.
type Simulator struct {
	Marketplace string
	// Credential says what a --store entry holds before "=ORDERS", and
	// Auth how the client presents it.
	Credential, Auth string
	// Defaults are the stores served when none is named.
	Defaults []string
	// APIPath is the API's path under the served address ("" = the root).
	APIPath string
	// FeedPath, when set, is the path of a store's YML feed under the
	// served address; the store's credential goes in ?key=.
	FeedPath string
	// New starts a sandbox and returns it with the function that adds one
	// store from a --store credential and its order count.
	New func(SimOptions) (Served, func(credential string, orders int) error)
}

// SimOptions are the command's settings for a simulator.
type SimOptions struct {
	Seed          int64
	RatePerSecond float64
	// Goods is the catalog size of each store, for marketplaces with one.
	Goods int
}

// Options are the served sandbox's: the real clock, the command's seed
// and rate.
func (o SimOptions) Options() Options {
	return Options{Clock: RealClock(), Seed: o.Seed, RatePerSecond: o.RatePerSecond}
}

// Served is what every simulator offers the command.
type Served interface {
	Handler() http.Handler
	Faults() *Faults
}

var (
	simMu      sync.RWMutex
	simulators = map[string]Simulator{}
)

// RegisterSimulator adds a marketplace's simulator; a name twice is a
// programming error.
func RegisterSimulator(s Simulator) {
	simMu.Lock()
	defer simMu.Unlock()
	if _, dup := simulators[s.Marketplace]; dup {
		panic("kit: simulator " + s.Marketplace + " registered twice")
	}
	simulators[s.Marketplace] = s
}

// SimulatorFor returns the registered simulator of a marketplace.
func SimulatorFor(marketplace string) (Simulator, bool) {
	simMu.RLock()
	defer simMu.RUnlock()
	s, ok := simulators[marketplace]
	return s, ok
}

// Simulators lists the registered simulators by marketplace.
func Simulators() []Simulator {
	simMu.RLock()
	defer simMu.RUnlock()
	out := make([]Simulator, 0, len(simulators))
	for _, s := range simulators {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Marketplace < out[j].Marketplace })
	return out
}

// TokenStores adapts an AddStore that takes a token.
func TokenStores(add func(token string, orders int) string) func(string, int) error {
	return func(cred string, n int) error { add(cred, n); return nil }
}

// TokenSim is a Simulator's New for a sandbox whose stores are API tokens:
// start makes the sandbox and add is its AddStore method.
func TokenSim[S Served](start func(Options) S, add func(s S, token string, orders int) string) func(SimOptions) (Served, func(string, int) error) {
	return func(o SimOptions) (Served, func(string, int) error) {
		s := start(o.Options())
		return s, TokenStores(func(token string, n int) string { return add(s, token, n) })
	}
}

// LoginSim is a Simulator's New for a sandbox whose stores log in with
// NAME:PASSWORD (name says what NAME is, for the error); add is its
// AddStore method, which gets the catalog size too.
func LoginSim[S Served](name string, start func(Options) S, add func(s S, user, password string, orders, goods int) string) func(SimOptions) (Served, func(string, int) error) {
	return func(o SimOptions) (Served, func(string, int) error) {
		s := start(o.Options())
		return s, LoginStores(name, func(user, password string, n int) { add(s, user, password, n, o.Goods) })
	}
}

// LoginStores adapts an AddStore that takes a login and a password, given
// as NAME:PASSWORD (name says what NAME is, for the error).
func LoginStores(name string, add func(user, password string, orders int)) func(string, int) error {
	return func(cred string, n int) error {
		user, password, ok := strings.Cut(cred, ":")
		if !ok {
			return fmt.Errorf("--store %q: want %s:PASSWORD=ORDERS", cred, name)
		}
		add(user, password, n)
		return nil
	}
}
