package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	_ "github.com/kramar/kramar/sandbox/all"
	"github.com/kramar/kramar/sandbox/kit"
)

func sandboxCmd() *cobra.Command {
	var addr, marketplace string
	var seed int64
	var stores []string
	var faultRate, rps float64
	var goods int
	cmd := command("sandbox [--marketplace NAME] [--store CREDENTIAL=ORDERS]...",
		"Serve a marketplace sandbox (the real API's paths and shapes, seeded data, faults)",
		sandboxHelp(),
		func(cmd *cobra.Command, _ []string) error {
			sim, ok := kit.SimulatorFor(marketplace)
			if !ok {
				return &exitError{2, fmt.Errorf("--marketplace %q: have %s (spec-described ones are in the demo)", marketplace, strings.Join(simulatorNames(), ", "))}
			}
			if len(stores) == 0 {
				stores = sim.Defaults
			}
			sb, add := sim.New(kit.SimOptions{Seed: seed, RatePerSecond: rps, Goods: goods})
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
			fmt.Fprintf(cmd.ErrOrStderr(), "%s sandbox API: %s%s; stores: %s\n", marketplace, base, sim.APIPath, strings.Join(stores, ", "))
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			select {
			case <-sig:
			case <-cmd.Context().Done():
			}
			return nil
		})
	cmd.Flags().StringVar(&marketplace, "marketplace", "prom", "which marketplace to simulate: "+strings.Join(simulatorNames(), ", "))
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

// sandboxHelp lists the simulators the sandbox packages registered.
func sandboxHelp() string {
	var b strings.Builder
	b.WriteString("Serves a local simulator of a marketplace API with seeded data, one store per credential:\n")
	for _, s := range kit.Simulators() {
		api := s.APIPath
		if api == "" {
			api = "/"
		}
		fmt.Fprintf(&b, "  %-9s API at %s; --store %s=ORDERS (%s)\n", s.Marketplace+":", api, s.Credential, s.Auth)
	}
	b.WriteString("Point a store's base_url at the printed address. Control endpoints under /_sandbox/ change\n" +
		"orders, revoke tokens and set faults.")
	return b.String()
}

func simulatorNames() []string {
	var names []string
	for _, s := range kit.Simulators() {
		names = append(names, s.Marketplace)
	}
	return names
}
