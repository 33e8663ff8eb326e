package ingest_test

import (
	"testing"

	"globaloffice/ingest"
)

// TestPhonePlanFields: asked_agent and the outcomes transferred and
// deflected (issue 14, item 1) through CSV, NDJSON and JSON; a contact
// that does not say whether an agent was asked for is taken as asked on
// the phone and not elsewhere.
func TestPhonePlanFields(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	csv := "id,source,site,channel,arrived_at,answered_at,ended_at,outcome,asked_agent\n" +
		"C1,acd,PAR-11,phone,2026-05-14T09:00:00,2026-05-14T09:00:30,2026-05-14T09:05:00,transferred,true\n" +
		"C2,acd,PAR-11,phone,2026-05-14T09:01:00,,2026-05-14T09:01:40,deflected,false\n" +
		"C3,acd,PAR-11,phone,2026-05-14T09:02:00,2026-05-14T09:02:10,2026-05-14T09:05:00,served,\n" +
		"C4,acd,PAR-11,phone,2026-05-14T09:03:00,,2026-05-14T09:03:20,abandoned,0\n" +
		"C5,acd,PAR-11,reception,2026-05-14T09:04:00,2026-05-14T09:10:00,2026-05-14T09:20:00,served,\n" +
		"C6,acd,PAR-11,phone,2026-05-14T09:05:00,,2026-05-14T09:05:20,abandoned,1\n"
	ndjson := `{"id":"N1","source":"acd","site":"CAY-973","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","ended_at":"2026-05-14T12:00:40Z","outcome":"deflected","asked_agent":false}` + "\n" +
		`{"id":"N2","source":"acd","site":"CAY-973","channel":"phone","arrived_at":"2026-05-14T12:01:00Z","answered_at":"2026-05-14T12:01:30Z","outcome":"transferred","asked_agent":true}` + "\n" +
		`{"id":"N3","source":"acd","site":"CAY-973","channel":"phone","arrived_at":"2026-05-14T12:02:00Z","outcome":"abandoned"}` + "\n"
	json := `[{"id":"J1","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T10:00:00Z","outcome":"overflow","asked_agent":"false"}]`
	for _, tc := range []struct{ ctype, body string }{{"text/csv", csv}, {"application/x-ndjson", ndjson}, {"application/json", json}} {
		if status, res, problem := e.post(t, "contacts", tc.ctype, tc.body); status != 200 || res.Rejected != 0 {
			t.Fatalf("%s: status %d %+v %v", tc.ctype, status, res, problem)
		}
	}
	f := func(id, outcome string, asked uint64) {
		t.Helper()
		if n := e.count(t, "SELECT count() FROM contacts WHERE id = '"+id+"' AND toString(outcome) = '"+outcome+"' AND asked_agent = "+map[uint64]string{0: "0", 1: "1"}[asked]); n != 1 {
			t.Errorf("%s: not stored with outcome %s and asked_agent %d", id, outcome, asked)
		}
	}
	f("C1", "transferred", 1)
	f("C2", "deflected", 0)
	f("C3", "served", 1) // phone, not said: asked
	f("C4", "abandoned", 0)
	f("C5", "served", 0) // reception, not said: no agent asked for on a menu
	f("C6", "abandoned", 1)
	f("N1", "deflected", 0)
	f("N2", "transferred", 1)
	f("N3", "abandoned", 1)
	f("J1", "overflow", 0)
}

// TestPhonePlanRejects: a bad asked_agent, a transferred call without its
// answer, and a misspelt outcome are refused with their line and field.
func TestPhonePlanRejects(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	csv := "id,source,site,channel,arrived_at,answered_at,ended_at,outcome,asked_agent\n" +
		"R1,acd,PAR-11,phone,2026-05-14T09:00:00,,2026-05-14T09:00:30,abandoned,yes\n" +
		"R2,acd,PAR-11,phone,2026-05-14T09:00:00,,2026-05-14T09:05:00,transferred,\n" +
		"R3,acd,PAR-11,phone,2026-05-14T09:00:00,,2026-05-14T09:05:00,deflected,true\n" +
		"R4,acd,PAR-11,phone,2026-05-14T09:00:00,2026-05-14T09:00:10,2026-05-14T09:05:00,transfered,\n"
	status, res, problem := e.post(t, "contacts", "text/csv", csv)
	if status != 200 || res.Accepted != 1 || res.Rejected != 3 {
		t.Fatalf("status %d %+v %v", status, res, problem)
	}
	want := map[int]string{2: "asked_agent", 3: "answered_at", 5: "outcome"}
	for _, r := range res.Rejects {
		if want[r.Line] != r.Field {
			t.Errorf("reject %+v, want line → field %v", r, want)
		}
		delete(want, r.Line)
	}
	if len(want) != 0 {
		t.Errorf("not refused: %v", want)
	}
	status, res, _ = e.post(t, "contacts", "application/x-ndjson",
		`{"id":"B1","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned","asked_agent":2}`+"\n")
	if status != 200 || res.Rejected != 1 || res.Rejects[0].Line != 1 || res.Rejects[0].Field != "asked_agent" {
		t.Errorf("asked_agent 2: status %d %+v", status, res)
	}
}
