package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

// The seller's side of the warehouse: what the CRM tells the way back (order
// changes and stock levels, recorded for kramar push), which marketplace
// product is which of the seller's, the CRM mappings, and the expense
// entries the accountants book.

func orderCmd() *cobra.Command {
	var c pipeline.CRMChange
	set := func(use, short string, needStatus bool) *cobra.Command {
		sub := warehouseCmd(use, short, "", func(cmd *cobra.Command, _ []string) (warehouseWork, error) {
			if needStatus && c.Status == "" {
				return nil, &exitError{2, fmt.Errorf("--status is required")}
			}
			return func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
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
			}, nil
		})
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
	return group("order", "Record CRM-side order changes (status, ТТН) for the marketplaces",
		help("order"),
		status, ttnCmd, imp)
}

func stockCmd() *cobra.Command {
	imp := importCmd("Record stock levels from a CSV file (store, external_id, quantity, changed_at, changed_by)",
		"Reads a CSV with a header row (comma or semicolon separated, UTF-8 with or without BOM) into\n"+
			"crm_stock, where the stock push will take it from; v_crm_stock holds the latest count per\n"+
			"product. external_id is the product's id as the store matches products (match_by). Each bad\n"+
			"row is reported with its line, product and field, and the exit code is 1.",
		"stock level(s)", pipeline.ParseStockCSV, all((*clickhouse.Warehouse).RecordCRMStock))
	return group("stock", "Record the CRM's stock levels for the marketplaces", "", imp)
}

func productsCmd() *cobra.Command {
	imp := importCmd("Record product matches from a CSV file (store, product_id or external_id, product_key, marketplace, changed_at, changed_by)",
		"Columns: store, product_id or external_id (the marketplace's ids of the product), product_key (the\n"+
			"seller's product), and optionally marketplace (needed only for a store the config does not\n"+
			"have), changed_at (RFC 3339; default: the file's time) and changed_by. Comma or semicolon,\n"+
			"with or without BOM. Bad rows are reported by line and left out; the same file twice changes nothing.",
		"product match(es)", pipeline.ParseMatchesCSV,
		func(ctx context.Context, wh *clickhouse.Warehouse, ms []clickhouse.ProductMatch) (int, error) {
			return wh.RecordMatches(ctx, ms)
		})
	var c pipeline.MatchChange
	change := func(use, short string, clear bool) *cobra.Command {
		sub := warehouseCmd(use, short, "", func(cmd *cobra.Command, _ []string) (warehouseWork, error) {
			if !clear && c.Product == "" {
				return nil, &exitError{2, fmt.Errorf("--product is required")}
			}
			return func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
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
			}, nil
		})
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
	match := group("match", "Match marketplace products to the seller's products (v_order_items.product_key)",
		help("products-match"),
		imp,
		change("set --store ID (--product-id ID | --external-id ID) --product KEY", "Match one marketplace product to one of the seller's", false),
		change("clear --store ID (--product-id ID | --external-id ID)", "Remove the seller's match of one marketplace product", true))
	return group("products", "The seller's products: which marketplace product is which of yours", "", match)
}

func mappingsCmd() *cobra.Command {
	var stores []string
	var write bool
	suggest := warehouseCmd("suggest [--store ID]... [--write]",
		"Print the mapping entries the warehouse's orders and reference lists still need, as YAML",
		help("mappings-suggest"),
		func(cmd *cobra.Command, _ []string) (warehouseWork, error) {
			return func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
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
			}, nil
		})
	suggest.Flags().StringSliceVar(&stores, "store", nil, "only this store id (repeatable)")
	suggest.Flags().BoolVar(&write, "write", false, "add the entries to the config file as commented lines")
	return group("mappings", "Work with the CRM mappings of statuses, deliveries and payments", "", suggest)
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

func expensesCmd() *cobra.Command {
	var (
		month  string
		stores []string
	)
	gen := warehouseCmd("generate --month YYYY-MM [--store ID]...",
		"Make the month's commission entries from royalties (CPA, ProSale, reversals of refunds)",
		help("expenses-generate"),
		func(cmd *cobra.Command, _ []string) (warehouseWork, error) {
			m, err := time.Parse("2006-01", month)
			if err != nil {
				return nil, &exitError{2, fmt.Errorf("--month: want YYYY-MM, not %q", month)}
			}
			return func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
				if err := pipeline.CheckStores(cfg, stores); err != nil {
					return &exitError{2, err}
				}
				s, err := pipeline.GenerateExpenses(ctx, wh, m, stores, time.Now())
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "expenses %s: %d charge(s) and %d reversal(s) written, %d already recorded\n",
					month, s.Charges, s.Reversals, s.Present)
				return nil
			}, nil
		})
	gen.Flags().StringVar(&month, "month", "", "the month, YYYY-MM")
	gen.Flags().StringSliceVar(&stores, "store", nil, "only this store id (repeatable)")
	_ = gen.MarkFlagRequired("month")

	// An entry's id is made of its row, so the file's time is not needed:
	// the entries are created now.
	parse := func(r io.Reader, name string, cfg *config.Config, _ time.Time) ([]clickhouse.Expense, []error) {
		return pipeline.ParseExpensesCSV(r, name, cfg, time.Now())
	}
	imp := importCmd("Record expenses from a CSV file (store, date, kind, amount, currency, description, order_id)",
		"Reads a CSV with a header row (comma or semicolon separated, UTF-8 with or without BOM):\n"+
			"date is YYYY-MM-DD, amount is like 1234.50 or \"1 234,50\" (negative for a reversal), currency\n"+
			"defaults to UAH, description and order_id may be empty. Every valid row is recorded; each bad\n"+
			"row is reported with its line, store and field, and the exit code is 1. An entry's id is made\n"+
			"of its row, so importing the same file again records nothing new.",
		"new expense(s)", parse, func(ctx context.Context, wh *clickhouse.Warehouse, es []clickhouse.Expense) (int, error) {
			written, err := wh.RecordNewExpenses(ctx, es)
			return len(written), err
		})
	return group("expenses", "Expense entries for accountants: marketplace commissions and fees entered by hand",
		help("expenses"),
		gen, imp)
}

// importCmd is an `import FILE.csv` subcommand that runs one CSV import:
// parse (rows without changed_at take the file's modification time, so
// importing the same file again gives the same rows), record the good rows
// (record returns how many were new), report each refused one, exit 1 if
// any; what names the rows in the report.
func importCmd[T any](short, long, what string,
	parse func(r io.Reader, name string, cfg *config.Config, stamp time.Time) ([]T, []error),
	record func(ctx context.Context, wh *clickhouse.Warehouse, rows []T) (int, error)) *cobra.Command {
	cmd := warehouseCmd("import FILE.csv", short, long, func(cmd *cobra.Command, args []string) (warehouseWork, error) {
		path := args[0]
		return func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			stamp := time.Now()
			if fi, err := f.Stat(); err == nil {
				stamp = fi.ModTime()
			}
			rows, bad := parse(f, path, cfg, stamp)
			n, err := record(ctx, wh, rows)
			if err != nil {
				n, bad = 0, append(bad, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d %s recorded, %d refused\n", path, n, what, len(bad))
			for _, e := range bad {
				fmt.Fprintln(cmd.OutOrStdout(), e)
			}
			if len(bad) > 0 {
				return &exitError{1, errors.New("some rows were refused")}
			}
			return nil
		}, nil
	})
	cmd.Args = cobra.ExactArgs(1)
	return cmd
}

// all records every row with write and counts them all.
func all[T any](write func(*clickhouse.Warehouse, context.Context, []T) error) func(context.Context, *clickhouse.Warehouse, []T) (int, error) {
	return func(ctx context.Context, wh *clickhouse.Warehouse, rows []T) (int, error) {
		return len(rows), write(wh, ctx, rows)
	}
}
