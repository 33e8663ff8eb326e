package commands

import (
	"fmt"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/ingest"
)

// spoolCommand shows and replays the spool's quarantine (spool/failed/):
// segments ClickHouse kept refusing, or that could not be decoded, with
// records that were acknowledged to their clients.
func (a *app) spoolCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "spool", Short: "The ingest spool's quarantine: list, retry"}
	root := func() string { return filepath.Join(a.cfg.Home, "spool") }
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List quarantined spool segments (read only)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := ingest.ReadSpoolStats(root())
			if err != nil {
				return err
			}
			list, err := ingest.ListQuarantine(root())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "waiting: %d segments, oldest %s; quarantined: %d segments, %d records\n",
				st.Segments, st.Oldest.Round(time.Second), st.Quarantined, st.QuarantinedRecords)
			if len(list) == 0 {
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "segment\trecords\tbytes\tage")
			for _, s := range list {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", s.Name, s.Records, s.Bytes, s.Age.Round(time.Second))
			}
			return tw.Flush()
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "retry [SEGMENT...]",
		Short: "Put quarantined segments (all when none is named) back into the spool: a running server drains them within seconds, else the next serve or ingest",
		RunE: func(cmd *cobra.Command, args []string) error {
			moved, err := ingest.RetryQuarantine(root(), args)
			fmt.Fprintf(a.stdout, "%d segments put back into the spool\n", len(moved))
			return err
		},
	})
	return cmd
}
