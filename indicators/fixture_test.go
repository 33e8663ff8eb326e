package indicators_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

// Sites of the fixture: two in Paris (department 75, region 11), one in
// Strasbourg (Alsace-Moselle: Good Friday and 26 December are holidays)
// and one in Cayenne (UTC−3).
var fixtureSites = []model.Site{
	{ID: "PAR-11", Name: "Paris 11", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
	{ID: "PAR-18", Name: "Paris 18", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
	{ID: "STR-67", Name: "Strasbourg", Kind: model.SiteAgency, Region: "44", Department: "67", Zone: model.ZoneAlsaceMoselle, Timezone: "Europe/Paris"},
	{ID: "CAY-973", Name: "Cayenne", Kind: model.SiteAgency, Region: "03", Department: "973", Zone: model.ZoneGuyane, Timezone: "America/Cayenne"},
}

type fixture struct {
	db  *store.DB
	svc *ingest.Service
	w   *ingest.Writer
	eng *indicators.Engine
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := chtest.New(t)
	ctx := context.Background()
	if err := db.UpsertSites(ctx, fixtureSites); err != nil {
		t.Fatal(err)
	}
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := ingest.NewWriter(db, sp, ingest.WriterOptions{DrainEvery: time.Hour}, nil, nil)
	t.Cleanup(w.Close)
	svc := ingest.NewService(db, w, ingest.NewPseudonymizer([]byte("k")), ingest.Lists{
		Channels:   []string{"reception", "appointment", "phone", "email", "mail", "online"},
		CaseKinds:  []string{"reimbursement", "allowance_payment", "registration", "email_reply", "mail_reply", "sick_pay"},
		Dimensions: []string{"overall", "recommend"},
		Segments:   model.DefaultSegments,
		Scales:     map[string]model.Scale{"recommend": model.Scale0to10},
	}, ingest.DefaultLimits, nil)
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	eng := indicators.NewEngine(db, cat, false)
	eng.Now = func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }
	return &fixture{db: db, svc: svc, w: w, eng: eng}
}

// send ingests CSV records of kind through the collectors, all accepted.

func (f *fixture) send(t *testing.T, kind ingest.Kind, csv string) ingest.Result {
	t.Helper()
	res, err := f.svc.Ingest(context.Background(), kind, ingest.FormatCSV, strings.NewReader(csv), ingest.Options{Source: "test"})
	if err != nil || res.Rejected > 0 {
		t.Fatalf("ingest %s: %v %+v", kind, err, res.Rejects)
	}
	return res
}

func (f *fixture) compute(t *testing.T, period string, ids ...string) map[string]indicators.Result {
	t.Helper()
	p, err := indicators.ParsePeriod(period, f.eng.Now())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.eng.Results(context.Background(), indicators.Query{Period: p, Selection: indicators.Selection{Indicators: ids}, Live: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]indicators.Result{}
	for _, r := range rep.Results {
		out[fmt.Sprintf("%s %s:%s", r.Indicator, r.Scope, r.ScopeID)] = r
	}
	return out
}

type want struct {
	key      string  // "indicator scope:id"
	value    float64 // NaN: no value
	sample   uint64
	num, den float64 // checked when den > 0
	status   string
}

func check(t *testing.T, got map[string]indicators.Result, wants []want) {
	t.Helper()
	for _, w := range wants {
		r, ok := got[w.key]
		if !ok {
			t.Errorf("%s: no result", w.key)
			continue
		}
		switch {
		case math.IsNaN(w.value) && r.Value != nil:
			t.Errorf("%s: value %v, want none", w.key, *r.Value)
		case !math.IsNaN(w.value) && (r.Value == nil || math.Abs(*r.Value-w.value) > 1e-9):
			t.Errorf("%s: value %v, want %v", w.key, deref(r.Value), w.value)
		}
		if r.Sample != w.sample {
			t.Errorf("%s: sample %d, want %d", w.key, r.Sample, w.sample)
		}
		if w.den > 0 && (r.Numerator == nil || r.Denominator == nil || *r.Numerator != w.num || *r.Denominator != w.den) {
			t.Errorf("%s: %v/%v, want %v/%v", w.key, deref(r.Numerator), deref(r.Denominator), w.num, w.den)
		}
		if w.status != "" && r.Status != w.status {
			t.Errorf("%s: status %s, want %s", w.key, r.Status, w.status)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

const contactsHeader = "id,site,channel,arrived_at,answered_at,ended_at,outcome,user_ref\n"

const casesHeader = "id,site,kind,channel,received_at,completed_at,status,updated_at\n"

// cs writes a completed case received and completed at noon local time on
// the given dates.

func cs(id, site, kind, received, completed string) string {
	return fmt.Sprintf("%s,%s,%s,email,%sT12:00:00,%sT12:00:00,completed,%sT12:00:00\n", id, site, kind, received, completed, completed)
}

const surveysHeader = "id,site,channel,survey,mode,answered_at,scale,score_overall,score_recommend\n"

func reception(site string, within, beyond int) string {
	var b strings.Builder
	for i := 0; i < within+beyond; i++ {
		ans := "09:10:00"
		if i >= within {
			ans = "09:30:00"
		}
		b.WriteString(site + "-" + string(rune('a'+i)) + "," + site + ",reception,2026-05-12T09:00:00,2026-05-12T" + ans + ",2026-05-12T09:40:00,served,\n")
	}
	return b.String()
}
