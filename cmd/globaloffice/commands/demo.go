package commands

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/auth"
	"globaloffice/demo"
	"globaloffice/indicators"
	"globaloffice/model"
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
	cmd.AddCommand(gen, a.demoCloseCommand(), a.demoWelcomeCommand())
	return cmd
}

func (a *app) demoCloseCommand() *cobra.Command {
	var since int
	cmd := &cobra.Command{
		Use:   "close",
		Short: "Close every finished quarter since 1 January of --since that is not closed yet, then show the last one nationally and by region",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			eng, closeDB, err := a.engine(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			cat := eng.Catalog
			quarters := indicators.FinishedQuarters(since, time.Now())
			if len(quarters) == 0 {
				return errors.New("no finished quarter yet")
			}
			for _, p := range quarters {
				done, err := eng.Revisions(ctx, p)
				if err != nil {
					return err
				}
				if done > 0 {
					continue
				}
				rep, err := eng.Close(ctx, p, "demo")
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "closed %s: revision %d, %d results\n", p, rep.Provenance.Revision, len(rep.Results))
			}
			last := quarters[len(quarters)-1]
			national, err := eng.Results(ctx, indicators.Query{Period: last, Selection: indicators.Selection{Scope: model.ScopeNational}})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "\n%s, closed — national results against targets:\n", last)
			if err := printResults(a.stdout, "table", national.Results); err != nil {
				return err
			}
			regions, err := eng.Results(ctx, indicators.Query{Period: last, Selection: indicators.Selection{Scope: model.ScopeRegion}})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "\n%s, closed — the public commitments by region (value, ✓ met, ✗ missed, · not enough data):\n", last)
			return printMatrix(a.stdout, cat, regions.Results)
		},
	}
	cmd.Flags().IntVar(&since, "since", time.Now().Year()-1, "first year whose quarters are closed")
	return cmd
}

func (a *app) demoWelcomeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "welcome",
		Short: "Create a director token for the demo (valid 30 days) and print it with the URLs to try",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			t, secret, err := auth.NewToken("demo director", model.RoleDirector, nil, nil, "demo", time.Now(), 30*24*time.Hour)
			if err != nil {
				return err
			}
			if err := db.PutToken(ctx, t); err != nil {
				return err
			}
			quarter := "2026-Q1"
			if qs := indicators.FinishedQuarters(time.Now().Year()-1, time.Now()); len(qs) > 0 {
				quarter = qs[len(qs)-1].Name
			}
			site := "http://" + a.cfg.Server.Addr
			base := site + "/api/v1"
			fmt.Fprintf(a.stdout, `
The demo is loaded. A director token (%s), shown this once, valid 30 days:

  %s

Pages: the public charter %s/ · a site's results poster %s/sites/PAR-11
       (print it) · the methodology %s/methodology · the director's scorecard
       %s/scorecard (log in with the token above)
The public (no token): the published results of the last closed quarter
  curl '%s/results?period=%s&scope=national'
A director: the scorecard of the regions, live figures, targets
  curl -H 'Authorization: Bearer %s' '%s/scorecard?period=%s'
  curl -H 'Authorization: Bearer %s' '%s/results?period=%d-ytd&scope=national&live=true'
  curl -H 'Authorization: Bearer %s' '%s/targets'
The API's OpenAPI document: %s/openapi.json    metrics: http://%s/metrics

More tokens: bin/globaloffice tokens create --role manager --site PAR-11 (see README).
`, t.ID, secret, site, site, site, site, base, quarter, secret, base, quarter, secret, base, time.Now().Year(), secret, base, base, a.cfg.Server.Addr)
			return nil
		},
	}
}
