package commands

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/indicators"
	"globaloffice/store"
)

func (a *app) rebuildCommand() *cobra.Command {
	var settle time.Duration
	cmd := &cobra.Command{
		Use:   "rebuild",
		Short: "Build the derived tables again from the raw ones (case_completions from cases, journey_starts from contacts)",
		Long: `Builds case_completions again from the cases table, for a schema change or
a repair: into a new table that then replaces the old one, so that readers
never see it half built. Collectors may keep running: the cases written
meanwhile get their entries written again at the end.

Then merges each month of contacts and survey responses not written to
for --settle into one part (a server does it every 10 minutes): the
indicators read merged months without FINAL. And clears the open cases'
partition of case_completions of the superseded entries stored before
--settle (see store.Compact).

Then resolves again the journey start of every opening contact named by
a completed case (journey_starts: its arrival and its user's earlier
contacts on the motive), exact as of ten minutes ago; a server does it
for the cases without one after each merge.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			t0 := time.Now()
			st, err := db.RebuildCaseCompletions(ctx, store.CatchUpMargin)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "case_completions: rebuilt from cases in %s, %d entries; %d cases with a version ingested since %s written again\n",
				time.Since(t0).Round(time.Millisecond), st.Completions, st.CaughtUp, st.Since.Format(time.RFC3339))
			for _, table := range []string{"contacts", "survey_responses", "case_completions"} {
				t0 := time.Now()
				months, err := db.Compact(ctx, table, settle)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s: %d months merged into one part each in %s\n", table, len(months), time.Since(t0).Round(time.Millisecond))
			}
			t0 = time.Now()
			js, err := indicators.ResolveJourneyStarts(ctx, db, store.CatchUpMargin, true)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "journey_starts: %d opening contacts of %d months resolved in %s, exact as of %s\n",
				js.Resolved, js.Months, time.Since(t0).Round(time.Millisecond), js.Seen.Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().DurationVar(&settle, "settle", compactSettle, "merge only the months not written to for this long")
	return cmd
}
