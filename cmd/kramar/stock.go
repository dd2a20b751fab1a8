package main

import (
	"context"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
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
			return csvImport(cmd, args[0], "stock level(s)", func(ctx context.Context, r io.Reader, cfg *config.Config, wh *clickhouse.Warehouse, stamp time.Time) (int, []error) {
				levels, bad := pipeline.ParseStockCSV(r, args[0], cfg, stamp)
				if err := wh.RecordCRMStock(ctx, levels); err != nil {
					return 0, append(bad, err)
				}
				return len(levels), bad
			})
		},
	})
	return cmd
}
