package ingest

import (
	"testing"
	"time"
)

// TestSpooledUnderLoadInsertFails: while an insert runs, submissions are
// answered from the spool and inserted later by the flusher. When that
// insert fails (here: it reaches ClickHouse but the answer is lost), the
// segments stay in the spool and the drain finds the records stored: each
// record is stored once, and nothing is left in the spool.
func TestSpooledUnderLoadInsertFails(t *testing.T) {
	eachStoreLosingAnswers(t, func(t *testing.T, ts *testStore) {
		w, sp := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour, InsertTimeout: 2 * time.Second, Lanes: 1, MaxDelay: 300 * time.Millisecond})
		waitFilter(t, w)
		if o := w.Submit(t.Context(), testContacts("load", "A", 10)); o.Err != nil || o.Accepted != 10 || o.Spooled != 0 {
			t.Fatalf("idle writer: %+v, want 10 stored before the answer", o)
		}
		const n = 3000
		ts.lost.arm(t) // inserts reach the store, their answers are lost
		slow := make(chan Outcome, 1)
		go func() { slow <- w.Submit(t.Context(), testContacts("load", "S", n)) }()
		ts.lost.inserting(t)
		t0 := time.Now()
		o := w.Submit(t.Context(), testContacts("load", "B", n))
		if o.Err != nil || o.Accepted != n || o.Spooled != n {
			t.Fatalf("busy writer: %+v, want %d answered from the spool", o, n)
		}
		if d := time.Since(t0); d > 1500*time.Millisecond {
			t.Errorf("busy writer answered after %s: it waited for an insert", d)
		}
		ts.lost.release(t)
		if o := within(t, slow); o.Err != nil || o.Spooled != n {
			t.Fatalf("insert with its answer lost: %+v, want %d spooled", o, n)
		}
		// The flusher's insert (after the lane's) loses its answer too; its
		// segment stays for the drain.
		eventually(t, "the flusher's insert did not reach the store", func() bool { return ts.rows(t, "contacts") == 10+2*n })
		ts.lost.disarm(t)
		if d := drainAll(t, w, sp); d != 2 {
			t.Errorf("drained %d segments, want 2", d)
		}
		if got := ts.rows(t, "contacts"); got != 10+2*n {
			t.Errorf("%d rows after the drain, want %d", got, 10+2*n)
		}
		if segs, _ := sp.Segments(); len(segs) != 0 {
			t.Errorf("segments left: %v", segs)
		}
	})
}

// TestFlusherWaitsForIdle: the flusher inserts early (before FlushRecords
// or MaxDelay) only once no request has been read for a Linger. Many small
// requests leave moments when none is being read, between an answer and
// the next request: inserting at each of them made inserts of a few
// thousand rows, which cost ClickHouse several times more per row.
func TestFlusherWaitsForIdle(t *testing.T) {
	eachStore(t, func(t *testing.T, ts *testStore) {
		const linger = time.Second
		w, _ := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour, Linger: linger, MaxDelay: time.Minute})
		waitFilter(t, w)
		a, b := w.Producing(), w.Producing()
		answered := make(chan Outcome, 2)
		for _, r := range []struct {
			prefix  string
			reading func()
		}{{"A", a}, {"B", b}} {
			go func() {
				defer r.reading()
				answered <- w.Submit(t.Context(), testContacts("idle", r.prefix, 5))
			}()
		}
		for range 2 {
			if o := within(t, answered); o.Err != nil || o.Spooled != 5 {
				t.Fatalf("%+v, want 5 answered from the spool", o)
			}
		}
		// None is being read now; the next request comes 100 ms later and is
		// read for 1.5 s: no insert meanwhile.
		time.Sleep(100 * time.Millisecond)
		c := w.Producing()
		time.Sleep(1100 * time.Millisecond)
		if got := ts.rows(t, "contacts"); got != 0 {
			t.Errorf("%d contacts inserted while requests kept coming, want 0 before a Linger without any", got)
		}
		time.Sleep(400 * time.Millisecond)
		c()
		t0 := time.Now()
		eventually(t, "the flusher did not insert once idle", func() bool { return ts.rows(t, "contacts") == 10 })
		if d := time.Since(t0); d < linger-100*time.Millisecond {
			t.Errorf("inserted %s after the last request, before a Linger without any", d)
		}
	})
}
