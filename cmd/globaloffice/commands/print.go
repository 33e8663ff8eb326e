package commands

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"text/tabwriter"

	"golang.org/x/term"

	"globaloffice/indicators"
)

// printResults writes indicator results as a table, CSV or JSON (an empty
// list is [], not null).
func printResults(w io.Writer, format string, rs []indicators.Result) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if rs == nil {
			rs = []indicators.Result{}
		}
		return enc.Encode(rs)
	case "csv":
		cw := csv.NewWriter(w)
		// Columns added later go at the end, so that readers by position
		// keep working.
		_ = cw.Write([]string{"indicator", "scope", "scope_id", "period", "value", "unit", "numerator", "denominator", "sample", "ci_low", "ci_high", "target", "status", "previous", "last_year", "required_rest_of_year", "revision",
			"version", "version_since", "previous_break", "last_year_break", "spread_sites", "spread_min", "spread_p10", "spread_median", "spread_p90", "spread_max", "spread_missed"})
		for _, r := range rs {
			rev := ""
			if r.Revision > 0 {
				rev = strconv.Itoa(r.Revision)
			}
			rec := []string{r.Indicator, string(r.Scope), r.ScopeID, r.Period, fmtNum(r.Value, 6), r.Unit, fmtNum(r.Numerator, 6), fmtNum(r.Denominator, 6),
				strconv.FormatUint(r.Sample, 10), fmtNum(r.CILow, 6), fmtNum(r.CIHigh, 6), fmtNum(r.Target, 6), r.Status, fmtNum(r.Previous, 6), fmtNum(r.LastYear, 6), fmtNum(r.Required, 6), rev,
				strconv.Itoa(r.Version), r.VersionSince, strconv.FormatBool(r.PreviousBreak), strconv.FormatBool(r.LastYearBreak)}
			if s := r.Spread; s != nil {
				rec = append(rec, strconv.Itoa(s.Sites), fmtNum(s.Min, 6), fmtNum(s.P10, 6), fmtNum(s.Median, 6), fmtNum(s.P90, 6), fmtNum(s.Max, 6), strconv.Itoa(s.Missed))
			} else {
				rec = append(rec, "", "", "", "", "", "", "")
			}
			_ = cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	case "table":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "INDICATOR\tSCOPE\tID\tVALUE\tUNIT\tSAMPLE\t95% CI\tTARGET\tSTATUS\tPREVIOUS\tLAST YEAR\t")
		for _, r := range rs {
			ci := ""
			if r.CILow != nil {
				ci = fmtNum(r.CILow, 1) + "–" + fmtNum(r.CIHigh, 1)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", r.Indicator, r.Scope, r.ScopeID, fmtNum(r.Value, 1), r.Unit, r.Sample, ci, fmtNum(r.Target, 1), r.Status, fmtNum(r.Previous, 1), fmtNum(r.LastYear, 1))
		}
		return tw.Flush()
	}
	return fmt.Errorf("--format %q: want table, json or csv", format)
}

// printMatrix writes regions × the catalog's published indicators: each
// cell the value and a mark for its status.
func printMatrix(w io.Writer, cat *indicators.Catalog, rs []indicators.Result) error {
	var cols []string
	for _, d := range cat.Indicators {
		if d.Published {
			cols = append(cols, d.ID)
		}
	}
	cell := map[string]map[string]indicators.Result{}
	var rows []string
	for _, r := range rs {
		if cell[r.ScopeID] == nil {
			cell[r.ScopeID] = map[string]indicators.Result{}
			rows = append(rows, r.ScopeID)
		}
		cell[r.ScopeID][r.Indicator] = r
	}
	sort.Strings(rows)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "REGION")
	for _, c := range cols {
		fmt.Fprintf(tw, "\t%s", c)
	}
	fmt.Fprintln(tw)
	for _, row := range rows {
		fmt.Fprint(tw, row)
		for _, c := range cols {
			r := cell[row][c]
			mark := "·"
			switch r.Status {
			case indicators.StatusMet:
				mark = "✓"
			case indicators.StatusMissed:
				mark = "✗"
			case indicators.StatusNoTarget:
				mark = " "
			}
			v := "–"
			if r.Value != nil && r.Status != indicators.StatusInsufficientData {
				v = fmtNum(r.Value, 1)
			}
			fmt.Fprintf(tw, "\t%s %s", v, mark)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// fmtNum formats an optional number with the given decimals; nil is empty.
func fmtNum(v *float64, digits int) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', digits, 64)
}

// isTerminal tells whether w is a terminal, which alone gets progress output.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
