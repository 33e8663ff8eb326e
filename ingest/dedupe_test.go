package ingest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"globaloffice/model"
	"globaloffice/store"
)

// TestConcurrentResendsAcrossLanes: the same records submitted at once by
// several callers land in different groups, deduped while another group
// with the same keys is still being inserted; each record must be counted
// accepted once and stored once.
func TestConcurrentResendsAcrossLanes(t *testing.T) {
	eachStore(t, func(t *testing.T, ts *testStore) {
		w, _ := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour, Linger: time.Millisecond, Lanes: 2})
		const rounds, per, callers = 20, 200, 4
		var accepted, dups atomic.Int64
		for round := 0; round < rounds; round++ {
			recs := testContacts("lanes", fmt.Sprintf("%d-", round), per)
			var wg sync.WaitGroup
			for g := 0; g < callers; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// Staggered past the linger, so that most callers land
					// in a group of their own while another is inserting.
					time.Sleep(time.Duration(g) * 3 * time.Millisecond)
					o := w.Submit(context.Background(), recs)
					if o.Err != nil {
						t.Error(o.Err)
					}
					accepted.Add(int64(o.Accepted))
					dups.Add(int64(o.Duplicates))
				}()
			}
			wg.Wait()
		}
		if accepted.Load() != rounds*per || dups.Load() != rounds*per*(callers-1) {
			t.Errorf("accepted %d, duplicates %d; want %d and %d", accepted.Load(), dups.Load(), rounds*per, rounds*per*(callers-1))
		}
		// Records answered from the spool under load are inserted shortly
		// after; Close inserts what is left.
		w.Close()
		if n := ts.rows(t, "contacts"); n != rounds*per {
			t.Errorf("%d rows stored, want %d", n, rounds*per)
		}
	})
}

// TestDedupeAgainstUnitInFlight: while a unit's insert runs, its keys are
// in flight: records sent again meanwhile are duplicates, found without
// asking ClickHouse; for a case, only a newer version than the one in
// flight is new.
func TestDedupeAgainstUnitInFlight(t *testing.T) {
	ts := memTestStore(t)
	hold, entered := make(chan struct{}), make(chan struct{}, 1)
	ts.mem.inject(opInsert("cases"), 1, fault{hold: hold, entered: entered})
	w, _ := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour, Linger: time.Millisecond, Lanes: 2})
	waitFilter(t, w)
	day := func(d int) time.Time { return time.Date(2026, 5, d, 8, 0, 0, 0, time.UTC) }
	contact := func(id string) Record { return testContacts("flight", id, 1)[0] }
	caseAt := func(d int) Record {
		return Record{Case: &model.Case{Source: "flight", ID: "K", Site: "PAR-11", Kind: "reimbursement", Channel: "mail",
			ReceivedAt: day(1), ReceivedDate: day(1).Truncate(24 * time.Hour), Status: model.CaseStatus("open"), UpdatedAt: day(d)}}
	}
	first := make(chan Outcome, 1)
	go func() { first <- w.Submit(context.Background(), []Record{contact("C1"), caseAt(2)}) }()
	within(t, entered) // its cases insert runs (cases go before contacts): C1 and K at 2 May are in flight
	for _, tc := range []struct {
		name                    string
		rec                     Record
		accepted, dups, spooled int
	}{
		{"the contact in flight", contact("C1"), 0, 1, 0},
		{"an older version of the case", caseAt(1), 0, 1, 0},
		{"the version in flight", caseAt(2), 0, 1, 0},
		{"a newer version", caseAt(3), 1, 0, 0},
		// Certainly new (the key filter does not know it) while an insert
		// runs: answered from the spool.
		{"another contact", contact("C2"), 1, 0, 1},
	} {
		o := w.Submit(context.Background(), []Record{tc.rec})
		if o.Err != nil || o.Accepted != tc.accepted || o.Duplicates != tc.dups || o.Spooled != tc.spooled {
			t.Errorf("%s: %+v, want %d accepted, %d duplicates, %d spooled", tc.name, o, tc.accepted, tc.dups, tc.spooled)
		}
	}
	if n := ts.mem.callsOf(opLookup("contacts")); n != 0 {
		t.Errorf("%d lookups of contacts, want 0: the keys in flight answer", n)
	}
	close(hold)
	if o := within(t, first); o.Err != nil || o.Accepted != 2 || o.Spooled != 0 {
		t.Errorf("the unit in flight: %+v, want 2 stored", o)
	}
	w.Close()
	// C1, C2; K at 2 and 3 May.
	if c, k := ts.rows(t, "contacts"), ts.rows(t, "cases"); c != 2 || k != 2 {
		t.Errorf("%d contacts and %d cases stored, want 2 and 2", c, k)
	}
}

// TestNewerVersionWhileOlderInFlight: a newer version of a case arriving
// while an older one is being inserted (not yet in ClickHouse, so no
// lookup finds it) is told the month of the older one's entry (its
// completion month, or 197001 for an open version), so that its insert
// takes that entry out of case_completions.
func TestNewerVersionWhileOlderInFlight(t *testing.T) {
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 8, 0, 0, 0, time.UTC) }
	version := func(status model.CaseStatus, completed *time.Time, updated time.Time) Record {
		c := &model.Case{Source: "flight", ID: "K", Site: "PAR-11", Kind: "reimbursement", Channel: "mail",
			ReceivedAt: at(4, 1), ReceivedDate: at(4, 1).Truncate(24 * time.Hour), Status: status, UpdatedAt: updated}
		if completed != nil {
			day := completed.Truncate(24 * time.Hour)
			c.CompletedAt, c.CompletedDate = completed, &day
		}
		return Record{Case: c}
	}
	completedOn := func(m time.Month, d int) *time.Time { x := at(m, d); return &x }
	f := func(name string, older Record, want int) {
		t.Run(name, func(t *testing.T) {
			ts := memTestStore(t)
			hold, entered := make(chan struct{}), make(chan struct{}, 1)
			ts.mem.inject(opInsert("cases"), 1, fault{hold: hold, entered: entered})
			w, _ := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour, Linger: time.Millisecond, Lanes: 2})
			waitFilter(t, w)
			first := make(chan Outcome, 1)
			go func() { first <- w.Submit(context.Background(), []Record{older}) }()
			within(t, entered) // the older version, being inserted
			if o := w.Submit(context.Background(), []Record{version(model.CaseCompleted, completedOn(5, 3), at(5, 3))}); o.Err != nil || o.Accepted != 1 {
				t.Fatalf("the newer version: %+v", o)
			}
			close(hold)
			within(t, first)
			w.Close()
			ts.mem.mu.Lock()
			defer ts.mem.mu.Unlock()
			if len(ts.mem.stale) != 2 {
				t.Fatalf("%d inserts of cases, want 2", len(ts.mem.stale))
			}
			// The held insert is the first call; the newer version's is the second.
			got := ts.mem.stale[1][store.CaseKey{Source: "flight", ID: "K"}]
			if !slices.Contains(got, want) {
				t.Errorf("the newer version's insert was told months %v, want %d among them", got, want)
			}
		})
	}
	f("completed in April", version(model.CaseCompleted, completedOn(4, 28), at(4, 28)), 202604)
	f("open", version(model.CaseOpen, nil, at(4, 28)), store.OpenMonth)
}

// TestReloadKeepsKeysInFlight: the key filter reloaded (past its capacity)
// while an older version of a case is being inserted still knows its key:
// the newer version is looked for in flight and told the older one's
// month (before, the reload rebuilt the filter from ClickHouse alone, the
// key became "certainly new", and the older completion stayed counted).
func TestReloadKeepsKeysInFlight(t *testing.T) {
	ts := memTestStore(t)
	hold, entered := make(chan struct{}), make(chan struct{}, 1)
	ts.mem.inject(opInsert("cases"), 1, fault{hold: hold, entered: entered})
	w, _ := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour, Linger: time.Millisecond, Lanes: 2})
	waitFilter(t, w)
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 8, 0, 0, 0, time.UTC) }
	version := func(completed, updated time.Time) Record {
		day := completed.Truncate(24 * time.Hour)
		return Record{Case: &model.Case{Source: "reload", ID: "K", Site: "PAR-11", Kind: "reimbursement", Channel: "mail",
			ReceivedAt: at(4, 1), ReceivedDate: at(4, 1).Truncate(24 * time.Hour), CompletedAt: &completed, CompletedDate: &day,
			Status: model.CaseCompleted, UpdatedAt: updated}}
	}
	first := make(chan Outcome, 1)
	go func() { first <- w.Submit(context.Background(), []Record{version(at(4, 28), at(4, 28))}) }()
	within(t, entered) // completed in April, being inserted
	w.keys.load(context.Background(), "cases")
	if o := w.Submit(context.Background(), []Record{version(at(5, 3), at(5, 3))}); o.Err != nil || o.Accepted != 1 {
		t.Fatalf("the newer version: %+v", o)
	}
	close(hold)
	within(t, first)
	w.Close()
	ts.mem.mu.Lock()
	defer ts.mem.mu.Unlock()
	if len(ts.mem.stale) != 2 {
		t.Fatalf("%d inserts of cases, want 2", len(ts.mem.stale))
	}
	if got := ts.mem.stale[1][store.CaseKey{Source: "reload", ID: "K"}]; !slices.Contains(got, 202604) {
		t.Errorf("the newer version's insert was told months %v, want April (202604) among them", got)
	}
}
