package indicators_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"globaloffice/auth"
	"globaloffice/indicators"
	"globaloffice/ingest"
)

// mixedCatalog measures the fixture's mixed questionnaires with a small
// min_sample, so that distributions show at site scope; mixed.small keeps
// the default 30, so every one of its results is suppressed.
const mixedCatalog = `indicators:
  - id: mixed.overall
    title: {fr: "Satisfaits", en: "Satisfied"}
    commitment: {fr: "Mesuré.", en: "Measured."}
    source: surveys
    measure: top_box
    dimension: overall
    unit: percent
    direction: higher
    min_sample: 3
    published: true
  - id: mixed.nps
    title: {fr: "NPS", en: "NPS"}
    commitment: {fr: "Mesuré.", en: "Measured."}
    source: surveys
    filter: {scale: ["0-10"]}
    measure: nps
    dimension: recommend
    unit: points
    direction: higher
    min_sample: 3
    published: true
  - id: mixed.recommend_mean
    title: {fr: "Recommandation moyenne", en: "Mean recommendation"}
    commitment: {fr: "Mesuré.", en: "Measured."}
    source: surveys
    filter: {scale: ["0-10"]}
    measure: mean_score
    dimension: recommend
    unit: score
    direction: higher
    min_sample: 3
    published: true
  - id: mixed.small
    title: {fr: "Satisfaits", en: "Satisfied"}
    commitment: {fr: "Mesuré.", en: "Measured."}
    source: surveys
    measure: top_box
    dimension: overall
    unit: percent
    direction: higher
    min_sample: 30
    published: true
`

// TestMixedScales: one questionnaire asks overall on 1–5 and recommend on
// 0–10 (configured, or sent as scale_recommend); each score counts on its
// own scale, and results carry the respondents and the distribution per
// level, none where the result is suppressed.
func TestMixedScales(t *testing.T) {
	f := newFixture(t)
	cat, err := indicators.ParseCatalog("mixed.yaml", []byte(mixedCatalog))
	if err != nil {
		t.Fatal(err)
	}
	f.eng.Catalog = cat
	f.send(t, ingest.KindSurveys, "id,site,channel,survey,mode,answered_at,scale,score_overall,score_recommend,scale_recommend\n"+
		// PAR-11, the mixed questionnaire: overall on 1–5 (the response's
		// scale), recommend on 0–10 (configured; M3 says so itself).
		"M1,PAR-11,reception,post,email,2026-05-12T10:00:00Z,1-5,5,10,\n"+
		"M2,PAR-11,reception,post,email,2026-05-12T10:00:00Z,1-5,4,9,\n"+
		"M3,PAR-11,reception,post,email,2026-05-12T10:00:00Z,1-5,3,8,0-10\n"+
		"M4,PAR-11,reception,post,email,2026-05-12T10:00:00Z,1-5,2,6,\n"+
		"M5,PAR-11,reception,post,email,2026-05-12T10:00:00Z,1-5,1,0,\n"+
		"M6,PAR-11,reception,post,email,2026-05-12T10:00:00Z,1-5,4,,\n"+
		// PAR-18: a kiosk on 1–4 and one NPS survey on 0–10.
		"K1,PAR-18,reception,kiosk,kiosk,2026-05-12T10:00:00Z,1-4,4,,\n"+
		"K2,PAR-18,reception,kiosk,kiosk,2026-05-12T10:00:00Z,1-4,3,,\n"+
		"N1,PAR-18,phone,nps,sms,2026-05-12T10:00:00Z,0-10,9,10,\n")
	got := f.compute(t, "2026-05", "mixed.overall", "mixed.nps", "mixed.recommend_mean", "mixed.small")
	check(t, got, []want{
		// Overall, PAR-11: 5, 4, 4 of 6 are ≥ 4 on 1–5.
		{"mixed.overall site:PAR-11", 50, 6, 3, 6, indicators.StatusNoTarget},
		// PAR-18: 4 and 3 on 1–4 (≥ 3), 9 on 0–10 (≥ 8): 3 of 3.
		{"mixed.overall site:PAR-18", 100, 3, 3, 3, indicators.StatusNoTarget},
		// Pooled: 6 of 9.
		{"mixed.overall region:11", 100 * 6.0 / 9, 9, 6, 9, indicators.StatusNoTarget},
		// NPS, PAR-11: recommend 10, 9 promoters, 8 passive, 6, 0
		// detractors: (2 − 2)/5 = 0 points, although the responses are on 1–5.
		{"mixed.nps site:PAR-11", 0, 5, 0, 5, indicators.StatusNoTarget},
		// PAR-18: one promoter, below min_sample 3.
		{"mixed.nps site:PAR-18", 100, 1, 1, 1, indicators.StatusInsufficientData},
		// Pooled: (3 − 2)/6 = 16.67 points.
		{"mixed.nps region:11", 100.0 / 6, 6, 1, 6, indicators.StatusNoTarget},
		// Mean recommendation, PAR-11: (10 + 9 + 8 + 6 + 0)/5 = 6.6.
		{"mixed.recommend_mean site:PAR-11", 6.6, 5, 33, 5, indicators.StatusNoTarget},
		{"mixed.small region:11", 100 * 6.0 / 9, 9, 6, 9, indicators.StatusInsufficientData},
	})
	type dist = []indicators.Distribution
	distWants := []struct {
		key         string
		respondents uint64
		dist        dist
	}{
		// overall 1 (M5), 2 (M4), 3 (M3), 4 (M2, M6), 5 (M1).
		{"mixed.overall site:PAR-11", 6, dist{{Scale: "1-5", Counts: []uint64{1, 1, 1, 2, 1}}}},
		{"mixed.overall site:PAR-18", 3, dist{{Scale: "1-4", Counts: []uint64{0, 0, 1, 1}}, {Scale: "0-10", Counts: []uint64{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}}}},
		{"mixed.overall department:75", 9, dist{{Scale: "1-4", Counts: []uint64{0, 0, 1, 1}}, {Scale: "1-5", Counts: []uint64{1, 1, 1, 2, 1}}, {Scale: "0-10", Counts: []uint64{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}}}},
		// recommend 0, 6, 8, 9, 10 (M6 did not answer it).
		{"mixed.nps site:PAR-11", 5, dist{{Scale: "0-10", Counts: []uint64{1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1}}}},
		{"mixed.nps national:", 6, dist{{Scale: "0-10", Counts: []uint64{1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 2}}}},
		// Suppressed (sample below min_sample): no distribution.
		{"mixed.nps site:PAR-18", 1, nil},
		{"mixed.small site:PAR-11", 6, nil},
		{"mixed.small national:", 9, nil},
	}
	for _, w := range distWants {
		r := got[w.key]
		if r.Respondents == nil || *r.Respondents != w.respondents {
			t.Errorf("%s: respondents %v, want %d", w.key, deref64(r.Respondents), w.respondents)
		}
		if !reflect.DeepEqual(r.Distribution, w.dist) {
			t.Errorf("%s: distribution %+v, want %+v", w.key, r.Distribution, w.dist)
		}
	}
	// A suppressed result's JSON has no distribution at all.
	b, err := json.Marshal(got["mixed.nps site:PAR-18"])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "distribution") {
		t.Errorf("suppressed result leaks its distribution: %s", b)
	}

	// Closed, the revision keeps respondents and distributions; the
	// public sees no suppressed result.
	ctx := context.Background()
	p, err := indicators.ParsePeriod("2026-05", f.eng.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Close(ctx, p, "test"); err != nil {
		t.Fatal(err)
	}
	rep, err := f.eng.Results(ctx, indicators.Query{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	closed := map[string]indicators.Result{}
	for _, r := range rep.Results {
		closed[r.Indicator+" "+string(r.Scope)+":"+r.ScopeID] = r
	}
	for _, w := range distWants {
		r := closed[w.key]
		if r.Revision != 1 || r.Respondents == nil || *r.Respondents != w.respondents || !reflect.DeepEqual(r.Distribution, w.dist) {
			t.Errorf("closed %s: revision %d, respondents %v, distribution %+v; want %d, %+v", w.key, r.Revision, deref64(r.Respondents), r.Distribution, w.respondents, w.dist)
		}
	}
	rep.Keep(cat, auth.Principal{}.SeesResult)
	for _, r := range rep.Results {
		if r.Status == indicators.StatusInsufficientData || r.Distribution == nil && r.Sample >= 3 {
			t.Errorf("the public sees %s %s:%s (status %s, distribution %v)", r.Indicator, r.Scope, r.ScopeID, r.Status, r.Distribution)
		}
	}
}

func deref64(p *uint64) any {
	if p == nil {
		return nil
	}
	return *p
}
