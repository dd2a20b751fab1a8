package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/pipeline"
)

func stockCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "stock", Short: "Record the CRM's stock levels for the marketplaces"}
	cmd.AddCommand(&cobra.Command{
		Use:   "import FILE.csv",
		Short: "Record stock levels from a CSV file (store, external_id, quantity, changed_at, changed_by)",
		Long: "Reads a CSV with a header row (comma or semicolon separated, UTF-8 with or without BOM) into\n" +
			"crm_stock, where the stock push will take it from; v_crm_stock holds the latest count per\n" +
			"product. external_id is the product's id as the store matches products (match_by). Each bad\n" +
			"row is reported with its line, product and field, and the exit code is 1.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, wh, err := openAll(cmd.Context(), configPath(cmd))
			if err != nil {
				return err
			}
			defer wh.Close()
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			stamp := time.Now()
			if fi, err := f.Stat(); err == nil {
				stamp = fi.ModTime()
			}
			levels, bad := pipeline.ParseStockCSV(f, args[0], cfg, stamp)
			if err := wh.RecordCRMStock(cmd.Context(), levels); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d stock level(s) recorded, %d refused\n", args[0], len(levels), len(bad))
			for _, e := range bad {
				fmt.Fprintln(cmd.OutOrStdout(), e)
			}
			if len(bad) > 0 {
				return &exitError{1, errors.New("some rows were refused")}
			}
			return nil
		},
	})
	return cmd
}
