package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending warehouse migrations (also done before every run)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadWarehouseConfig(cmd)
			if err != nil {
				return err
			}
			wh, err := openWarehouse(cmd.Context(), cfg.DSN(), cfg.ClusterName())
			if err != nil {
				return err
			}
			defer wh.Close()
			fmt.Fprintf(cmd.OutOrStdout(), "warehouse %s is up to date\n", wh.Database())
			return nil
		},
	}
}
