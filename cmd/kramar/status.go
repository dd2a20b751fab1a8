package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
	"github.com/kramar/kramar/pipeline/coord"
)

func statusCmd() *cobra.Command {
	var allDrift bool
	var driftDays int
	cmd := warehouseCmd("status",
		"Show every store's health: last success, lag, last error, holds, pending pushes",
		help("status"),
		func(cmd *cobra.Command, _ []string) (warehouseWork, error) {
			return func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				health, err := readHealth(ctx, wh, cfg, time.Now().UTC())
				if err != nil {
					return err
				}
				printHealth(cmd.OutOrStdout(), health)
				zkErr := printLeases(ctx, cmd.OutOrStdout(), cfg)
				drifts, err := wh.PayloadDrift(ctx, time.Now().UTC().AddDate(0, 0, -driftDays), configuredMarketplaces(cfg)...)
				if err != nil {
					return err
				}
				printDrift(cmd.OutOrStdout(), drifts, driftDays, allDrift)
				if n := failing(health); n > 0 {
					return &exitError{1, fmt.Errorf("%d of %d stores failing", n, len(health))}
				}
				if zkErr != nil {
					return &exitError{1, zkErr}
				}
				return nil
			}, nil
		})
	cmd.Flags().BoolVar(&allDrift, "drift", false, "list every payload difference with a masked example")
	cmd.Flags().IntVar(&driftDays, "drift-days", 7, "how many days of payload drift to show")
	return cmd
}

// freeShown is how many stores without a lease status names.
const freeShown = 10

// printLeases shows, with coordination, the live workers and the leases
// each holds; its error says ZooKeeper did not answer.
func printLeases(ctx context.Context, w io.Writer, cfg *config.Config) error {
	c := cfg.Coordination
	if !c.Enabled() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v, err := coord.Look(ctx, c.ZooKeeper, c.Root, nil)
	if err != nil {
		fmt.Fprintf(w, "\nworkers (ZooKeeper %s): not reachable (%v): no worker starts runs until it is\n", c.Root, err)
		return fmt.Errorf("ZooKeeper not reachable: %w", err)
	}
	per := map[string]int{}
	for _, holder := range v.Leases {
		per[holder]++
	}
	var held []string
	for _, wk := range v.Workers {
		held = append(held, fmt.Sprintf("%s %d", wk, per[wk]))
	}
	var free []string
	for _, st := range cfg.Stores {
		if _, ok := v.Leases[st.ID]; !ok {
			free = append(free, st.ID)
		}
	}
	fmt.Fprintf(w, "\nworkers (ZooKeeper %s): %d live; leases held: %s; stores without a lease: %d", c.Root, len(v.Workers), strings.Join(held, ", "), len(free))
	if len(free) > 0 && len(free) <= freeShown {
		fmt.Fprintf(w, " (%s)", strings.Join(free, ", "))
	}
	fmt.Fprintln(w)
	return nil
}

func configuredMarketplaces(cfg *config.Config) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range cfg.Stores {
		if !seen[s.Marketplace] {
			seen[s.Marketplace] = true
			out = append(out, s.Marketplace)
		}
	}
	return out
}

// driftShown is how many differences status lists without --drift.
const driftShown = 10

func printDrift(w io.Writer, ds []clickhouse.Drift, days int, all bool) {
	if len(ds) == 0 {
		return
	}
	fmt.Fprintf(w, "\npayload drift, last %d days: %d differences from the wire model (fields that cannot be read are loaded empty)\n", days, len(ds))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := "marketplace\tendpoint\tpath\twhat\tpayloads\tstores\tlast_seen (UTC)"
	if all {
		header += "\texample"
	}
	fmt.Fprintln(tw, header)
	for i, d := range ds {
		if !all && i == driftShown {
			fmt.Fprintf(tw, "… %d more (kramar status --drift)\n", len(ds)-driftShown)
			break
		}
		what := drift.Describe(d.Kind, d.Expected, d.Observed)
		if d.Required {
			what += " (a field the warehouse needs)"
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%d\t%d\t%s", d.Marketplace, d.Endpoint, d.Path, what, d.Count, d.Stores, d.LastSeen.UTC().Format(timeLayout))
		if all {
			line += "\t" + d.Example
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

// storeHealth is one store's line of `kramar status`.
type storeHealth struct {
	Store, Marketplace string
	clickhouse.StoreHealth
	Lag     time.Duration
	Failing bool
}

func (h storeHealth) state() string {
	switch {
	case h.Failing:
		return "failing"
	case len(h.Jobs) == 0:
		return "never_run"
	}
	return "ok"
}

// worker is the worker of the store's latest run, "-" when none names one
// (no coordination, or never run).
func (h storeHealth) worker() string {
	var last clickhouse.JobRun
	for _, j := range h.Jobs {
		if j.At.After(last.At) {
			last = j
		}
	}
	if last.Worker == "" {
		return "-"
	}
	return last.Worker
}

func failing(hs []storeHealth) int {
	n := 0
	for _, h := range hs {
		if h.Failing {
			n++
		}
	}
	return n
}

// readHealth is every configured store's health, in config order. A store
// is failing when the last run of any of its jobs, backfills aside, was
// not ok.
func readHealth(ctx context.Context, wh *clickhouse.Warehouse, cfg *config.Config, now time.Time) ([]storeHealth, error) {
	all, err := wh.Health(ctx)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	keys := pipeline.HealthStores(cfg, all)
	out := make([]storeHealth, len(keys))
	for i, k := range keys {
		h := storeHealth{Store: k.Store, Marketplace: k.Marketplace}
		if known := all[k]; known != nil {
			h.StoreHealth = *known
		}
		if !h.LastOK.IsZero() {
			h.Lag = now.Sub(h.LastOK).Truncate(time.Second)
		}
		for _, j := range h.Jobs {
			if pipeline.JobFailing(j) {
				h.Failing = true
			}
		}
		sort.Slice(h.Jobs, func(a, b int) bool { return h.Jobs[a].Job < h.Jobs[b].Job })
		out[i] = h
	}
	return out, nil
}

const timeLayout = "2006-01-02 15:04:05"

func printHealth(w io.Writer, hs []storeHealth) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "store\tmarketplace\tstate\tlast_ok (UTC)\tlag\theld\tpending_pushes\tunsent_notifications\tlast runs\tworker")
	for _, h := range hs {
		last, lag := "never", "-"
		if !h.LastOK.IsZero() {
			last, lag = h.LastOK.Format(timeLayout), h.Lag.String()
		}
		var runs []string
		for _, j := range h.Jobs {
			runs = append(runs, j.Job+"="+j.Status)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", h.Store, h.Marketplace, h.state(), last, lag,
			h.Held, h.PendingPushes, h.UnsentNotes, strings.Join(runs, " "), h.worker())
	}
	tw.Flush()
	for _, h := range hs {
		if e := h.LastError; e.Status != "" {
			fmt.Fprintf(w, "\n%s: last error %s (%s, %s UTC): %s\n", h.Store, e.Status, e.Job, e.At.Format(timeLayout), e.Error)
		}
	}
}
