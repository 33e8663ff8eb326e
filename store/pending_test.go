package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"globaloffice/store"
	"globaloffice/store/chtest"
)

// TestPendingPartsStates: a part sent again keeps its first receipt (the
// timeout counts from it); a resolved or closed part never goes back to
// open when sent again; the expired calls are those all of whose parts
// are open and whose first part came before the limit, per source.
func TestPendingPartsStates(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Date(2026, 5, 15, 6, 0, 0, 0, time.UTC)
	part := func(source, callid string, n uint64, at time.Time, state string) store.PendingPart {
		return store.PendingPart{Source: source, CallID: callid, Part: n, Lines: fmt.Sprintf("line %d", n), Mapping: "asterisk-queue-log",
			Origin: "test", ReceivedAt: at, State: state}
	}
	insert := func(parts ...store.PendingPart) {
		t.Helper()
		if err := db.InsertPendingParts(ctx, parts); err != nil {
			t.Fatal(err)
		}
	}
	// Call a1: one part, sent at t0 and again an hour later. Call a2: two
	// parts, the second resolved, then the first sent again open. Call
	// a3: open since t0+2h. Source b, call a1: open since t0.
	insert(part("a", "a1", 1, t0, store.PartOpen), part("a", "a2", 2, t0, store.PartOpen), part("a", "a2", 3, t0, store.PartOpen),
		part("a", "a3", 4, t0.Add(2*time.Hour), store.PartOpen), part("b", "a1", 1, t0, store.PartOpen))
	insert(part("a", "a1", 1, t0.Add(time.Hour), store.PartOpen))
	resolved := part("a", "a2", 2, t0, store.PartResolved)
	resolved.ClosedAt = t0.Add(time.Hour)
	insert(resolved, part("a", "a2", 3, t0, store.PartResolved))
	insert(part("a", "a2", 2, t0.Add(3*time.Hour), store.PartOpen))

	got, err := db.PendingParts(ctx, "a", []string{"a1", "a2", "a3", "zz"})
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, p := range got {
		states = append(states, fmt.Sprintf("%s/%d %s %s", p.CallID, p.Part, p.State, p.ReceivedAt.UTC().Format("15:04")))
	}
	want := "[a1/1 open 06:00 a2/2 resolved 06:00 a2/3 resolved 06:00 a3/4 open 08:00]"
	if fmt.Sprint(states) != want {
		t.Errorf("parts %v\nwant  %s", states, want)
	}

	// Before t0+2h: a1 of both sources (a2 is resolved, a3 came at
	// t0+2h, not before).
	f := func(source string, before time.Time, want string) {
		t.Helper()
		parts, err := db.ExpiredPendingParts(ctx, source, before, 100)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range parts {
			got = append(got, p.Source+"/"+p.CallID)
		}
		if fmt.Sprint(got) != want {
			t.Errorf("expired of %q before %s: %v, want %s", source, before.Format("15:04"), got, want)
		}
	}
	f("", t0.Add(2*time.Hour), "[a/a1 b/a1]")
	// a1 of a and of b, a3: three calls waiting.
	if n, err := db.OpenPendingCalls(ctx); err != nil || n != 3 {
		t.Errorf("open pending calls %d %v, want 3", n, err)
	}
	f("a", t0.Add(2*time.Hour), "[a/a1]")
	f("a", t0.Add(2*time.Hour+time.Second), "[a/a1 a/a3]")
	f("b", t0, "[]")

	// Closing a1 of a takes it out of the expired ones.
	closed := part("a", "a1", 1, t0, store.PartClosed)
	closed.Reason, closed.ClosedAt = "waited too long", t0.Add(49*time.Hour)
	insert(closed)
	f("a", t0.Add(3*time.Hour), "[a/a3]")
	list, err := db.ListPendingParts(ctx, store.PendingFilter{Source: "a", State: store.PartClosed})
	if err != nil || len(list) != 1 || list[0].Reason != "waited too long" || !list[0].ClosedAt.Equal(t0.Add(49*time.Hour)) {
		t.Errorf("closed parts %+v %v", list, err)
	}
}
