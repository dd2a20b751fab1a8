package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

func mappingsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "mappings", Short: "Work with the CRM mappings of statuses, deliveries and payments"}
	var stores []string
	var write bool
	suggest := &cobra.Command{
		Use:   "suggest [--store ID]... [--write]",
		Short: "Print the mapping entries the warehouse's orders and reference lists still need, as YAML",
		Long: "Lists every marketplace status, delivery and payment that the stores' current orders (v_orders)\n" +
			"or reference lists (v_marketplace_options) carry and that no mapping of the config covers, as a\n" +
			"mappings: block to paste into kramar.yaml: each value with the marketplace's own name as its CRM\n" +
			"name (change it to yours) and, as a comment, that name and how many orders carry the value.\n" +
			"Orders loaded before a mapping existed are mapped when they next change, or by a backfill.\n" +
			"--write adds the entries to the config file itself, as commented lines where each belongs,\n" +
			"leaving the rest of the file as it was; remove the # of the ones you keep.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withWarehouseOnly(cmd, func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				ss, err := pipeline.SuggestMappings(ctx, wh, cfg, stores)
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				if !write {
					if len(ss) == 0 {
						fmt.Fprintln(out, "# every marketplace value the warehouse has seen is mapped")
						return nil
					}
					fmt.Fprint(out, "# Marketplace values no mapping covers. The CRM names on the right are the marketplace's\n"+
						"# own (or the value itself): write your CRM's, then add the entries under the same keys of\n"+
						"# mappings: in kramar.yaml (or run with --write to have them added there as comments).\n")
					fmt.Fprint(out, config.RenderSuggestions(ss))
					return nil
				}
				return writeSuggestions(cfg.Path, ss, out)
			})
		},
	}
	suggest.Flags().StringSliceVar(&stores, "store", nil, "only this store id (repeatable)")
	suggest.Flags().BoolVar(&write, "write", false, "add the entries to the config file as commented lines")
	cmd.AddCommand(suggest)
	return cmd
}

// writeSuggestions adds the suggestions to the config file as comments.
func writeSuggestions(path string, ss []config.Suggestion, out io.Writer) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return &exitError{2, fmt.Errorf("--write needs the config file: %w", err)}
	}
	note := "kramar mappings suggest, " + time.Now().UTC().Format(time.DateOnly) + " — write your CRM's names, then remove the # of the entries you keep"
	updated, n, err := config.AddSuggestions(src, ss, note)
	if err != nil {
		return &exitError{2, fmt.Errorf("%s: %w", path, err)}
	}
	if n == 0 {
		fmt.Fprintf(out, "%s: nothing to add\n", path)
		return nil
	}
	mode := os.FileMode(0o600)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	if _, err := replaceFile(path, func(f *os.File) error {
		if _, err := f.Write(updated); err != nil {
			return err
		}
		return f.Chmod(mode)
	}); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d suggested entries added as comments\n", path, n)
	return nil
}
