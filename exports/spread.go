package exports

import (
	"fmt"

	"github.com/xuri/excelize/v2"
)

// SheetSpread is the director workbook's sheet of spreads across sites.
const SheetSpread = "Spread"

// SpreadColumns are the columns of the spread sheet.
var SpreadColumns = []string{"Indicator", "Scope", "ID", "Value", "Status", "Sites counted", "Min", "P10", "Median", "P90", "Max", "Sites missed"}

// spread writes, for each indicator, how the sites of the scope — and of
// each of its regions or departments — differ: the sites with enough
// sample, the minimum, 10th percentile, median, 90th percentile and
// maximum of their values, and how many missed their target. Sites have
// no spread of their own, so a department's workbook has its own row only.
func (d *Director) spread(f *excelize.File, st *styles, rows []*scopeRow) error {
	if err := st.headerRow(f, SheetSpread, SpreadColumns, []float64{30, 12, 10, 10, 16, 12, 10, 10, 10, 10, 10, 12}); err != nil {
		return err
	}
	row := 1
	for _, def := range d.Catalog.Indicators {
		for _, sr := range rows {
			r := sr.byID[def.ID]
			if r == nil || r.Spread == nil {
				continue
			}
			row++
			s := r.Spread
			vals := []any{def.ID, string(r.Scope), orNil(r.ScopeID), cellValue(def.Unit, r.Value), r.Status, s.Sites,
				cellValue(def.Unit, s.Min), cellValue(def.Unit, s.P10), cellValue(def.Unit, s.Median), cellValue(def.Unit, s.P90), cellValue(def.Unit, s.Max), s.Missed}
			if err := f.SetSheetRow(SheetSpread, cell(1, row), &vals); err != nil {
				return err
			}
			for _, c := range [][2]int{{4, 4}, {7, 11}} {
				if err := f.SetCellStyle(SheetSpread, cell(c[0], row), cell(c[1], row), st.unit(def.Unit)); err != nil {
					return err
				}
			}
			for _, c := range []int{6, 12} {
				if err := f.SetCellStyle(SheetSpread, cell(c, row), cell(c, row), st.count); err != nil {
					return err
				}
			}
		}
	}
	if row < 2 {
		return nil
	}
	if err := st.statusFormats(f, SheetSpread, fmt.Sprintf("D2:D%d E2:E%d", row, row), "E", 2); err != nil {
		return err
	}
	return d.finish(f, SheetSpread, len(SpreadColumns), row, 4)
}

// spreadNote says how the spread sheet reads.
const spreadNote = "for each indicator, the scope and its regions or departments: of their sites with at least the indicator's minimum sample (the others left out), " +
	"how many, the minimum, 10th percentile, median, 90th percentile and maximum of their values (exact nearest rank: the ⌈p·n⌉-th value in ascending order), " +
	"and how many of them missed their own target"
