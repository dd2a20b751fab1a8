package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

// What the seller's CRM tells the way back: order changes (kramar order)
// and stock levels (kramar stock), recorded for kramar push.

func orderCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "order",
		Short: "Record CRM-side order changes (status, ТТН) for the marketplaces",
		Long: "Records what the seller's CRM changed in crm_updates, where `kramar push` will take it to the\n" +
			"marketplaces. Other systems may insert into crm_updates directly.",
	}
	var c pipeline.CRMChange
	set := func(use, short string, needStatus bool) *cobra.Command {
		sub := &cobra.Command{
			Use:   use,
			Short: short,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				if needStatus && c.Status == "" {
					return &exitError{2, fmt.Errorf("--status is required")}
				}
				return withWarehouseOnly(cmd, func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
					c.ChangedAt = time.Now()
					u, err := pipeline.NewCRMUpdate(cfg, c)
					if err != nil {
						return &exitError{2, fmt.Errorf("store %s, order %s: %w", c.Store, c.OrderID, err)}
					}
					if err := wh.RecordCRMUpdates(ctx, []clickhouse.CRMUpdate{u}); err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "recorded change %s: store %s, order %s, status %q, ТТН %q\n", u.UpdateID, u.Store, u.OrderID, u.CRMStatus, u.TTN)
					return nil
				})
			},
		}
		sub.Flags().StringVar(&c.Store, "store", "", "store id")
		sub.Flags().StringVar(&c.OrderID, "order", "", "the marketplace's order id")
		sub.Flags().StringVar(&c.TTN, "ttn", "", "waybill number (checked for its carrier)")
		sub.Flags().StringVar(&c.Carrier, "carrier", "nova_poshta", "carrier of the ТТН: nova_poshta, ukrposhta")
		sub.Flags().StringVar(&c.ChangedBy, "by", os.Getenv("USER"), "who made the change")
		_ = sub.MarkFlagRequired("store")
		_ = sub.MarkFlagRequired("order")
		return sub
	}
	status := set("set-status --store ID --order ID --status S [--ttn N --carrier C]", "Record a new CRM status (and ТТН) of an order", true)
	status.Flags().StringVar(&c.Status, "status", "", "the new CRM status")
	ttnCmd := set("set-ttn --store ID --order ID --ttn N [--carrier C]", "Record an order's waybill number", false)
	_ = ttnCmd.MarkFlagRequired("ttn")

	imp := importCmd("Record CRM changes from a CSV file (store, order_id, status, ttn, carrier, changed_at, changed_by)",
		"Reads a CSV with a header row (comma or semicolon separated, UTF-8 with or without BOM) and\n"+
			"records every valid row; each bad row is reported with its line, order and field, and the\n"+
			"exit code is 1. A row without changed_at takes the file's modification time, so importing the\n"+
			"same file again gives the same change ids (update_id), which pushes act on once.",
		"change(s)", pipeline.ParseCRMCSV, all((*clickhouse.Warehouse).RecordCRMUpdates))
	cmd.AddCommand(status, ttnCmd, imp)
	return cmd
}

func stockCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "stock", Short: "Record the CRM's stock levels for the marketplaces"}
	cmd.AddCommand(importCmd("Record stock levels from a CSV file (store, external_id, quantity, changed_at, changed_by)",
		"Reads a CSV with a header row (comma or semicolon separated, UTF-8 with or without BOM) into\n"+
			"crm_stock, where the stock push will take it from; v_crm_stock holds the latest count per\n"+
			"product. external_id is the product's id as the store matches products (match_by). Each bad\n"+
			"row is reported with its line, product and field, and the exit code is 1.",
		"stock level(s)", pipeline.ParseStockCSV, all((*clickhouse.Warehouse).RecordCRMStock)))
	return cmd
}
