package exports

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"globaloffice/indicators"
)

// Status colours, shared by every workbook's conditional formats.
var statusFills = []struct{ status, fill, font string }{
	{indicators.StatusMet, "C6EFCE", "006100"},
	{indicators.StatusMissed, "FFC7CE", "9C0006"},
	{indicators.StatusInsufficientData, "D9D9D9", "404040"},
}

// styles are the cell styles of a workbook, created once per file.
type styles struct {
	header, date, count int
	byUnit              map[string]int // the value format of each unit
	status              map[string]int // conditional formats by status
	filled              map[string]int // value cells filled by status, by unit and status
}

// unitFormats are the number formats of the units: percentages are stored
// as fractions (0.853) under a percent format, so that Excel computes with
// them as percentages; the rest as decimals.
var unitFormats = map[string]string{
	"percent":      "0.0%",
	"minutes":      "0.0",
	"seconds":      "0",
	"days":         "0.0",
	"working_days": "0.0",
	"points":       "0.0",
	"score":        "0.00",
	"count":        "#,##0",
	"per_100":      "0.0",
	"handoffs":     "0.0",
}

func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{byUnit: map[string]int{}, status: map[string]int{}, filled: map[string]int{}}
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}); err != nil {
		return nil, err
	}
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")}); err != nil {
		return nil, err
	}
	if s.count, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr("#,##0")}); err != nil {
		return nil, err
	}
	for unit, code := range unitFormats {
		if s.byUnit[unit], err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr(code)}); err != nil {
			return nil, err
		}
	}
	for _, sf := range statusFills {
		if s.status[sf.status], err = f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Color: sf.font}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{sf.fill}}}); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// unit is the style of a unit's values (a decimal for an unknown unit).
func (s *styles) unit(u string) int {
	if id, ok := s.byUnit[u]; ok {
		return id
	}
	return s.byUnit["points"]
}

// cellValue is a figure as stored in a cell: nil stays empty, percentages
// become fractions.
func cellValue(unit string, v *float64) any {
	if v == nil {
		return nil
	}
	if unit == "percent" {
		return *v / 100
	}
	return *v
}

// statusFormats colours ranges by status: statusCol holds the status
// ("G"), each range of ranges (space-separated, starting on row first)
// is coloured by its row's status.
func (s *styles) statusFormats(f *excelize.File, sheet, ranges, statusCol string, first int) error {
	var opts []excelize.ConditionalFormatOptions
	for _, sf := range statusFills {
		opts = append(opts, excelize.ConditionalFormatOptions{Type: "formula", Criteria: fmt.Sprintf(`$%s%d="%s"`, statusCol, first, sf.status), Format: ptr(s.status[sf.status])})
	}
	return f.SetConditionalFormat(sheet, ranges, opts)
}

// printSetup lays a sheet out for printing: A4 landscape, one page wide,
// the header and footer given (Excel's &-codes; & in text is doubled by
// hfText).
func printSetup(f *excelize.File, sheet, header, footer string) error {
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: ptr(9), Orientation: ptr("landscape"), FitToWidth: ptr(1), FitToHeight: ptr(0)}); err != nil {
		return err
	}
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	return f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddHeader: header, OddFooter: footer})
}

// hfText escapes text for a header or footer.
func hfText(s string) string { return strings.ReplaceAll(s, "&", "&&") }

// headerRow writes a bold header on row 1, freezes it and sets widths.
func (s *styles) headerRow(f *excelize.File, sheet string, cols []string, widths []float64) error {
	if err := f.SetSheetRow(sheet, "A1", &cols); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	if err := f.SetCellStyle(sheet, "A1", last+"1", s.header); err != nil {
		return err
	}
	for i, w := range widths {
		c, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, c, c, w); err != nil {
			return err
		}
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// provenanceText says where the figures come from, for footers and notes.
func provenanceText(p indicators.Provenance) string {
	if p.Closed {
		return fmt.Sprintf("revision %d, closed %s by %s", p.Revision, p.ClosedAt.Format("2006-01-02 15:04 MST"), p.ClosedBy)
	}
	s := "live figures computed " + p.ComputedAt.Format("2006-01-02 15:04 MST")
	if p.Revisions > 0 {
		s += fmt.Sprintf(" (the period was closed %d times)", p.Revisions)
	}
	return s
}

// sheetName makes a valid, unique sheet name (31 characters, no []:*?/\).
func sheetName(name string, used map[string]bool) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, name)
	if len([]rune(name)) > 28 {
		name = string([]rune(name)[:28])
	}
	out := name
	for i := 2; used[strings.ToLower(out)]; i++ {
		out = fmt.Sprintf("%s %d", name, i)
	}
	used[strings.ToLower(out)] = true
	return out
}

func ptr[T any](v T) *T { return &v }

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

func absCell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row, true)
	return c
}

// statusCell is the style of a value cell filled with its status's colour
// (no fill for other statuses), made once per unit and status.
func (s *styles) statusCell(f *excelize.File, unit, status string) (int, error) {
	if _, ok := unitFormats[unit]; !ok {
		unit = "points"
	}
	key := unit + "\x00" + status
	if id, ok := s.filled[key]; ok {
		return id, nil
	}
	st := &excelize.Style{CustomNumFmt: ptr(unitFormats[unit])}
	for _, sf := range statusFills {
		if sf.status == status {
			st.Font = &excelize.Font{Color: sf.font}
			st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{sf.fill}}
		}
	}
	id, err := f.NewStyle(st)
	if err != nil {
		return 0, err
	}
	s.filled[key] = id
	return id, nil
}
