package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

// TestCompactLeavesOneRowPerKey: a month written by inserts, one of them
// holding a key twice (a load that bypassed the collectors' dedupe), is not
// merged; Compact merges it into one part, after which a plain read (no
// FINAL) finds each key once — what lets the indicators skip FINAL there.
func TestCompactLeavesOneRowPerKey(t *testing.T) {
	ctx := context.Background()
	db := chtest.New(t)
	rows := testContacts(50) // January 2025
	rows = append(rows, rows[7])
	at := time.Now()
	if err := db.InsertContacts(ctx, rows[:30], at); err != nil {
		t.Fatal(err)
	}
	if err := db.InsertContacts(ctx, rows[30:], at); err != nil {
		t.Fatal(err)
	}
	count := func() uint64 {
		var n uint64
		if err := db.Conn().QueryRow(ctx, `SELECT count() FROM contacts`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 51 {
		t.Fatalf("%d rows before merging, want 51", n)
	}
	merged, err := db.MergedMonths(ctx, "contacts")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int]bool{202501: false}; !reflect.DeepEqual(merged, want) {
		t.Fatalf("merged months %v, want %v", merged, want)
	}
	// Written just now: not settled for an hour.
	if months, err := db.Compact(ctx, "contacts", time.Hour); err != nil || len(months) != 0 {
		t.Fatalf("compact of a month just written: %v, %v", months, err)
	}
	months, err := db.Compact(ctx, "contacts", 0)
	if err != nil || !reflect.DeepEqual(months, []int{202501}) {
		t.Fatalf("compact: %v, %v", months, err)
	}
	if merged, err = db.MergedMonths(ctx, "contacts"); err != nil || !merged[202501] {
		t.Fatalf("merged months after compact: %v, %v", merged, err)
	}
	if n := count(); n != 50 {
		t.Errorf("%d rows after merging, want 50: one per key", n)
	}
	// Merged already: nothing to do.
	if months, err := db.Compact(ctx, "contacts", 0); err != nil || len(months) != 0 {
		t.Errorf("second compact: %v, %v", months, err)
	}
	if _, err := db.Compact(ctx, "cases", 0); err == nil {
		t.Error("compact of cases (not partitioned by month): no error")
	}
}

// TestCompactOpenCases: open cases live in case_completions' partition
// 197001, and every case closed since leaves a superseded entry there.
// Compact merges the partition and deletes the superseded entries stored
// before the start less settle; what FINAL reads stays the same.
func TestCompactOpenCases(t *testing.T) {
	ctx := context.Background()
	db := chtest.New(t)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, time.UTC) }
	version := func(id string, updated int, completed int, status model.CaseStatus) model.Case {
		c := model.Case{Source: "ged", ID: id, Site: "PAR-11", Kind: "claim", Channel: "mail", ReceivedAt: day(2), ReceivedDate: day(2).Truncate(24 * time.Hour), Status: status, UpdatedAt: day(updated)}
		if completed > 0 {
			at := day(completed)
			d := at.Truncate(24 * time.Hour)
			c.CompletedAt, c.CompletedDate = &at, &d
		}
		return c
	}
	hourAgo := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	for _, step := range []struct {
		rows []model.Case
		at   time.Time
	}{
		// A: open, then completed, both an hour ago: its superseded entry
		// is old. B: open. D: completed, then reopened.
		{[]model.Case{version("A", 3, 0, model.CaseOpen), version("B", 3, 0, model.CaseOpen), version("C", 3, 0, model.CaseOpen), version("D", 3, 4, model.CaseCompleted)}, hourAgo},
		{[]model.Case{version("A", 5, 5, model.CaseCompleted), version("D", 6, 0, model.CaseOpen)}, hourAgo},
		// C: completed a few seconds ago: its superseded entry is recent
		// (and older than the start of a compaction with no margin).
		{[]model.Case{version("C", 7, 7, model.CaseCompleted)}, time.Now().Add(-2 * time.Second).UTC().Truncate(time.Second)},
	} {
		if err := db.InsertCases(ctx, step.rows, nil, step.at); err != nil {
			t.Fatal(err)
		}
	}
	// The partition's rows, unmerged (no FINAL), and what FINAL reads of
	// it and March (the backlog's read): id and entry.
	read := func(q string) []string {
		t.Helper()
		rows, err := db.Conn().Query(ctx, q)
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
	stored := func() []string {
		return read(`SELECT concat(id, ' ', toString(entry)) AS e FROM case_completions WHERE completed_date = toDate(0) ORDER BY e`)
	}
	final := func() []string {
		return read(`SELECT concat(id, ' ', toString(entry)) AS e FROM case_completions FINAL WHERE completed_date = toDate(0) OR completed_date >= toDate('2026-03-01') ORDER BY e`)
	}
	wantFinal := []string{"A completion", "B open", "C completion", "D open"}
	if got := final(); !reflect.DeepEqual(got, wantFinal) {
		t.Fatalf("before compacting, FINAL reads %v, want %v", got, wantFinal)
	}
	// The entries placed there: A's open version, then its superseded
	// entry; B's and C's open versions; C's superseded entry; D's open
	// version (its first version's completion is in March, taken out
	// there).
	if got, want := stored(), []string{"A open", "A superseded", "B open", "C open", "C superseded", "D open"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("before compacting, partition 197001 holds %v, want %v", got, want)
	}
	months, err := db.Compact(ctx, "case_completions", 30*time.Minute)
	if err != nil || !reflect.DeepEqual(months, []int{store.OpenMonth}) {
		t.Fatalf("compact: %v, %v", months, err)
	}
	// A's superseded entry (an hour old) is gone, and its open entry with
	// the merge; C's (just written) stays, alone after the merge.
	if got, want := stored(), []string{"B open", "C superseded", "D open"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after compacting, partition 197001 holds %v, want %v", got, want)
	}
	if got := final(); !reflect.DeepEqual(got, wantFinal) {
		t.Errorf("after compacting, FINAL reads %v, want %v", got, wantFinal)
	}
	// Nothing old left: nothing to do.
	if months, err := db.Compact(ctx, "case_completions", 30*time.Minute); err != nil || len(months) != 0 {
		t.Errorf("second compact: %v, %v", months, err)
	}
	// With no margin, the open cases' partition is cleared, and the other
	// months, settled at once, are merged too.
	if months, err := db.Compact(ctx, "case_completions", 0); err != nil || len(months) == 0 || months[0] != store.OpenMonth {
		t.Errorf("compact with no margin: %v, %v", months, err)
	}
	if got, want := stored(), []string{"B open", "D open"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after compacting with no margin, partition 197001 holds %v, want %v", got, want)
	}
	if got := final(); !reflect.DeepEqual(got, wantFinal) {
		t.Errorf("after compacting with no margin, FINAL reads %v, want %v", got, wantFinal)
	}
}
