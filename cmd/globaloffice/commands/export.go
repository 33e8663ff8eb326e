package commands

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/exports"
	"globaloffice/indicators"
)

// exportCommand writes workbooks and open data. The command line runs as
// the local operator: it reads every site.
func (a *app) exportCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "export", Short: "Workbooks (agency, director, raw data) and open data"}
	cmd.AddCommand(a.exportAgencyCommand(), a.exportOpenDataCommand())
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
