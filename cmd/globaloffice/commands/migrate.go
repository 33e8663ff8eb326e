package commands

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/store"
)

func (a *app) migrateCommand() *cobra.Command {
	var status bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Create the database and apply the embedded schema migrations (idempotent)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			opts := a.storeOptions()
			if !status {
				if err := store.EnsureDatabase(ctx, opts); err != nil {
					return err
				}
			}
			db, err := store.Open(ctx, opts)
			if err != nil {
				return err
			}
			defer db.Close()
			if !status {
				ran, err := db.Migrate(ctx)
				for _, m := range ran {
					fmt.Fprintf(a.stdout, "applied %04d_%s\n", m.Version, m.Name)
				}
				if err != nil {
					return err
				}
			}
			applied, err := db.Applied(ctx)
			if err != nil {
				return err
			}
			all, err := store.Migrations()
			if err != nil {
				return err
			}
			done := map[uint32]time.Time{}
			for _, m := range applied {
				done[m.Version] = m.AppliedAt
			}
			for _, m := range all {
				if at, ok := done[m.Version]; ok {
					fmt.Fprintf(a.stdout, "%04d_%s\tapplied %s\n", m.Version, m.Name, at.UTC().Format(time.RFC3339))
				} else {
					fmt.Fprintf(a.stdout, "%04d_%s\tpending\n", m.Version, m.Name)
				}
			}
			fmt.Fprintf(a.stdout, "database %s on %s (ClickHouse %s)\n", db.Database(), opts.Addr, db.Version())
			return nil
		},
	}
	cmd.Flags().BoolVar(&status, "status", false, "only list the migrations and whether they are applied")
	return cmd
}
