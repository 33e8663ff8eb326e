package commands

import (
	"fmt"

	"github.com/spf13/cobra"

	"globaloffice/grafana"
	"globaloffice/store"
)

func (a *app) grafanaCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "grafana",
		Short: "Grafana dashboards generated from the indicator catalog, and ClickHouse's read-only user for them",
	}
	var out string
	gen := &cobra.Command{
		Use:   "generate",
		Short: "Write the dashboards (national overview, site, ingest health) generated from the configured catalog",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := a.catalog()
			if err != nil {
				return err
			}
			paths, err := grafana.Generate(cat, out)
			if err != nil {
				return err
			}
			for _, p := range paths {
				fmt.Fprintln(a.stdout, p)
			}
			return nil
		},
	}
	gen.Flags().StringVar(&out, "out", grafana.DefaultDir, "folder the dashboards are written to")
	cmd.AddCommand(gen, a.grafanaUserCommand())
	return cmd
}

// grafanaUserCommand creates the read-only user on a current ClickHouse.
// It is a command of its own, not a migration: creating users needs an
// administrator's account, which migrate's user may not be, and the user
// lives outside the database.
func (a *app) grafanaUserCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "user",
		Short: "Create or update the read-only ClickHouse user of Grafana (grafana.user, grafana.password) on a current ClickHouse; ClickHouse 18 takes it from users.xml",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := store.Open(ctx, a.storeOptions())
			if err != nil {
				return err
			}
			defer db.Close()
			if v := db.Version(); v.Major < 20 {
				fmt.Fprintf(a.stdout, "ClickHouse %s has no CREATE USER: the user %q comes from users.xml (globaloffice clickhouse start writes it for the local server; elsewhere, and on each replica of a cluster, add a user with a profile that sets readonly = 2)\n", v, a.cfg.Grafana.User)
				return nil
			}
			stmts, err := grafana.UserStatements(a.cfg.Grafana.User, a.cfg.Grafana.Password, a.cfg.ClickHouse.Database, a.cfg.ClickHouse.Cluster)
			if err != nil {
				return err
			}
			for _, s := range stmts {
				if err := db.Conn().Exec(ctx, s); err != nil {
					return fmt.Errorf("grafana user %q: %w", a.cfg.Grafana.User, err)
				}
			}
			fmt.Fprintf(a.stdout, "read-only user %q can read database %q\n", a.cfg.Grafana.User, a.cfg.ClickHouse.Database)
			return nil
		},
	}
}
