// Command kramar is the marketplace ETL pipeline: one binary, subcommands.
package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/pipeline/config"
	_ "github.com/kramar/kramar/pipeline/connectors/all"
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	root := &cobra.Command{
		Use:           "kramar",
		Short:         "Marketplace orders into ClickHouse, and back",
		Long:          "kramar pulls orders from Ukrainian marketplaces (Prom.ua first) into a ClickHouse warehouse, idempotently.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringP("config", "c", "", "config file (default $KRAMAR_CONFIG or ./kramar.yaml)")
	root.PersistentFlags().Bool("debug", false, "verbose logs")
	root.PersistentPreRun = func(cmd *cobra.Command, _ []string) {
		level := slog.LevelInfo
		if d, _ := cmd.Flags().GetBool("debug"); d {
			level = slog.LevelDebug
		}
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	}
	root.AddCommand(runCmd(), backfillCmd(), orderCmd(), stockCmd(), pushCmd(), migrateCmd(), configCmd(), inspectCmd(), sandboxCmd(), demoCmd(), benchCmd())
	for _, c := range commands {
		root.AddCommand(c())
	}
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "kramar:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

// commands are the subcommands that files of this package add with
// addCommand from their init, so a new command touches no shared line.
var commands []func() *cobra.Command

func addCommand(c func() *cobra.Command) { commands = append(commands, c) }

// configPath resolves --config, then $KRAMAR_CONFIG, then ./kramar.yaml.
func configPath(cmd *cobra.Command) string {
	p, _ := cmd.Flags().GetString("config")
	return config.ResolvePath(p)
}
