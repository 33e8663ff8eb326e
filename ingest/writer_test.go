package ingest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestWriterCloseWithSubmissionsInFlight: Close while requests keep
// submitting must neither hang nor leave a submitter waiting forever (a
// submission queued as the loop stopped used to get no answer, and Close
// waited on the drain loop stuck the same way).
func TestWriterCloseWithSubmissionsInFlight(t *testing.T) {
	eachStore(t, func(t *testing.T, ts *testStore) {
		for round := 0; round < 5; round++ {
			sp, err := OpenSpool(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			w := newWriter(ts.db, sp, WriterOptions{DrainEvery: time.Hour, Linger: time.Millisecond}, NewMetrics(nil), nil)
			var wg sync.WaitGroup
			for g := 0; g < 8; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						if o := w.Submit(context.Background(), testContacts("close", fmt.Sprintf("%d-%d-%d-", round, g, i), 1)); o.Err != nil {
							return
						}
					}
				}()
			}
			time.Sleep(50 * time.Millisecond)
			closed := make(chan struct{})
			go func() { w.Close(); wg.Wait(); close(closed) }()
			select {
			case <-closed:
			case <-time.After(20 * time.Second):
				t.Fatalf("round %d: Close or a Submit still blocked 20 s after Close", round)
			}
		}
	})
}

// TestCloseInsertsUnitSpooledAsItStops: Close while the loop is collecting
// a group of a busy writer. The flusher stopped at once and the loop then
// answered the group from the spool: its records were never inserted (Close
// did not insert what was left) and stayed owned, out of the drain's reach.
func TestCloseInsertsUnitSpooledAsItStops(t *testing.T) {
	eachStore(t, func(t *testing.T, ts *testStore) {
		// The linger is long enough for Close to come while the loop
		// collects, which it does while a request is being read.
		w, sp := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour, Linger: time.Second, Lanes: 2})
		waitFilter(t, w)
		reading := w.Producing()
		defer reading()
		w.lanes <- struct{}{} // an insert runs: the writer is busy
		const n = 40
		s := &submission{recs: testContacts("close", "C", n), done: make(chan Outcome, 1)}
		w.in <- s
		eventually(t, "the loop did not take the submission", func() bool { return len(w.in) == 0 })
		closed := make(chan struct{})
		go func() { w.Close(); close(closed) }()
		if o := within(t, s.done); o.Err != nil || o.Accepted != n || o.Spooled != n {
			t.Fatalf("%+v, want %d answered from the spool", o, n)
		}
		<-w.lanes
		within(t, closed)
		if got := ts.rows(t, "contacts"); got != n {
			t.Errorf("%d contacts stored after Close, want %d", got, n)
		}
		if segs, _ := sp.Segments(); len(segs) != 0 {
			t.Errorf("segments left after Close: %v", segs)
		}
	})
}

// TestGroupLingersOnlyForRequestsBeingRead: the loop waits up to Linger for
// more submissions only while a request is being read that has not
// submitted yet. A submission with no other request being read is stored
// at once, well within the linger; with a second request being read, the
// first waits for it, and both are answered as soon as it submits, in one
// group: answered from the spool (the writer was busy reading two), then
// inserted by the flusher.
func TestGroupLingersOnlyForRequestsBeingRead(t *testing.T) {
	eachStore(t, func(t *testing.T, ts *testStore) {
		const linger = 3 * time.Second
		w, _ := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour, Linger: linger})
		waitFilter(t, w)
		submit := func(prefix string, reading func()) (o Outcome, d time.Duration) {
			defer reading()
			t0 := time.Now()
			o = w.Submit(t.Context(), testContacts("linger", prefix, 5))
			return o, time.Since(t0)
		}
		if o, d := submit("A", w.Producing()); o.Err != nil || o.Accepted != 5 || o.Spooled != 0 || d > linger/2 {
			t.Fatalf("a request alone: %+v after %s, want 5 stored at once", o, d)
		}

		first, second := w.Producing(), w.Producing()
		answered := make(chan Outcome, 1)
		go func() {
			o, _ := submit("B", first)
			answered <- o
		}()
		select {
		case o := <-answered:
			t.Fatalf("answered while another request was being read: %+v", o)
		case <-time.After(300 * time.Millisecond):
		}
		o, d := submit("C", second)
		if o.Err != nil || o.Accepted != 5 || o.Spooled != 5 || d > linger/2 {
			t.Fatalf("second request: %+v after %s, want 5 answered from the spool at once", o, d)
		}
		if o := within(t, answered); o.Err != nil || o.Accepted != 5 || o.Spooled != 5 {
			t.Fatalf("first request: %+v, want 5 answered from the spool", o)
		}
		eventually(t, "the flusher did not insert the group", func() bool { return ts.rows(t, "contacts") == 15 })
	})
}
