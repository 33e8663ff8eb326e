package commands

import (
	"context"
	"reflect"
	"strings"
	"testing"

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
	// No contact or response: nothing to merge.
	if !strings.Contains(out, "contacts: 0 months merged") || !strings.Contains(out, "survey_responses: 0 months merged") {
		t.Errorf("rebuild: %s", out)
	}
}
