package indicators_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"globaloffice/indicators"
	"globaloffice/ingest"
)

// visits writes within visits waiting 10 min and beyond waiting 30 min at
// site on day.
func visits(site, day string, within, beyond int) string {
	var b strings.Builder
	for i := range within + beyond {
		ans := "09:10:00"
		if i >= within {
			ans = "09:30:00"
		}
		fmt.Fprintf(&b, "%s-%s-%d,%s,reception,%sT09:00:00,%sT%s,%sT09:40:00,served,\n", site, day, i, site, day, day, ans, day)
	}
	return b.String()
}

// TestSeriesMatchesResults holds Series to Results period by period: live
// days, cut and whole weeks, and months of which one is closed.
func TestSeriesMatchesResults(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.send(t, ingest.KindContacts, contactsHeader+
		visits("PAR-11", "2026-05-11", 9, 1)+visits("PAR-11", "2026-05-12", 5, 5)+visits("PAR-18", "2026-05-12", 10, 0)+
		visits("PAR-11", "2026-06-01", 3, 1)+visits("STR-67", "2026-06-30", 12, 0))
	may, _ := indicators.ParsePeriod("2026-05", f.eng.Now())
	if _, err := f.eng.Close(ctx, may, "test"); err != nil {
		t.Fatal(err)
	}
	// Data arriving after the closing changes May's live figures, not the
	// series' May, which is closed.
	f.send(t, ingest.KindContacts, contactsHeader+visits("PAR-18", "2026-05-20", 0, 4))
	q2, _ := indicators.ParsePeriod("2026-Q2", f.eng.Now())
	sel := indicators.Selection{Indicators: []string{"reception.wait_20min", "satisfaction.overall"}}
	var periods []indicators.Period
	periods = append(periods, may.Split("day")[10:13]...) // 11–13 May
	weeks := q2.Split("week")
	if len(weeks) != 14 || weeks[0].Name != "2026-04-01..2026-04-05" || weeks[1].Name != "2026-W15" || weeks[13].Name != "2026-06-29..2026-06-30" {
		t.Fatalf("weeks of Q2: %d, first %s, second %s, last %s", len(weeks), weeks[0].Name, weeks[1].Name, weeks[len(weeks)-1].Name)
	}
	months := q2.Months(4) // March to June
	if months[0].Name != "2026-03" || months[3].Name != "2026-06" {
		t.Fatalf("months %v", months)
	}
	for _, set := range [][]indicators.Period{periods, weeks, months} {
		got, err := f.eng.Series(ctx, set, sel)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range set {
			want, err := f.eng.Results(ctx, indicators.Query{Period: p, Selection: sel})
			if err != nil {
				t.Fatal(err)
			}
			if got[i].Provenance.Closed != want.Provenance.Closed || len(got[i].Results) != len(want.Results) {
				t.Fatalf("%s: closed %v with %d results, want %v with %d", p, got[i].Provenance.Closed, len(got[i].Results), want.Provenance.Closed, len(want.Results))
			}
			for k, r := range got[i].Results {
				w := want.Results[k]
				if r.Indicator != w.Indicator || r.Scope != w.Scope || r.ScopeID != w.ScopeID || fmt.Sprint(deref(r.Value)) != fmt.Sprint(deref(w.Value)) ||
					r.Sample != w.Sample || fmt.Sprint(deref(r.Numerator), deref(r.Denominator)) != fmt.Sprint(deref(w.Numerator), deref(w.Denominator)) ||
					r.Status != w.Status || fmt.Sprint(deref(r.Target)) != fmt.Sprint(deref(w.Target)) {
					t.Errorf("%s %s %s:%s: series %v (%d, %s), results %v (%d, %s)", p, r.Indicator, r.Scope, r.ScopeID, deref(r.Value), r.Sample, r.Status, deref(w.Value), w.Sample, w.Status)
				}
			}
		}
	}
	// Hand-worked: 12 May, PAR-11 5 of 10 within 20 min; department 75
	// pools PAR-18's 10 of 10: 15 of 20 = 75%. May closed before the 20th's
	// visits: PAR-18 stays 10 of 10.
	got, err := f.eng.Series(ctx, []indicators.Period{periods[1], months[2]}, indicators.Selection{Indicators: []string{"reception.wait_20min"}})
	if err != nil {
		t.Fatal(err)
	}
	find := func(rep indicators.Report, scope string) indicators.Result {
		for _, r := range rep.Results {
			if string(r.Scope)+":"+r.ScopeID == scope {
				return r
			}
		}
		t.Fatalf("%s: no %s", rep.Period, scope)
		return indicators.Result{}
	}
	if r := find(got[0], "site:PAR-11"); *r.Value != 50 || r.Sample != 10 {
		t.Errorf("12 May PAR-11: %v of %d", *r.Value, r.Sample)
	}
	if r := find(got[0], "department:75"); *r.Value != 75 || r.Sample != 20 {
		t.Errorf("12 May department 75: %v of %d", *r.Value, r.Sample)
	}
	if r := find(got[1], "site:PAR-18"); *r.Value != 100 || r.Sample != 10 || !got[1].Provenance.Closed {
		t.Errorf("May PAR-18: %v of %d, closed %v", *r.Value, r.Sample, got[1].Provenance.Closed)
	}

}
