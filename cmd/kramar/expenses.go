package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

func expensesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "expenses",
		Short: "Expense entries for accountants: marketplace commissions and fees entered by hand",
		Long: "Expense entries live in the expenses table (v_expenses for reading): charges and their\n" +
			"reversals, each with the day it is booked on. `generate` makes them from royalties,\n" +
			"`import` records fees from a CSV file. Both record an entry once, however often they run.",
	}
	var (
		month  string
		stores []string
	)
	gen := &cobra.Command{
		Use:   "generate --month YYYY-MM [--store ID]...",
		Short: "Make the month's commission entries from royalties (CPA, ProSale, reversals of refunds)",
		Long: "For every order accrued in the month: a charge per CPA and per ProSale commission, booked on\n" +
			"the order's day (UTC). For every refunded CPA commission of an order accrued in the month or\n" +
			"earlier: a reversal (negative amount) booked on the day the refund is first seen; the charge\n" +
			"stays. Running it again writes only entries not yet recorded and never changes one.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := time.Parse("2006-01", month)
			if err != nil {
				return &exitError{2, fmt.Errorf("--month: want YYYY-MM, not %q", month)}
			}
			return withWarehouseOnly(cmd, func(ctx context.Context, cfg *config.Config, wh *clickhouse.Warehouse) error {
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
			})
		},
	}
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
	cmd.AddCommand(gen, imp)
	return cmd
}
