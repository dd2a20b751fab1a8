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

func productsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "products", Short: "The seller's products: which marketplace product is which of yours"}
	match := &cobra.Command{
		Use:   "match",
		Short: "Match marketplace products to the seller's products (v_order_items.product_key)",
		Long: "A line's product is the seller's match for it (by the marketplace's product id, or the external\n" +
			"id where a line has none), else the seller's own id the marketplace sent (external id, else\n" +
			"article). A change re-attributes past lines in v_order_items, v_product_sales and\n" +
			"v_unmatched_items at once; nothing is reloaded, and catalog loads never change a match.",
	}
	match.AddCommand(importCmd("Record product matches from a CSV file (store, product_id or external_id, product_key, marketplace, changed_at, changed_by)",
		"Columns: store, product_id or external_id (the marketplace's ids of the product), product_key (the\n"+
			"seller's product), and optionally marketplace (needed only for a store the config does not\n"+
			"have), changed_at (RFC 3339; default: the file's time) and changed_by. Comma or semicolon,\n"+
			"with or without BOM. Bad rows are reported by line and left out; the same file twice changes nothing.",
		"product match(es)", pipeline.ParseMatchesCSV,
		func(ctx context.Context, wh *clickhouse.Warehouse, ms []clickhouse.ProductMatch) (int, error) {
			return wh.RecordMatches(ctx, ms)
		}))
	var c pipeline.MatchChange
	change := func(use, short string, clear bool) *cobra.Command {
		sub := &cobra.Command{
			Use:   use,
			Short: short,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				if !clear && c.Product == "" {
					return &exitError{2, fmt.Errorf("--product is required")}
				}
				return withWarehouseOnly(cmd, func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
					c.ChangedAt = time.Now()
					m, err := pipeline.NewMatch(cfg, c)
					if err != nil {
						return &exitError{2, err}
					}
					n, err := wh.RecordMatches(ctx, []clickhouse.ProductMatch{m})
					if err != nil {
						return err
					}
					what := fmt.Sprintf("store %s, product %s", m.Store, m.MatchKey)
					switch {
					case n == 0:
						fmt.Fprintf(cmd.OutOrStdout(), "%s: nothing to change\n", what)
					case clear:
						fmt.Fprintf(cmd.OutOrStdout(), "%s: match cleared; its lines go back to the ids the marketplace sent\n", what)
					default:
						fmt.Fprintf(cmd.OutOrStdout(), "%s: matched to %s\n", what, m.ProductKey)
					}
					return nil
				})
			},
		}
		sub.Flags().StringVar(&c.Store, "store", "", "store id")
		sub.Flags().StringVar(&c.Marketplace, "marketplace", "", "the store's marketplace (only for a store the config does not have)")
		sub.Flags().StringVar(&c.ProductID, "product-id", "", "the marketplace's product id of the lines")
		sub.Flags().StringVar(&c.ExternalID, "external-id", "", "the lines' external id, for lines without a product id")
		sub.Flags().StringVar(&c.ChangedBy, "by", os.Getenv("USER"), "who made the change")
		_ = sub.MarkFlagRequired("store")
		if !clear {
			sub.Flags().StringVar(&c.Product, "product", "", "the seller's product key")
		}
		return sub
	}
	match.AddCommand(change("set --store ID (--product-id ID | --external-id ID) --product KEY", "Match one marketplace product to one of the seller's", false))
	match.AddCommand(change("clear --store ID (--product-id ID | --external-id ID)", "Remove the seller's match of one marketplace product", true))
	cmd.AddCommand(match)
	return cmd
}
