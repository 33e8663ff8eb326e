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
			open, err := db.OpenPendingCalls(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "  calls split across exports, waiting for their other part: %d (globaloffice ingest pending)\n", open)
			// Read only: a server or an ingest may be writing there.
			st, err := ingest.ReadSpoolStats(filepath.Join(a.cfg.Home, "spool"))
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "  spool: %d segments waiting, oldest %s\n", st.Segments, st.Oldest.Round(time.Second))
			fmt.Fprintf(a.stdout, "  spool quarantine: %d segments, %d records (globaloffice spool list)\n", st.Quarantined, st.QuarantinedRecords)
			return nil
		},
	}
}
