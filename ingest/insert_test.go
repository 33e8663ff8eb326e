package ingest

import (
	"testing"
	"time"
)

// TestInsertStoredButAnswerLost: an insert that reached ClickHouse but whose
// answer was lost is spooled; the drain must find those records stored (the
// README's promise) and not store them a second time. The key filter did not
// know these keys (only successful inserts were added), said "certainly not
// stored", and the drain skipped the lookup.
func TestInsertStoredButAnswerLost(t *testing.T) {
	eachStoreLosingAnswers(t, func(t *testing.T, ts *testStore) {
		w, sp := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour, InsertTimeout: 2 * time.Second})
		// A first insert while all is well, once the key filter is loaded.
		waitFilter(t, w)
		if o := w.Submit(t.Context(), testContacts("lost", "A", 10)); o.Err != nil || o.Accepted != 10 {
			t.Fatalf("%+v", o)
		}
		const n = 3000
		ts.lost.arm(t)
		ts.lost.release(t) // answers lost fail at once (or at their timeout)
		if o := w.Submit(t.Context(), testContacts("lost", "L", n)); o.Err != nil || o.Spooled != n {
			t.Fatalf("with the answer lost: %+v, want %d spooled", o, n)
		}
		eventually(t, "the insert did not reach the store: the test's premise failed", func() bool { return ts.rows(t, "contacts") == 10+n })
		ts.lost.disarm(t)
		// The segment is drained once whoever spooled it (a lane, or, if
		// the writer looked busy, the flusher) has seen its insert fail.
		if d := drainAll(t, w, sp); d != 1 {
			t.Fatalf("drained %d segments, want 1", d)
		}
		if got := ts.rows(t, "contacts"); got != 10+n {
			t.Errorf("%d rows after the drain, want %d: the spooled copy was stored again", got, 10+n)
		}
	})
}
