package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/extractors/drift"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

func probeCmd() *cobra.Command {
	var stores []string
	var days int
	cmd := &cobra.Command{
		Use:   "probe --store ID [--store ID]... [--days 30]",
		Short: "Check a store's real API against what kramar expects, changing nothing",
		Long: "Probe makes one call to each read endpoint the store's jobs use (a page of recent orders, one\n" +
			"order by id, a page of the catalog or the store's YML feed, the reference lists), decodes every\n" +
			"answer as the jobs do and compares it with kramar's wire model: new fields, missing fields,\n" +
			"changed types. It never writes to the marketplace (the 1C exchange is not confirmed) nor to the\n" +
			"warehouse, so it is the first thing to run when connecting a store. Exit code 0 when everything\n" +
			"the pipeline needs is there (differences it can live with are listed), 1 when something it needs\n" +
			"is missing or a call fails, 2 for a bad config.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(stores) == 0 {
				return &exitError{2, fmt.Errorf("name the store to probe with --store ID")}
			}
			defer interruptible(cmd)()
			ctx := cmd.Context()
			// The warehouse is not needed: a seller may probe a store before
			// there is one.
			cfg, err := config.LoadStores(configPath(cmd))
			if err != nil {
				return &exitError{2, err}
			}
			runner := &pipeline.Runner{Config: cfg}
			failed := 0
			for _, id := range stores {
				rep, err := runner.Probe(ctx, id, days)
				if err != nil {
					return &exitError{2, err}
				}
				printProbe(cmd.OutOrStdout(), rep)
				if !rep.OK() {
					failed++
				}
			}
			if failed > 0 {
				return &exitError{1, fmt.Errorf("%d of %d stores miss something the pipeline needs", failed, len(stores))}
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&stores, "store", nil, "store id to probe (repeatable)")
	cmd.Flags().IntVar(&days, "days", 30, "how far back to look for orders")
	return cmd
}

func printProbe(w io.Writer, rep pipeline.ProbeReport) {
	fmt.Fprintf(w, "probe %s (%s)\n", rep.Store, rep.Marketplace)
	for _, c := range rep.Calls {
		state := "ok"
		switch {
		case c.Failed():
			state = "FAIL"
		case len(c.Drift) > 0:
			state = "differs"
		}
		where := c.Call
		if c.Endpoint != "" {
			where += " — " + c.Endpoint
		}
		fmt.Fprintf(w, "  %-7s %s: ", state, where)
		switch {
		case c.Err != nil:
			fmt.Fprintf(w, "%v\n", c.Err)
			continue
		case len(c.Drift) == 0 && len(c.Rejects) == 0:
			fmt.Fprintf(w, "%s, as expected", records(c.Records))
		default:
			fmt.Fprint(w, records(c.Records))
		}
		if c.Note != "" {
			fmt.Fprintf(w, " (%s)", c.Note)
		}
		fmt.Fprintln(w)
		for _, e := range c.Drift {
			need := ""
			if e.Required && e.Kind == drift.Missing {
				need = "  NEEDED: orders without it are rejected"
			}
			fmt.Fprintf(w, "          %-14s %s: %s, in %d of %d, e.g. %s%s\n", e.Kind, e.Path, e.Describe(), e.Count, c.Records, example(e.Example), need)
		}
		for _, r := range c.Rejects {
			fmt.Fprintf(w, "          rejected       record %s, field %s: %s\n", r.RecordID, r.Field, r.Reason)
		}
	}
	verdict := "everything the pipeline needs is there"
	if !rep.OK() {
		verdict = "something the pipeline needs is missing (see FAIL above)"
	}
	fmt.Fprintf(w, "  result: %s\n", verdict)
}

func records(n int) string {
	if n == 1 {
		return "1 record"
	}
	return fmt.Sprintf("%d records", n)
}

func example(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
