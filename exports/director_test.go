package exports_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"globaloffice/exports"
	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
)

// directorFixture: department 75 gets two more sites, PAR-19 and PAR-20.
// Reception in May 2026 against a national target of 80: PAR-11 9/10
// (90%), PAR-18 5/10 (50%), PAR-19 18/20 (90%), PAR-20 3/4 (75%, under
// the minimum sample of 10), STR-67 12/15 (80%). Department 75 and region
// 11 pool 35/44 (79.55%, missed); region 44 is 12/15 (met); the nation
// 47/59.
func directorFixture(t *testing.T) *fixture {
	f := newFixture(t)
	more := []model.Site{
		{ID: "PAR-19", Name: "Paris 19", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
		{ID: "PAR-20", Name: "Paris 20", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
	}
	if err := f.db.UpsertSites(context.Background(), more); err != nil {
		t.Fatal(err)
	}
	f.send(t, ingest.KindContacts, contactsHeader+visits("PAR-11", "2026-05-11", 9, 1)+visits("PAR-18", "2026-05-12", 5, 5)+
		visits("PAR-19", "2026-05-12", 18, 2)+visits("PAR-20", "2026-05-13", 3, 1)+visits("STR-67", "2026-05-12", 12, 3))
	f.target(t, "reception.wait_20min,national,2026,80\n")
	return f
}

func writeDirector(t *testing.T, f *fixture, scope, period string) string {
	t.Helper()
	d, err := exports.LoadDirector(context.Background(), f.eng, scope, mustPeriod(period))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := d.Write(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "director.xlsx")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDirectorWorkbook(t *testing.T) {
	f := directorFixture(t)
	path := writeDirector(t, f, "department:75", "2026-05")
	b := openpyxl(t, path)
	var names []string
	for _, s := range b.Sheets {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "Overview,reception,phone,appointment,email,mail,reimbursement,allowance,registration,satisfaction,global,backlog,ack,cases,sick_pay,journey,mix,Rankings,Spread,Notes" {
		t.Errorf("sheets %s", got)
	}

	// Every result of every scope, as one unnarrowed Results read gives it.
	all, err := f.eng.Results(context.Background(), indicators.Query{Period: mustPeriod("2026-05")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]indicators.Result{}
	for _, r := range all.Results {
		want[string(r.Scope)+":"+r.ScopeID+" "+r.Indicator] = r
	}
	cat := f.eng.Catalog

	// Overview: the department, then its sites, the one with a missed
	// target (PAR-18) first, then by id.
	ov := b.sheet(t, "Overview")
	rows := []string{"department:75", "site:PAR-18", "site:PAR-11", "site:PAR-19", "site:PAR-20"}
	for i, key := range rows {
		row := i + 2
		scope, id, _ := strings.Cut(key, ":")
		if ov.Cells[fmt.Sprint("A", row)].Value != scope || ov.Cells[fmt.Sprint("B", row)].Value != id {
			t.Fatalf("overview row %d: %v %v, want %s", row, ov.Cells[fmt.Sprint("A", row)].Value, ov.Cells[fmt.Sprint("B", row)].Value, key)
		}
		for k, d := range cat.Indicators {
			col := cellLetters(5 + k)
			r, ok := want[key+" "+d.ID]
			c := ov.Cells[fmt.Sprint(col, row)]
			if !ok {
				t.Fatalf("no result %s %s", key, d.ID)
			}
			checkValue(t, fmt.Sprint("Overview!", col, row), d.Unit, r.Value, c.Value, c.Format)
			fill := map[string]string{"met": "C6EFCE", "missed": "FFC7CE", "insufficient_data": "D9D9D9"}[r.Status]
			// Empty cells are left out of the dump (their fill with them).
			if r.Value != nil && (fill == "" && c.Fill != "" || !strings.HasSuffix(c.Fill, fill)) {
				t.Errorf("Overview!%s%d (%s, %s): fill %q, want %q", col, row, d.ID, r.Status, c.Fill, fill)
			}
		}
	}
	// Hand-worked: 35/44 missed, PAR-18 50% missed, PAR-11 90% met,
	// PAR-20 75% under the minimum sample; one miss each for the
	// department and PAR-18.
	for cellRef, w := range map[string]struct {
		v    float64
		fill string
	}{"E2": {35.0 / 44, "FFC7CE"}, "E3": {0.5, "FFC7CE"}, "E4": {0.9, "C6EFCE"}, "E6": {0.75, "D9D9D9"}, "D2": {1, ""}, "D3": {1, ""}, "D4": {0, ""}} {
		if c := ov.Cells[cellRef]; !near(num(c.Value), w.v) || !strings.HasSuffix(c.Fill, w.fill) || w.fill == "" && c.Fill != "" {
			t.Errorf("Overview!%s: %+v, want %v filled %q", cellRef, c, w.v, w.fill)
		}
	}
	if ov.Cells["C3"].Value != "Paris 18" || ov.Freeze != "E2" || strings.ReplaceAll(ov.Autofilter, "$", "") != fmt.Sprintf("A1:%s6", cellLetters(4+len(cat.Indicators))) ||
		ov.Orientation != "landscape" || fmt.Sprint(ov.Paper) != "9" || !ov.FitToPage || !strings.Contains(ov.Header[0], "department 75") ||
		!strings.Contains(ov.Header[1], "2026-05") || !strings.Contains(ov.Footer[0], "live figures computed") {
		t.Errorf("overview layout: %v freeze %s filter %s %s %v %v %q %q", ov.Cells["C3"], ov.Freeze, ov.Autofilter, ov.Orientation, ov.Paper, ov.FitToPage, ov.Header, ov.Footer)
	}

	// The reception family: value, target, status and sample of its two
	// indicators; value and status coloured by a conditional format keyed
	// on the status column.
	rec := b.sheet(t, "reception")
	for i, key := range rows {
		row := i + 2
		for k, id := range []string{"reception.wait_20min", "reception.wait_p90"} {
			r := want[key+" "+id]
			d, _ := cat.Get(id)
			c := func(off int) (any, string) {
				x := rec.Cells[fmt.Sprint(cellLetters(4+4*k+off), row)]
				return x.Value, x.Format
			}
			v, vf := c(0)
			checkValue(t, fmt.Sprint("reception value ", key, " ", id), d.Unit, r.Value, v, vf)
			tg, tf := c(1)
			checkValue(t, fmt.Sprint("reception target ", key, " ", id), d.Unit, r.Target, tg, tf)
			if s, _ := c(2); s != r.Status {
				t.Errorf("reception %s %s status %v, want %s", key, id, s, r.Status)
			}
			if s, sf := c(3); num(s) != float64(r.Sample) || sf != "#,##0" {
				t.Errorf("reception %s %s sample %v %q, want %d", key, id, s, sf, r.Sample)
			}
		}
	}
	if rec.Cells["D1"].Value != "reception.wait_20min" || rec.Cells["F1"].Value != "reception.wait_20min status" || rec.Cells["H1"].Value != "reception.wait_p90" ||
		rec.Cells["F3"].Value != "missed" || rec.Cells["E3"].Value != 0.8 || rec.Cells["G3"].Value != 10.0 || rec.Freeze != "D2" || strings.ReplaceAll(rec.Autofilter, "$", "") != "A1:K6" {
		t.Errorf("reception sheet: %+v %+v %+v freeze %s filter %s", rec.Cells["D1"], rec.Cells["F3"], rec.Cells["E3"], rec.Freeze, rec.Autofilter)
	}
	if len(rec.Conditional) != 6 {
		t.Fatalf("reception conditional formats %+v", rec.Conditional)
	}
	for i, c := range rec.Conditional {
		s := []struct{ status, fill string }{{"met", "C6EFCE"}, {"missed", "FFC7CE"}, {"insufficient_data", "D9D9D9"}}[i%3]
		rng, col := "D2:D6 F2:F6", "F"
		if i >= 3 {
			rng, col = "H2:H6 J2:J6", "J"
		}
		if c.Range != rng || c.Type != "expression" || len(c.Formula) != 1 || c.Formula[0] != "$"+col+`2="`+s.status+`"` || !strings.HasSuffix(c.Fill, s.fill) {
			t.Errorf("reception conditional format %d: %+v", i, c)
		}
	}

	// Rankings, hand-worked for reception.wait_20min: PAR-11 and PAR-19
	// tie at 90% (rank 1, by id), PAR-18 third at 50%, PAR-20 last and
	// unranked (4 visits). Then each other published indicator, its four
	// sites unranked (no data), by id.
	rk := b.sheet(t, "Rankings")
	d0, _ := cat.Get("reception.wait_20min")
	for i, w := range []struct {
		rank   any
		site   string
		value  float64
		status string
	}{{1.0, "PAR-11", 0.9, "met"}, {1.0, "PAR-19", 0.9, "met"}, {3.0, "PAR-18", 0.5, "missed"}, {nil, "PAR-20", 0.75, "insufficient_data"}} {
		row := i + 2
		c := func(col string) any { return rk.Cells[fmt.Sprint(col, row)].Value }
		if c("A") != "reception.wait_20min" || c("B") != d0.Commitment.EN || c("C") != w.rank || c("D") != "site" || c("E") != w.site ||
			!near(num(c("G")), w.value) || rk.Cells[fmt.Sprint("G", row)].Format != "0.0%" || c("H") != 0.8 || c("I") != w.status {
			t.Errorf("ranking row %d: %v %v %v %v %v %v %v", row, c("A"), c("C"), c("E"), c("F"), c("G"), c("H"), c("I"))
		}
	}
	published := 0
	for _, d := range cat.Indicators {
		if d.Published {
			published++
		}
	}
	if last := 1 + 4*published; strings.ReplaceAll(rk.Autofilter, "$", "") != fmt.Sprintf("A1:J%d", last) || rk.Cells["A6"].Value != "phone.pickup_rate" ||
		rk.Cells["E6"].Value != "PAR-11" || rk.Cells["C6"].Value != nil || rk.Cells["I6"].Value != "insufficient_data" || rk.Cells[fmt.Sprint("A", last+1)].Value != nil {
		t.Errorf("rankings: filter %s, row 6 %v %v %v", rk.Autofilter, rk.Cells["A6"], rk.Cells["E6"], rk.Cells["C6"])
	}
	if len(rk.Conditional) != 3 || rk.Conditional[1].Formula[0] != `$I2="missed"` {
		t.Errorf("rankings conditional formats %+v", rk.Conditional)
	}
	notes := b.sheet(t, "Notes")
	if notes.Cells["A1"].Value != "Scope" || !strings.Contains(fmt.Sprint(notes.Cells["B1"].Value), "department 75") {
		t.Errorf("notes: %v", notes.Cells["B1"])
	}

	// LibreOffice shows the same figures with the formats applied.
	lo := libreoffice(t, path, "Overview", "Rankings")
	if r := lo["Overview"][1]; r[0] != "department" || r[1] != "75" || r[3] != "1" || r[4] != "79.5%" {
		t.Errorf("LibreOffice overview row: %q", r)
	}
	if r := lo["Rankings"][3]; r[0] != "reception.wait_20min" || r[2] != "3" || r[4] != "PAR-18" || r[5] != "Paris 18" || r[6] != "50.0%" || r[7] != "80.0%" || r[8] != "missed" || r[9] != "10" {
		t.Errorf("LibreOffice rankings row: %q", r)
	}
}

// TestDirectorNational: the nation's rows are its regions; region 44
// (80%) ranks before region 11 (79.55%).
func TestDirectorNational(t *testing.T) {
	f := directorFixture(t)
	b := openpyxl(t, writeDirector(t, f, "national", "2026-05"))
	ov, rk := b.sheet(t, "Overview"), b.sheet(t, "Rankings")
	got := fmt.Sprint(ov.Cells["A2"].Value, ov.Cells["A3"].Value, ov.Cells["B3"].Value, ov.Cells["B4"].Value, ov.Cells["A5"].Value)
	if got != "nationalregion1144<nil>" || !near(num(ov.Cells["E2"].Value), 47.0/59) {
		t.Errorf("national overview: %s %v", got, ov.Cells["E2"].Value)
	}
	if rk.Cells["E2"].Value != "44" || rk.Cells["C2"].Value != 1.0 || rk.Cells["E3"].Value != "11" || rk.Cells["C3"].Value != 2.0 || rk.Cells["F2"].Value != nil {
		t.Errorf("national ranking: %v %v %v %v %#v", rk.Cells["E2"], rk.Cells["C2"], rk.Cells["E3"], rk.Cells["C3"], rk.Cells["F2"])
	}
	// The spread of reception.wait_20min across sites with at least 10
	// visits (PAR-20's 4 left out): the nation 50 80 90 90 (STR-67's 80
	// meets the target), nearest rank p10 ⌈0.4⌉ = 1st, median ⌈2⌉ = 2nd,
	// p90 ⌈3.6⌉ = 4th; region 11 50 90 90, median ⌈1.5⌉ = 2nd; region 44
	// STR-67 alone. PAR-18 (50) is the one miss. Region 11 (a miss) comes
	// before region 44, as on the overview.
	sp := b.sheet(t, "Spread")
	for i, w := range []string{
		"reception.wait_20min national <nil> 4 0.5 0.5 0.8 0.9 0.9 1 0.0%",
		"reception.wait_20min region 11 3 0.5 0.5 0.9 0.9 0.9 1 0.0%",
		"reception.wait_20min region 44 1 0.8 0.8 0.8 0.8 0.8 0 0.0%",
	} {
		row := i + 2
		c := func(col string) any { return sp.Cells[fmt.Sprint(col, row)].Value }
		if got := fmt.Sprint(c("A"), " ", c("B"), " ", c("C"), " ", c("F"), " ", c("G"), " ", c("H"), " ", c("I"), " ", c("J"), " ", c("K"), " ", c("L"), " ", sp.Cells[fmt.Sprint("I", row)].Format); got != w {
			t.Errorf("Spread row %d: %s, want %s", row, got, w)
		}
	}
	if sp.Cells["A1"].Value != "Indicator" || sp.Cells["L1"].Value != "Sites missed" || sp.Cells["A5"].Value != "reception.wait_p90" {
		t.Errorf("spread sheet: %v %v %v", sp.Cells["A1"], sp.Cells["L1"], sp.Cells["A5"])
	}
}

func TestLoadDirectorScopes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := exports.LoadDirector(ctx, f.eng, "region:99", mustPeriod("2026-05")); !errors.Is(err, exports.ErrNoScope) {
		t.Errorf("region:99: %v", err)
	}
	for _, s := range []string{"", "site:PAR-11", "region", "region:", "nation"} {
		if _, err := exports.LoadDirector(ctx, f.eng, s, mustPeriod("2026-05")); err == nil || errors.Is(err, exports.ErrNoScope) {
			t.Errorf("%q: %v", s, err)
		}
	}
	d, err := exports.LoadDirector(ctx, f.eng, "region:11", mustPeriod("2026-05"))
	if err != nil {
		t.Fatal(err)
	}
	// Region 11's own results, and its one department's.
	for _, r := range d.Own.Results {
		if r.Scope != model.ScopeRegion || r.ScopeID != "11" {
			t.Fatalf("own result %s:%s", r.Scope, r.ScopeID)
		}
	}
	for _, r := range d.Subs.Results {
		if r.Scope != model.ScopeDepartment || r.ScopeID != "75" {
			t.Fatalf("sub result %s:%s", r.Scope, r.ScopeID)
		}
	}
	if len(d.Own.Results) != len(f.eng.Catalog.Indicators) || len(d.Subs.Results) != len(f.eng.Catalog.Indicators) || d.Label() != "region 11" {
		t.Errorf("%d own, %d sub results, label %s", len(d.Own.Results), len(d.Subs.Results), d.Label())
	}
}

func TestRank(t *testing.T) {
	v := func(x float64) *float64 { return &x }
	f := func(direction string, in []indicators.Result, want string) {
		t.Helper()
		ptrs := make([]*indicators.Result, len(in))
		for i := range in {
			ptrs[i] = &in[i]
		}
		var got []string
		for _, r := range exports.Rank(direction, ptrs) {
			got = append(got, fmt.Sprintf("%d:%s", r.Rank, r.Result.ScopeID))
		}
		if g := strings.Join(got, " "); g != want {
			t.Errorf("%s: %s, want %s", direction, g, want)
		}
	}
	ok, few := indicators.StatusMet, indicators.StatusInsufficientData
	in := func() []indicators.Result {
		return []indicators.Result{
			{ScopeID: "d", Value: v(3), Status: ok}, {ScopeID: "a", Value: v(5), Status: few}, {ScopeID: "c", Value: v(1), Status: ok},
			{ScopeID: "b", Value: v(3), Status: ok}, {ScopeID: "e", Status: ok}, {ScopeID: "f", Value: v(9), Status: indicators.StatusMissed},
		}
	}
	// Higher is better: 9, then 3 and 3 tied (b before d), then 1; a
	// (insufficient) and e (no value) last, unranked, by id.
	f("higher", in(), "1:f 2:b 2:d 4:c 0:a 0:e")
	f("lower", in(), "1:c 2:b 2:d 4:f 0:a 0:e")
	f("higher", nil, "")
}

// checkValue compares a cell with a result's figure: empty for none, a
// fraction under a percent format for percentages.
func checkValue(t *testing.T, where, unit string, want *float64, got any, format string) {
	t.Helper()
	scale := 1.0
	if unit == "percent" {
		scale = 100
	}
	wantFmt := map[string]string{"percent": "0.0%", "minutes": "0.0", "seconds": "0", "days": "0.0", "working_days": "0.0", "points": "0.0", "score": "0.00", "count": "#,##0", "per_100": "0.0", "handoffs": "0.0"}[unit]
	switch {
	case want == nil && got != nil, want != nil && !near(num(got)*scale, *want):
		t.Errorf("%s: %v, want %v", where, got, deref(want))
	case want != nil && format != wantFmt:
		t.Errorf("%s: format %q, want %q", where, format, wantFmt)
	}
}
