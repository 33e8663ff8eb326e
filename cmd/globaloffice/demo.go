package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/demo"
)

func (a *app) demoCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "demo", Short: "Realistic, seeded sample data for a multi-site service"}
	var dir, from, to string
	var seed int64
	var scale float64
	gen := &cobra.Command{
		Use:   "generate",
		Short: "Write contacts, case versions and survey responses as files for the collectors (CSV, NDJSON)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now()
			f := time.Date(now.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
			t := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
			var err error
			if from != "" {
				if f, err = time.Parse(time.DateOnly, from); err != nil {
					return fmt.Errorf("--from %q: want YYYY-MM-DD", from)
				}
			}
			if to != "" {
				if t, err = time.Parse(time.DateOnly, to); err != nil {
					return fmt.Errorf("--to %q: want YYYY-MM-DD", to)
				}
			}
			if dir == "" {
				dir = filepath.Join(a.cfg.Home, "demo")
			}
			sites, err := demo.Sites()
			if err != nil {
				return err
			}
			t0 := time.Now()
			sum, err := demo.Generate(cmd.Context(), dir, demo.Options{
				Seed: seed, From: f, To: t, Scale: scale, Sites: sites,
				Progress: func(p demo.Progress) {
					if isTerminal(a.stderr) {
						fmt.Fprintf(a.stderr, "\rgenerating %s (%d/%d months, %d records)", p.Month, p.MonthsDone, p.MonthsTotal, p.Records)
					}
				},
			})
			if isTerminal(a.stderr) {
				fmt.Fprintln(a.stderr)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "demo data %s..%s (seed %d, scale %g) in %s, %.1fs:\n", f.Format(time.DateOnly), t.Format(time.DateOnly), seed, scale, dir, time.Since(t0).Seconds())
			fmt.Fprintf(a.stdout, "  %d contacts, %d cases (%d versions), %d survey responses; %d deliberately invalid, %d re-sent duplicates; %d files\n",
				sum.Contacts, sum.Cases, sum.CaseVersions, sum.SurveyResponses, sum.Bad, sum.Duplicates, len(sum.Files))
			return nil
		},
	}
	gen.Flags().StringVar(&dir, "dir", "", "output folder (default home/demo)")
	gen.Flags().StringVar(&from, "from", "", "first day, YYYY-MM-DD (default 1 January of last year)")
	gen.Flags().StringVar(&to, "to", "", "day after the last, YYYY-MM-DD (default today)")
	gen.Flags().Int64Var(&seed, "seed", 2026, "random seed: the same seed gives the same files")
	gen.Flags().Float64Var(&scale, "scale", 1, "volume factor: 1 is about 500,000 contacts a year over the 42 sample sites")
	cmd.AddCommand(gen)
	return cmd
}
