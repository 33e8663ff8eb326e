package commands

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"globaloffice/exports"
	"globaloffice/indicators"
)

// exportCommand writes workbooks and open data. The command line runs as
// the local operator: it reads every site.
func (a *app) exportCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "export", Short: "Workbooks (agency, director, raw data) and open data"}
	cmd.AddCommand(a.exportAgencyCommand(), a.exportDirectorCommand(), a.exportRawCommand(), a.exportOpenDataCommand())
	return cmd
}

func (a *app) exportAgencyCommand() *cobra.Command {
	var site, period, out string
	cmd := &cobra.Command{
		Use:   "agency --site ID --period P -o FILE.xlsx",
		Short: "A site's workbook: summary against targets, breakdown per channel, 12 months with charts, method",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if site == "" || period == "" || out == "" {
				return fmt.Errorf("--site, --period and -o are required")
			}
			p, err := indicators.ParsePeriod(period, time.Now())
			if err != nil {
				return err
			}
			eng, closeDB, err := a.engine(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			w, err := exports.LoadAgency(ctx, eng, site, p)
			if err != nil {
				return err
			}
			return writeFile(out, w.Write)
		},
	}
	cmd.Flags().StringVar(&site, "site", "", "site id")
	cmd.Flags().StringVar(&period, "period", "", "2026-05, 2026-Q2, 2026… (as for indicators compute)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "the workbook to write (.xlsx)")
	return cmd
}

func (a *app) exportDirectorCommand() *cobra.Command {
	var scope, period, out string
	cmd := &cobra.Command{
		Use:   "director --scope national|region:CODE|department:CODE --period P -o FILE.xlsx",
		Short: "A scope's workbook: its sub-scopes × the indicators coloured by status, a sheet per indicator family, a ranking per commitment",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if period == "" || out == "" {
				return fmt.Errorf("--period and -o are required")
			}
			if _, err := indicators.ParseScope(scope); err != nil {
				return fmt.Errorf("--scope: %w", err)
			}
			p, err := indicators.ParsePeriod(period, time.Now())
			if err != nil {
				return err
			}
			eng, closeDB, err := a.engine(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			d, err := exports.LoadDirector(ctx, eng, scope, p)
			if err != nil {
				return err
			}
			return writeFile(out, d.Write)
		},
	}
	cmd.Flags().StringVar(&scope, "scope", "national", "national, region:CODE or department:CODE")
	cmd.Flags().StringVar(&period, "period", "", "2026-05, 2026-Q2, 2026… (as for indicators compute)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "the workbook to write (.xlsx)")
	return cmd
}

// writeFile writes path through a temporary file in the same folder,
// renamed when complete, so that a failed export leaves no half file.
func writeFile(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (a *app) exportOpenDataCommand() *cobra.Command {
	var dir, base string
	var f exports.OpenFilter
	cmd := &cobra.Command{
		Use:   "opendata -o DIR",
		Short: "Open data: results.csv, results.json, schema.json (Table Schema) and datapackage.json of the published results of closed periods",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if dir == "" {
				return fmt.Errorf("-o DIR is required")
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			eng, closeDB, err := a.engine(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			if base == "" {
				base = "http://" + a.cfg.Server.Addr
			}
			rows, err := exports.LoadOpenData(ctx, eng, f, base)
			if err != nil {
				return err
			}
			for name, write := range map[string]func(io.Writer) error{
				"results.csv":      func(w io.Writer) error { return exports.WriteOpenCSV(w, rows) },
				"results.json":     func(w io.Writer) error { return exports.WriteOpenJSON(w, rows) },
				"schema.json":      func(w io.Writer) error { return exports.WriteJSON(w, exports.OpenSchema()) },
				"datapackage.json": func(w io.Writer) error { return exports.WriteJSON(w, exports.DataPackage()) },
			} {
				if err := writeFile(filepath.Join(dir, name), write); err != nil {
					return err
				}
			}
			fmt.Fprintf(a.stdout, "%d rows written to %s\n", len(rows), dir)
			return nil
		},
	}
	cmd.Flags().StringVarP(&dir, "output", "o", "", "the folder to write")
	cmd.Flags().StringVar(&base, "base-url", "", "the server's public address, for the links to the method (default: http://server.addr)")
	cmd.Flags().StringVar(&f.Period, "period", "", "one closed period only")
	cmd.Flags().StringVar(&f.Indicator, "indicator", "", "one indicator only")
	cmd.Flags().StringVar(&f.Site, "site", "", "one site's rows only")
	return cmd
}

func (a *app) exportRawCommand() *cobra.Command {
	var from, to, out string
	var sites []string
	cmd := &cobra.Command{
		Use:       "raw contacts|cases|surveys --from D --to D [--site ID]… -o FILE.xlsx|FILE.csv",
		Short:     "Raw records between two local dates, streamed (xlsx: a new sheet at Excel's row limit); progress bar on a terminal",
		Args:      cobra.ExactArgs(1),
		ValidArgs: exports.RawKinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			f, err := time.Parse(time.DateOnly, from)
			if err != nil {
				return fmt.Errorf("--from: want YYYY-MM-DD: %w", err)
			}
			t, err := time.Parse(time.DateOnly, to)
			if err != nil {
				return fmt.Errorf("--to: want YYYY-MM-DD: %w", err)
			}
			write := exports.WriteRawXLSX
			switch strings.ToLower(filepath.Ext(out)) {
			case ".xlsx":
			case ".csv":
				write = exports.WriteRawCSV
			default:
				return fmt.Errorf("-o %q: want FILE.xlsx or FILE.csv", out)
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			// The local operator reads every site, comments included.
			q := exports.RawQuery{Kind: args[0], From: f, To: t, Sites: sites, Comments: func(string) bool { return true }}
			var progress *mpb.Progress
			if isTerminal(a.stderr) {
				total, err := exports.CountRaw(ctx, db, q)
				if err != nil {
					return err
				}
				progress = mpb.New(mpb.WithOutput(a.stderr), mpb.WithWidth(40))
				bar := progress.AddBar(total, mpb.PrependDecorators(decor.Name("export "+args[0]+" "), decor.CountersNoUnit("%d/%d rows")),
					mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO)))
				q.Progress = bar.SetCurrent
				defer func() { bar.SetTotal(-1, true); progress.Wait() }()
			}
			return writeFile(out, func(w io.Writer) error { return write(ctx, db, q, w) })
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first local date, YYYY-MM-DD")
	cmd.Flags().StringVar(&to, "to", "", "last local date, included")
	cmd.Flags().StringArrayVar(&sites, "site", nil, "only this site (repeatable)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "FILE.xlsx or FILE.csv")
	return cmd
}
