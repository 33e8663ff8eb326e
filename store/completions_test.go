package store_test

import (
	"reflect"
	"testing"
	"time"

	"globaloffice/model"
	"globaloffice/store"
)

// TestCompletionEntries: the newest version of each case writes its own
// entry (a completion in its month, or "open" in 197001) and a superseded
// entry in every other month where a version had its entry, open ones
// included.
func TestCompletionEntries(t *testing.T) {
	at := func(m time.Month, d int) *time.Time {
		x := time.Date(2026, m, d, 0, 0, 0, 0, time.UTC)
		return &x
	}
	v := func(id string, updated int, status model.CaseStatus, completed *time.Time) model.Case {
		return model.Case{Source: "s", ID: id, Status: status, CompletedAt: completed, CompletedDate: completed, UpdatedAt: *at(time.March, updated)}
	}
	rows := []model.Case{
		v("opened-then-completed", 1, model.CaseOpen, nil),
		v("opened-then-completed", 2, model.CaseCompleted, at(time.February, 10)),
		v("completed-then-reopened", 2, model.CaseOpen, nil), // newest first
		v("completed-then-reopened", 1, model.CaseCompleted, at(time.January, 5)),
		v("cancelled-without-date", 1, model.CaseOpen, nil),
		v("cancelled-without-date", 2, model.CaseCancelled, nil),
		v("open-twice", 1, model.CaseOpen, nil),
		v("open-twice", 2, model.CaseOpen, nil),
		v("stored-open", 3, model.CaseCancelled, at(time.March, 3)),
	}
	stale := map[store.CaseKey][]int{{Source: "s", ID: "stored-open"}: {store.OpenMonth, 202602}}
	want := []string{
		"opened-then-completed 202602 completion", "opened-then-completed 197001 superseded",
		"completed-then-reopened 197001 open", "completed-then-reopened 202601 superseded",
		"cancelled-without-date 197001 superseded",
		"open-twice 197001 open",
		"stored-open 202603 completion", "stored-open 197001 superseded", "stored-open 202602 superseded",
	}
	if got := store.CompletionEntries(rows, stale); !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n got %q\nwant %q", got, want)
	}
}
