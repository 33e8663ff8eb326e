package commands

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/indicators"
	"globaloffice/model"
)

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
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%v\t%s\n", d.ID, d.Source, d.Measure.Name(), d.Unit, d.Direction, d.MinSample, d.Published, d.Title.EN)
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
			sel := indicators.Selection{Indicators: ids, Scope: model.ScopeKind(scope)}
			if site != "" {
				sel.Sites = []string{site}
			}
			rep, err := eng.Results(ctx, indicators.Query{Period: p, Selection: sel, Live: live})
			if err != nil {
				return err
			}
			if pv := rep.Provenance; pv.Closed && format == "table" {
				fmt.Fprintf(a.stderr, "period %s is closed: revision %d of %s by %s (--live computes from today's data)\n", p, pv.Revision, pv.ClosedAt.Format(time.RFC3339), pv.ClosedBy)
			}
			return printResults(a.stdout, format, rep.Results)
		},
	}
	compute.Flags().StringVar(&period, "period", "", "2026-05-14, 2026-W19, 2026-05, 2026-Q2, 2026, 2026-ytd, 2026-05-r12 (twelve rolling months) or FROM..TO")
	compute.Flags().StringVar(&scope, "scope", "", "site, department, region or national (default: all)")
	compute.Flags().StringVar(&site, "site", "", "only this site and the scopes above it")
	compute.Flags().StringSliceVar(&ids, "indicator", nil, "indicator id (repeatable; default: the whole catalog)")
	compute.Flags().StringVar(&format, "format", "table", "table, json or csv")
	compute.Flags().BoolVar(&live, "live", false, "compute from the data even when the period is closed")
	_ = compute.MarkFlagRequired("period")
	cmd.AddCommand(compute)
	return cmd
}
