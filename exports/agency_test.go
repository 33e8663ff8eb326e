package exports_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"globaloffice/exports"
	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
)

// agencyFixture: PAR-11 in May 2026, 11 May 9 of 10 visits within 20
// minutes, 12 May 5 of 10: 14 of 20 = 70%, against a national target of
// 80 (missed); April 8 of 10 (80%, met); May closed.
func agencyFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.send(t, ingest.KindContacts, contactsHeader+visits("PAR-11", "2026-05-11", 9, 1)+visits("PAR-11", "2026-05-12", 5, 5)+
		visits("PAR-11", "2026-04-15", 8, 2)+visits("PAR-18", "2026-05-12", 10, 0))
	f.target(t, "reception.wait_20min,national,2026,80\n")
	f.close(t, "2026-05")
	return f
}

func writeAgency(t *testing.T, f *fixture, site, period string) (string, *exports.Agency) {
	t.Helper()
	p, _ := indicators.ParsePeriod(period, today)
	a, err := exports.LoadAgency(context.Background(), f.eng, site, p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "agency.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Write(out); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path, a
}

func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case nil:
		return math.NaN()
	}
	return math.Inf(1)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestAgencyWorkbook(t *testing.T) {
	f := agencyFixture(t)
	path, _ := writeAgency(t, f, "PAR-11", "2026-05")
	b := openpyxl(t, path)
	names := []string{}
	for _, s := range b.Sheets {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "Summary,reception,phone,appointment,email,mail,back office,all channels,online,12 months,Notes" {
		t.Errorf("sheets %s", got)
	}

	// The summary holds every result of the site exactly as the engine
	// gives it, percentages as fractions under a percent format.
	sum := b.sheet(t, "Summary")
	want, err := f.eng.Results(context.Background(), indicators.Query{Period: mustPeriod("2026-05"), Selection: indicators.Selection{Scope: model.ScopeSite, Sites: []string{"PAR-11"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Results) != len(f.eng.Catalog.Indicators) {
		t.Fatalf("%d results", len(want.Results))
	}
	for i, r := range want.Results {
		row := i + 2
		c := func(col string) (any, string) {
			x := sum.Cells[fmt.Sprint(col, row)]
			return x.Value, x.Format
		}
		id, _ := c("A")
		if id != r.Indicator {
			t.Fatalf("row %d: %v, want %s", row, id, r.Indicator)
		}
		scale, format := 1.0, map[string]string{"percent": "0.0%", "minutes": "0.0", "seconds": "0", "days": "0.0", "working_days": "0.0", "points": "0.0", "score": "0.00", "count": "#,##0", "per_100": "0.0", "handoffs": "0.0"}[r.Unit]
		if r.Unit == "percent" {
			scale = 100
		}
		for col, v := range map[string]*float64{"E": r.Value, "F": r.Target, "I": r.CILow, "J": r.CIHigh, "K": r.Previous, "L": r.LastYear} {
			got, fmtGot := c(col)
			switch {
			case v == nil && got != nil, v != nil && !near(num(got)*scale, *v):
				t.Errorf("%s %s%d: %v, want %v", r.Indicator, col, row, got, deref(v))
			case v != nil && fmtGot != format:
				t.Errorf("%s %s%d: format %q, want %q", r.Indicator, col, row, fmtGot, format)
			}
		}
		if st, _ := c("G"); st != r.Status {
			t.Errorf("%s status %v, want %s", r.Indicator, st, r.Status)
		}
		if s, _ := c("H"); num(s) != float64(r.Sample) {
			t.Errorf("%s sample %v, want %d", r.Indicator, s, r.Sample)
		}
	}
	// Hand-worked: row 2 is reception.wait_20min: 14/20, target 80, missed;
	// April 8/10 = 80%.
	if v := sum.Cells["E2"]; !near(num(v.Value), 0.7) || v.Type != "n" || sum.Cells["F2"].Value != 0.8 || sum.Cells["G2"].Value != "missed" || sum.Cells["H2"].Value != 20.0 || !near(num(sum.Cells["K2"].Value), 0.8) {
		t.Errorf("wait_20min row: %+v %+v %+v %+v %+v", sum.Cells["E2"], sum.Cells["F2"], sum.Cells["G2"], sum.Cells["H2"], sum.Cells["K2"])
	}
	n := len(want.Results) + 1
	if len(sum.Conditional) != 3 {
		t.Fatalf("conditional formats %+v", sum.Conditional)
	}
	for i, s := range []struct{ status, fill string }{{"met", "C6EFCE"}, {"missed", "FFC7CE"}, {"insufficient_data", "D9D9D9"}} {
		c := sum.Conditional[i]
		if c.Range != fmt.Sprintf("E2:E%d G2:G%d", n, n) || c.Type != "expression" || len(c.Formula) != 1 || c.Formula[0] != `$G2="`+s.status+`"` || !strings.HasSuffix(c.Fill, s.fill) {
			t.Errorf("conditional format %d: %+v", i, c)
		}
	}
	if sum.Freeze != "A2" || strings.ReplaceAll(sum.Autofilter, "$", "") != fmt.Sprintf("A1:L%d", n) || sum.Orientation != "landscape" || fmt.Sprint(sum.Paper) != "9" || fmt.Sprint(sum.FitWidth) != "1" || !sum.FitToPage {
		t.Errorf("summary layout: freeze %s filter %s %s paper %v fit %v %v", sum.Freeze, sum.Autofilter, sum.Orientation, sum.Paper, sum.FitWidth, sum.FitToPage)
	}
	if !strings.Contains(sum.Header[0], "Paris 11 && Bastille (PAR-11)") || !strings.Contains(sum.Header[1], "2026-05") ||
		!strings.Contains(sum.Footer[0], "revision 1, closed") || !strings.Contains(sum.Footer[1], "&P") {
		t.Errorf("header %q footer %q", sum.Header, sum.Footer)
	}

	// The reception sheet: one row a day, as an Excel table; 11 May 9/10,
	// 12 May 5/10, 1 May nothing.
	rec := b.sheet(t, "reception")
	if len(rec.Tables) != 1 || rec.Tables["breakdown_1"] != "A1:K32" {
		t.Errorf("reception tables %v", rec.Tables)
	}
	if rec.Cells["A12"].Value != "2026-05-11" || !near(num(rec.Cells["D12"].Value), 0.9) || rec.Cells["D12"].Format != "0.0%" || rec.Cells["E12"].Value != 10.0 ||
		!near(num(rec.Cells["D13"].Value), 0.5) || rec.Cells["B13"].Value != "2026-05-12T00:00:00" || rec.Cells["B13"].Format != "yyyy-mm-dd" || rec.Cells["D2"].Value != nil {
		t.Errorf("reception rows: %+v %+v %+v %+v", rec.Cells["A12"], rec.Cells["D12"], rec.Cells["D13"], rec.Cells["B13"])
	}

	// 12 months: June 2025 to May 2026; one line chart per headline
	// indicator, its value against its target.
	tr := b.sheet(t, "12 months")
	if tr.Cells["A2"].Value != "2025-06" || tr.Cells["A13"].Value != "2026-05" || !near(num(tr.Cells["B13"].Value), 0.7) || !near(num(tr.Cells["C13"].Value), 0.8) || !near(num(tr.Cells["B12"].Value), 0.8) {
		t.Errorf("12 months: %v %v %v %v", tr.Cells["A2"], tr.Cells["A13"], tr.Cells["B13"], tr.Cells["C13"])
	}
	heads := 0
	for _, d := range f.eng.Catalog.Indicators {
		if exports.Headline(d) {
			heads++
		}
	}
	if len(tr.Charts) != heads || heads == 0 {
		t.Fatalf("%d charts, want %d", len(tr.Charts), heads)
	}
	for k, ch := range tr.Charts {
		v, tg := cellLetters(2+2*k), cellLetters(3+2*k)
		if ch.Type != "lineChart" || len(ch.Series) != 2 || ch.Series[0].Values != fmt.Sprintf("'12 months'!$%s$2:$%s$13", v, v) ||
			ch.Series[1].Values != fmt.Sprintf("'12 months'!$%s$2:$%s$13", tg, tg) || ch.Series[0].Categories != "'12 months'!$A$2:$A$13" {
			t.Errorf("chart %d: %+v", k, ch)
		}
	}

	notes := b.sheet(t, "Notes")
	d, _ := f.eng.Catalog.Get("reception.wait_20min")
	if notes.Cells["A2"].Value != "reception.wait_20min" || notes.Cells["I2"].Value != d.Describe(indicators.FR) || notes.Cells["J2"].Value != d.Describe(indicators.EN) {
		t.Errorf("notes row 2: %v %v", notes.Cells["A2"], notes.Cells["J2"])
	}
	text := fmt.Sprint(notes.Cells)
	for _, s := range []string{"Working days", "Closed yes", "revision 1, closed", "holiday zone metropole"} {
		if !strings.Contains(strings.ReplaceAll(text, "} {", " "), strings.Split(s, " ")[0]) {
			t.Errorf("notes lack %q", s)
		}
	}

	// LibreOffice, an independent reader, shows the same figures with the
	// formats applied.
	lo := libreoffice(t, path, "Summary", "reception")
	if r := lo["Summary"][1]; r[0] != "reception.wait_20min" || r[4] != "70.0%" || r[5] != "80.0%" || r[6] != "missed" || r[7] != "20" {
		t.Errorf("LibreOffice summary row: %q", r)
	}
	if r := lo["reception"][11]; r[0] != "2026-05-11" || r[1] != "2026-05-11" || r[3] != "90.0%" || r[4] != "10" {
		t.Errorf("LibreOffice reception row: %q", r)
	}
}

func cellLetters(col int) string {
	s := ""
	for ; col > 0; col = (col - 1) / 26 {
		s = string(rune('A'+(col-1)%26)) + s
	}
	return s
}

func mustPeriod(s string) indicators.Period {
	p, err := indicators.ParsePeriod(s, today)
	if err != nil {
		panic(err)
	}
	return p
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestAgencyWorkbookRolling: twelve rolling months ending May 2026 (1 June
// 2025 to 31 May 2026) make a workbook like any period: PAR-11's 8 of 10 in
// April and 14 of 20 in May are 22 of 30; by week (1 June 2025 is a
// Sunday, a week cut to one day, then 52 ISO weeks to Sunday 31 May 2026);
// the 12 months are the period's own, May read closed.
func TestAgencyWorkbookRolling(t *testing.T) {
	f := agencyFixture(t)
	_, a := writeAgency(t, f, "PAR-11", "2026-05-r12")
	var wait *indicators.Result
	for i := range a.Report.Results {
		if a.Report.Results[i].Indicator == "reception.wait_20min" {
			wait = &a.Report.Results[i]
		}
	}
	if wait == nil || wait.Value == nil || !near(*wait.Value, 100*22.0/30) || wait.Sample != 30 || wait.Target == nil || *wait.Target != 80 {
		t.Fatalf("wait_20min: %+v", wait)
	}
	bd := a.Breakdown
	if a.Unit != "week" || len(bd) != 53 || bd[0].Period.Name != "2025-06-01..2025-06-01" || bd[1].Period.Name != "2025-W23" || bd[52].Period.Name != "2026-W22" {
		t.Fatalf("breakdown %s, %d periods: %s %s … %s", a.Unit, len(bd), bd[0].Period.Name, bd[1].Period.Name, bd[len(bd)-1].Period.Name)
	}
	tr := a.Trend
	if len(tr) != 12 || tr[0].Period.Name != "2025-06" || tr[11].Period.Name != "2026-05" || !tr[11].Provenance.Closed || tr[10].Provenance.Closed {
		t.Errorf("trend: %d months, %s … %s, May closed %v", len(tr), tr[0].Period.Name, tr[len(tr)-1].Period.Name, tr[len(tr)-1].Provenance.Closed)
	}
}
