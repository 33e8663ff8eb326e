package commands

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"globaloffice/store"
)

// TestRebuild: case_completions, emptied, is built again from the cases
// table by `globaloffice rebuild`, with the newest version of each case: A
// moved from January to February, B reopened, C completed in February;
// A's acknowledgement, announced delay and paused time kept.
func TestRebuild(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"migrate"},
		{"sites", "import", repoFile("demo", "sites.csv")},
		{"ingest", "cases", repoFile("cmd", "globaloffice", "commands", "testdata", "cases-v1.ndjson")},
		{"ingest", "cases", repoFile("cmd", "globaloffice", "commands", "testdata", "cases-v2.ndjson")},
	} {
		if code, out, stderr := c.run(args...); code != exitOK {
			t.Fatalf("%s: exit %d\n%s%s", strings.Join(args, " "), code, out, stderr)
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, c.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	completions := func() []string {
		t.Helper()
		rows, err := db.Conn().Query(ctx, `SELECT concat(id, ' ', toString(completed_date), ' ', ifNull(toString(acknowledged_date), '-'), ' ',
    ifNull(toString(announced_days), '-'), ' ', toString(paused_seconds)) AS c FROM case_completions FINAL WHERE entry = 'completion' AND status = 'completed' ORDER BY c`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	want := []string{"A 2026-02-03 2026-01-12 30 86400", "C 2026-02-10 - - 0"}
	if got := completions(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after ingest: %q, want %q", got, want)
	}
	if err := db.Conn().Exec(ctx, `TRUNCATE TABLE case_completions`); err != nil {
		t.Fatal(err)
	}
	if got := completions(); len(got) != 0 {
		t.Fatalf("truncated: %q", got)
	}
	code, out, stderr := c.run("rebuild", "--settle", "0s")
	// Ingested within the catch-up margin, the 3 cases are written again.
	if code != exitOK || !strings.Contains(out, "case_completions: rebuilt from cases") || !strings.Contains(out, "; 3 cases with a version ingested since") {
		t.Fatalf("rebuild: exit %d\n%s%s", code, out, stderr)
	}
	if got := completions(); !reflect.DeepEqual(got, want) {
		t.Errorf("after rebuild: %q, want %q", got, want)
	}
	// No contact or response: nothing to merge, no journey.
	if !strings.Contains(out, "contacts: 0 months merged") || !strings.Contains(out, "survey_responses: 0 months merged") ||
		!strings.Contains(out, "journey_starts: 0 opening contacts of 0 months resolved") {
		t.Errorf("rebuild: %s", out)
	}

	// A case opened by a contact: its journey start is resolved again.
	dir := t.TempDir()
	contacts, cases := filepath.Join(dir, "contacts.csv"), filepath.Join(dir, "cases.ndjson")
	if err := os.WriteFile(contacts, []byte("id,source,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,team\n"+
		"o-1,fo,PAR-11,reception,2026-01-28T09:00:00Z,2026-01-28T09:05:00Z,2026-01-28T09:15:00Z,served,other,u9,front\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cases, []byte(`{"id":"D","source":"bo","site":"PAR-11","kind":"reimbursement","channel":"mail","received_at":"2026-01-29T09:00:00Z","completed_at":"2026-02-12T10:00:00Z","status":"completed","user_ref":"u9","updated_at":"2026-02-12T10:00:00Z","origin_contact_id":"o-1"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"ingest", "contacts", contacts}, {"ingest", "cases", cases}, {"rebuild", "--settle", "0s"}} {
		if code, out, stderr = c.run(args...); code != exitOK {
			t.Fatalf("%s: exit %d\n%s%s", strings.Join(args, " "), code, out, stderr)
		}
	}
	if !strings.Contains(out, "journey_starts: 1 opening contacts of 1 months resolved") {
		t.Errorf("rebuild: %s", out)
	}
	var month uint32
	var found uint8
	var opened int64
	if err := db.Conn().QueryRow(ctx, `SELECT month, found, opened_day FROM journey_starts WHERE oc = 'o-1' ORDER BY seen DESC LIMIT 1`).Scan(&month, &found, &opened); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 1, 28, 0, 0, 0, 0, time.UTC).Unix() / 86400; month != 202602 || found != 1 || opened != want {
		t.Errorf("journey start of o-1: month %d, found %d, opened day %d; want 202602, 1, %d", month, found, opened, want)
	}
}
