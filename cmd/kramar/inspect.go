package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/extractors/feeds/cml"
	"github.com/kramar/kramar/extractors/feeds/fetch"
	"github.com/kramar/kramar/extractors/feeds/yml"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/connectors"
	"github.com/kramar/kramar/schema/canon"
)

func inspectCmd() *cobra.Command {
	var marketplace, store string
	var asJSON bool
	order := command("order --marketplace prom FILE [--store ID] --json",
		"Print the canonical order(s) for a saved API payload (one order or a list page)",
		help("inspect-order"),
		func(cmd *cobra.Command, args []string) error {
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
		})
	order.Args = cobra.ExactArgs(1)
	order.Flags().StringVar(&marketplace, "marketplace", "", "marketplace of the payload (prom, …)")
	order.Flags().StringVar(&store, "store", "", "apply this store's settings from the config")
	order.Flags().BoolVar(&asJSON, "json", false, "print canonical JSON")
	_ = order.MarkFlagRequired("marketplace")
	return group("inspect", "Look at data the way the pipeline sees it", "", order, inspectFeedCmd())
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

// feedReport is what `kramar inspect feed` prints.
type feedReport struct {
	Source     string   `json:"source"`
	Format     string   `json:"format"`             // yml, cml or unknown
	Encoding   string   `json:"encoding,omitempty"` // what a YML feed was read as
	Bytes      int64    `json:"bytes"`
	Offers     int      `json:"offers"`
	Categories int      `json:"categories"`
	Currencies int      `json:"currencies"`
	Orders     int      `json:"orders"`
	Warnings   []string `json:"warnings"`
	Errors     []string `json:"errors"`
}

func inspectFeedCmd() *cobra.Command {
	var asJSON bool
	cmd := command("feed PATH|URL [--json]",
		"Parse a YML catalog or a CommerceML orders file and report what is in it",
		help("inspect-feed"),
		func(cmd *cobra.Command, args []string) error {
			rep := inspectFeed(cmd, args[0])
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				format := rep.Format
				if rep.Encoding != "" {
					format += " (" + rep.Encoding + ")"
				}
				fmt.Fprintf(out, "%s: %s, %d bytes: %d offers, %d categories, %d currencies, %d orders\n",
					rep.Source, format, rep.Bytes, rep.Offers, rep.Categories, rep.Currencies, rep.Orders)
				for _, w := range rep.Warnings {
					fmt.Fprintln(out, "warning:", w)
				}
				for _, e := range rep.Errors {
					fmt.Fprintln(out, "error:", e)
				}
			}
			if len(rep.Errors) > 0 {
				return &exitError{1, fmt.Errorf("%s: %d error(s)", rep.Source, len(rep.Errors))}
			}
			return nil
		})
	cmd.Args = cobra.ExactArgs(1)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (keys: format, offers, categories, orders, errors, …)")
	return cmd
}

func inspectFeed(cmd *cobra.Command, src string) feedReport {
	rep := feedReport{Source: src, Format: "unknown", Warnings: []string{}, Errors: []string{}}
	fail := func(err error) feedReport {
		rep.Errors = append(rep.Errors, err.Error())
		return rep
	}
	body, meta, _, err := fetch.Open(cmd.Context(), src, fetch.Validators{}, fetch.Options{MaxBytes: pipeline.MaxFeedBytes})
	if err != nil {
		return fail(err)
	}
	defer body.Close()
	rep.Source = meta.Source
	counted := &countingReader{r: body}
	br := bufio.NewReaderSize(counted, 64<<10)
	head, _ := br.Peek(64 << 10)
	switch {
	case bytes.Contains(head, []byte("<yml_catalog")):
		rep.Format = "yml"
		stats, err := yml.Count(cmd.Context(), br, yml.Options{MaxBytes: pipeline.MaxFeedBytes, Name: meta.Source})
		rep.Offers, rep.Categories, rep.Currencies, rep.Encoding = stats.Offers, stats.Categories, stats.Currencies, stats.Encoding
		rep.Warnings = append(rep.Warnings, stats.WarningSamples...)
		if stats.Warnings > len(stats.WarningSamples) {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("… %d warnings in all", stats.Warnings))
		}
		if err != nil {
			fail(err)
		}
	default:
		rep.Format = "cml"
		info, err := cml.ReadAll(br, cml.MaxFileBytes)
		if err != nil {
			rep.Format = "unknown"
			if looksLikeCML(head) {
				rep.Format = "cml"
			}
			fail(err)
			break
		}
		rep.Orders = len(info.Documents) + len(info.Containers)
	}
	rep.Bytes = counted.n
	return rep
}

// looksLikeCML spots the CommerceML root in UTF-8 or windows-1251.
func looksLikeCML(head []byte) bool {
	return bytes.Contains(head, []byte("КоммерческаяИнформация")) ||
		bytes.Contains(head, []byte("\xca\xee\xec\xec\xe5\xf0\xf7\xe5\xf1\xea\xe0\xff\xc8\xed\xf4\xee\xf0\xec\xe0\xf6\xe8\xff"))
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
