package ingest

import (
	"testing"
	"time"
)

// TestSpooledBodyCountsItsOwnDuplicates: with ClickHouse away, a body
// holding the same contact twice was answered 4 accepted, 4 spooled: the
// spool path counted every record accepted. The second copy is a
// duplicate, as it is when ClickHouse answers; after the drain, three rows.
func TestSpooledBodyCountsItsOwnDuplicates(t *testing.T) {
	eachStore(t, func(t *testing.T, ts *testStore) {
		w, _ := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour, Linger: time.Millisecond})
		waitFilter(t, w)
		afterFirstDrain(t, w)
		recs := testContacts("dup", "D", 3)
		recs = append(recs, recs[1]) // D00001 twice
		ts.away(t, "contacts", true)
		o := w.Submit(t.Context(), recs)
		if o.Err != nil || o.Accepted != 3 || o.Duplicates != 1 || o.Spooled != 3 {
			t.Fatalf("%+v, want 3 accepted (spooled) and 1 duplicate", o)
		}
		ts.away(t, "contacts", false)
		if d := w.Drain(t.Context()); d != 1 {
			t.Fatalf("drained %d segments, want 1", d)
		}
		if n := ts.rows(t, "contacts"); n != 3 {
			t.Errorf("%d contacts stored, want 3", n)
		}
	})
}
