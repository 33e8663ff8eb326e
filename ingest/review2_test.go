package ingest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

// reviewContacts are n contacts of one month, ids prefix0…
func reviewContacts(prefix string, n int) []Record {
	recs := make([]Record, n)
	at := time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC)
	for i := range recs {
		recs[i] = Record{Contact: &model.Contact{Source: "review", ID: fmt.Sprintf("%s%05d", prefix, i), Site: "PAR-11", Channel: "phone",
			ArrivedAt: at, ArrivedDate: at.Truncate(24 * time.Hour), Outcome: model.OutcomeAbandoned}}
	}
	return recs
}

// within receives from c, failing the test on a hang.
func within[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(30 * time.Second):
		t.Fatal("still blocked after 30 s")
	}
	var zero T
	return zero
}

func reviewCount(t *testing.T, db *store.DB) uint64 {
	t.Helper()
	var n uint64
	if err := db.Conn().QueryRow(context.Background(), "SELECT count() FROM contacts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFilter waits until the contacts key filter is loaded: until then
// every unit has keys that may be stored and is never answered from the
// spool.
func waitFilter(t *testing.T, w *Writer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		w.keys.mu.RLock()
		f := w.keys.tables["contacts"]
		ready := f != nil && f.ready
		w.keys.mu.RUnlock()
		if ready {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("contacts key filter not loaded after 20 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDrainTakesSegmentOfUnitInFlight: a unit whose insert fails writes its
// records to a segment and releases its keys after. A drain that took the
// segment in between found the keys in flight (the unit's own), counted
// every record a duplicate, stored nothing and removed the segment: the
// accepted records were lost. The segment must be the unit's until its
// keys are released.
func TestDrainTakesSegmentOfUnitInFlight(t *testing.T) {
	db := chtest.New(t)
	sp, err := OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(nil)
	w := NewWriter(db, sp, WriterOptions{DrainEvery: time.Hour, Linger: time.Millisecond}, m, nil)
	defer w.Close()
	waitFilter(t, w)
	ctx := context.Background()
	if err := db.Conn().Exec(ctx, "RENAME TABLE contacts TO contacts_away"); err != nil {
		t.Fatal(err)
	}
	const n = 50
	// Holding the metrics' lock stops the unit right after its segment is
	// written (it counts the spooled records), before it releases its keys.
	m.mu.Lock()
	locked := true
	defer func() {
		if locked {
			m.mu.Unlock()
		}
	}()
	out := make(chan Outcome, 1)
	go func() { out <- w.Submit(ctx, reviewContacts("D", n)) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if segs, _ := sp.Segments(); len(segs) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no segment written 20 s after the failed insert")
		}
		time.Sleep(10 * time.Millisecond)
	}
	drained := make(chan int, 1)
	go func() { drained <- w.Drain(ctx) }()
	time.Sleep(time.Second) // the drain dedupes the segment meanwhile (if it takes it)
	m.mu.Unlock()
	locked = false
	if o := within(t, out); o.Err != nil || o.Accepted != n || o.Spooled != n {
		t.Errorf("submission: %+v, want %d accepted into the spool", o, n)
	}
	within(t, drained)
	if err := db.Conn().Exec(ctx, "RENAME TABLE contacts_away TO contacts"); err != nil {
		t.Fatal(err)
	}
	w.Drain(ctx)
	if got := reviewCount(t, db); got != n {
		t.Errorf("%d contacts stored, want %d: accepted records lost", got, n)
	}
	if segs, _ := sp.Segments(); len(segs) != 0 {
		t.Errorf("segments left: %v", segs)
	}
}

// TestCloseInsertsUnitSpooledAsItStops: Close while the loop is collecting
// a group of a busy writer. The flusher stopped at once and the loop then
// answered the group from the spool: its records were never inserted (Close
// did not insert what was left) and stayed owned, out of the drain's reach.
func TestCloseInsertsUnitSpooledAsItStops(t *testing.T) {
	db := chtest.New(t)
	sp, err := OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := NewWriter(db, sp, WriterOptions{DrainEvery: time.Hour, Linger: 3 * time.Second, Lanes: 2}, NewMetrics(nil), nil)
	defer w.Close()
	waitFilter(t, w)
	w.lanes <- struct{}{} // an insert runs: the writer is busy
	const n = 40
	s := &submission{recs: reviewContacts("C", n), done: make(chan Outcome, 1)}
	w.in <- s
	deadline := time.Now().Add(20 * time.Second)
	for len(w.in) > 0 { // the loop took it and lingers for more
		if time.Now().After(deadline) {
			t.Fatal("the loop did not take the submission")
		}
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { w.Close(); close(closed) }()
	select {
	case o := <-s.done:
		if o.Err != nil || o.Accepted != n || o.Spooled != n {
			t.Fatalf("%+v, want %d answered from the spool", o, n)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no answer 30 s after Close")
	}
	<-w.lanes
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("Close still blocked after 30 s")
	}
	if got := reviewCount(t, db); got != n {
		t.Errorf("%d contacts stored after Close, want %d", got, n)
	}
	if segs, _ := sp.Segments(); len(segs) != 0 {
		t.Errorf("segments left after Close: %v", segs)
	}
}

// lockedBuffer collects log lines from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDrainSkipsSegmentRemovedByFlusher: the drain lists the segments, then
// skips those owned by units answered under load. A unit stored meanwhile
// has its segment removed and un-owned: the drain then found it gone and
// logged it as unreadable and quarantined (an error an operator would chase,
// frequent under load as a drain of one segment lasts an insert).
func TestDrainSkipsSegmentRemovedByFlusher(t *testing.T) {
	db := chtest.New(t)
	sp, err := OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelError}))
	w := NewWriter(db, sp, WriterOptions{DrainEvery: time.Hour}, NewMetrics(nil), log)
	defer w.Close()
	name := sp.NextName()
	w.spooled.own(name) // a unit answered from the spool under load
	if err := sp.WriteAs(name, reviewContacts("R", 3)); err != nil {
		t.Fatal(err)
	}
	w.spooled.mu.Lock()
	drained := make(chan int, 1)
	go func() { drained <- w.Drain(context.Background()) }()
	time.Sleep(500 * time.Millisecond) // the drain listed the segment and waits to check it
	// The flusher stored the unit: segment removed, then un-owned.
	if err := sp.Remove(name); err != nil {
		t.Fatal(err)
	}
	delete(w.spooled.owned, name)
	w.spooled.mu.Unlock()
	select {
	case <-drained:
	case <-time.After(30 * time.Second):
		t.Fatal("Drain still blocked after 30 s")
	}
	if s := logs.String(); s != "" {
		t.Errorf("errors logged for a segment stored and removed: %s", s)
	}
}
