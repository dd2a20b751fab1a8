package main

import (
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	epicentrsb "github.com/kramar/kramar/sandbox/epicentr"
	horoshopsb "github.com/kramar/kramar/sandbox/horoshop"
	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
	rzsb "github.com/kramar/kramar/sandbox/rozetka"
)

func sandboxCmd() *cobra.Command {
	var addr, marketplace string
	var seed int64
	var stores []string
	var faultRate, rps float64
	var goods int
	cmd := &cobra.Command{
		Use:   "sandbox [--marketplace prom|rozetka] [--store CREDENTIAL=ORDERS]...",
		Short: "Serve a marketplace sandbox (the real API's paths and shapes, seeded data, faults)",
		Long: "Serves a local simulator of a marketplace API with seeded data, one store per credential:\n" +
			"  prom:    the public API under /api/v1; --store TOKEN=ORDERS (Authorization: Bearer TOKEN)\n" +
			"  rozetka: the Seller API at the root; --store USERNAME:PASSWORD=ORDERS (POST /sites logs in)\n" +
			"  horoshop: /api/…; --store LOGIN:PASSWORD=ORDERS (POST /api/auth/)\n" +
			"  epicentr: the OMS API; --store TOKEN=ORDERS (Authorization: Bearer TOKEN)\n" +
			"Point a store's base_url at the printed address. Control endpoints under /_sandbox/ change\n" +
			"orders, revoke tokens and set faults.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var (
				sb  faultedSandbox
				add func(cred string, n int) error
				api string
			)
			switch marketplace {
			case "prom":
				stores = orDefault(stores, "sandbox-main-token=400", "sandbox-outlet-token=250")
				p := promsb.New(promsb.Options{Clock: kit.RealClock(), Seed: seed, RatePerSecond: rps})
				sb, add, api = p, tokenStore(p.AddStore), promsb.APIPath
			case "rozetka":
				stores = orDefault(stores, "seller@example.com:sandbox-password=300")
				r := rzsb.New(rzsb.Options{Clock: kit.RealClock(), Seed: seed, RatePerSecond: rps})
				sb, add = r, loginStore("USERNAME", func(user, password string, n int) { r.AddStore(user, password, n, goods) })
			case "horoshop":
				stores = orDefault(stores, "api-user:sandbox-password=150")
				h := horoshopsb.New(horoshopsb.Options{Clock: kit.RealClock(), Seed: seed, RatePerSecond: rps})
				sb, add = h, loginStore("LOGIN", func(user, password string, n int) { h.AddStore(user, password, n, goods) })
			case "epicentr":
				stores = orDefault(stores, "sandbox-epicentr-token=200")
				e := epicentrsb.New(epicentrsb.Options{Clock: kit.RealClock(), Seed: seed, RatePerSecond: rps})
				sb, add = e, tokenStore(e.AddStore)
			default:
				return &exitError{2, fmt.Errorf("--marketplace %q: have prom, rozetka, horoshop, epicentr (zakupka and spec-described ones are in the demo)", marketplace)}
			}
			if err := addStores(stores, add); err != nil {
				return err
			}
			sb.Faults().Set(kit.FaultConfig{Rate: faultRate, Kinds: kit.AllKinds, Seed: seed})
			srv, base, err := kit.Serve(addr, sb.Handler())
			if err != nil {
				return err
			}
			defer srv.Close()
			// The first line is read by tools that start the sandbox (kramar bench).
			fmt.Fprintf(cmd.OutOrStdout(), "listening on %s\n", base)
			fmt.Fprintf(cmd.ErrOrStderr(), "%s sandbox API: %s%s; stores: %s\n", marketplace, base, api, strings.Join(stores, ", "))
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			select {
			case <-sig:
			case <-cmd.Context().Done():
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&marketplace, "marketplace", "prom", "which marketplace to simulate: prom, rozetka, horoshop, epicentr")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8089", "listen address (port 0 = any free port)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "data and fault seed")
	cmd.Flags().StringSliceVar(&stores, "store", nil, "CREDENTIAL=ORDERS, one per store (repeatable)")
	cmd.Flags().IntVar(&goods, "goods", 1000, "catalog offers per store (rozetka, horoshop)")
	cmd.Flags().Float64Var(&faultRate, "fault-rate", 0, "share of API responses faulted (0..1)")
	cmd.Flags().Float64Var(&rps, "rate", 0, "per-store request limit per second (0 = none)")
	return cmd
}

// addStores parses CREDENTIAL=ORDERS entries and adds each store.
func addStores(entries []string, add func(credential string, orders int) error) error {
	for _, s := range entries {
		cred, n, ok := strings.Cut(s, "=")
		count, err := strconv.Atoi(n)
		if !ok || cred == "" || err != nil || count < 0 {
			return &exitError{2, fmt.Errorf("--store %q: want CREDENTIAL=ORDERS", s)}
		}
		if err := add(cred, count); err != nil {
			return &exitError{2, err}
		}
	}
	return nil
}

// faultedSandbox is what every marketplace simulator offers the command.
type faultedSandbox interface {
	Handler() http.Handler
	Faults() *kit.Faults
}

func orDefault(stores []string, defaults ...string) []string {
	if len(stores) == 0 {
		return defaults
	}
	return stores
}

// tokenStore adds a store whose credential is a token.
func tokenStore(add func(token string, orders int) string) func(string, int) error {
	return func(cred string, n int) error { add(cred, n); return nil }
}

// loginStore adds a store whose credential is NAME:PASSWORD.
func loginStore(name string, add func(user, password string, orders int)) func(string, int) error {
	return func(cred string, n int) error {
		user, password, ok := strings.Cut(cred, ":")
		if !ok {
			return fmt.Errorf("--store %q: want %s:PASSWORD=ORDERS", cred, name)
		}
		add(user, password, n)
		return nil
	}
}
