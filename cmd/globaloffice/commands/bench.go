package commands

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/bench"
)

func (a *app) benchCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Benchmarks against ClickHouse's own tools, as ratios measured in the same run"}
	var o bench.IngestOptions
	ing := &cobra.Command{
		Use:   "ingest",
		Short: "End-to-end ingest over HTTP (NDJSON and CSV in large requests, NDJSON in small ones from many clients) vs clickhouse-client's insert of the same contacts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Store = a.storeOptions()
			o.Store.Database = "bench_ingest"
			o.WorkDir = filepath.Join(a.cfg.Home, "bench")
			if a.cfg.ClickHouse.Addr == "" { // the local server: its CPU is reported
				o.ClickHousePIDFile = filepath.Join(a.localServer().Dir, "clickhouse.pid")
			}
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
	ing.Flags().IntVar(&o.PerBody, "per-body", 10_000, "records per HTTP request of the large-request runs")
	ing.Flags().IntVar(&o.Workers, "workers", 4, "concurrent HTTP clients of the large-request runs")
	ing.Flags().IntVar(&o.SmallPerBody, "small-per-body", 50, "records per HTTP request of the small-request run")
	ing.Flags().IntVar(&o.SmallWorkers, "small-workers", 64, "concurrent HTTP clients of the small-request run (0: no such run)")
	ing.Flags().StringVar(&o.CPUProfile, "cpuprofile", "", "profile the server into FILE.ndjson, FILE.csv and FILE.small")
	ing.Flags().StringVar(&o.Binary, "server-binary", "", "the globaloffice binary that serves (default: this one), to compare builds")
	cmd.AddCommand(ing, a.benchIndicatorsCommand(), a.benchAPICommand(), a.benchExportCommand(), a.benchExportBaselineCommand())
	return cmd
}

func (a *app) benchAPICommand() *cobra.Command {
	var o bench.APIOptions
	cmd := &cobra.Command{
		Use:   "api",
		Short: "GET /results and GET /scorecard of a closed quarter over the demo data vs a bare gin handler answering the same JSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Store = a.storeOptions()
			o.Store.Database = "bench_api"
			o.WorkDir = filepath.Join(a.cfg.Home, "bench")
			ic := a.cfg.Ingest
			o.Lists = listsOf(ic)
			o.Log = a.stderr
			rs, err := bench.API(cmd.Context(), o)
			if err != nil {
				return err
			}
			bench.WriteAPIReport(a.stdout, rs)
			return nil
		},
	}
	cmd.Flags().BoolVar(&o.Reuse, "reuse", true, "keep the demo data of an earlier run")
	cmd.Flags().IntVar(&o.Clients, "clients", 4, "concurrent clients")
	cmd.Flags().DurationVar(&o.Duration, "duration", 5*time.Second, "how long each measurement lasts")
	cmd.Flags().StringVar(&o.CPUProfile, "cpuprofile", "", "profile the API's measurements into FILE.<endpoint>")
	return cmd
}

func (a *app) benchIndicatorsCommand() *cobra.Command {
	var o bench.IndicatorOptions
	cmd := &cobra.Command{
		Use:   "indicators",
		Short: "The whole default catalog at every scope, for a month and a year over ≥10M contacts, vs hand-written SQL",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Store = a.storeOptions()
			o.Store.Database = "bench_indicators"
			o.WorkDir = filepath.Join(a.cfg.Home, "bench")
			o.Log = a.stderr
			rep, err := bench.Indicators(cmd.Context(), o)
			if err != nil {
				return err
			}
			bench.WriteIndicatorReport(a.stdout, rep)
			return nil
		},
	}
	cmd.Flags().IntVar(&o.Contacts, "contacts", 10_000_000, "contacts in the data set")
	cmd.Flags().BoolVar(&o.Reuse, "reuse", true, "keep the data set of an earlier run when it is large enough")
	return cmd
}

func (a *app) benchExportCommand() *cobra.Command {
	var o bench.ExportOptions
	cmd := &cobra.Command{
		Use:   "export",
		Short: "A 1,000,000-row raw xlsx export vs a minimal excelize StreamWriter program writing the same rows: time and peak RSS",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Store = a.storeOptions()
			o.Store.Database = "bench_export"
			o.WorkDir = filepath.Join(a.cfg.Home, "bench")
			o.Log = a.stderr
			rs, err := bench.Export(cmd.Context(), o)
			if err != nil {
				return err
			}
			bench.WriteExportReport(a.stdout, rs)
			return nil
		},
	}
	cmd.Flags().IntVar(&o.Rows, "rows", 1_000_000, "contacts exported")
	cmd.Flags().BoolVar(&o.Reuse, "reuse", true, "keep the contacts of an earlier run")
	return cmd
}

// benchExportBaselineCommand is the baseline of bench export, run by it as
// a child process: hidden, it is no tool of its own.
func (a *app) benchExportBaselineCommand() *cobra.Command {
	var from, to, out string
	cmd := &cobra.Command{
		Use:    "export-baseline --from D --to D -o FILE.xlsx",
		Short:  "The minimal excelize StreamWriter program bench export measures against",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := bench.ExportBaseline(cmd.Context(), a.storeOptions(), from, to, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%d rows\n", n)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first local date")
	cmd.Flags().StringVar(&to, "to", "", "last local date")
	cmd.Flags().StringVarP(&out, "output", "o", "", "the workbook to write")
	return cmd
}
