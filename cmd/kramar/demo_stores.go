package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	spec "github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/pipeline/config"
	declsb "github.com/kramar/kramar/sandbox/declarative"
	"github.com/kramar/kramar/sandbox/kit"
	hstransform "github.com/kramar/kramar/transforms/horoshop"
)

// demoSeed seeds every demo sandbox, so each demo serves the same data.
const demoSeed = 2026

// demoSize is what one demo store holds.
type demoSize struct {
	orders, offers int
	// malformed adds one broken record, to show how a reject looks.
	malformed bool
}

// demoSizes are the demo's stores, the example config's and demoExtra; a
// store of a spec holds specOrders.
var demoSizes = map[string]demoSize{
	"prom-main":     {orders: 400},
	"prom-outlet":   {orders: 250, malformed: true},
	"rozetka-main":  {orders: 300, offers: 5000},
	"zakupka-main":  {orders: 120, offers: 3000},
	"horoshop-main": {orders: 150, offers: 1000},
	"epicentr-main": {orders: 200},
}

const specOrders = 80

// demoSecrets are the variables the example config's stores take their
// secrets from.
var demoSecrets = []string{"PROM_MAIN_TOKEN", "PROM_OUTLET_TOKEN", "ROZETKA_MAIN_PASSWORD"}

// demoExtra are the stores the demo serves beside the example config's.
var demoExtra = []config.Store{
	{ID: "horoshop-main", Marketplace: "horoshop", Username: "api-user", PasswordEnv: "HOROSHOP_DEMO_PASSWORD", Options: &hstransform.Options{SplitNames: true}},
	{ID: "epicentr-main", Marketplace: "epicentr", TokenEnv: "EPICENTR_DEMO_TOKEN"},
}

// demoStores adds demoExtra and a store per spec in specDir to the example
// config's stores, with the first store's tunables, serves each on a sandbox and
// points it there. Marketplaces are found in the registries: a registered
// simulator (one sandbox per marketplace), else the sandbox a spec
// describes. The sandboxes are returned by store id with the function that
// stops them.
func demoStores(out io.Writer, cfg *config.Config, specDir string) (map[string]servedStore, func(), error) {
	like := cfg.Stores[0].StoreDefaults
	for _, st := range demoExtra {
		st.OrderType, st.OrderSource, st.StoreDefaults = "Роздріб", st.Marketplace, like
		cfg.Stores = append(cfg.Stores, st)
	}
	specs, err := filepath.Glob(filepath.Join(specDir, "*.yaml"))
	if err != nil {
		return nil, nil, err
	}
	for _, path := range specs {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		cfg.Stores = append(cfg.Stores, config.Store{ID: name + "-main", Marketplace: name, Spec: path,
			OrderType: "Роздріб", OrderSource: name, StoreDefaults: like})
	}
	d := &demoServer{out: out, served: map[string]servedStore{}}
	var marketplaces []string
	byMarketplace := map[string][]*config.Store{}
	for i := range cfg.Stores {
		st := &cfg.Stores[i]
		if byMarketplace[st.Marketplace] == nil {
			marketplaces = append(marketplaces, st.Marketplace)
		}
		byMarketplace[st.Marketplace] = append(byMarketplace[st.Marketplace], st)
	}
	for _, m := range marketplaces {
		if err := d.serve(m, byMarketplace[m]); err != nil {
			d.close()
			return nil, nil, err
		}
	}
	return d.served, d.close, nil
}

// servedStore is the sandbox of one demo store and what it knows the store by.
type servedStore struct {
	sandbox    kit.Served
	credential string
}

// demoServer serves the demo's sandboxes.
type demoServer struct {
	out    io.Writer
	served map[string]servedStore
	stops  []func()
	specs  int // spec sandboxes served so far
}

func (d *demoServer) close() {
	for _, stop := range d.stops {
		stop()
	}
	d.stops = nil // closed once, however often asked
}

// serve starts the sandbox of one marketplace's stores.
func (d *demoServer) serve(marketplace string, stores []*config.Store) error {
	if sim, ok := kit.SimulatorFor(marketplace); ok {
		return d.simulate(sim, stores)
	}
	for _, st := range stores {
		if st.Spec == "" {
			return fmt.Errorf("demo: no sandbox serves marketplace %s (store %s)", marketplace, st.ID)
		}
		if err := d.fromSpec(st); err != nil {
			return err
		}
	}
	return nil
}

// start serves sb and remembers to stop it.
func (d *demoServer) start(sb kit.Served) (string, error) {
	srv, base, err := kit.Serve("127.0.0.1:0", sb.Handler())
	if err != nil {
		return "", err
	}
	d.stops = append(d.stops, func() { srv.Close() })
	return base, nil
}

// simulate serves stores on one registered simulator, each known by a
// credential made from its config.
func (d *demoServer) simulate(sim kit.Simulator, stores []*config.Store) error {
	offers := 0
	for _, st := range stores {
		offers = max(offers, demoSizes[st.ID].offers)
	}
	sb, add := sim.New(kit.SimOptions{Seed: demoSeed, Goods: offers})
	var held []string
	for _, st := range stores {
		size, secret := demoSizes[st.ID], randomToken()
		if st.TokenEnv == "" && st.Username == "" { // a key in the address, in a real config
			st.TokenEnv = strings.ToUpper(strings.ReplaceAll(st.ID, "-", "_")) + "_DEMO_KEY"
		}
		credential, env := secret, st.TokenEnv
		if st.Username != "" {
			credential, env = st.Username+":"+secret, st.PasswordEnv
		}
		os.Setenv(env, secret)
		if err := add(credential, size.orders); err != nil {
			return err
		}
		d.served[st.ID] = servedStore{sb, credential}
		what := fmt.Sprintf("%s: %d orders", st.ID, size.orders)
		if size.offers > 0 {
			what += fmt.Sprintf(", %d offers", size.offers)
		}
		if size.malformed && addMalformed(sb, credential) {
			what += " + 1 malformed"
		}
		held = append(held, what)
	}
	base, err := d.start(sb)
	if err != nil {
		return err
	}
	for _, st := range stores {
		st.BaseURL = base + sim.APIPath
		if sim.FeedPath != "" {
			st.FeedURL = base + sim.FeedPath + "?key=" + d.served[st.ID].credential
		}
	}
	fmt.Fprintf(d.out, "%s sandbox on %s (%s)\n", sim.Marketplace, base, strings.Join(held, "; "))
	return nil
}

// addMalformed adds a broken record to the store of a simulator that can
// make one from the store's credential. It is made a minute ago, so that it
// is older than the pipeline's safety lag.
func addMalformed(sb kit.Served, credential string) bool {
	m, ok := sb.(interface {
		Clock() *kit.Clock
		AddMalformed(credential string) int64
	})
	if ok {
		m.Clock().Advance(-time.Minute)
		m.AddMalformed(credential)
		m.Clock().Advance(time.Minute)
	}
	return ok
}

// fromSpec serves the sandbox a store's spec describes, each spec on data
// of its own.
func (d *demoServer) fromSpec(st *config.Store) error {
	sp, err := spec.Load(st.Spec)
	if err != nil {
		return err
	}
	secret := randomToken()
	env := strings.ToUpper(st.Marketplace) + "_DEMO_SECRET"
	os.Setenv(env, secret)
	sb := declsb.New(sp, declsb.Options{Seed: demoSeed + int64(d.specs), Orders: specOrders, Token: secret, Username: "demo", Password: secret})
	d.specs++
	base, err := d.start(sb)
	if err != nil {
		return err
	}
	d.served[st.ID] = servedStore{sb, secret}
	st.BaseURL = base
	switch sp.Auth.Type {
	case spec.AuthBasic, spec.AuthLogin:
		st.Username, st.PasswordEnv = "demo", env
	case spec.AuthNone:
	default:
		st.TokenEnv = env
	}
	fmt.Fprintf(d.out, "%s sandbox on %s (generated from %s; store %s: %d orders)\n", sp.Name, base, st.Spec, st.ID, specOrders)
	return nil
}
