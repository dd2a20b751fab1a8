package main

import (
	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
)

func init() { addCommand(stockCmd) }

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
			return csvImport(cmd, args[0], "stock level(s)", pipeline.ParseStockCSV, all((*clickhouse.Warehouse).RecordCRMStock))
		},
	})
	return cmd
}
