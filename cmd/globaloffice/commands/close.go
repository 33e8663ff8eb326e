package commands

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/indicators"
)

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
			rep, err := eng.Close(ctx, p, a.who(by))
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "closed %s: revision %d, %d results\n", p, rep.Provenance.Revision, len(rep.Results))
			return nil
		},
	}
	cmd.Flags().StringVar(&period, "period", "", "the period to close (e.g. 2026-Q2 or 2026-06-r12; not a year to date)")
	cmd.Flags().StringVar(&by, "by", "", "who closes (default $USER)")
	_ = cmd.MarkFlagRequired("period")
	return cmd
}
