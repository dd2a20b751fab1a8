package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/pipeline"
	"github.com/kramar/kramar/pipeline/config"
)

func configCmd() *cobra.Command {
	check := command("check",
		"Check the config; name file, line, store and field of every mistake (exit 2 if any)",
		"",
		func(cmd *cobra.Command, _ []string) error {
			path := configPath(cmd)
			errs := 0
			problems := config.Check(path)
			for _, p := range problems {
				if !p.Warning {
					errs++
				}
			}
			if errs == 0 {
				problems = append(problems, checkAgainstAccounts(cmd.Context(), path)...)
			}
			for _, p := range problems {
				fmt.Fprintln(cmd.OutOrStdout(), p.String())
			}
			if errs > 0 {
				return &exitError{2, fmt.Errorf("%s: %d mistake(s)", path, errs)}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", path)
			return nil
		})
	return group("config", "Work with kramar.yaml", "", check)
}

// checkAgainstAccounts compares the mappings with the reference lists the
// reference job loaded from each account. Without a reachable warehouse, or
// before the first reference load, it says so in a warning and checks nothing.
func checkAgainstAccounts(ctx context.Context, path string) []config.Problem {
	skipped := func(why string) []config.Problem {
		return []config.Problem{{File: path, Warning: true, Field: "mappings",
			Message: "not checked against the accounts' delivery, payment and status lists: " + why}}
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	wh, err := clickhouse.Open(ctx, cfg.DSN(), clickhouse.OnCluster(cfg.ClusterName()))
	if err != nil {
		return skipped("the warehouse is not reachable")
	}
	defer wh.Close()
	problems, err := pipeline.UnmappedOptions(ctx, wh, cfg)
	if err != nil {
		return skipped("no reference lists in the warehouse yet (run `kramar run --once --job reference`)")
	}
	return problems
}

func migrateCmd() *cobra.Command {
	return warehouseCmd("migrate", "Apply pending warehouse migrations (also done before every run)", "",
		func(cmd *cobra.Command, _ []string) (warehouseWork, error) {
			// Opening the warehouse migrates it.
			return func(_ context.Context, _ *config.Config, wh *clickhouse.Warehouse) error {
				fmt.Fprintf(cmd.OutOrStdout(), "warehouse %s is up to date\n", wh.Database())
				return nil
			}, nil
		})
}
