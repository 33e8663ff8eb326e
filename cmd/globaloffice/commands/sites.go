package commands

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"globaloffice/ingest"
	"globaloffice/model"
)

func (a *app) sitesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sites",
		Short: "Sites reference data (import, list)",
	}
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the sites",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			sites, err := db.Sites(cmd.Context())
			if err != nil {
				return err
			}
			return printSites(a.stdout, format, sites)
		},
	}
	list.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	cmd.AddCommand(&cobra.Command{
		Use:   "import FILE.csv",
		Short: "Import sites from a CSV file (id,name,kind,region,department,zone,timezone); all or nothing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			sites, err := ingest.ReadSites(f)
			var fe ingest.FieldErrors
			if errors.As(err, &fe) {
				for _, e := range fe {
					fmt.Fprintf(a.stderr, "%s:%s\n", args[0], e)
				}
				return fmt.Errorf("%s: %d error(s), nothing imported", args[0], len(fe))
			}
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			db, err := a.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.UpsertSites(cmd.Context(), sites); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "imported %d sites from %s\n", len(sites), args[0])
			return nil
		},
	}, list)
	return cmd
}

// printSites writes the sites as a table, CSV (the import's columns) or JSON.
func printSites(w io.Writer, format string, sites []model.Site) error {
	switch format {
	case "table":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tKIND\tREGION\tDEPARTMENT\tZONE\tTIMEZONE")
		for _, s := range sites {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Name, s.Kind, s.Region, s.Department, s.Zone, s.Timezone)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "%d sites\n", len(sites))
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write(append(slices.Clone(ingest.SiteColumns), ingest.SiteOptionalColumns...))
		for _, s := range sites {
			_ = cw.Write([]string{s.ID, s.Name, string(s.Kind), s.Region, s.Department, string(s.Zone), s.Timezone, s.Hours})
		}
		cw.Flush()
		return cw.Error()
	case "json":
		type site struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			Kind       string `json:"kind"`
			Region     string `json:"region"`
			Department string `json:"department"`
			Zone       string `json:"zone"`
			Timezone   string `json:"timezone"`
			Hours      string `json:"hours,omitempty"`
		}
		out := make([]site, 0, len(sites))
		for _, s := range sites {
			out = append(out, site{s.ID, s.Name, string(s.Kind), s.Region, s.Department, string(s.Zone), s.Timezone, s.Hours})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return fmt.Errorf("--format %q: want table, csv or json", format)
}
