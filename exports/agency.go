package exports

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"globaloffice/indicators"
	"globaloffice/model"
)

// Agency is what a site's workbook shows, every figure read through the
// engine's Results (or Series, held to it): the period, its breakdown by
// day or week, and the last 12 months of the headline indicators.
type Agency struct {
	Site      model.Site
	Period    indicators.Period
	Catalog   *indicators.Catalog
	Report    indicators.Report   // the site's results for the period
	Unit      string              // the breakdown's: day or week
	Breakdown []indicators.Report // the site's results by day or week
	Trend     []indicators.Report // the headline indicators' last 12 months
}

// BreakdownUnit is how a period is broken down: by day up to about two
// months (a month, a week, a day), by week beyond (a quarter, a year).
func BreakdownUnit(p indicators.Period) string {
	if p.Days() <= 62 {
		return "day"
	}
	return "week"
}

// Headline tells whether an indicator is charted over 12 months: the
// published ones, the service's public commitments.
func Headline(d *indicators.Definition) bool { return d.Published }

// LoadAgency reads what the agency workbook of a site shows. The caller
// checks who may read the site.
func LoadAgency(ctx context.Context, eng *indicators.Engine, siteID string, p indicators.Period) (*Agency, error) {
	sites, err := eng.Sites(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(sites, func(s model.Site) bool { return s.ID == siteID })
	if i < 0 {
		_, err := eng.Results(ctx, indicators.Query{Period: p, Selection: indicators.Selection{Sites: []string{siteID}}})
		return nil, err // the engine's SelectionError names the site
	}
	a := &Agency{Site: sites[i], Period: p, Catalog: eng.Catalog, Unit: BreakdownUnit(p)}
	sel := indicators.Selection{Scope: model.ScopeSite, Sites: []string{siteID}}
	if a.Report, err = eng.Results(ctx, indicators.Query{Period: p, Selection: sel}); err != nil {
		return nil, fmt.Errorf("agency workbook of %s: %w", siteID, err)
	}
	if a.Breakdown, err = eng.Series(ctx, p.Split(a.Unit), sel); err != nil {
		return nil, fmt.Errorf("agency workbook of %s: breakdown: %w", siteID, err)
	}
	var heads []string
	for _, d := range eng.Catalog.Indicators {
		if Headline(d) {
			heads = append(heads, d.ID)
		}
	}
	if len(heads) > 0 {
		tsel := sel
		tsel.Indicators = heads
		if a.Trend, err = eng.Series(ctx, p.Months(12), tsel); err != nil {
			return nil, fmt.Errorf("agency workbook of %s: 12 months: %w", siteID, err)
		}
	}
	return a, nil
}

// Sheet names of the agency workbook.
const (
	SheetSummary = "Summary"
	SheetTrend   = "12 months"
	SheetNotes   = "Notes"
)

// channelName names a channel's sheet.
func channelName(ch string) string {
	if ch == "" {
		return "all channels"
	}
	return strings.ReplaceAll(ch, "_", " ")
}

// Write writes the workbook.
func (a *Agency) Write(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	header := fmt.Sprintf(`&L&"-,Bold"%s (%s)&R%s %s`, hfText(a.Site.Name), hfText(a.Site.ID), "Period", hfText(a.Period.Name))
	footer := "&L" + hfText(provenanceText(a.Report.Provenance)) + "&RPage &P / &N"
	if err := a.summary(f, st); err != nil {
		return fmt.Errorf("summary sheet: %w", err)
	}
	if err := printSetup(f, SheetSummary, header, footer); err != nil {
		return err
	}
	used := map[string]bool{strings.ToLower(SheetSummary): true, strings.ToLower(SheetTrend): true, strings.ToLower(SheetNotes): true}
	var channels []string
	byChannel := map[string][]*indicators.Definition{}
	for _, d := range a.Catalog.Indicators {
		ch := d.Channel()
		if byChannel[ch] == nil {
			channels = append(channels, ch)
		}
		byChannel[ch] = append(byChannel[ch], d)
	}
	for i, ch := range channels {
		name := sheetName(channelName(ch), used)
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := a.channel(f, st, name, fmt.Sprintf("breakdown_%d", i+1), byChannel[ch]); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
		if err := printSetup(f, name, header, footer); err != nil {
			return err
		}
	}
	if a.Trend != nil {
		if _, err := f.NewSheet(SheetTrend); err != nil {
			return err
		}
		if err := a.trend(f, st); err != nil {
			return fmt.Errorf("12-month sheet: %w", err)
		}
		if err := printSetup(f, SheetTrend, header, footer); err != nil {
			return err
		}
	}
	if _, err := f.NewSheet(SheetNotes); err != nil {
		return err
	}
	if err := a.notes(f, st); err != nil {
		return fmt.Errorf("notes sheet: %w", err)
	}
	if err := printSetup(f, SheetNotes, header, footer); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// SummaryColumns are the summary sheet's columns.
var SummaryColumns = []string{"Indicator", "Title", "Channel", "Unit", "Value", "Target", "Status", "Sample", "CI low", "CI high", "Previous period", "Same period last year"}

func (a *Agency) summary(f *excelize.File, st *styles) error {
	if err := st.headerRow(f, SheetSummary, SummaryColumns, []float64{30, 50, 14, 12, 10, 10, 18, 10, 10, 10, 14, 14}); err != nil {
		return err
	}
	row := 1
	for _, r := range a.Report.Results {
		d, ok := a.Catalog.Get(r.Indicator)
		if !ok {
			continue
		}
		row++
		vals := []any{r.Indicator, d.Title.EN, channelName(d.Channel()), r.Unit, cellValue(r.Unit, r.Value), cellValue(r.Unit, r.Target), r.Status, r.Sample,
			cellValue(r.Unit, r.CILow), cellValue(r.Unit, r.CIHigh), cellValue(r.Unit, r.Previous), cellValue(r.Unit, r.LastYear)}
		if err := f.SetSheetRow(SheetSummary, cell(1, row), &vals); err != nil {
			return err
		}
		u := st.unit(r.Unit)
		for _, c := range []string{"E", "F", "I", "J", "K", "L"} {
			if err := f.SetCellStyle(SheetSummary, fmt.Sprint(c, row), fmt.Sprint(c, row), u); err != nil {
				return err
			}
		}
		if err := f.SetCellStyle(SheetSummary, fmt.Sprint("H", row), fmt.Sprint("H", row), st.count); err != nil {
			return err
		}
	}
	if row < 2 {
		return nil
	}
	if err := st.statusFormats(f, SheetSummary, fmt.Sprintf("E2:E%d G2:G%d", row, row), "G", 2); err != nil {
		return err
	}
	return f.AutoFilter(SheetSummary, fmt.Sprintf("A1:L%d", row), nil)
}

// channel writes a channel's breakdown as an Excel table: one row per day
// or week, the value and sample of each of its indicators.
func (a *Agency) channel(f *excelize.File, st *styles, sheet, table string, defs []*indicators.Definition) error {
	cols := []string{"Period", "From", "To"}
	widths := []float64{24, 12, 12}
	for _, d := range defs {
		cols = append(cols, d.ID, d.ID+" sample")
		widths = append(widths, 14, 10)
	}
	if err := st.headerRow(f, sheet, cols, widths); err != nil {
		return err
	}
	for i, rep := range a.Breakdown {
		row := i + 2
		vals := []any{rep.Period.Name, rep.Period.From, rep.Period.To}
		for _, d := range defs {
			r := find(rep, d.ID)
			if r == nil {
				vals = append(vals, nil, nil)
				continue
			}
			vals = append(vals, cellValue(d.Unit, r.Value), r.Sample)
		}
		if err := f.SetSheetRow(sheet, cell(1, row), &vals); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cell(2, row), cell(3, row), st.date); err != nil {
			return err
		}
		for k, d := range defs {
			if err := f.SetCellStyle(sheet, cell(4+2*k, row), cell(4+2*k, row), st.unit(d.Unit)); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, cell(5+2*k, row), cell(5+2*k, row), st.count); err != nil {
				return err
			}
		}
	}
	last := max(len(a.Breakdown)+1, 2) // a table needs a row under its header
	return f.AddTable(sheet, &excelize.Table{Range: "A1:" + cell(len(cols), last), Name: table, StyleName: "TableStyleMedium2"})
}

// find is an indicator's result in a site's report.
func find(rep indicators.Report, id string) *indicators.Result {
	for i := range rep.Results {
		if rep.Results[i].Indicator == id {
			return &rep.Results[i]
		}
	}
	return nil
}

// trend writes the 12 months of the headline indicators, value and target
// side by side, and a chart of each against its target.
func (a *Agency) trend(f *excelize.File, st *styles) error {
	cols := []string{"Month"}
	var defs []*indicators.Definition
	for _, d := range a.Catalog.Indicators {
		if Headline(d) {
			defs = append(defs, d)
			cols = append(cols, d.ID, d.ID+" target")
		}
	}
	if err := st.headerRow(f, SheetTrend, cols, nil); err != nil {
		return err
	}
	if err := f.SetColWidth(SheetTrend, "A", "A", 10); err != nil {
		return err
	}
	for i, rep := range a.Trend {
		row := i + 2
		vals := []any{rep.Period.Name}
		for _, d := range defs {
			if r := find(rep, d.ID); r != nil {
				vals = append(vals, cellValue(d.Unit, r.Value), cellValue(d.Unit, r.Target))
			} else {
				vals = append(vals, nil, nil)
			}
		}
		if err := f.SetSheetRow(SheetTrend, cell(1, row), &vals); err != nil {
			return err
		}
		for k, d := range defs {
			if err := f.SetCellStyle(SheetTrend, cell(2+2*k, row), cell(3+2*k, row), st.unit(d.Unit)); err != nil {
				return err
			}
		}
	}
	n := len(a.Trend) + 1
	q := "'" + SheetTrend + "'!"
	anchor := len(cols) + 2
	for k, d := range defs {
		vc, tc := 2+2*k, 3+2*k
		ch := &excelize.Chart{
			Type: excelize.Line,
			Series: []excelize.ChartSeries{
				{Name: q + absCell(vc, 1), Categories: q + absCell(1, 2) + ":" + absCell(1, n), Values: q + absCell(vc, 2) + ":" + absCell(vc, n)},
				{Name: q + absCell(tc, 1), Categories: q + absCell(1, 2) + ":" + absCell(1, n), Values: q + absCell(tc, 2) + ":" + absCell(tc, n), Line: excelize.LineOptions{Dash: excelize.LineDashDash}},
			},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: d.Title.EN}}},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Dimension: excelize.ChartDimension{Width: 560, Height: 260},
			YAxis:     excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: unitFormats[d.Unit]}, MajorGridLines: true},
		}
		if err := f.AddChart(SheetTrend, cell(anchor, 1+14*k), ch); err != nil {
			return fmt.Errorf("chart of %s: %w", d.ID, err)
		}
	}
	return nil
}

// notes writes each indicator's definition and the rules behind the
// figures.
func (a *Agency) notes(f *excelize.File, st *styles) error {
	cols := []string{"Indicator", "Title (fr)", "Title (en)", "Unit", "Better when", "Minimum sample", "Source", "Published", "Method (fr)", "Method (en)"}
	if err := st.headerRow(f, SheetNotes, cols, []float64{30, 40, 40, 12, 12, 10, 10, 10, 80, 80}); err != nil {
		return err
	}
	row := 1
	for _, d := range a.Catalog.Indicators {
		row++
		vals := []any{d.ID, d.Title.FR, d.Title.EN, d.Unit, d.Direction, d.MinSample, d.Source, d.Published, d.Describe(indicators.FR), d.Describe(indicators.EN)}
		if err := f.SetSheetRow(SheetNotes, cell(1, row), &vals); err != nil {
			return err
		}
	}
	p := a.Report.Provenance
	rules := [][2]string{
		{"Site", fmt.Sprintf("%s (%s), department %s, region %s, time zone %s, holiday zone %s", a.Site.Name, a.Site.ID, a.Site.Department, a.Site.Region, a.Site.Timezone, a.Site.Zone)},
		{"Period", fmt.Sprintf("%s: %s to %s, both included, cut in the site's local time", a.Period.Name, a.Period.From.Format("2006-01-02"), a.Period.To.Format("2006-01-02"))},
		{"Closed", map[bool]string{true: "yes", false: "no: provisional figures"}[p.Closed]},
		{"Figures", provenanceText(p)},
		{"Breakdown", "by " + a.Unit + "; weeks are ISO weeks (Monday to Sunday), cut to the period at either end"},
		{"Working days", "the working days d with received date < d ≤ completed date (local dates): Monday to Friday, not a public holiday of the site's zone"},
		{"Thresholds", `"within N" means at most N: 20 min 00 s is within 20 minutes`},
		{"Status", "insufficient_data below the indicator's minimum sample; no_target without a target; met when the value reaches the target in the indicator's direction; missed otherwise"},
		{"Interval", "shares carry a 95% Wilson score interval"},
		{"Targets", "a scope without its own target takes the nearest one above it: site, department, region, national"},
		{"Sources", "contacts, cases and survey responses as ingested by the collectors; duplicates dropped, the newest version of a case kept"},
		{"Percentages", "stored as fractions under a percent format (0.853 shows as 85.3%)"},
	}
	row += 2
	if err := f.SetCellValue(SheetNotes, cell(1, row), "Rules"); err != nil {
		return err
	}
	if err := f.SetCellStyle(SheetNotes, cell(1, row), cell(1, row), st.header); err != nil {
		return err
	}
	for _, r := range rules {
		row++
		vals := []any{r[0], r[1]}
		if err := f.SetSheetRow(SheetNotes, cell(1, row), &vals); err != nil {
			return err
		}
	}
	return nil
}
