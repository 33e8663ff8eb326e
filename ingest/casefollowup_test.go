package ingest_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"globaloffice/ingest"
	"globaloffice/model"
)

// Issue 14 items 3 and 4: a case's acknowledged_at, announced_days and
// paused_seconds, all optional.

// storedFollowUp reads a stored case's acknowledgement (UTC and local
// date), announced delay and paused time as text, NULL for none.
func storedFollowUp(t *testing.T, e *env, id string) string {
	t.Helper()
	var s string
	q := `SELECT concat(ifNull(toString(acknowledged_at), 'NULL'), '|', ifNull(toString(acknowledged_date), 'NULL'), '|',
    ifNull(toString(announced_days), 'NULL'), '|', toString(paused_seconds)) FROM cases FINAL WHERE id = ?`
	if err := e.db.Conn().QueryRow(context.Background(), q, id).Scan(&s); err != nil {
		t.Fatalf("case %s: %v", id, err)
	}
	return s
}

func TestCaseFollowUpFieldsStored(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	// JSON: numbers as JSON numbers or strings; the acknowledgement in
	// Cayenne's local time (UTC−3) on the 4th at 22:30 is the 5th in UTC
	// but the 4th locally.
	ndjson := `{"id":"J1","source":"s","site":"CAY-973","kind":"reimbursement","channel":"online","received_at":"2026-05-04T08:00:00","acknowledged_at":"2026-05-04T22:30:00","completed_at":"2026-05-11T08:00:00","status":"completed","updated_at":"2026-05-11T08:00:00","announced_days":7,"paused_seconds":86400}
{"id":"J2","source":"s","site":"PAR-11","kind":"reimbursement","channel":"mail","received_at":"2026-05-04T08:00:00Z","status":"open","updated_at":"2026-05-05T08:00:00Z","announced_days":"0","paused_seconds":"3600"}
{"id":"J3","source":"s","site":"PAR-11","kind":"reimbursement","channel":"mail","received_at":"2026-05-04T08:00:00Z","status":"open","updated_at":"2026-05-05T08:00:00Z","announced_days":14.0}
`
	if status, res, p := e.post(t, "cases", "application/x-ndjson", ndjson); status != 200 || res.Accepted != 3 {
		t.Fatalf("ndjson: %d %+v %v", status, res, p)
	}
	// CSV: empty cells are absent fields (no acknowledgement, no
	// announced delay — not 0 — and no pause).
	csv := "id,source,site,kind,channel,received_at,completed_at,status,updated_at,acknowledged_at,announced_days,paused_seconds\n" +
		"C1,s,PAR-11,email_reply,email,2026-05-04T08:00:00Z,2026-05-06T08:00:00Z,completed,2026-05-06T08:00:00Z,2026-05-04T09:00:00Z,2,7200\n" +
		"C2,s,PAR-11,email_reply,email,2026-05-04T08:00:00Z,2026-05-06T08:00:00Z,completed,2026-05-06T08:00:00Z,,,\n"
	if status, res, p := e.post(t, "cases", "text/csv", csv); status != 200 || res.Accepted != 2 {
		t.Fatalf("csv: %d %+v %v", status, res, p)
	}
	for id, want := range map[string]string{
		"J1": "2026-05-05 01:30:00|2026-05-04|7|86400",
		"J2": "NULL|NULL|0|3600",
		"J3": "NULL|NULL|14|0",
		"C1": "2026-05-04 09:00:00|2026-05-04|2|7200",
		"C2": "NULL|NULL|NULL|0",
	} {
		if got := storedFollowUp(t, e, id); got != want {
			t.Errorf("%s: stored %s, want %s", id, got, want)
		}
	}
	// Each version carries its own: a newer version of C1 without an
	// acknowledgement or announced delay has none.
	csv2 := "id,source,site,kind,channel,received_at,completed_at,status,updated_at\n" +
		"C1,s,PAR-11,email_reply,email,2026-05-04T08:00:00Z,2026-05-06T08:00:00Z,completed,2026-05-07T08:00:00Z\n"
	if status, res, p := e.post(t, "cases", "text/csv", csv2); status != 200 || res.Accepted != 1 {
		t.Fatalf("csv: %d %+v %v", status, res, p)
	}
	if got, want := storedFollowUp(t, e, "C1"), "NULL|NULL|NULL|0"; got != want {
		t.Errorf("C1 newer version: stored %s, want %s", got, want)
	}
}

func TestCaseFollowUpRejects(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	good := `{"id":"OK%d","source":"s","site":"PAR-11","kind":"reimbursement","channel":"mail","received_at":"2026-05-04T08:00:00Z","completed_at":"2026-05-07T08:00:00Z","status":"completed","updated_at":"2026-05-07T08:00:00Z","acknowledged_at":"2026-05-04T08:00:00Z","announced_days":3,"paused_seconds":259200}`
	bad := func(fields string) string {
		return `{"id":"X","source":"s","site":"PAR-11","kind":"reimbursement","channel":"mail","received_at":"2026-05-04T08:00:00Z",` + fields + `}`
	}
	completed := `"completed_at":"2026-05-07T08:00:00Z","status":"completed","updated_at":"2026-05-08T08:00:00Z"`
	open := `"status":"open","updated_at":"2026-05-05T08:00:00Z"`
	tests := []struct{ name, bad, field, reason string }{
		{"acknowledged before received", bad(completed + `,"acknowledged_at":"2026-05-04T07:59:59Z"`), "acknowledged_at", "is before received_at"},
		{"acknowledged not a time", bad(completed + `,"acknowledged_at":"yesterday"`), "acknowledged_at", "is not a time"},
		{"announced negative", bad(completed + `,"announced_days":-1`), "announced_days", "is not a whole number of 0 or more"},
		{"announced fraction", bad(completed + `,"announced_days":2.5`), "announced_days", "is not a whole number"},
		{"announced text", bad(completed + `,"announced_days":"a week"`), "announced_days", "is not a whole number"},
		{"announced ten years", bad(completed + `,"announced_days":3651`), "announced_days", "3651 is more than 3650"},
		{"paused negative", bad(completed + `,"paused_seconds":-5`), "paused_seconds", "is not a whole number of 0 or more"},
		// 3 days to completion: 259200 s is the most; 259201 is refused.
		{"paused past completion", bad(completed + `,"paused_seconds":259201`), "paused_seconds", "259201 is more than the case's elapsed time (259200 s from received_at to completed_at)"},
		// Open: up to its version's updated_at, a day.
		{"paused past update", bad(open + `,"paused_seconds":86401`), "paused_seconds", "86401 is more than the case's elapsed time (86400 s from received_at to updated_at)"},
		{"paused over UInt32", bad(open + `,"paused_seconds":4294967296`), "paused_seconds", "4294967296 is more than 4294967295"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := fmt.Sprintf(good, 2*i) + "\n" + tt.bad + "\n" + fmt.Sprintf(good, 2*i+1) + "\n"
			status, res, problem := e.post(t, "cases", "application/x-ndjson", body)
			if status != 200 {
				t.Fatalf("status %d %v", status, problem)
			}
			if res.Accepted != 2 || res.Rejected != 1 || len(res.Rejects) != 1 {
				t.Fatalf("result %+v, want the 2 good records around the bad one accepted and 1 rejected", res)
			}
			r := res.Rejects[0]
			if r.Line != 2 || r.Field != tt.field || !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("reject %+v, want line 2 field %q reason containing %q", r, tt.field, tt.reason)
			}
		})
	}
	// CSV names the line too (the header is line 1).
	csv := "id,source,site,kind,channel,received_at,status,updated_at,paused_seconds\n" +
		"A,s,PAR-11,reimbursement,mail,2026-05-04T08:00:00Z,open,2026-05-05T08:00:00Z,86400\n" +
		"B,s,PAR-11,reimbursement,mail,2026-05-04T08:00:00Z,open,2026-05-05T08:00:00Z,1e3x\n"
	status, res, _ := e.post(t, "cases", "text/csv", csv)
	if status != 200 || res.Accepted != 1 || len(res.Rejects) != 1 || res.Rejects[0].Line != 3 || res.Rejects[0].Field != "paused_seconds" {
		t.Errorf("csv: %d %+v, want B refused at line 3 on paused_seconds", status, res)
	}
}

// TestCaseFollowUpSpoolRoundTrip: a spooled case keeps its new fields
// (nil and 0 included) when the drain reads the segment back.
func TestCaseFollowUpSpoolRoundTrip(t *testing.T) {
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	at := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	ack, ackDate, zero := at.Add(time.Hour), time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC), uint32(0)
	full := model.Case{Source: "s", ID: "A", Site: "PAR-11", Kind: "sick_pay", Channel: "online", ReceivedAt: at, ReceivedDate: ackDate,
		Status: model.CaseOpen, UpdatedAt: at.Add(48 * time.Hour), AcknowledgedAt: &ack, AcknowledgedDate: &ackDate, AnnouncedDays: &zero, PausedSeconds: 3600}
	bare := full
	bare.ID, bare.AcknowledgedAt, bare.AcknowledgedDate, bare.AnnouncedDays, bare.PausedSeconds = "B", nil, nil, nil, 0
	recs := []ingest.Record{{Case: &full}, {Case: &bare}}
	name := sp.NextName()
	if err := sp.WriteAs(name, recs); err != nil {
		t.Fatal(err)
	}
	got, err := sp.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !reflect.DeepEqual(*got[0].Case, full) || !reflect.DeepEqual(*got[1].Case, bare) {
		t.Errorf("read back %+v %+v\nwant %+v %+v", *got[0].Case, *got[1].Case, full, bare)
	}
}
