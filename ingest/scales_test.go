package ingest_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"globaloffice/ingest"
	"globaloffice/model"
)

// TestScoreScales: a score may carry its own scale (CSV scale_<dimension>,
// JSON "scales"), recommend is on 0–10 by configuration; each score is
// checked on its own scale and stored with it, and a scale that
// contradicts the configured one is refused, naming line and field.
func TestScoreScales(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	const head = `{"source":"s","site":"PAR-11","channel":"reception","survey":"post","mode":"email","answered_at":"2026-05-14T12:00:00Z","scale":"1-5",`
	ndjson := strings.Join([]string{
		// Accepted: overall on the response's 1–5, recommend on the
		// configured 0–10 (sent or not), delay on a 0–10 of its own.
		head + `"id":"J1","scores":{"overall":4,"recommend":9}}`,
		head + `"id":"J2","scores":{"overall":5,"recommend":10},"scales":{"recommend":"0-10"}}`,
		head + `"id":"J3","scores":{"overall":2,"delay":7},"scales":{"delay":"0-10"}}`,
		// Refused.
		head + `"id":"J4","scores":{"overall":4,"recommend":11}}`,
		head + `"id":"J5","scores":{"overall":4,"recommend":3},"scales":{"recommend":"1-5"}}`,
		head + `"id":"J6","scores":{"overall":4,"delay":7},"scales":{"delay":"1-7"}}`,
		head + `"id":"J7","scores":{"overall":4},"scales":{"speed":"0-10"}}`,
		head + `"id":"J8","scores":{"overall":6},"scales":{"delay":"0-10"}}`,
		head + `"id":"J9","scores":{"overall":4},"scales":"0-10"}`,
		head + `"id":"J10","scores":{"delay":11},"scales":{"delay":"0-10"}}`,
	}, "\n") + "\n"
	status, res, problem := e.post(t, "surveys", "application/x-ndjson", ndjson)
	if status != 200 {
		t.Fatalf("status %d %v", status, problem)
	}
	wantRejects := []ingest.RejectInfo{
		{Line: 4, ID: "J4", Field: "score_recommend", Reason: "11 is off the 0-10 scale of recommend"},
		{Line: 5, ID: "J5", Field: "scale_recommend", Reason: "recommend is configured on 0-10 (ingest.survey_scales), not 1-5"},
		{Line: 6, ID: "J6", Field: "scale_delay", Reason: `"1-7" is not a scale (1-4, 1-5, 0-10)`},
		{Line: 7, ID: "J7", Field: "scale_speed", Reason: `unknown survey dimension "speed"`},
		// The response's own scale still holds for the other scores.
		{Line: 8, ID: "J8", Field: "score_overall", Reason: "6 is off the 1-5 scale"},
		{Line: 9, Field: "scales", Reason: `must be an object such as {"recommend": "0-10"}`},
		{Line: 10, ID: "J10", Field: "score_delay", Reason: "11 is off the 0-10 scale of delay"},
	}
	checkRejects(t, res, 3, wantRejects)

	// CSV: scale_<dimension> columns, empty where the score has the
	// response's scale (or the configured one).
	csv := "id,source,site,channel,survey,mode,answered_at,scale,score_overall,score_recommend,score_delay,scale_recommend,scale_delay\n" +
		"C1,s,PAR-11,reception,post,email,2026-05-14T12:00:00Z,1-5,3,0,,,\n" +
		"C2,s,PAR-11,reception,post,email,2026-05-14T12:00:00Z,1-4,4,,9,,0-10\n" +
		"C3,s,PAR-11,reception,post,email,2026-05-14T12:00:00Z,1-5,3,7,,1-4,\n" +
		"C4,s,PAR-11,reception,post,email,2026-05-14T12:00:00Z,1-5,3,,5,,1-4\n" +
		"C5,s,PAR-11,reception,post,email,2026-05-14T12:00:00Z,0-10,9,10,10,0-10,0-10\n"
	status, res, problem = e.post(t, "surveys", "text/csv", csv)
	if status != 200 {
		t.Fatalf("status %d %v", status, problem)
	}
	checkRejects(t, res, 3, []ingest.RejectInfo{
		{Line: 4, ID: "C3", Field: "scale_recommend", Reason: "recommend is configured on 0-10 (ingest.survey_scales), not 1-4"},
		{Line: 5, ID: "C4", Field: "score_delay", Reason: "5 is off the 1-4 scale of delay"},
	})

	// Stored: every score with its scale, parallel to dimensions.
	for _, w := range []struct{ id, dims, scales string }{
		{"J1", "['overall','recommend']", "['1-5','0-10']"},
		{"J2", "['overall','recommend']", "['1-5','0-10']"},
		{"J3", "['delay','overall']", "['0-10','1-5']"},
		{"C1", "['overall','recommend']", "['1-5','0-10']"},
		{"C2", "['delay','overall']", "['0-10','1-4']"},
		{"C5", "['delay','overall','recommend']", "['0-10','0-10','0-10']"},
	} {
		if n := e.count(t, "SELECT count() FROM survey_responses WHERE id = '"+w.id+"' AND dimensions = "+w.dims+" AND arrayMap(v -> toString(v), scales) = "+w.scales); n != 1 {
			t.Errorf("%s: not stored with dimensions %s and scales %s", w.id, w.dims, w.scales)
		}
	}

	// LimeSurvey: RECO is the recommendation, on the configured 0–10.
	set, err := ingest.LoadMappings("")
	if err != nil {
		t.Fatal(err)
	}
	e.svc.SetMappings(set)
	status, res, problem = e.post(t, "surveys?mapping=limesurvey&source=ls-reco", "text/csv",
		"id,submitdate,SITE,CANAL,SATGLOB,RECO\n1,2026-05-14 10:00:00,PAR-11,ACC,A4,9\n2,2026-05-14 10:05:00,PAR-11,ACC,A2,11\n")
	if status != 200 {
		t.Fatalf("limesurvey: status %d %v", status, problem)
	}
	checkRejects(t, res, 1, []ingest.RejectInfo{{Line: 3, ID: "2", Field: "score_recommend", Reason: "11 is off the 0-10 scale of recommend"}})
	if n := e.count(t, "SELECT count() FROM survey_responses WHERE source = 'ls-reco' AND id = '1' AND scale = '1-5' AND arrayMap(v -> toString(v), scales) = ['1-5', '0-10'] AND scores = [4, 9]"); n != 1 {
		t.Error("limesurvey: response 1 not stored with overall 4 on 1-5 and recommend 9 on 0-10")
	}
}

func checkRejects(t *testing.T, res ingest.Result, accepted int, want []ingest.RejectInfo) {
	t.Helper()
	if res.Accepted != accepted || res.Rejected != len(want) || len(res.Rejects) != len(want) {
		t.Fatalf("%d accepted, %d rejected %+v; want %d and %d", res.Accepted, res.Rejected, res.Rejects, accepted, len(want))
	}
	for i, w := range want {
		g := res.Rejects[i]
		if g.Line != w.Line || g.ID != w.ID || g.Field != w.Field || !strings.HasPrefix(g.Reason, w.Reason) {
			t.Errorf("reject %d: %+v, want %+v", i, g, w)
		}
	}
}

// TestSpoolKeepsScoreScales: a spooled response keeps its scores' own
// scales; a line spooled before they existed reads with none, so every
// score takes the response's scale.
func TestSpoolKeepsScoreScales(t *testing.T) {
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	at := time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC)
	r := model.SurveyResponse{Source: "s", ID: "R1", Site: "PAR-11", Channel: "reception", Survey: "post", Mode: model.ModeEmail,
		AnsweredAt: at, AnsweredDate: at.Truncate(24 * time.Hour), Scale: model.Scale1to5,
		Scores: map[string]int{"overall": 4, "recommend": 9}, Scales: map[string]model.Scale{"recommend": model.Scale0to10}}
	name := sp.NextName()
	if err := sp.WriteAs(name, []ingest.Record{{Survey: &r}}); err != nil {
		t.Fatal(err)
	}
	got, err := sp.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Survey == nil || !reflect.DeepEqual(*got[0].Survey, r) {
		t.Fatalf("read back %+v, want %+v", got, r)
	}
	if s := got[0].Survey.ScaleOf("recommend"); s != model.Scale0to10 {
		t.Errorf("recommend read back on %s, want 0-10", s)
	}
	// A segment written before scores had their own scales.
	old := sp.NextName()
	line := `{"survey":{"Source":"s","ID":"R0","Site":"PAR-11","Channel":"reception","Survey":"post","Mode":"email","AnsweredAt":"2026-05-14T12:00:00Z","AnsweredDate":"2026-05-14T00:00:00Z","ContactID":"","Scale":"0-10","Scores":{"overall":8,"recommend":9},"Comment":""}}` + "\n"
	if err := os.WriteFile(filepath.Join(sp.Dir(), old), []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err = sp.Read(old)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Survey == nil || got[0].Survey.Scales != nil || got[0].Survey.ScaleOf("recommend") != model.Scale0to10 || got[0].Survey.ScaleOf("overall") != model.Scale0to10 {
		t.Errorf("old line read back %+v, want no scales of its own (every score on 0-10)", got)
	}
}
