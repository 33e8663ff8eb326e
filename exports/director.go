package exports

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"globaloffice/indicators"
	"globaloffice/model"
)

// ErrNoScope is a director scope without a site (an unknown region or
// department).
var ErrNoScope = errors.New("no site in this scope")

// Director is what a director's workbook shows: a scope's own results and
// those of its sub-scopes — the regions of the nation, the departments of
// a region, the sites of a department — read through two narrow Results
// calls, as the API's scorecard does.
type Director struct {
	Scope   model.ScopeKind
	Code    string          // the region or department code; empty for national
	Sub     model.ScopeKind // the level of the rows under the scope
	Period  indicators.Period
	Catalog *indicators.Catalog
	Own     indicators.Report // the scope's own results
	Subs    indicators.Report // its sub-scopes' results
	Names   map[string]string // site names, for rows of sites
}

// LoadDirector reads the figures of a director's workbook; scope as for
// indicators.ParseScope. The caller checks who may read every site.
func LoadDirector(ctx context.Context, eng *indicators.Engine, scope string, p indicators.Period) (*Director, error) {
	sc, err := indicators.ParseScope(scope)
	if err != nil {
		return nil, err
	}
	kind, code, sub := sc.Kind, sc.Code, sc.Sub
	sites, err := eng.Sites(ctx)
	if err != nil {
		return nil, err
	}
	d := &Director{Scope: kind, Code: code, Sub: sub, Period: p, Catalog: eng.Catalog, Names: map[string]string{}}
	var within []string // the scope's sites
	for _, s := range sites {
		d.Names[s.ID] = s.Name
		if sc.Holds(s) {
			within = append(within, s.ID)
		}
	}
	if kind != model.ScopeNational && len(within) == 0 {
		return nil, fmt.Errorf("%s: %w", scope, ErrNoScope)
	}
	rep, err := eng.Results(ctx, indicators.Query{Period: p, Selection: sc.Selection(within)})
	if err != nil {
		return nil, fmt.Errorf("director workbook of %s: %w", scope, err)
	}
	d.Own, d.Subs = sc.Split(rep, within)
	return d, nil
}

// Label names the scope: "national", "region 11", "department 75".
func (d *Director) Label() string {
	if d.Scope == model.ScopeNational {
		return string(model.ScopeNational)
	}
	return string(d.Scope) + " " + d.Code
}

// Sheet names of the director workbook.
const (
	SheetOverview = "Overview"
	SheetRankings = "Rankings"
)

// Family is an indicator's family: its id up to the first dot
// ("satisfaction" for satisfaction.overall.phone).
func Family(id string) string {
	f, _, _ := strings.Cut(id, ".")
	return f
}

// scopeRow is one row of the director's sheets: a scope and its results
// by indicator.
type scopeRow struct {
	scope  model.ScopeKind
	id     string
	name   string
	missed int
	byID   map[string]*indicators.Result
}

// rows are the scope itself, then its sub-scopes with the most missed
// targets first (then by id), as the API's scorecard orders them.
func (d *Director) rows() []*scopeRow {
	own := &scopeRow{scope: d.Scope, id: d.Code, byID: map[string]*indicators.Result{}}
	subs := map[string]*scopeRow{}
	var order []*scopeRow
	add := func(row *scopeRow, r *indicators.Result) {
		row.byID[r.Indicator] = r
		if r.Status == indicators.StatusMissed {
			row.missed++
		}
	}
	for i := range d.Own.Results {
		add(own, &d.Own.Results[i])
	}
	for i := range d.Subs.Results {
		r := &d.Subs.Results[i]
		row := subs[r.ScopeID]
		if row == nil {
			row = &scopeRow{scope: d.Sub, id: r.ScopeID, byID: map[string]*indicators.Result{}}
			if d.Sub == model.ScopeSite {
				row.name = d.Names[r.ScopeID]
			}
			subs[r.ScopeID] = row
			order = append(order, row)
		}
		add(row, r)
	}
	slices.SortStableFunc(order, func(a, b *scopeRow) int {
		return cmp.Or(b.missed-a.missed, strings.Compare(a.id, b.id))
	})
	return append([]*scopeRow{own}, order...)
}

// Write writes the workbook: an overview of every indicator, a sheet per
// indicator family with targets, status and sample, the rankings of the
// sub-scopes on each commitment, the spread across sites, and notes.
func (d *Director) Write(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetOverview); err != nil {
		return err
	}
	header := fmt.Sprintf(`&L&"-,Bold"%s&RPeriod %s`, hfText(d.Label()), hfText(d.Period.Name))
	footer := "&L" + hfText(provenanceText(d.Own.Provenance)) + "&RPage &P / &N"
	rows := d.rows()
	if err := d.overview(f, st, rows); err != nil {
		return fmt.Errorf("overview sheet: %w", err)
	}
	if err := printSetup(f, SheetOverview, header, footer); err != nil {
		return err
	}
	used := map[string]bool{strings.ToLower(SheetOverview): true, strings.ToLower(SheetRankings): true, strings.ToLower(SheetSpread): true, strings.ToLower(SheetNotes): true}
	var families []string
	byFamily := map[string][]*indicators.Definition{}
	for _, def := range d.Catalog.Indicators {
		fam := Family(def.ID)
		if byFamily[fam] == nil {
			families = append(families, fam)
		}
		byFamily[fam] = append(byFamily[fam], def)
	}
	sheets := []string{SheetOverview}
	for _, fam := range families {
		name := sheetName(fam, used)
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := d.family(f, st, name, byFamily[fam], rows); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
		sheets = append(sheets, name)
	}
	for _, sh := range []struct {
		name  string
		write func(*excelize.File, *styles) error
	}{{SheetRankings, d.rankings}, {SheetSpread, func(f *excelize.File, st *styles) error { return d.spread(f, st, rows) }}, {SheetNotes, d.notes}} {
		if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		if err := sh.write(f, st); err != nil {
			return fmt.Errorf("sheet %s: %w", sh.name, err)
		}
	}
	for _, name := range append(sheets, SheetRankings, SheetSpread, SheetNotes) {
		if err := printSetup(f, name, header, footer); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// scopeColumns lead every row of the overview and family sheets.
var scopeColumns = []string{"Scope", "ID", "Name"}

func (r *scopeRow) lead() []any {
	return []any{string(r.scope), orNil(r.id), orNil(r.name)}
}

// orNil leaves a cell empty rather than holding an empty string.
func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// overview writes one cell per scope and indicator, filled with its
// status's colour: a cell style rather than a conditional format, since
// the status has no column of its own here.
func (d *Director) overview(f *excelize.File, st *styles, rows []*scopeRow) error {
	cols := append(slices.Clone(scopeColumns), "Missed")
	widths := []float64{12, 10, 24, 8}
	for _, def := range d.Catalog.Indicators {
		cols = append(cols, def.ID)
		widths = append(widths, 14)
	}
	if err := st.headerRow(f, SheetOverview, cols, widths); err != nil {
		return err
	}
	for i, r := range rows {
		row := i + 2
		vals := append(r.lead(), r.missed)
		for _, def := range d.Catalog.Indicators {
			var v any
			if res := r.byID[def.ID]; res != nil {
				v = cellValue(def.Unit, res.Value)
			}
			vals = append(vals, v)
		}
		if err := f.SetSheetRow(SheetOverview, cell(1, row), &vals); err != nil {
			return err
		}
		for k, def := range d.Catalog.Indicators {
			status := ""
			if res := r.byID[def.ID]; res != nil {
				status = res.Status
			}
			id, err := st.statusCell(f, def.Unit, status)
			if err != nil {
				return err
			}
			if err := f.SetCellStyle(SheetOverview, cell(5+k, row), cell(5+k, row), id); err != nil {
				return err
			}
		}
	}
	return d.finish(f, SheetOverview, len(cols), len(rows)+1, 5)
}

// finish freezes the header and the scope columns and filters the sheet.
func (d *Director) finish(f *excelize.File, sheet string, ncols, last, firstFree int) error {
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, XSplit: firstFree - 1, YSplit: 1, TopLeftCell: cell(firstFree, 2), ActivePane: "bottomRight"}); err != nil {
		return err
	}
	return f.AutoFilter(sheet, "A1:"+cell(ncols, last), nil)
}

// familyColumns are the columns of each indicator on a family sheet.
var familyColumns = []string{"", " target", " status", " sample"}

// family writes a family's indicators, value, target, status and sample of
// each, the value and status coloured by the status.
func (d *Director) family(f *excelize.File, st *styles, sheet string, defs []*indicators.Definition, rows []*scopeRow) error {
	cols := slices.Clone(scopeColumns)
	widths := []float64{12, 10, 24}
	for _, def := range defs {
		for _, c := range familyColumns {
			cols = append(cols, def.ID+c)
		}
		widths = append(widths, 14, 10, 16, 10)
	}
	if err := st.headerRow(f, sheet, cols, widths); err != nil {
		return err
	}
	for i, r := range rows {
		row := i + 2
		vals := r.lead()
		for _, def := range defs {
			res := r.byID[def.ID]
			if res == nil {
				vals = append(vals, nil, nil, nil, nil)
				continue
			}
			vals = append(vals, cellValue(def.Unit, res.Value), cellValue(def.Unit, res.Target), res.Status, res.Sample)
		}
		if err := f.SetSheetRow(sheet, cell(1, row), &vals); err != nil {
			return err
		}
		for k, def := range defs {
			c := 4 + 4*k
			if err := f.SetCellStyle(sheet, cell(c, row), cell(c+1, row), st.unit(def.Unit)); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, cell(c+3, row), cell(c+3, row), st.count); err != nil {
				return err
			}
		}
	}
	last := len(rows) + 1
	for k := range defs {
		c := 4 + 4*k
		v, _ := excelize.ColumnNumberToName(c)
		s, _ := excelize.ColumnNumberToName(c + 2)
		if err := st.statusFormats(f, sheet, fmt.Sprintf("%s2:%s%d %s2:%s%d", v, v, last, s, s, last), s, 2); err != nil {
			return err
		}
	}
	return d.finish(f, sheet, len(cols), last, 4)
}

// RankingColumns are the columns of the rankings sheet.
var RankingColumns = []string{"Indicator", "Commitment", "Rank", "Scope", "ID", "Name", "Value", "Target", "Status", "Sample"}

// Ranked is a sub-scope's place on one indicator; Rank 0 is unranked
// (insufficient data or no value).
type Ranked struct {
	Rank   int
	Result *indicators.Result
}

// Rank orders results best first given the direction (higher or lower is
// better): equal values share a rank (1, 1, 3), then by scope id; results
// with insufficient data or no value come last, unranked.
func Rank(direction string, results []*indicators.Result) []Ranked {
	rankable := func(r *indicators.Result) bool {
		return r.Value != nil && r.Status != indicators.StatusInsufficientData
	}
	rs := slices.Clone(results)
	slices.SortStableFunc(rs, func(a, b *indicators.Result) int {
		ra, rb := rankable(a), rankable(b)
		switch {
		case ra && !rb:
			return -1
		case !ra && rb:
			return 1
		case ra && rb && *a.Value != *b.Value:
			c := cmp.Compare(*b.Value, *a.Value)
			if direction == "lower" {
				c = -c
			}
			return c
		}
		return strings.Compare(a.ScopeID, b.ScopeID)
	})
	out := make([]Ranked, len(rs))
	for i, r := range rs {
		out[i].Result = r
		switch {
		case !rankable(r):
		case i > 0 && out[i-1].Rank > 0 && *rs[i-1].Value == *r.Value:
			out[i].Rank = out[i-1].Rank
		default:
			out[i].Rank = i + 1
		}
	}
	return out
}

// rankings writes, for each published indicator — the service's public
// commitments — its sub-scopes best first, one block after another so
// that the autofilter picks a commitment.
func (d *Director) rankings(f *excelize.File, st *styles) error {
	if err := st.headerRow(f, SheetRankings, RankingColumns, []float64{30, 50, 6, 12, 10, 24, 10, 10, 16, 10}); err != nil {
		return err
	}
	row := 1
	for _, def := range d.Catalog.Indicators {
		if !def.Published {
			continue
		}
		var rs []*indicators.Result
		for i := range d.Subs.Results {
			if d.Subs.Results[i].Indicator == def.ID {
				rs = append(rs, &d.Subs.Results[i])
			}
		}
		for _, rk := range Rank(def.Direction, rs) {
			row++
			r := rk.Result
			var rank any
			if rk.Rank > 0 {
				rank = rk.Rank
			}
			var name any
			if d.Sub == model.ScopeSite {
				name = orNil(d.Names[r.ScopeID])
			}
			vals := []any{def.ID, orNil(def.Commitment.EN), rank, string(r.Scope), orNil(r.ScopeID), name, cellValue(def.Unit, r.Value), cellValue(def.Unit, r.Target), r.Status, r.Sample}
			if err := f.SetSheetRow(SheetRankings, cell(1, row), &vals); err != nil {
				return err
			}
			if err := f.SetCellStyle(SheetRankings, cell(7, row), cell(8, row), st.unit(def.Unit)); err != nil {
				return err
			}
			if err := f.SetCellStyle(SheetRankings, cell(10, row), cell(10, row), st.count); err != nil {
				return err
			}
		}
	}
	if row < 2 {
		return nil
	}
	if err := st.statusFormats(f, SheetRankings, fmt.Sprintf("G2:G%d I2:I%d", row, row), "I", 2); err != nil {
		return err
	}
	return f.AutoFilter(SheetRankings, fmt.Sprintf("A1:J%d", row), nil)
}

// notes writes where the figures come from and how the sheets read.
func (d *Director) notes(f *excelize.File, st *styles) error {
	if err := f.SetColWidth(SheetNotes, "A", "A", 16); err != nil {
		return err
	}
	if err := f.SetColWidth(SheetNotes, "B", "B", 120); err != nil {
		return err
	}
	rows := [][2]string{
		{"Scope", d.Label() + ": its own row first, then its " + string(d.Sub) + "s, the most missed targets first"},
		{"Period", fmt.Sprintf("%s: %s to %s, both included, cut in each site's local time", d.Period.Name, d.Period.From.Format("2006-01-02"), d.Period.To.Format("2006-01-02"))},
		{"Figures", provenanceText(d.Own.Provenance)},
		{"Overview", "every indicator, each cell coloured by its status: green met, red missed, grey insufficient data, none without a target"},
		{"Families", "one sheet per family of indicators (the id up to its first dot), with target, status and sample"},
		{"Rankings", "for each published indicator, the " + string(d.Sub) + "s from best to worst in the indicator's direction; equal values share a rank; insufficient data last, unranked"},
		{"Spread", spreadNote},
		{"Status", "insufficient_data below the indicator's minimum sample; no_target without a target; met when the value reaches the target in the indicator's direction; missed otherwise"},
		{"Targets", "a scope without its own target takes the nearest one above it: site, department, region, national"},
		{"Percentages", "stored as fractions under a percent format (0.853 shows as 85.3%)"},
		{"Method", "each indicator's definition is in the agency workbook's notes and at /api/v1/indicators"},
	}
	for i, r := range rows {
		vals := []any{r[0], r[1]}
		if err := f.SetSheetRow(SheetNotes, cell(1, i+1), &vals); err != nil {
			return err
		}
	}
	return f.SetCellStyle(SheetNotes, "A1", cell(1, len(rows)), st.header)
}
