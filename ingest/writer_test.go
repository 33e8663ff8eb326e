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
		// collects.
		w, sp := newTestWriter(t, ts, WriterOptions{DrainEvery: time.Hour, Linger: time.Second, Lanes: 2})
		waitFilter(t, w)
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
