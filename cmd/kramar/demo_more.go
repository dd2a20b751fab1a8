package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	spec "github.com/kramar/kramar/extractors/declarative"
	"github.com/kramar/kramar/pipeline/config"
	declsb "github.com/kramar/kramar/sandbox/declarative"
	epicentrsb "github.com/kramar/kramar/sandbox/epicentr"
	horoshopsb "github.com/kramar/kramar/sandbox/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
	"github.com/kramar/kramar/transforms/horoshop"
)

// demoStore is one more store the demo serves beside the example config's.
type demoStore struct {
	store config.Store
	close func()
}

// moreDemoStores serves a Horoshop store, an Epicentr store and one store per shipped spec
// (Hubber, Allo, Skidka, Allbiz, Shafa), each on its own sandbox, and
// returns their config entries, built on like's tunables.
func moreDemoStores(out io.Writer, clock *kit.Clock, like config.Store, specDir string) ([]demoStore, error) {
	var stores []demoStore
	base := func(id, marketplace string) config.Store {
		return config.Store{ID: id, Marketplace: marketplace, OrderType: "Роздріб", OrderSource: marketplace, StoreDefaults: like.StoreDefaults}
	}

	hs := horoshopsb.New(horoshopsb.Options{Clock: clock, Seed: 2026})
	password := randomToken()
	os.Setenv("HOROSHOP_DEMO_PASSWORD", password)
	hs.AddStore("api-user", password, 150, 1000)
	srv, url, err := kit.Serve("127.0.0.1:0", hs.Handler())
	if err != nil {
		return nil, err
	}
	st := base("horoshop-main", "horoshop")
	st.BaseURL, st.Username, st.PasswordEnv = url, "api-user", "HOROSHOP_DEMO_PASSWORD"
	st.Options = &horoshop.Options{SplitNames: true}
	stores = append(stores, demoStore{st, func() { srv.Close() }})
	fmt.Fprintf(out, "Horoshop sandbox on %s (store horoshop-main: 150 orders)\n", url)

	ep := epicentrsb.New(epicentrsb.Options{Clock: clock, Seed: 2026})
	token := randomToken()
	os.Setenv("EPICENTR_DEMO_TOKEN", token)
	ep.AddStore(token, 200)
	epSrv, epURL, err := kit.Serve("127.0.0.1:0", ep.Handler())
	if err != nil {
		return nil, err
	}
	st = base("epicentr-main", "epicentr")
	st.BaseURL, st.TokenEnv = epURL, "EPICENTR_DEMO_TOKEN"
	stores = append(stores, demoStore{st, func() { epSrv.Close() }})
	fmt.Fprintf(out, "Epicentr sandbox on %s (store epicentr-main: 200 orders)\n", epURL)

	for i, name := range []string{"hubber", "allo", "skidka", "allbiz", "shafa"} {
		path := filepath.Join(specDir, name+".yaml")
		sp, err := spec.Load(path)
		if err != nil {
			return nil, err
		}
		secret := randomToken()
		env := strings.ToUpper(name) + "_DEMO_SECRET"
		os.Setenv(env, secret)
		opts := declsb.Options{Clock: clock, Seed: 2026 + int64(i), Orders: 80, Token: secret, Username: "demo", Password: secret}
		sb := declsb.New(sp, opts)
		srv, url, err := kit.Serve("127.0.0.1:0", sb.Handler())
		if err != nil {
			return nil, err
		}
		st := base(name+"-main", name)
		st.BaseURL, st.Spec = url, path
		switch sp.Auth.Type {
		case spec.AuthBasic, spec.AuthLogin:
			st.Username, st.PasswordEnv = "demo", env
		case spec.AuthNone:
		default:
			st.TokenEnv = env
		}
		stores = append(stores, demoStore{st, func() { srv.Close() }})
		fmt.Fprintf(out, "%s sandbox on %s (generated from specs/%s.yaml; store %s: 80 orders)\n", sp.Name, url, name, st.ID)
	}
	return stores, nil
}
