package commands

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func (a *app) mappingsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "mappings",
		Short: "List the mappings for foreign exports (built-in and home/mappings/*.yaml)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := a.mappings()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tKIND\tDESCRIPTION")
			for _, n := range set.Names() {
				m := set[n]
				fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Name, m.Kind, m.Description)
			}
			return tw.Flush()
		},
	}
}
