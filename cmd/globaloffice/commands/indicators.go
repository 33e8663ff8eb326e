package commands

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/indicators"
	"globaloffice/model"
)

func (a *app) catalog() (*indicators.Catalog, error) {
	return indicators.LoadCatalog(a.cfg.Indicators.Catalog)
}

// engine opens the database and the catalog; close releases the database.
func (a *app) engine(ctx context.Context) (eng *indicators.Engine, close func(), err error) {
	cat, err := a.catalog()
	if err != nil {
		return nil, nil, err
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return nil, nil, err
	}
	return indicators.NewEngine(db, cat, a.cfg.Indicators.WhitMondayWorked), func() { db.Close() }, nil
}

// who is --by, or the user running the command: targets and closings
// record who made them.
func who(by string) string {
	if by != "" {
		return by
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "cli"
}

func (a *app) indicatorsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "indicators", Short: "The indicator catalog and its computation"}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the indicators of the catalog",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := a.catalog()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSOURCE\tMEASURE\tUNIT\tBETTER\tMIN SAMPLE\tPUBLISHED\tTITLE")
			for _, d := range cat.Indicators {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%v\t%s\n", d.ID, d.Source, d.Measure, d.Unit, d.Direction, d.MinSample, d.Published, d.Title.EN)
			}
			return tw.Flush()
		},
	}, &cobra.Command{
		Use:   "check FILE",
		Short: "Validate a catalog file (errors name the line and field)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := indicators.LoadCatalog(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s: %d indicators, valid\n", args[0], len(cat.Indicators))
			return nil
		},
	})
	var period, scope, site, format string
	var ids []string
	var live bool
	compute := &cobra.Command{
		Use:   "compute --period P",
		Short: "Compute indicators for a period at every scope, against targets (closed periods: the frozen figures)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			p, err := indicators.ParsePeriod(period, time.Now())
			if err != nil {
				return err
			}
			if scope != "" && !model.ScopeKind(scope).Valid() {
				return fmt.Errorf("--scope %q: want site, department, region or national", scope)
			}
			eng, closeDB, err := a.engine(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			sel := indicators.Selection{Indicators: ids, Scope: model.ScopeKind(scope), SiteID: site}
			var rs []indicators.Result
			closed := false
			if !live {
				rs, err = eng.Closed(ctx, p, sel)
				if err != nil {
					return err
				}
				closed = len(rs) > 0
			}
			if !closed {
				if rs, err = eng.Compute(ctx, p, sel); err != nil {
					return err
				}
			}
			if closed && format == "table" {
				fmt.Fprintf(a.stderr, "period %s is closed: revision %d of %s (--live computes from today's data)\n", p, rs[0].Revision, rs[0].ClosedAt.Format(time.RFC3339))
			}
			return writeResults(a, format, rs)
		},
	}
	compute.Flags().StringVar(&period, "period", "", "2026-05-14, 2026-W19, 2026-05, 2026-Q2, 2026, 2026-ytd or FROM..TO")
	compute.Flags().StringVar(&scope, "scope", "", "site, department, region or national (default: all)")
	compute.Flags().StringVar(&site, "site", "", "only this site and the scopes above it")
	compute.Flags().StringSliceVar(&ids, "indicator", nil, "indicator id (repeatable; default: the whole catalog)")
	compute.Flags().StringVar(&format, "format", "table", "table, json or csv")
	compute.Flags().BoolVar(&live, "live", false, "compute from the data even when the period is closed")
	_ = compute.MarkFlagRequired("period")
	cmd.AddCommand(compute)
	return cmd
}

func fmtNum(v *float64, digits int) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', digits, 64)
}

func writeResults(a *app, format string, rs []indicators.Result) error {
	switch format {
	case "json":
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if rs == nil {
			rs = []indicators.Result{}
		}
		return enc.Encode(rs)
	case "csv":
		w := csv.NewWriter(a.stdout)
		_ = w.Write([]string{"indicator", "scope", "scope_id", "period", "value", "unit", "numerator", "denominator", "sample", "ci_low", "ci_high", "target", "status", "previous", "last_year", "required_rest_of_year", "revision"})
		for _, r := range rs {
			rev := ""
			if r.Revision > 0 {
				rev = strconv.Itoa(r.Revision)
			}
			_ = w.Write([]string{r.Indicator, string(r.Scope), r.ScopeID, r.Period, fmtNum(r.Value, 6), r.Unit, fmtNum(r.Numerator, 6), fmtNum(r.Denominator, 6),
				strconv.FormatUint(r.Sample, 10), fmtNum(r.CILow, 6), fmtNum(r.CIHigh, 6), fmtNum(r.Target, 6), r.Status, fmtNum(r.Previous, 6), fmtNum(r.LastYear, 6), fmtNum(r.Required, 6), rev})
		}
		w.Flush()
		return w.Error()
	case "table":
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "INDICATOR\tSCOPE\tID\tVALUE\tUNIT\tSAMPLE\t95% CI\tTARGET\tSTATUS\tPREVIOUS\tLAST YEAR\t")
		for _, r := range rs {
			ci := ""
			if r.CILow != nil {
				ci = fmtNum(r.CILow, 1) + "–" + fmtNum(r.CIHigh, 1)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", r.Indicator, r.Scope, r.ScopeID, fmtNum(r.Value, 1), r.Unit, r.Sample, ci, fmtNum(r.Target, 1), r.Status, fmtNum(r.Previous, 1), fmtNum(r.LastYear, 1))
		}
		return tw.Flush()
	}
	return fmt.Errorf("--format %q: want table, json or csv", format)
}

func (a *app) targetsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "targets", Short: "Management targets (import, history)"}
	var by string
	imp := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Import targets (indicator,scope,year,target); all or nothing; earlier values stay in the history",
		Args:  cobra.ExactArgs(1),
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
			by = who(by)
			ts, err := indicators.ReadTargets(f, cat, sites, by, time.Now())
			if err != nil {
				for _, line := range strings.Split(err.Error(), "\n") {
					fmt.Fprintf(a.stderr, "%s:%s\n", args[0], line)
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

func (a *app) closeCommand() *cobra.Command {
	var period, by string
	cmd := &cobra.Command{
		Use:   "close --period P",
		Short: "Freeze every result of a period as a new revision (closing again makes revision n+1)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			p, err := indicators.ParsePeriod(period, time.Now())
			if err != nil {
				return err
			}
			eng, closeDB, err := a.engine(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			rev, n, err := eng.Close(ctx, p, who(by))
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "closed %s: revision %d, %d results\n", p, rev, n)
			return nil
		},
	}
	cmd.Flags().StringVar(&period, "period", "", "the period to close (e.g. 2026-Q2)")
	cmd.Flags().StringVar(&by, "by", "", "who closes (default $USER)")
	_ = cmd.MarkFlagRequired("period")
	return cmd
}
