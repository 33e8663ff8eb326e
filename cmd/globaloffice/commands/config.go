package commands

import (
	"github.com/spf13/cobra"
)

func (a *app) configCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Print the settings in force (defaults < file < GLOBALOFFICE_* < flags)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.cfg.Write(a.stdout)
		},
	}
}
