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
			var handler http.Handler
			var api string
			switch marketplace {
			case "prom":
				if len(stores) == 0 {
					stores = []string{"sandbox-main-token=400", "sandbox-outlet-token=250"}
				}
				sb := promsb.New(promsb.Options{Clock: kit.RealClock(), Seed: seed, RatePerSecond: rps})
				err := addStores(stores, func(cred string, n int) error { sb.AddStore(cred, n); return nil })
				if err != nil {
					return err
				}
				sb.Faults().Set(kit.FaultConfig{Rate: faultRate, Kinds: kit.AllKinds, Seed: seed})
				handler, api = sb.Handler(), promsb.APIPath
			case "rozetka":
				if len(stores) == 0 {
					stores = []string{"seller@example.com:sandbox-password=300"}
				}
				sb := rzsb.New(rzsb.Options{Clock: kit.RealClock(), Seed: seed, RatePerSecond: rps})
				err := addStores(stores, func(cred string, n int) error {
					user, password, ok := strings.Cut(cred, ":")
					if !ok {
						return fmt.Errorf("--store %q: want USERNAME:PASSWORD=ORDERS", cred)
					}
					sb.AddStore(user, password, n, goods)
					return nil
				})
				if err != nil {
					return err
				}
				sb.Faults().Set(kit.FaultConfig{Rate: faultRate, Kinds: kit.AllKinds, Seed: seed})
				handler = sb.Handler()
			case "horoshop":
				if len(stores) == 0 {
					stores = []string{"api-user:sandbox-password=150"}
				}
				sb := horoshopsb.New(horoshopsb.Options{Clock: kit.RealClock(), Seed: seed, RatePerSecond: rps})
				err := addStores(stores, func(cred string, n int) error {
					user, password, ok := strings.Cut(cred, ":")
					if !ok {
						return fmt.Errorf("--store %q: want LOGIN:PASSWORD=ORDERS", cred)
					}
					sb.AddStore(user, password, n, goods)
					return nil
				})
				if err != nil {
					return err
				}
				sb.Faults().Set(kit.FaultConfig{Rate: faultRate, Kinds: kit.AllKinds, Seed: seed})
				handler = sb.Handler()
			case "epicentr":
				if len(stores) == 0 {
					stores = []string{"sandbox-epicentr-token=200"}
				}
				sb := epicentrsb.New(epicentrsb.Options{Clock: kit.RealClock(), Seed: seed, RatePerSecond: rps})
				err := addStores(stores, func(cred string, n int) error { sb.AddStore(cred, n); return nil })
				if err != nil {
					return err
				}
				sb.Faults().Set(kit.FaultConfig{Rate: faultRate, Kinds: kit.AllKinds, Seed: seed})
				handler = sb.Handler()
			default:
				return &exitError{2, fmt.Errorf("--marketplace %q: have prom, rozetka, horoshop, epicentr (zakupka and spec-described ones are in the demo)", marketplace)}
			}
			srv, base, err := kit.Serve(addr, handler)
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
