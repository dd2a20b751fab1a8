package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kramar/kramar/pipeline/config"
)

func configCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Work with kramar.yaml"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Check the config; name file, line, store and field of every mistake (exit 2 if any)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := configPath(cmd)
			errs := 0
			for _, p := range config.Check(path) {
				fmt.Fprintln(cmd.OutOrStdout(), p.String())
				if !p.Warning {
					errs++
				}
			}
			if errs > 0 {
				return &exitError{2, fmt.Errorf("%s: %d mistake(s)", path, errs)}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", path)
			return nil
		},
	})
	return cmd
}
