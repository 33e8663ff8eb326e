package main

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"globaloffice/bench"
)

func (a *app) benchCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Benchmarks against ClickHouse's own tools, as ratios measured in the same run"}
	var o bench.IngestOptions
	ing := &cobra.Command{
		Use:   "ingest",
		Short: "End-to-end ingest over HTTP (NDJSON, CSV) vs clickhouse-client's insert of the same contacts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Store = a.storeOptions()
			o.Store.Database = "bench_ingest"
			o.WorkDir = filepath.Join(a.cfg.Home, "bench")
			o.Log = a.stderr
			rs, err := bench.Ingest(cmd.Context(), o)
			if err != nil {
				return err
			}
			bench.WriteIngestReport(a.stdout, rs)
			return nil
		},
	}
	ing.Flags().IntVar(&o.Records, "records", 1_000_000, "contacts to send")
	ing.Flags().IntVar(&o.PerBody, "per-body", 10_000, "records per HTTP request")
	ing.Flags().IntVar(&o.Workers, "workers", 4, "concurrent HTTP clients")
	ing.Flags().StringVar(&o.CPUProfile, "cpuprofile", "", "profile the server into FILE.<format>")
	cmd.AddCommand(ing)
	return cmd
}
