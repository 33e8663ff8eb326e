package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

func (a *app) clickhouseCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "clickhouse",
		Short: "Run the local ClickHouse server (start, stop, status)",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "start",
		Short: "Start the local ClickHouse unless it runs, and wait until it answers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.localServer().Start(cmd.Context())
			if err != nil {
				return err
			}
			if st.Started {
				fmt.Fprintln(a.stdout, "started", st)
			} else {
				fmt.Fprintln(a.stdout, "already running:", st)
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "stop",
		Short: "Stop the local ClickHouse started by start",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			st, err := a.localServer().Stop(ctx)
			if err != nil {
				return err
			}
			if st.PID != 0 {
				fmt.Fprintf(a.stdout, "clickhouse: stopped pid %d\n", st.PID)
			} else {
				fmt.Fprintln(a.stdout, "clickhouse: was not running")
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "status",
		Short: "Tell whether the local ClickHouse runs and answers (exit 1 if not)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.localServer().Status(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, st)
			if !st.Running {
				return errors.New("clickhouse is not running")
			}
			return nil
		},
	}, a.clusterCommand())
	return cmd
}
