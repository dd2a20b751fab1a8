package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/schema/canon"
)

func inspectCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "inspect", Short: "Look at data the way the pipeline sees it"}
	var marketplace, store string
	var asJSON bool
	order := &cobra.Command{
		Use:   "order --marketplace prom FILE [--store ID] --json",
		Short: "Print the canonical order(s) for a saved API payload (one order or a list page)",
		Long: "Transforms a saved marketplace payload exactly as a run would and prints the canonical orders,\n" +
			"then what the payload holds that kramar's wire model does not expect (as payload_drift would).\n" +
			"With --store (and a config), that store's order type, source and mappings apply.\n" +
			"Records that would be rejected are printed with their field and reason; exit code 1 if any.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			conn, ok := connectors.Lookup(marketplace)
			if !ok {
				return &exitError{2, fmt.Errorf("unknown marketplace %q (have %v)", marketplace, connectors.Names())}
			}
			payload, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			sc := canon.Store{Marketplace: marketplace, Store: store}
			if store != "" {
				cfg, err := config.Load(configPath(cmd))
				if err != nil {
					return &exitError{2, err}
				}
				if st, ok := cfg.Store(store); ok {
					sc = connectors.Store(cfg, *st)
					sc.Marketplace = marketplace
				}
			}
			records, err := conn.Records(payload)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			var orders []canon.Order
			var rejects []canon.Reject
			var skipped []string
			var differs drift.Tally
			model := conn.OrderModel()
			for _, raw := range records {
				if model != nil {
					differs.Check(model, conn.OrdersEndpoint, raw, time.Now().UTC())
				}
				o, err := conn.Transform(raw, sc)
				if errors.Is(err, connectors.ErrSkipped) {
					skipped = append(skipped, conn.RecordID(raw))
					continue
				}
				if err != nil {
					r := canon.Reject{Marketplace: marketplace, Store: store, RecordID: conn.RecordID(raw), Reason: err.Error()}
					if fe, ok := err.(*canon.FieldError); ok {
						r.Field, r.Reason = fe.Field, fe.Reason
					}
					rejects = append(rejects, r)
					continue
				}
				orders = append(orders, o)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				if err := enc.Encode(struct {
					Orders  []canon.Order  `json:"orders"`
					Rejects []canon.Reject `json:"rejects,omitempty"`
					Skipped []string       `json:"skipped,omitempty"`
					Drift   []driftLine    `json:"drift,omitempty"`
				}{orders, rejects, skipped, driftLines(differs.Entries())}); err != nil {
					return err
				}
			} else {
				for _, o := range orders {
					fmt.Fprintf(out, "%s %s  %s → %s  %s %s  %s грн  %d item(s)\n", o.Store, o.ExternalID, o.MarketplaceStatus, o.Status,
						o.BuyerLastName, o.BuyerFirstName, o.Amount.StringFixed(2), len(o.Items))
				}
				for _, r := range rejects {
					fmt.Fprintf(out, "rejected %s: %s: %s\n", r.RecordID, r.Field, r.Reason)
				}
				for _, id := range skipped {
					fmt.Fprintf(out, "skipped %s: %s\n", id, connectors.ErrSkipped)
				}
				for _, d := range driftLines(differs.Entries()) {
					fmt.Fprintf(out, "differs %s: %s (%d of %d records), e.g. %s\n", d.Path, d.What, d.Records, len(records), d.Example)
				}
			}
			if len(rejects) > 0 {
				return &exitError{1, fmt.Errorf("%d record(s) rejected", len(rejects))}
			}
			return nil
		},
	}
	order.Flags().StringVar(&marketplace, "marketplace", "", "marketplace of the payload (prom, …)")
	order.Flags().StringVar(&store, "store", "", "apply this store's settings from the config")
	order.Flags().BoolVar(&asJSON, "json", false, "print canonical JSON")
	_ = order.MarkFlagRequired("marketplace")
	cmd.AddCommand(order, inspectFeedCmd())
	return cmd
}

// driftLine is one difference of an inspected payload from the wire model.
type driftLine struct {
	Path    string `json:"path"`
	Kind    string `json:"kind"`
	What    string `json:"what"`
	Records uint64 `json:"records"`
	Example string `json:"example"`
}

func driftLines(es []drift.Entry) []driftLine {
	out := make([]driftLine, len(es))
	for i, e := range es {
		out[i] = driftLine{Path: e.Path, Kind: string(e.Kind), What: e.Describe(), Records: e.Count, Example: e.Example}
	}
	return out
}
