package commands

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/indicators"
)

func (a *app) targetsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "targets", Short: "Management targets (import, history)"}
	var by string
	var force bool
	imp := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Import targets (indicator,scope,year,target); all or nothing; earlier values stay in the history",
		Long: `Import targets (indicator,scope,year,target), all or nothing: one bad row and none is
imported, every bad row named. Earlier values stay in the history.

A target must mean something in its indicator's unit: 0 to 100 for a percentage (and
not a fraction: 0.8 is refused, with "did you mean 80?"), -100 to 100 for an NPS in
points, the answers' scale for a score, 0 or more for durations and counts. --force
imports such targets as they are.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cat, err := a.catalog()
			if err != nil {
				return err
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			sites, err := db.Sites(ctx)
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			by = a.who(by)
			ts, err := indicators.ReadTargets(f, cat, sites, by, time.Now(), force)
			if err != nil {
				for _, line := range strings.Split(err.Error(), "\n") {
					fmt.Fprintf(a.stderr, "%s:%s\n", args[0], line)
				}
				if errors.Is(err, indicators.ErrTargetRange) {
					fmt.Fprintf(a.stderr, "%s: --force imports the targets refused for their unit's range as they are\n", args[0])
				}
				return errors.New(args[0] + ": nothing imported")
			}
			if err := indicators.SaveTargets(ctx, db, ts); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "imported %d targets from %s (set by %s)\n", len(ts), args[0], by)
			return nil
		},
	}
	imp.Flags().StringVar(&by, "by", "", "who sets these targets (default $USER)")
	imp.Flags().BoolVar(&force, "force", false, "import targets outside their unit's range (or fractions on percentages) as they are")
	var ind string
	hist := &cobra.Command{
		Use:   "history --indicator ID",
		Short: "Every value the targets of an indicator had, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			ts, err := indicators.TargetHistory(cmd.Context(), db, ind)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "INDICATOR\tSCOPE\tID\tYEAR\tTARGET\tSET BY\tSET AT")
			for _, t := range ts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%g\t%s\t%s\n", t.Indicator, t.Scope, t.ScopeID, t.Year, t.Value, t.SetBy, t.SetAt.UTC().Format(time.RFC3339))
			}
			return tw.Flush()
		},
	}
	hist.Flags().StringVar(&ind, "indicator", "", "indicator id")
	_ = hist.MarkFlagRequired("indicator")
	cmd.AddCommand(imp, hist)
	return cmd
}
