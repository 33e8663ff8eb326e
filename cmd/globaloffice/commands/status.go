package commands

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/ingest"
)

func (a *app) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "What is stored: ClickHouse, schema version, records per table, spool",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			v, err := db.SchemaVersion(ctx)
			if err != nil {
				return err
			}
			counts, err := db.TableRows(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "ClickHouse %s at %s, database %s, schema version %d\n", db.Version(), a.cfg.ClickHouseAddr(), db.Database(), v)
			for _, t := range []string{"sites", "contacts", "cases", "survey_responses", "targets", "ingest_rejects"} {
				fmt.Fprintf(a.stdout, "  %-17s %10d\n", t, counts[t])
			}
			if sp, err := ingest.OpenSpool(filepath.Join(a.cfg.Home, "spool")); err == nil {
				n, age := sp.Stats()
				fmt.Fprintf(a.stdout, "  spool: %d segments waiting, oldest %s\n", n, age.Round(time.Second))
			}
			return nil
		},
	}
}
