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

// TestFollowUpColumnsInCompletions: a version's acknowledgement, announced
// delay and paused time reach case_completions with its entry, at ingest
// and after a rebuild from the cases table — absent ones as NULL and 0.
func TestFollowUpColumnsInCompletions(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	at := func(s string) *time.Time {
		x, err := time.Parse(time.DateTime, s)
		if err != nil {
			t.Fatal(err)
		}
		return &x
	}
	day := func(s string) *time.Time { return at(s + " 00:00:00") }
	seven := uint32(7)
	base := model.Case{Source: "s", Site: "PAR-11", Kind: "sick_pay", Channel: "online",
		ReceivedAt: *at("2026-03-02 09:00:00"), ReceivedDate: *day("2026-03-02"), UserRef: "u"}
	done := base
	done.ID, done.Status = "done", model.CaseCompleted
	done.CompletedAt, done.CompletedDate = at("2026-03-20 09:00:00"), day("2026-03-20")
	done.AcknowledgedAt, done.AcknowledgedDate = at("2026-03-04 10:00:00"), day("2026-03-04")
	done.AnnouncedDays, done.PausedSeconds = &seven, 3*86400
	done.UpdatedAt = *done.CompletedAt
	open := base
	open.ID, open.Status, open.UpdatedAt = "open", model.CaseOpen, *at("2026-03-03 09:00:00")
	// An older version of "done", open and not yet acknowledged: the
	// newest version's values win.
	older := base
	older.ID, older.Status, older.UpdatedAt = "done", model.CaseOpen, *at("2026-03-02 09:00:00")
	if err := db.InsertCases(ctx, []model.Case{older, open}, nil, time.Now().UTC().Truncate(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := db.InsertCases(ctx, []model.Case{done}, nil, time.Now().UTC().Truncate(time.Second)); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"done|completion|2026-03-04 10:00:00|2026-03-04|7|259200",
		"open|open|NULL|NULL|NULL|0",
	}
	read := func(when string) {
		t.Helper()
		rows, err := db.Conn().Query(ctx, `SELECT concat(id, '|', toString(entry), '|', ifNull(toString(acknowledged_at), 'NULL'), '|',
    ifNull(toString(acknowledged_date), 'NULL'), '|', ifNull(toString(announced_days), 'NULL'), '|', toString(paused_seconds))
  FROM case_completions FINAL WHERE entry != 'superseded' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: case_completions\n got %q\nwant %q", when, got, want)
		}
	}
	read("after ingest")
	if _, err := db.RebuildCaseCompletions(ctx, 0); err != nil {
		t.Fatal(err)
	}
	read("after rebuild")
	// The catch-up of a rebuild (cases ingested while it ran) writes them
	// from the versions too.
	if _, err := db.RebuildCaseCompletions(ctx, store.CatchUpMargin); err != nil {
		t.Fatal(err)
	}
	read("after rebuild with catch-up")
}
