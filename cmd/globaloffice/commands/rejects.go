package commands

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/store"
)

func (a *app) rejectsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "rejects", Short: "Records the collectors refused"}
	var kind, source string
	var limit int
	var since time.Duration
	list := &cobra.Command{
		Use:   "list",
		Short: "List the newest rejects with line, field, reason and raw record",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			f := store.RejectFilter{Kind: kind, Source: source, Limit: limit}
			if since > 0 {
				f.Since = time.Now().Add(-since)
			}
			rs, err := db.ListRejects(cmd.Context(), f)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REJECTED_AT\tKIND\tSOURCE\tORIGIN\tLINE\tFIELD\tREASON\tRAW")
			for _, r := range rs {
				raw := r.Raw
				if len(raw) > 120 {
					raw = raw[:117] + "..."
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.RejectedAt.UTC().Format(time.RFC3339), r.Kind, r.Source, r.Origin, r.Line, r.Field, r.Reason, raw)
			}
			_ = tw.Flush()
			fmt.Fprintf(a.stdout, "%d rejects\n", len(rs))
			return nil
		},
	}
	list.Flags().StringVar(&kind, "kind", "", "contacts, cases or surveys")
	list.Flags().StringVar(&source, "source", "", "source system")
	list.Flags().IntVar(&limit, "limit", 100, "at most this many")
	list.Flags().DurationVar(&since, "since", 0, "only the last DURATION (e.g. 24h)")
	cmd.AddCommand(list)
	return cmd
}
