package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/sandbox/kit"
	promsb "github.com/kramar/kramar/sandbox/prom"
)

func sandboxCmd() *cobra.Command {
	var addr string
	var seed int64
	var stores []string
	var faultRate, rps float64
	cmd := &cobra.Command{
		Use:   "sandbox [--store TOKEN=ORDERS]...",
		Short: "Serve the Prom.ua sandbox (the real API's paths and shapes, seeded data, faults)",
		Long: "Serves a local simulator of the Prom.ua public API under /api/v1 with seeded orders, one\n" +
			"store per token. Point a store's base_url at the printed address. Control endpoints under\n" +
			"/_sandbox/ change orders (status, payment, TTN), revoke tokens and set faults.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(stores) == 0 {
				stores = []string{"sandbox-main-token=400", "sandbox-outlet-token=250"}
			}
			sb := promsb.New(promsb.Options{Clock: kit.RealClock(), Seed: seed, RatePerSecond: rps})
			for _, s := range stores {
				token, n, ok := strings.Cut(s, "=")
				count, err := strconv.Atoi(n)
				if !ok || token == "" || err != nil || count < 0 {
					return &exitError{2, fmt.Errorf("--store %q: want TOKEN=ORDERS", s)}
				}
				sb.AddStore(token, count)
			}
			if faultRate > 0 {
				sb.Faults().Set(kit.FaultConfig{Rate: faultRate, Kinds: kit.AllKinds, Seed: seed})
			}
			srv, base, err := kit.Serve(addr, sb.Handler())
			if err != nil {
				return err
			}
			defer srv.Close()
			// The first line is read by tools that start the sandbox (kramar bench).
			fmt.Fprintf(cmd.OutOrStdout(), "listening on %s\n", base)
			fmt.Fprintf(cmd.ErrOrStderr(), "Prom.ua API: %s%s (Authorization: Bearer <token>); sandbox tokens: %s\n",
				base, promsb.APIPath, strings.Join(stores, ", "))
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			select {
			case <-sig:
			case <-cmd.Context().Done():
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8089", "listen address (port 0 = any free port)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "data and fault seed")
	cmd.Flags().StringSliceVar(&stores, "store", nil, "TOKEN=ORDERS, one per store (repeatable)")
	cmd.Flags().Float64Var(&faultRate, "fault-rate", 0, "share of API responses faulted (0..1)")
	cmd.Flags().Float64Var(&rps, "rate", 0, "per-token request limit per second (0 = none)")
	return cmd
}
